//! The manager's children and their output: reaping on `SIGCHLD`, attributing orphans the
//! runtime adopts as subreaper, tracking each service's processes (its "cgroup"), and the
//! output pipes of `StandardOutput=journal` processes.

use std::collections::HashMap;
use std::os::fd::AsFd;

use super::manager::{Manager, Rt, STREAM_BASE, UnitId};

impl Manager<'_> {
    pub(super) fn reap(&mut self) {
        let exited = super::sys::process::reap();
        if let Some(owner) = exited
            .iter()
            .find_map(|(pid, _)| self.pids.get(&pid.as_raw()).map(|(id, _)| *id))
        {
            self.adopt_orphans(owner);
        }
        let mut emptied: Vec<UnitId> = Vec::new();
        for (pid, status) in exited {
            let pid = pid.as_raw();
            let Some((id, role)) = self.pids.remove(&pid) else {
                // Another process of a unit (a child left behind, an adopted daemon): the unit
                // may be empty now, which its machine may be waiting for (systemd's cgroup-empty
                // notification).
                for (&id, u) in &self.units {
                    if let Rt::Service(s) = &u.rt
                        && s.procs.contains(&pid)
                        && !emptied.contains(&id)
                    {
                        emptied.push(id);
                    }
                }
                continue;
            };
            match self.unit(id).map(|u| &u.rt) {
                Some(Rt::Socket(_)) => {
                    if let Some(Rt::Socket(s)) = self.rt_mut(id) {
                        s.control_pid = None;
                    }
                    self.socket_exited(id, pid, status);
                }
                Some(Rt::Service(_)) => self.service_exited(id, pid, role, status),
                None => {}
            }
        }
        for id in emptied {
            self.recheck_empty(id);
        }
    }

    /// Our direct children that no unit knows (a daemon whose parent exited, reparented to us
    /// as subreaper) are attributed to the service whose `$INVOCATION_ID` they carry in their
    /// initial environment, else to the unit whose process just exited.
    pub(super) fn adopt_orphans(&mut self, owner: UnitId) {
        let table = super::sys::process::ProcessTable::read();
        let me = std::process::id() as i32;
        let mut known = std::collections::BTreeSet::new();
        let mut invocations: HashMap<String, UnitId> = HashMap::new();
        for (&id, u) in &self.units {
            if let Rt::Service(s) = &u.rt {
                known.extend(s.procs.iter().copied());
                if !s.invocation_id.is_empty() {
                    invocations.insert(s.invocation_id.clone(), id);
                }
            }
        }
        let orphans: Vec<i32> = table
            .children(me)
            .into_iter()
            .filter(|p| !self.pids.contains_key(p) && !known.contains(p))
            .collect();
        for orphan in orphans {
            let id = super::sys::process::environ_var(orphan, "INVOCATION_ID")
                .and_then(|inv| invocations.get(&inv).copied())
                .unwrap_or(owner);
            if let Some(Rt::Service(s)) = self.rt_mut(id) {
                s.procs.insert(orphan);
            }
        }
    }

    /// Refreshes the process set of service `id`; returns whether any process is left.
    pub(super) fn track(&mut self, id: UnitId) -> bool {
        let table = super::sys::process::ProcessTable::read();
        let Some(Rt::Service(s)) = self.rt_mut(id) else {
            return false;
        };
        let mut set: std::collections::BTreeSet<i32> = s.procs.iter().copied().collect();
        set.extend(s.main_pid);
        set.extend(s.control_pid);
        for &g in &s.pgids {
            set.extend(table.group(g));
        }
        let roots: Vec<i32> = set.iter().copied().collect();
        for r in roots {
            set.extend(table.subtree(r));
        }
        set.retain(|&p| table.alive(p));
        s.pgids.retain(|&g| !table.group(g).is_empty());
        s.procs = set;
        !s.procs.is_empty()
    }

    /// Watches an output pipe whose lines are logged as the unit's output.
    pub(super) fn add_stream(
        &mut self,
        fd: std::os::fd::OwnedFd,
        splitter: super::journal::LineSplitter,
    ) {
        let token = STREAM_BASE + self.next_stream;
        self.next_stream += 1;
        if self.ev.watch(fd.as_fd(), token).is_ok() {
            self.streams.insert(token, (fd, splitter));
        }
    }

    pub(super) fn read_stream(&mut self, token: u64) {
        let Some((fd, splitter)) = self.streams.get_mut(&token) else {
            return;
        };
        let (lines, done) = match super::sys::stream::read(fd) {
            super::sys::stream::Chunk::Data(bytes) => (splitter.feed(&bytes), false),
            super::sys::stream::Chunk::Again => (Vec::new(), false),
            super::sys::stream::Chunk::Eof => (splitter.finish(), true),
        };
        for line in lines {
            let text = String::from_utf8_lossy(&line.text);
            self.obs.log(None, text.trim_end_matches('\n'));
        }
        if done && let Some((fd, _)) = self.streams.remove(&token) {
            self.ev.unwatch(fd.as_fd());
        }
    }
}
