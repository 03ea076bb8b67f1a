//! Routing `sd_notify()` messages from the notification socket to the service they come from
//! (systemd 252 `manager_dispatch_notify_fd` → `service_notify_message`): parse, find the unit
//! by the sender's pid, apply `NotifyAccess=`, check a new `MAINPID=`, and feed the machine.

use nix::unistd::Pid;

use super::manager::{Manager, Rt, UnitId};
use super::notify_msg::{self, Verdict};
use super::service_unit::{Role, ServiceEvent, ServiceState};
use super::sys::notify::{Datagram, Received};
use super::sys::process::ProcessTable;

impl Manager<'_> {
    /// Drains the notification socket.
    pub(super) fn receive_notifications(&mut self) {
        loop {
            let Some(n) = &self.notify else {
                return;
            };
            match n.recv() {
                Ok(Received::Empty) => return,
                Ok(Received::Rejected { warning, .. }) => self.obs.log(None, warning),
                Ok(Received::Message(d)) => self.notification(d),
                Err(e) => {
                    let text = format!("Failed to receive notification message: {}", e.desc());
                    self.obs.log(None, &text);
                    return;
                }
            }
        }
    }

    fn notification(&mut self, d: Datagram) {
        let p = notify_msg::parse_message(&d.data, d.n_fds);
        for w in &p.manager_warnings {
            self.obs.log(None, w);
        }
        if p.barrier {
            return;
        }
        let pgid = nix::unistd::getpgid(Some(Pid::from_raw(d.pid)))
            .ok()
            .map(Pid::as_raw);
        let mut delivered = false;
        for id in self.unit_ids() {
            let Some(Rt::Service(s)) = self.unit(id).map(|u| &u.rt) else {
                continue;
            };
            let in_unit = s.procs.contains(&d.pid) || pgid.is_some_and(|g| s.pgids.contains(&g));
            let pids: Vec<i32> = if in_unit { vec![d.pid] } else { Vec::new() };
            let access = s.m.params().notify_access();
            match notify_msg::authorize(access, d.pid, s.main_pid, s.control_pid, &pids) {
                Verdict::NotThisUnit => continue,
                Verdict::Refuse(w) => {
                    delivered = true;
                    let name = self.name(id);
                    self.obs.log(Some(&name), &w);
                }
                Verdict::Accept => {
                    delivered = true;
                    self.deliver(id, &d, p.clone(), in_unit);
                }
            }
            break;
        }
        if !delivered {
            self.obs
                .log(None, &notify_msg::unknown_sender_warning(d.pid));
        }
        if let Some(w) = notify_msg::extra_fds_warning(&p, d.n_fds, delivered) {
            self.obs.log(None, w);
        }
    }

    fn deliver(&mut self, id: UnitId, d: &Datagram, mut p: notify_msg::Parsed, in_unit: bool) {
        let name = self.name(id);
        self.obs.debug(Some(&name), &p.debug_line(d.pid));
        let Some(Rt::Service(s)) = self.unit(id).map(|u| &u.rt) else {
            return;
        };
        let (main, control) = (s.main_pid, s.control_pid);
        let main_pid_state = matches!(
            s.m.state,
            ServiceState::Start
                | ServiceState::StartPost
                | ServiceState::Running
                | ServiceState::Reload
        );
        let mut adopted = None;
        if main_pid_state {
            match p.main_pid.take() {
                Some(Err(w)) => self.obs.log(Some(&name), &w),
                Some(Ok(pid)) => {
                    let alive = ProcessTable::read().alive(pid);
                    let in_unit_new = self.unit(id).is_some_and(|u| match &u.rt {
                        Rt::Service(s) => s.procs.contains(&pid) || in_unit && pid == d.pid,
                        Rt::Socket(_) => false,
                    });
                    let me = std::process::id() as i32;
                    let check = notify_msg::check_main_pid(
                        pid,
                        main,
                        control,
                        me,
                        alive,
                        in_unit_new,
                        d.uid,
                    );
                    if let Some(w) = &check.warning {
                        self.obs.log(Some(&name), w);
                    }
                    if let Some(m) = &check.debug {
                        self.obs.debug(Some(&name), m);
                    }
                    p.notification.main_pid = check.adopt;
                    if check.adopt {
                        adopted = Some(pid);
                    }
                }
                None => {}
            }
        }
        for w in &p.warnings {
            self.obs.log(Some(&name), w);
        }
        if let Some(pid) = adopted
            && let Some(Rt::Service(s)) = self.rt_mut(id)
        {
            let old = s.main_pid.replace(pid);
            s.procs.insert(pid);
            if let Some(old) = old {
                self.pids.remove(&old);
            }
            self.pids.insert(pid, (id, Role::Main));
        }
        self.service_event(id, ServiceEvent::Notify(p.notification));
    }
}
