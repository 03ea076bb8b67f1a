//! Performing a socket machine's actions: ports, control processes, kills, accepting, and
//! the requests it makes of its service or connection instances.

use std::collections::VecDeque;
use std::os::fd::AsFd;

use super::manager::{
    Conn, Deferred, Manager, Rt, ServiceRt, TimerKind, UnitId, port_token, timer_key,
};
use super::plan::{SpecKind, connection_service};
use super::service_unit::Role;
use super::socket_unit::{InstanceError, SocketAction, SocketCommand, SocketEvent, SocketState};
use super::spawning::SpawnInputs;
use super::sys::event_loop::now;
use super::sys::{listen, process};
use super::types::Activity;
use super::types::{ExitStatus, INFINITY, KillOp, KillOutcome};
use nix::unistd::Pid;

/// A short name for an event, as the trace records it.
fn event_name(ev: &SocketEvent) -> &'static str {
    match ev {
        SocketEvent::Start { .. } => "start",
        SocketEvent::Stop => "stop",
        SocketEvent::ResetFailed => "reset-failed",
        SocketEvent::SpawnFailed { .. } => "spawn-failed",
        SocketEvent::ControlExited(_) => "control-exited",
        SocketEvent::Opened { .. } => "opened",
        SocketEvent::Watched { .. } => "watched",
        SocketEvent::Killed(_) => "killed",
        SocketEvent::Timeout => "timeout",
        SocketEvent::Ready { .. } => "ready",
        SocketEvent::Accepted { .. } => "accepted",
        SocketEvent::AcceptFailed { .. } => "accept-failed",
        SocketEvent::Triggered { .. } => "triggered",
        SocketEvent::InstanceStarted { .. } => "instance-started",
        SocketEvent::ServiceChanged { .. } => "service-changed",
        SocketEvent::ConnectionClosed { .. } => "connection-closed",
    }
}

impl Manager<'_> {
    /// Feeds `event` to socket `id` and performs the actions, answers first.
    pub(super) fn socket_event(&mut self, id: UnitId, event: SocketEvent) {
        let mut pending = VecDeque::from([event]);
        while let Some(ev) = pending.pop_front() {
            let name = event_name(&ev);
            let pid = match ev {
                SocketEvent::ControlExited(_) => self.last_exited,
                _ => None,
            };
            let Some(Rt::Socket(s)) = self.rt_mut(id) else {
                return;
            };
            let before = s.m.state;
            let actions = s.m.step(ev);
            let after = s.m.state;
            let pid = pid.or(s.control_pid);
            self.observe(id, before.name(), name, pid);
            if before != after {
                self.socket_job_message(id, before, after);
                if after == SocketState::Dead && self.collectable(id) {
                    // systemd garbage-collects a dead socket nothing needs, and a start loads
                    // it afresh: its start-limit counter starts over.
                    pending.push_back(SocketEvent::ResetFailed);
                }
            }
            for a in actions {
                if let Some(answer) = self.socket_action(id, a) {
                    pending.push_back(answer);
                }
            }
        }
    }

    /// Whether systemd would garbage-collect socket `id` now: dead, and its service (if any)
    /// inactive with no start pending.
    fn collectable(&self, id: UnitId) -> bool {
        let Some(Rt::Socket(s)) = self.unit(id).map(|u| &u.rt) else {
            return false;
        };
        s.triggers
            .is_none_or(|svc| match self.unit(svc).map(|u| &u.rt) {
                Some(Rt::Service(sv)) => {
                    !sv.start_pending && sv.m.state.activity().is_inactive_or_failed()
                }
                _ => true,
            })
    }

    /// The job-completion lines systemd prints for sockets (`Listening on …`, `Closed …`).
    fn socket_job_message(&mut self, id: UnitId, from: SocketState, to: SocketState) {
        let desc = self
            .unit(id)
            .map(|u| u.spec.description.clone())
            .unwrap_or_default();
        let starting = matches!(
            from.activity(),
            Activity::Activating | Activity::Inactive | Activity::Failed
        );
        let text = match to {
            SocketState::Listening if starting => format!("Listening on {desc}."),
            SocketState::Failed if starting => format!("Failed to listen on {desc}."),
            SocketState::Dead => format!("Closed {desc}."),
            _ => return,
        };
        self.obs.log(None, &text);
    }

    /// Adds every port of socket `id` to epoll; on failure none stays watched.
    fn watch_ports(&mut self, id: UnitId) -> Option<String> {
        let Some(super::manager::Unit {
            rt: Rt::Socket(s), ..
        }) = self.units.get_mut(&id)
        else {
            return None;
        };
        if s.watched {
            return None;
        }
        let mut error = None;
        for (i, p) in s.ports.iter().enumerate() {
            if let Err(e) = self.ev.watch(p.fd.as_fd(), port_token(id, i)) {
                error = Some(e.to_string());
                break;
            }
        }
        s.watched = true;
        if error.is_some() {
            self.unwatch_ports(id);
        }
        error
    }

    /// Removes every port of socket `id` from epoll.
    fn unwatch_ports(&mut self, id: UnitId) {
        if let Some(super::manager::Unit {
            rt: Rt::Socket(s), ..
        }) = self.units.get_mut(&id)
            && s.watched
        {
            for p in &s.ports {
                self.ev.unwatch(p.fd.as_fd());
            }
            s.watched = false;
        }
    }

    /// A control process of socket `id` exited.
    pub(super) fn socket_exited(&mut self, id: UnitId, pid: i32, status: ExitStatus) {
        self.last_exited = Some(pid);
        self.socket_event(id, SocketEvent::ControlExited(status));
        self.last_exited = None;
    }

    fn socket_action(&mut self, id: UnitId, action: SocketAction) -> Option<SocketEvent> {
        let name = self.name(id);
        let Some(Rt::Socket(s)) = self.rt_mut(id) else {
            return None;
        };
        match action {
            SocketAction::Log(text) => {
                self.obs.log(Some(&name), &text);
                None
            }
            SocketAction::Debug(text) => {
                self.obs.debug(Some(&name), &text);
                None
            }
            SocketAction::ArmTimer(usec) => {
                if usec != INFINITY && usec != 0 {
                    let _ = self
                        .ev
                        .arm(timer_key(id, TimerKind::State), now().saturating_add(usec));
                } else {
                    let _ = self.ev.disarm(timer_key(id, TimerKind::State));
                }
                None
            }
            SocketAction::DisarmTimer => {
                let _ = self.ev.disarm(timer_key(id, TimerKind::State));
                None
            }
            SocketAction::Open => {
                let result = listen::open_ports(&s.config);
                Some(match result {
                    Ok(opened) => {
                        s.ports = opened.ports;
                        for w in opened.warnings {
                            self.obs.log(Some(&name), &w);
                        }
                        SocketEvent::Opened { error: None }
                    }
                    Err(e) => {
                        for w in &e.warnings {
                            self.obs.log(Some(&name), w);
                        }
                        self.obs.log(Some(&name), &e.message);
                        SocketEvent::Opened {
                            error: Some(listen::strerror(e.errno)),
                        }
                    }
                })
            }
            SocketAction::Close => {
                let ports = std::mem::take(&mut s.ports);
                let config = s.config.clone();
                self.unwatch_ports(id);
                listen::close_ports(ports, &config);
                None
            }
            SocketAction::Watch => Some(SocketEvent::Watched {
                error: self.watch_ports(id),
            }),
            SocketAction::Unwatch => {
                self.unwatch_ports(id);
                None
            }
            SocketAction::Flush => {
                for p in &s.ports {
                    listen::flush_port(p);
                }
                None
            }
            SocketAction::Kill(op) => {
                let signal = match op {
                    KillOp::Kill => s.config.kill.final_kill_signal,
                    KillOp::Watchdog => s.config.kill.watchdog_signal,
                    KillOp::Terminate | KillOp::Restart => s.config.kill.kill_signal,
                };
                let outcome = match s.control_pid {
                    Some(pid) if s.config.kill.kill_mode != "none" => {
                        process::kill_group(Pid::from_raw(pid), signal)
                    }
                    _ => KillOutcome::Nothing,
                };
                Some(SocketEvent::Killed(outcome))
            }
            SocketAction::Spawn { cmd, index } => self.socket_spawn(id, cmd, index),
            SocketAction::SpawnChown => self.socket_chown(id),
            SocketAction::Accept { port } => Some(self.socket_accept(id, port)),
            SocketAction::Refuse { conn } => {
                self.conns.remove(&conn);
                None
            }
            SocketAction::TriggerService => Some(self.trigger_service(id)),
            SocketAction::StartInstance { conn, nr } => Some(self.start_instance(id, conn, nr)),
        }
    }

    fn socket_spawn(
        &mut self,
        id: UnitId,
        cmd: SocketCommand,
        index: usize,
    ) -> Option<SocketEvent> {
        let name = self.name(id);
        let Some(Rt::Socket(s)) = self.rt_mut(id) else {
            return None;
        };
        let list = match cmd {
            SocketCommand::StartPre => &s.config.exec_start_pre,
            SocketCommand::StartPost => &s.config.exec_start_post,
            SocketCommand::StopPre => &s.config.exec_stop_pre,
            SocketCommand::StopPost => &s.config.exec_stop_post,
        };
        let command = list.get(index)?.clone();
        let exec = s.config.exec.clone();
        let inputs = SpawnInputs {
            exec: &exec,
            main_pid: None,
            remote: (None, None),
            invocation_id: "",
            notify: false,
            fds: Vec::new(),
            names: Vec::new(),
            conn: None,
            non_blocking: false,
            named: Vec::new(),
        };
        match self.spawn_command(&name, &command, inputs) {
            Ok((pid, _)) => {
                self.pids.insert(pid, (id, Role::Control));
                if let Some(Rt::Socket(s)) = self.rt_mut(id) {
                    s.control_pid = Some(pid);
                }
                None
            }
            Err(error) => Some(SocketEvent::SpawnFailed { error }),
        }
    }

    /// The `(sd-chown)` step. The ports are chowned in-process (the runtime is the only
    /// thread); the outcome is reported as the helper's exit status would be.
    fn socket_chown(&mut self, id: UnitId) -> Option<SocketEvent> {
        let name = self.name(id);
        let Some(Rt::Socket(s)) = self.rt_mut(id) else {
            return None;
        };
        let result = listen::resolve_socket_owner(&s.config)
            .and_then(|(uid, gid)| listen::chown_ports(&s.config, uid, gid));
        let code = match result {
            Ok(()) => 0,
            Err(e) => {
                self.obs.log(Some(&name), &e.to_string());
                e.exit_status()
            }
        };
        Some(SocketEvent::ControlExited(ExitStatus::Exited(code)))
    }

    fn socket_accept(&mut self, id: UnitId, port: usize) -> SocketEvent {
        let name = self.name(id);
        let Some(Rt::Socket(s)) = self.rt_mut(id) else {
            return SocketEvent::AcceptFailed {
                spurious: true,
                error: String::new(),
            };
        };
        let Some(p) = s.ports.get(port) else {
            return SocketEvent::AcceptFailed {
                spurious: true,
                error: String::new(),
            };
        };
        match listen::accept_connection(p, &s.config) {
            Ok(c) => {
                for w in &c.warnings {
                    self.obs.log(Some(&name), w);
                }
                let conn = self.next_conn;
                self.next_conn += 1;
                let source = c.source.clone();
                self.conns.insert(
                    conn,
                    Conn {
                        fd: c.fd,
                        source: c.source,
                        instance: c.instance,
                        peer: c.peer,
                        remote_addr: c.remote_addr,
                        remote_port: c.remote_port,
                    },
                );
                SocketEvent::Accepted { conn, source }
            }
            Err(e) => SocketEvent::AcceptFailed {
                spurious: e.is_spurious(),
                error: e.to_string(),
            },
        }
    }

    /// During shutdown every unit has a stop scheduled: activation requests are suppressed
    /// (systemd: the socket's pending stop job), so a queued connection cannot restart a
    /// service that is being stopped.
    fn suppressed(&mut self, id: UnitId) -> bool {
        if self.shutting_down {
            let name = self.name(id);
            self.obs.log(
                Some(&name),
                "Suppressing connection request since unit stop is scheduled.",
            );
        }
        self.shutting_down
    }

    fn trigger_service(&mut self, id: UnitId) -> SocketEvent {
        if self.suppressed(id) {
            return SocketEvent::Triggered { error: None };
        }
        let Some(Rt::Socket(s)) = self.rt_mut(id) else {
            return SocketEvent::Triggered { error: None };
        };
        let Some(svc) = s.triggers else {
            return SocketEvent::Triggered {
                error: Some("Unit not found.".to_owned()),
            };
        };
        let busy = match self.rt_mut(svc) {
            Some(Rt::Service(sv)) => {
                sv.start_pending || !sv.m.state.activity().is_inactive_or_failed()
            }
            _ => true,
        };
        if !busy {
            if let Some(Rt::Service(sv)) = self.rt_mut(svc) {
                sv.start_pending = true;
            }
            self.later.push_back(Deferred::StartService(svc));
        }
        SocketEvent::Triggered { error: None }
    }

    fn start_instance(&mut self, id: UnitId, conn: u64, nr: u64) -> SocketEvent {
        if self.suppressed(id) {
            self.conns.remove(&conn);
            return SocketEvent::InstanceStarted {
                error: Some(InstanceError::Aborted("ECONNABORTED".to_owned())),
            };
        }
        let name = self.name(id);
        let Some(c) = self.conns.remove(&conn) else {
            return SocketEvent::InstanceStarted {
                error: Some(InstanceError::Aborted("ENOTCONN".to_owned())),
            };
        };
        let service = connection_service(&name, &format!("{nr}-{}", c.instance));
        let spec = match self.catalog.load(&service, &mut self.diagnostics) {
            Ok(spec) => spec,
            // A template that is missing or masked: systemd loads the instance (not-found /
            // masked) and then cannot hand it the connection.
            Err(e) => {
                return SocketEvent::InstanceStarted {
                    error: Some(InstanceError::Attach(format!("Invalid argument ({e})"))),
                };
            }
        };
        let SpecKind::Service { .. } = &spec.kind else {
            return SocketEvent::InstanceStarted {
                error: Some(InstanceError::Attach("Invalid argument".to_owned())),
            };
        };
        let mut spec = spec;
        if let Some(peer) = &c.peer {
            spec.description = format!("{} ({peer})", spec.description);
        }
        let sid = self.insert_instance(spec);
        if let Some(Rt::Service(sv)) = self.rt_mut(sid) {
            sv.triggered_by.push(id);
            sv.conn = Some((c, id));
            sv.instance = true;
            sv.start_pending = true;
        }
        self.later.push_back(Deferred::StartService(sid));
        SocketEvent::InstanceStarted { error: None }
    }
}

impl ServiceRt {
    /// The socket an `Accept=yes` instance belongs to.
    pub(super) fn conn_socket(&self) -> Option<UnitId> {
        self.conn.as_ref().map(|(_, s)| *s)
    }
}
