//! Performing a service machine's actions (kills per `KillMode=`, timers, `PIDFile=`, main-pid
//! guessing, restarts), and telling the sockets that trigger it how it looks. Spawning is in
//! [`super::spawning`].

use std::collections::VecDeque;

use super::manager::{Deferred, Manager, Rt, TimerKind, UnitId, timer_key};
use super::plan::UnitSpec;
use super::service_unit::{PidFileRead, Role, ServiceAction, ServiceEvent, ServiceState};
use super::socket_unit::ServiceView;
use super::sys::event_loop::now;
use super::sys::process;
use super::types::{ExitStatus, INFINITY, KillOp, KillOutcome};
use nix::unistd::Pid;

/// How often a watched `PIDFile=` is looked at (systemd uses inotify).
const PID_FILE_POLL: u64 = 100_000;

fn event_name(ev: &ServiceEvent) -> &'static str {
    match ev {
        ServiceEvent::Start { .. } => "start",
        ServiceEvent::Stop => "stop",
        ServiceEvent::Restart { .. } => "restart",
        ServiceEvent::Reload => "reload",
        ServiceEvent::ResetFailed => "reset-failed",
        ServiceEvent::Clean => "clean",
        ServiceEvent::Spawned { .. } => "spawned",
        ServiceEvent::SpawnFailed { .. } => "spawn-failed",
        ServiceEvent::ExecOk => "exec-ok",
        ServiceEvent::MainExited(_) => "main-exited",
        ServiceEvent::ControlExited(_) => "control-exited",
        ServiceEvent::Killed(_) => "killed",
        ServiceEvent::Timeout => "timeout",
        ServiceEvent::WatchdogTimeout => "watchdog",
        ServiceEvent::Notify(_) => "notify",
        ServiceEvent::PidFile(_) => "pid-file",
        ServiceEvent::PidFileChanged => "pid-file-changed",
        ServiceEvent::MainPidGuessed(_) => "main-pid-guessed",
        ServiceEvent::CgroupEmpty => "cgroup-empty",
        ServiceEvent::BusName { .. } => "bus-name",
        ServiceEvent::OomKilled => "oom-killed",
    }
}

/// How a service looks to the sockets that trigger it (`socket_trigger_notify`).
fn view(state: ServiceState, pending: bool) -> ServiceView {
    if pending {
        return ServiceView::Busy;
    }
    match state {
        ServiceState::Dead
        | ServiceState::Failed
        | ServiceState::FinalSigterm
        | ServiceState::FinalSigkill
        | ServiceState::AutoRestart => ServiceView::Stopped,
        ServiceState::Running => ServiceView::Running,
        _ => ServiceView::Busy,
    }
}

impl<'a> Manager<'a> {
    /// Adds a connection instance (never looked up by name before).
    pub(super) fn insert_instance(&mut self, spec: UnitSpec) -> UnitId {
        let name = spec.name.clone();
        self.ids.remove(&name);
        self.add_spec(spec)
    }

    /// Feeds `event` to service `id` and performs the actions, answers first.
    pub(super) fn service_event(&mut self, id: UnitId, event: ServiceEvent) {
        let mut pending = VecDeque::from([event]);
        while let Some(ev) = pending.pop_front() {
            let name = event_name(&ev);
            let Some(Rt::Service(s)) = self.rt_mut(id) else {
                return;
            };
            let limit_before = s.m.start_limit_hit;
            let actions = s.m.step(ev);
            if s.m.start_limit_hit && !limit_before {
                // systemd's service_enter_dead() runs again when the start limit refuses a
                // start (failed → failed): it logs the sticky result and notifies the
                // triggering sockets (service_set_state() always calls unit_notify()).
                let v = view(s.m.state, s.start_pending);
                let socks = if s.conn.is_none() {
                    s.triggered_by.clone()
                } else {
                    Vec::new()
                };
                // Logged here only when no state change does it (failed → failed).
                let quiet = !actions
                    .iter()
                    .any(|a| matches!(a, ServiceAction::StateChanged { .. }));
                let result = s.m.result.name();
                let unit = self.name(id);
                if quiet {
                    self.obs
                        .log(Some(&unit), &format!("Failed with result '{result}'."));
                }
                for sock in socks {
                    self.later.push_back(Deferred::NotifySocket(sock, v, true));
                }
            }
            for a in actions {
                if let ServiceAction::StateChanged { from, to } = a {
                    self.service_changed(id, from, to, name);
                } else if let Some(answer) = self.service_action(id, a) {
                    pending.push_back(answer);
                }
            }
            if pending.is_empty()
                && let Some(Rt::Service(s)) = self.rt_mut(id)
                && std::mem::take(&mut s.exec_ok_pending)
            {
                pending.push_back(ServiceEvent::ExecOk);
            }
            if pending.is_empty() && self.cgroup_empty(id) {
                pending.push_back(ServiceEvent::CgroupEmpty);
            }
        }
    }

    /// Feeds `CgroupEmpty` to service `id` if its last process is gone.
    pub(super) fn recheck_empty(&mut self, id: UnitId) {
        if self.cgroup_empty(id) {
            self.service_event(id, ServiceEvent::CgroupEmpty);
        }
    }

    /// Whether a service that had processes has none left (reported once per emptying).
    fn cgroup_empty(&mut self, id: UnitId) -> bool {
        let Some(Rt::Service(s)) = self.rt_mut(id) else {
            return false;
        };
        if s.procs.is_empty() && s.pgids.is_empty() {
            return false;
        }
        if s.main_pid.is_some() || s.control_pid.is_some() {
            return false;
        }
        !self.track(id)
    }

    /// A state change: trace it, log job messages, tell the triggering sockets, and release
    /// an `Accept=yes` instance's connection once it is inactive.
    fn service_changed(&mut self, id: UnitId, from: ServiceState, to: ServiceState, event: &str) {
        let last = self.last_exited;
        let pid = match self.rt_mut(id) {
            Some(Rt::Service(s)) => last.or(s.main_pid).or(s.control_pid),
            _ => None,
        };
        self.record(id, from.name(), to.name(), event, pid);
        let Some(Rt::Service(s)) = self.rt_mut(id) else {
            return;
        };
        let limit = s.m.start_limit_hit;
        let v = view(to, s.start_pending);
        // An Accept=yes instance's connection is released by the machine's CloseSocketFd at
        // systemd's points (kept while dead with a restart queued); its socket ignores the
        // instance's state (socket_trigger_notify returns for Accept=yes).
        if !s.instance {
            for sock in s.triggered_by.clone() {
                self.later.push_back(Deferred::NotifySocket(sock, v, limit));
            }
        }
        let desc = self
            .unit(id)
            .map(|u| u.spec.description.clone())
            .unwrap_or_default();
        if to == ServiceState::Failed
            && let Some((_, _, result)) = self.state_of(id)
        {
            let name = self.name(id);
            self.obs
                .log(Some(&name), &format!("Failed with result '{result}'."));
        }
        match to {
            ServiceState::Running | ServiceState::Exited
                if from.activity() == super::types::Activity::Activating
                    || from == ServiceState::Dead =>
            {
                self.obs.log(None, &format!("Started {desc}."));
            }
            ServiceState::Dead if from.activity() == super::types::Activity::Deactivating => {
                self.obs.log(None, &format!("Stopped {desc}."));
            }
            _ => {}
        }
    }

    /// Closes an instance's connection and tells its socket.
    fn release_connection(&mut self, id: UnitId, sock: UnitId) {
        if let Some(Rt::Service(s)) = self.rt_mut(id)
            && let Some((c, _)) = s.conn.take()
        {
            self.later
                .push_back(Deferred::ConnectionClosed(sock, c.source));
        }
    }

    /// A deferred start of service `id`.
    pub(super) fn start_service(&mut self, id: UnitId) {
        if let Some(Rt::Service(s)) = self.rt_mut(id) {
            s.start_pending = false;
        }
        if !self.conditions_hold(id) {
            // The start job ends (skipped or failed) without a state change; systemd still
            // tells the triggering sockets (job_finish_and_invalidate → unit_trigger_notify).
            match self.rt_mut(id) {
                Some(Rt::Service(s)) if s.instance => {
                    // A skipped connection instance never runs: its connection is released
                    // and the dead unit collected.
                    if let Some(sock) = s.conn_socket() {
                        self.release_connection(id, sock);
                    }
                    self.later.push_back(Deferred::Collect(id));
                }
                Some(Rt::Service(s)) => {
                    let v = view(s.m.state, false);
                    for sock in s.triggered_by.clone() {
                        self.later.push_back(Deferred::NotifySocket(sock, v, false));
                    }
                }
                _ => {}
            }
            return;
        }
        if let Some(Rt::Service(s)) = self.rt_mut(id) {
            s.invocation_id = invocation_id();
        }
        self.service_event(id, ServiceEvent::Start { now: now() });
    }

    /// A stop request for service `id`.
    pub(super) fn service_stop(&mut self, id: UnitId) {
        if let Some(Rt::Service(s)) = self.rt_mut(id) {
            s.start_pending = false;
        }
        self.service_event(id, ServiceEvent::Stop);
    }

    /// One of service `id`'s timers fired.
    pub(super) fn service_timer(&mut self, id: UnitId, kind: TimerKind) {
        let ev = match kind {
            TimerKind::State => ServiceEvent::Timeout,
            TimerKind::Watchdog => ServiceEvent::WatchdogTimeout,
            TimerKind::PidFile => {
                // Poll again; report a change of the file's existence or content.
                let Some(Rt::Service(s)) = self.rt_mut(id) else {
                    return;
                };
                let Some(path) = s.config.pid_file.clone() else {
                    return;
                };
                let now_seen = std::fs::read_to_string(&path).ok();
                let changed = now_seen != s.pid_file_seen;
                s.pid_file_seen = now_seen;
                let _ = self.ev.arm(
                    timer_key(id, TimerKind::PidFile),
                    now().saturating_add(PID_FILE_POLL),
                );
                if !changed {
                    return;
                }
                ServiceEvent::PidFileChanged
            }
        };
        self.service_event(id, ev);
    }

    /// A process of service `id` exited (the machine logs systemd's `… exited, code=…` line).
    pub(super) fn service_exited(&mut self, id: UnitId, pid: i32, role: Role, status: ExitStatus) {
        let Some(Rt::Service(s)) = self.rt_mut(id) else {
            return;
        };
        match role {
            Role::Main if s.main_pid == Some(pid) => s.main_pid = None,
            Role::Control if s.control_pid == Some(pid) => s.control_pid = None,
            _ => return,
        }
        self.last_exited = Some(pid);
        let ev = match role {
            Role::Main => ServiceEvent::MainExited(status),
            Role::Control => ServiceEvent::ControlExited(status),
        };
        self.service_event(id, ev);
        self.last_exited = None;
    }

    fn service_action(&mut self, id: UnitId, action: ServiceAction) -> Option<ServiceEvent> {
        let name = self.name(id);
        match action {
            ServiceAction::Log(text) => self.obs.log(Some(&name), &text),
            ServiceAction::ArmTimer(usec) => self.arm(id, TimerKind::State, usec),
            ServiceAction::ArmRuntimeTimer(usec) => {
                let since = self.unit(id).map_or(0, |u| u.since);
                let at = since.saturating_add(usec).saturating_sub(now());
                self.arm(id, TimerKind::State, at);
            }
            ServiceAction::ExtendTimeout(usec) => self.arm(id, TimerKind::State, usec),
            ServiceAction::ArmWatchdog(usec) => self.arm(id, TimerKind::Watchdog, usec),
            ServiceAction::DisarmTimer => self.arm(id, TimerKind::State, INFINITY),
            ServiceAction::DisarmWatchdog => self.arm(id, TimerKind::Watchdog, INFINITY),
            ServiceAction::WatchPidFile => {
                if let Some(Rt::Service(s)) = self.rt_mut(id) {
                    s.pid_file_seen = s
                        .config
                        .pid_file
                        .as_ref()
                        .and_then(|p| std::fs::read_to_string(p).ok());
                }
                self.arm(id, TimerKind::PidFile, PID_FILE_POLL);
            }
            ServiceAction::UnwatchPidFile => self.arm(id, TimerKind::PidFile, INFINITY),
            ServiceAction::Kill(op) => {
                return Some(ServiceEvent::Killed(self.service_kill(id, op)));
            }
            ServiceAction::KillControl => {
                if let Some(Rt::Service(s)) = self.rt_mut(id)
                    && let Some(pid) = s.control_pid
                {
                    let _ = process::kill_group(Pid::from_raw(pid), libc::SIGKILL);
                }
            }
            ServiceAction::Spawn { cmd, index, role } => {
                return Some(self.service_spawn(id, cmd, index, role));
            }
            ServiceAction::SpawnClean => {
                return Some(ServiceEvent::SpawnFailed {
                    role: Role::Control,
                    error: "Operation not supported".to_owned(),
                });
            }
            ServiceAction::ReadPidFile => {
                return Some(ServiceEvent::PidFile(self.read_pid_file(id)));
            }
            ServiceAction::GuessMainPid => {
                return Some(ServiceEvent::MainPidGuessed(self.guess_main_pid(id)));
            }
            ServiceAction::ForgetMainPid => {
                if let Some(Rt::Service(s)) = self.rt_mut(id)
                    && let Some(pid) = s.main_pid.take()
                {
                    self.pids.remove(&pid);
                }
            }
            ServiceAction::ForgetControlPid => {
                if let Some(Rt::Service(s)) = self.rt_mut(id)
                    && let Some(pid) = s.control_pid.take()
                {
                    self.pids.remove(&pid);
                }
            }
            ServiceAction::RemovePidFile => {
                if let Some(Rt::Service(s)) = self.rt_mut(id)
                    && let Some(p) = &s.config.pid_file
                {
                    let _ = std::fs::remove_file(p);
                }
            }
            ServiceAction::QueueRestart => self.later.push_back(Deferred::RestartService(id)),
            ServiceAction::CloseSocketFd => {
                if let Some(Rt::Service(s)) = self.rt_mut(id)
                    && let Some(sock) = s.conn_socket()
                {
                    self.release_connection(id, sock);
                }
            }
            ServiceAction::ReleaseResources => {
                // Inactive with no job: where systemd's GC unloads a dead instance.
                if let Some(Rt::Service(s)) = self.rt_mut(id)
                    && s.instance
                    && s.m.state == ServiceState::Dead
                {
                    self.later.push_back(Deferred::Collect(id));
                }
            }
            ServiceAction::StateChanged { .. } | ServiceAction::AdoptMainPid => {}
        }
        None
    }

    /// Arms (or, for `INFINITY`, disarms) a unit timer `usec` from now.
    fn arm(&mut self, id: UnitId, kind: TimerKind, usec: u64) {
        let key = timer_key(id, kind);
        if usec == INFINITY {
            let _ = self.ev.disarm(key);
        } else {
            let _ = self.ev.arm(key, now().saturating_add(usec));
        }
    }

    /// `service_search_main_pid`: the one process of the unit whose parent is the runtime
    /// (a daemon that forked away and was reparented to us) becomes the main pid.
    fn guess_main_pid(&mut self, id: UnitId) -> bool {
        self.track(id);
        let table = process::ProcessTable::read();
        let me = std::process::id() as i32;
        let Some(Rt::Service(s)) = self.rt_mut(id) else {
            return false;
        };
        let ours = table.children(me);
        let candidates: Vec<i32> = s
            .procs
            .iter()
            .copied()
            .filter(|p| ours.contains(p) && Some(*p) != s.control_pid)
            .collect();
        let [pid] = candidates[..] else {
            return false;
        };
        s.main_pid = Some(pid);
        self.pids.insert(pid, (id, Role::Main));
        true
    }

    /// `PIDFile=`: a live process named by the file becomes the main pid.
    fn read_pid_file(&mut self, id: UnitId) -> PidFileRead {
        let name = self.name(id);
        let Some(Rt::Service(s)) = self.rt_mut(id) else {
            return PidFileRead::Failed;
        };
        let Some(path) = s.config.pid_file.clone() else {
            return PidFileRead::Failed;
        };
        let pid = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| t.trim().parse::<i32>().ok())
            .filter(|&p| p > 1 && std::path::Path::new(&format!("/proc/{p}")).exists());
        match pid {
            None => {
                self.obs.log(
                    Some(&name),
                    &format!(
                        "Can't open PID file {path} (yet?) after start: No such file or directory"
                    ),
                );
                PidFileRead::Failed
            }
            Some(p) if s.main_pid == Some(p) => PidFileRead::Unchanged,
            Some(p) => {
                s.main_pid = Some(p);
                self.pids.insert(p, (id, Role::Main));
                PidFileRead::Loaded
            }
        }
    }

    /// `unit_kill_context` over the main process, the control process and their groups.
    fn service_kill(&mut self, id: UnitId, op: KillOp) -> KillOutcome {
        let Some(Rt::Service(s)) = self.rt_mut(id) else {
            return KillOutcome::Nothing;
        };
        let k = &s.config.kill;
        let signal = match op {
            KillOp::Kill => k.final_kill_signal,
            KillOp::Watchdog => k.watchdog_signal,
            KillOp::Restart if k.restart_kill_signal != 0 => k.restart_kill_signal,
            KillOp::Terminate | KillOp::Restart => k.kill_signal,
        };
        let mut signalled = false;
        let group = match k.kill_mode.as_str() {
            "none" => return KillOutcome::Nothing,
            "control-group" => true,
            "mixed" => op == KillOp::Kill,
            _ => false,
        };
        let main_control: Vec<i32> = [s.main_pid, s.control_pid].into_iter().flatten().collect();
        let sighup = k.send_sighup && matches!(op, KillOp::Terminate | KillOp::Restart);
        let targets: Vec<i32> = if group {
            self.track(id);
            match self.rt_mut(id) {
                Some(Rt::Service(s)) => s.procs.iter().copied().collect(),
                _ => Vec::new(),
            }
        } else {
            main_control
        };
        for pid in targets {
            let pid = Pid::from_raw(pid);
            signalled |= process::kill_pid(pid, signal) == KillOutcome::Signalled;
            if sighup {
                let _ = process::kill_pid(pid, libc::SIGHUP);
            }
        }
        if signalled {
            KillOutcome::Signalled
        } else {
            KillOutcome::Nothing
        }
    }
}

/// A random 128-bit id in hex (`$INVOCATION_ID`).
fn invocation_id() -> String {
    let mut buf = [0u8; 16];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        use std::io::Read;
        let _ = f.read_exact(&mut buf);
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}
