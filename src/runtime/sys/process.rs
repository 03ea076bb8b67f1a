//! Reaping, signalling and finding unit processes, and systemd's exit status names.
//!
//! # Contract
//!
//! - [`reap`] collects every exited child without blocking; call it on each SIGCHLD
//!   (signals coalesce, so one SIGCHLD may stand for several children).
//! - [`kill_pid`] / [`kill_group`] report [`KillOutcome::Nothing`] when nothing was left to
//!   signal (ESRCH), which the state machines use to skip a kill state.
//! - [`set_child_subreaper`] makes orphaned descendants ours, so they are reaped here too.
//! - [`group_members`] and [`descendants`] read `/proc` (best effort; zombies excluded) for
//!   process tracking without cgroups.
//! - Never prints, never blocks.

use std::collections::HashMap;

use nix::errno::Errno;
use nix::unistd::Pid;

use crate::runtime::types::{ExitStatus, KillOutcome};

/// systemd's `exit_status_to_string(code, EXIT_STATUS_FULL)` (v252 `src/shared/exit-status.c`):
/// the name in `status=203/EXEC`, or `None` for codes without one. The table is the config
/// layer's (`SuccessExitStatus=` accepts the same names).
pub fn exit_status_name(code: i32) -> Option<&'static str> {
    u8::try_from(code)
        .ok()
        .and_then(crate::config::value::exit_status_name)
}

/// Decodes a `waitpid()` status; `None` for stop/continue reports.
fn decode_wait_status(status: libc::c_int) -> Option<ExitStatus> {
    if libc::WIFEXITED(status) {
        Some(ExitStatus::Exited(libc::WEXITSTATUS(status)))
    } else if libc::WIFSIGNALED(status) {
        let signal = libc::WTERMSIG(status);
        Some(if libc::WCOREDUMP(status) {
            ExitStatus::Dumped(signal)
        } else {
            ExitStatus::Killed(signal)
        })
    } else {
        None
    }
}

/// Every child that has exited, with how it ended: `waitpid(-1, WNOHANG)` until none is left
/// (0 or ECHILD). Never blocks.
pub fn reap() -> Vec<(Pid, ExitStatus)> {
    let mut reaped = Vec::new();
    loop {
        let mut status: libc::c_int = 0;
        // SAFETY: `status` is valid, writable storage; WNOHANG never blocks.
        let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
        if pid < 0 && Errno::last() == Errno::EINTR {
            continue;
        }
        if pid <= 0 {
            return reaped;
        }
        if let Some(exit) = decode_wait_status(status) {
            reaped.push((Pid::from_raw(pid), exit));
        }
    }
}

/// `kill(target, signal)` mapped to a [`KillOutcome`].
fn kill_raw(target: libc::pid_t, signal: i32) -> KillOutcome {
    // SAFETY: plain system call; the target and signal are checked by the kernel.
    if unsafe { libc::kill(target, signal) } == 0 {
        return KillOutcome::Signalled;
    }
    match Errno::last() {
        Errno::ESRCH => KillOutcome::Nothing,
        _ => KillOutcome::Failed,
    }
}

/// Sends `signal` to one process. Pids ≤ 0 (which `kill()` would treat as groups or
/// "everyone") are refused as [`KillOutcome::Failed`].
pub fn kill_pid(pid: Pid, signal: i32) -> KillOutcome {
    if pid.as_raw() <= 0 {
        return KillOutcome::Failed;
    }
    kill_raw(pid.as_raw(), signal)
}

/// Sends `signal` to every process of group `pgid` (`kill(-pgid, signal)`). A pgid ≤ 1 is
/// refused as [`KillOutcome::Failed`] (it would mean our own group or every process).
pub fn kill_group(pgid: Pid, signal: i32) -> KillOutcome {
    if pgid.as_raw() <= 1 {
        return KillOutcome::Failed;
    }
    kill_raw(-pgid.as_raw(), signal)
}

/// `prctl(PR_SET_CHILD_SUBREAPER, 1)`: orphaned descendants are reparented to us.
pub fn set_child_subreaper() -> Result<(), Errno> {
    nix::sys::prctl::set_child_subreaper(true)
}

/// One `/proc/PID/stat` line: (state, ppid, pgrp).
fn parse_stat(stat: &str) -> Option<(char, i32, i32)> {
    // The command name may contain spaces and parentheses; fields resume after the last ')'.
    let rest = stat.get(stat.rfind(')')? + 1..)?;
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    let pgrp = fields.next()?.parse().ok()?;
    Some((state, ppid, pgrp))
}

/// The direct children of `pid`, from every thread's `/proc/PID/task/TID/children`; `None`
/// when the kernel does not provide those files.
fn children_of(pid: i32) -> Option<Vec<i32>> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    let mut out = Vec::new();
    let mut any = false;
    for t in tasks.flatten() {
        let Ok(text) = std::fs::read_to_string(t.path().join("children")) else {
            continue;
        };
        any = true;
        out.extend(
            text.split_whitespace()
                .filter_map(|w| w.parse::<i32>().ok()),
        );
    }
    any.then_some(out)
}

/// Every live descendant of this process: pid → (ppid, pgrp); `None` without `children`
/// files.
fn descendant_processes() -> Option<HashMap<i32, (i32, i32)>> {
    let me = std::process::id() as i32;
    let mut processes = HashMap::new();
    let mut stack = children_of(me)?;
    while let Some(pid) = stack.pop() {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let Some((state, ppid, pgrp)) = parse_stat(&stat) else {
            continue;
        };
        if state == 'Z' || processes.insert(pid, (ppid, pgrp)).is_some() {
            continue;
        }
        stack.extend(children_of(pid).unwrap_or_default());
    }
    Some(processes)
}

/// Every live (non-zombie) process: pid → (ppid, pgrp). Processes that vanish meanwhile are
/// skipped.
fn live_processes() -> HashMap<i32, (i32, i32)> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return HashMap::new();
    };
    let mut processes = HashMap::new();
    for entry in dir.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<i32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        if let Some((state, ppid, pgrp)) = parse_stat(&stat)
            && state != 'Z'
        {
            processes.insert(pid, (ppid, pgrp));
        }
    }
    processes
}

/// The value of `key` in a process's initial environment (`/proc/PID/environ`), if readable.
pub fn environ_var(pid: i32, key: &str) -> Option<String> {
    let raw = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
    raw.split(|&b| b == 0).find_map(|entry| {
        let text = std::str::from_utf8(entry).ok()?;
        let (k, v) = text.split_once('=')?;
        (k == key).then(|| v.to_owned())
    })
}

/// One read of `/proc`: every live process with its parent and process group, for the
/// manager's process tracking (a unit's processes are its main and control processes, their
/// process groups, their descendants, and orphans attributed to it).
#[derive(Debug, Clone, Default)]
pub struct ProcessTable(HashMap<i32, (i32, i32)>);

impl ProcessTable {
    /// Reads the runtime's own descendants from `/proc` (each thread's `children` file, then
    /// each descendant's `stat`): as subreaper every process of every unit is one, and this
    /// costs in proportion to them rather than to every process on the host. Falls back to a
    /// full scan of `/proc` where the kernel has no `children` files.
    pub fn read() -> ProcessTable {
        descendant_processes().map_or_else(|| ProcessTable(live_processes()), ProcessTable)
    }

    /// Whether `pid` is alive (not a zombie).
    pub fn alive(&self, pid: i32) -> bool {
        self.0.contains_key(&pid)
    }

    /// Members of process group `pgid`.
    pub fn group(&self, pgid: i32) -> Vec<i32> {
        let mut v: Vec<i32> = self
            .0
            .iter()
            .filter(|(_, (_, g))| *g == pgid)
            .map(|(p, _)| *p)
            .collect();
        v.sort_unstable();
        v
    }

    /// Direct children of `pid`.
    pub fn children(&self, pid: i32) -> Vec<i32> {
        let mut v: Vec<i32> = self
            .0
            .iter()
            .filter(|(_, (pp, _))| *pp == pid)
            .map(|(p, _)| *p)
            .collect();
        v.sort_unstable();
        v
    }

    /// `pid`'s descendants (not `pid` itself).
    pub fn subtree(&self, pid: i32) -> Vec<i32> {
        let mut found = Vec::new();
        let mut frontier = vec![pid];
        while let Some(parent) = frontier.pop() {
            for child in self.children(parent) {
                if !found.contains(&child) {
                    found.push(child);
                    frontier.push(child);
                }
            }
        }
        found.sort_unstable();
        found
    }
}

/// The live processes whose process group is `pgid`, sorted (read from `/proc`).
pub fn group_members(pgid: Pid) -> Vec<Pid> {
    let mut pids: Vec<Pid> = live_processes()
        .into_iter()
        .filter(|(_, (_, pgrp))| *pgrp == pgid.as_raw())
        .map(|(pid, _)| Pid::from_raw(pid))
        .collect();
    pids.sort();
    pids
}

/// The live descendants of `pid` (children, grandchildren, …), sorted (read from `/proc`).
/// Orphans reparented away from `pid`'s tree are not found; see [`set_child_subreaper`].
pub fn descendants(pid: Pid) -> Vec<Pid> {
    let processes = live_processes();
    let mut found = Vec::new();
    let mut frontier = vec![pid.as_raw()];
    while let Some(parent) = frontier.pop() {
        for (&child, &(ppid, _)) in &processes {
            if ppid == parent && !found.contains(&child) {
                found.push(child);
                frontier.push(child);
            }
        }
    }
    found.sort_unstable();
    found.into_iter().map(Pid::from_raw).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_status_names_follow_systemds_table() {
        let cases = [
            (0, Some("SUCCESS")),
            (1, Some("FAILURE")),
            (2, Some("INVALIDARGUMENT")),
            (7, Some("NOTRUNNING")),
            (8, None),
            (64, Some("USAGE")),
            (78, Some("CONFIG")),
            (79, None),
            (200, Some("CHDIR")),
            (203, Some("EXEC")),
            (207, Some("SIGNAL_MASK")),
            (216, Some("GROUP")),
            (217, Some("USER")),
            (220, Some("SETSID")),
            (222, Some("STDERR")),
            (223, None),
            (224, Some("PAM")),
            (231, Some("APPARMOR")),
            (234, None),
            (235, Some("CHOWN")),
            (244, Some("BPF")),
            (245, None),
            (255, Some("EXCEPTION")),
            (256, None),
            (-1, None),
            (i32::MIN, None),
        ];
        for (code, name) in cases {
            assert_eq!(exit_status_name(code), name, "{code}");
        }
    }

    #[test]
    fn stat_lines_with_odd_command_names_parse() {
        assert_eq!(parse_stat("12 (a b) S 1 12 12 0"), Some(('S', 1, 12)));
        assert_eq!(parse_stat("12 (x) (y)) Z 5 7 7"), Some(('Z', 5, 7)));
        assert_eq!(parse_stat("garbage"), None);
        assert_eq!(parse_stat("1 (x) R"), None);
    }

    #[test]
    fn wait_statuses_decode() {
        assert_eq!(decode_wait_status(3 << 8), Some(ExitStatus::Exited(3)));
        assert_eq!(
            decode_wait_status(libc::SIGTERM),
            Some(ExitStatus::Killed(15))
        );
        assert_eq!(
            decode_wait_status(libc::SIGABRT | 0x80),
            Some(ExitStatus::Dumped(6))
        );
        assert_eq!(decode_wait_status(0xffff), None);
    }

    #[test]
    fn dangerous_targets_are_refused() {
        assert_eq!(kill_pid(Pid::from_raw(0), 0), KillOutcome::Failed);
        assert_eq!(kill_pid(Pid::from_raw(-1), 0), KillOutcome::Failed);
        assert_eq!(kill_group(Pid::from_raw(1), 0), KillOutcome::Failed);
        assert_eq!(kill_group(Pid::from_raw(-5), 0), KillOutcome::Failed);
    }
}
