//! The manager: owns every unit's state machine, its fds and processes, and performs the
//! machines' actions over the event loop.
//!
//! # Theory of operation
//! One thread, one [`EventLoop`]. Each wake-up (a ready port, a signal, a deadline, a control
//! client) becomes one event for one unit's pure machine; the actions it returns are performed
//! in order, and the answer to a fallible action is fed straight back before anything else
//! (see [`super::socket_unit`]). Effects on *other* units (a socket asking for its service, a
//! service's state change reaching its sockets, a connection closing) go through a FIFO of
//! deferred inputs drained after each step, like systemd's job and run queues, so a machine
//! never re-enters itself.
//!
//! Invariants: a port fd is in epoll only while its socket is `listening`; every child is
//! reaped (`waitid` loop on each `SIGCHLD`) and its pid is forgotten; fds are owned values, so
//! closing is dropping; an accepted connection is either handed to exactly one instance service
//! or closed.

use std::collections::{HashMap, VecDeque};
use std::os::fd::AsFd;

use nix::sys::signal::Signal;

use super::observe::{Observer, Transition};
use super::plan::{Catalog, SpecKind, UnitSpec};
use super::service_unit::{Role, ServiceEvent, ServiceMachine, ServiceParams};
use super::socket_unit::{ServiceView, SocketEvent, SocketMachine, SocketParams};
use super::sys::event_loop::{EventLoop, Wake, now};
use super::sys::listen::Port;
use super::types::{Activity, Usec};
use crate::diagnostic::Diagnostic;

/// Index of a unit in the manager.
pub type UnitId = usize;

/// A connection accepted by an `Accept=yes` socket, until an instance owns it.
#[derive(Debug)]
pub(super) struct Conn {
    pub fd: std::os::fd::OwnedFd,
    pub source: Option<String>,
    pub instance: String,
    pub peer: Option<String>,
    pub remote_addr: Option<String>,
    pub remote_port: Option<u32>,
}

/// A socket unit at runtime.
#[derive(Debug)]
pub(super) struct SocketRt {
    pub m: SocketMachine,
    pub config: Box<crate::config::SocketConfig>,
    pub ports: Vec<Port>,
    pub control_pid: Option<i32>,
    /// `Accept=no`: the triggered service's unit.
    pub triggers: Option<UnitId>,
    pub watched: bool,
}

/// A service unit at runtime.
#[derive(Debug)]
pub(super) struct ServiceRt {
    pub m: ServiceMachine,
    pub config: Box<crate::config::ServiceConfig>,
    pub main_pid: Option<i32>,
    pub control_pid: Option<i32>,
    /// Sockets whose fds it gets, in order.
    pub triggered_by: Vec<UnitId>,
    /// A start was requested and not yet processed (systemd: a pending start job).
    pub start_pending: bool,
    /// `Accept=yes` instances: the connection and the socket it came from.
    pub conn: Option<(Conn, UnitId)>,
    /// An `Accept=yes` instance: unloaded once dead with no job (systemd's GC,
    /// `CollectMode=inactive`); a failed one stays.
    pub instance: bool,
    pub invocation_id: String,
    /// Process groups of the processes it spawned that may still have members.
    pub pgids: Vec<i32>,
    /// `Type=exec`: the main process's execve() succeeded; report `ExecOk` after `Spawned`.
    pub exec_ok_pending: bool,
    /// Every live process known to belong to the unit (its "cgroup"): main and control
    /// processes, their groups and descendants, and orphans attributed to it.
    pub procs: std::collections::BTreeSet<i32>,
    /// The watched `PIDFile=`'s content when last polled.
    pub pid_file_seen: Option<String>,
}

/// Type-specific runtime state.
#[derive(Debug)]
pub(super) enum Rt {
    Socket(Box<SocketRt>),
    Service(Box<ServiceRt>),
}

/// One unit.
#[derive(Debug)]
pub(super) struct Unit {
    pub spec: UnitSpec,
    pub since: Usec,
    pub rt: Rt,
}

/// Cross-unit inputs, performed after the current step.
#[derive(Debug)]
pub(super) enum Deferred {
    /// Start a service (a socket's trigger or a control request).
    StartService(UnitId),
    /// Run a restart job (`Restart=` after `RestartSec=`).
    RestartService(UnitId),
    /// Tell a socket how its service looks now.
    NotifySocket(UnitId, ServiceView, bool),
    /// An instance released its connection.
    ConnectionClosed(UnitId, Option<String>),
    /// Forget a finished connection instance.
    Collect(UnitId),
}

/// A unit's timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TimerKind {
    /// The state timer (timeouts, `RestartSec=`, `RuntimeMaxSec=`).
    State,
    /// The watchdog.
    Watchdog,
    /// Polling `PIDFile=` for changes (the runtime has no inotify watch).
    PidFile,
}

/// Timer keys: three per unit.
pub(super) fn timer_key(id: UnitId, kind: TimerKind) -> u64 {
    (id as u64) << 2
        | match kind {
            TimerKind::State => 0,
            TimerKind::Watchdog => 1,
            TimerKind::PidFile => 2,
        }
}

const CONTROL_TOKEN: u64 = u64::MAX - 2;
const NOTIFY_TOKEN: u64 = u64::MAX - 3;
/// Output pipes use tokens from here up.
pub(super) const STREAM_BASE: u64 = 1 << 62;

/// Port tokens: unit id and port index.
pub(super) fn port_token(id: UnitId, port: usize) -> u64 {
    (id as u64) << 20 | port as u64
}

/// Settings of a manager that are not in the units.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Running as a user manager (`--user`).
    pub user_scope: bool,
    /// The runtime's environment.
    pub env: Vec<(String, String)>,
    /// The control socket, if any.
    pub control: Option<std::path::PathBuf>,
    /// The `$NOTIFY_SOCKET` path, if any.
    pub notify: Option<std::path::PathBuf>,
}

/// The runtime.
pub struct Manager<'a> {
    pub(super) ev: EventLoop,
    /// Units by id; ids are never reused (a collected instance's id stays unknown).
    pub(super) units: std::collections::BTreeMap<UnitId, Unit>,
    next_id: UnitId,
    pub(super) ids: HashMap<String, UnitId>,
    pub(super) pids: HashMap<i32, (UnitId, Role)>,
    pub(super) conns: HashMap<u64, Conn>,
    pub(super) next_conn: u64,
    pub(super) later: VecDeque<Deferred>,
    pub(super) obs: &'a mut dyn Observer,
    pub(super) catalog: Catalog<'a>,
    pub(super) settings: Settings,
    pub(super) control: Option<std::os::unix::net::UnixListener>,
    /// Output pipes of `StandardOutput=journal` processes, by token.
    pub(super) streams: HashMap<u64, (std::os::fd::OwnedFd, super::journal::LineSplitter)>,
    pub(super) next_stream: u64,
    /// The notification socket services report readiness on.
    pub(super) notify: Option<super::sys::notify::NotifySocket>,
    pub(super) shutting_down: bool,
    /// The pid whose exit is being processed (for trace records).
    pub(super) last_exited: Option<i32>,
    /// Diagnostics from units loaded while running (connection instances).
    pub diagnostics: Vec<Diagnostic>,
}

impl std::fmt::Debug for Manager<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Manager")
            .field("units", &self.ids.len())
            .field("pids", &self.pids.len())
            .finish()
    }
}

/// A fatal runtime error (the loop cannot go on).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The event loop or control socket could not be set up or polled.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl<'a> Manager<'a> {
    /// A manager with no units; blocks SIGCHLD/SIGTERM/SIGINT/SIGHUP in this thread.
    pub fn new(
        catalog: Catalog<'a>,
        obs: &'a mut dyn Observer,
        settings: Settings,
    ) -> Result<Manager<'a>, RunError> {
        let signals = [
            Signal::SIGCHLD,
            Signal::SIGTERM,
            Signal::SIGINT,
            Signal::SIGHUP,
        ];
        let ev = EventLoop::new(&signals)?;
        let _ = super::sys::process::set_child_subreaper();
        let control = match &settings.control {
            Some(path) => Some(super::sys::control::bind(path)?),
            None => None,
        };
        if let Some(l) = &control {
            ev.watch(l.as_fd(), CONTROL_TOKEN)?;
        }
        let notify = match &settings.notify {
            Some(path) => Some(
                super::sys::notify::NotifySocket::bind(path)
                    .map_err(|e| std::io::Error::other(format!("{}: {e}", path.display())))?,
            ),
            None => None,
        };
        if let Some(n) = &notify {
            ev.watch(n.as_fd(), NOTIFY_TOKEN)?;
        }
        Ok(Manager {
            ev,
            units: std::collections::BTreeMap::new(),
            next_id: 0,
            ids: HashMap::new(),
            pids: HashMap::new(),
            conns: HashMap::new(),
            next_conn: 0,
            later: VecDeque::new(),
            obs,
            catalog,
            settings,
            control,
            streams: HashMap::new(),
            next_stream: 0,
            notify,
            shutting_down: false,
            last_exited: None,
            diagnostics: Vec::new(),
        })
    }

    /// Loads `name` (and, for a socket, the service it triggers; for a service, its
    /// `Sockets=`) into the manager. `Err` is systemd's reason it cannot run.
    pub fn add(&mut self, name: &str) -> Result<UnitId, String> {
        if let Some(&id) = self.ids.get(name) {
            return Ok(id);
        }
        let spec = self.catalog.load(name, &mut self.diagnostics)?;
        if let Some(&id) = self.ids.get(&spec.name) {
            return Ok(id);
        }
        let id = self.add_spec(spec.clone());
        for w in &spec.unenforced {
            self.obs.log(Some(&spec.name), w);
        }
        match &spec.kind {
            SpecKind::Socket {
                triggers: Some(service),
                ..
            } => {
                let sid = self
                    .add(service)
                    .map_err(|e| format!("Socket service {service} not loaded, refusing. ({e})"));
                match sid {
                    Ok(sid) => self.link(id, sid),
                    Err(e) => {
                        self.remove(id);
                        return Err(e);
                    }
                }
            }
            SpecKind::Service { config } => {
                for s in config.sockets.clone() {
                    if let Ok(sock) = self.add(&s) {
                        self.link(sock, id);
                    }
                }
            }
            SpecKind::Socket { .. } => {}
        }
        Ok(id)
    }

    pub(super) fn add_spec(&mut self, spec: UnitSpec) -> UnitId {
        let rt = match &spec.kind {
            SpecKind::Socket { config, .. } => Rt::Socket(Box::new(SocketRt {
                m: SocketMachine::new(socket_params(config, spec.start_limit)),
                config: config.clone(),
                ports: Vec::new(),
                control_pid: None,
                triggers: None,
                watched: false,
            })),
            SpecKind::Service { config } => Rt::Service(Box::new(ServiceRt {
                m: ServiceMachine::new(service_params(config, spec.start_limit)),
                config: config.clone(),
                main_pid: None,
                control_pid: None,
                triggered_by: Vec::new(),
                start_pending: false,
                conn: None,
                instance: false,
                invocation_id: String::new(),
                pgids: Vec::new(),
                exec_ok_pending: false,
                procs: std::collections::BTreeSet::new(),
                pid_file_seen: None,
            })),
        };
        let id = self.next_id;
        self.next_id += 1;
        self.ids.insert(spec.name.clone(), id);
        self.units.insert(
            id,
            Unit {
                spec,
                since: now(),
                rt,
            },
        );
        id
    }

    fn remove(&mut self, id: UnitId) {
        if let Some(u) = self.units.remove(&id) {
            self.ids.remove(&u.spec.name);
            for kind in [TimerKind::State, TimerKind::Watchdog, TimerKind::PidFile] {
                let _ = self.ev.disarm(timer_key(id, kind));
            }
        }
    }

    /// Records that socket `sock` triggers service `svc`.
    fn link(&mut self, sock: UnitId, svc: UnitId) {
        if let Some(Rt::Socket(s)) = self.rt_mut(sock)
            && !s.config.accept
        {
            s.triggers = Some(svc);
        }
        if let Some(Rt::Service(s)) = self.rt_mut(svc)
            && !s.triggered_by.contains(&sock)
        {
            s.triggered_by.push(sock);
        }
    }

    pub(super) fn unit(&self, id: UnitId) -> Option<&Unit> {
        self.units.get(&id)
    }

    pub(super) fn unit_mut(&mut self, id: UnitId) -> Option<&mut Unit> {
        self.units.get_mut(&id)
    }

    pub(super) fn rt_mut(&mut self, id: UnitId) -> Option<&mut Rt> {
        self.unit_mut(id).map(|u| &mut u.rt)
    }

    pub(super) fn name(&self, id: UnitId) -> String {
        self.unit(id)
            .map(|u| u.spec.name.clone())
            .unwrap_or_default()
    }

    /// The unit's sub-state and active state.
    pub(super) fn state_of(&self, id: UnitId) -> Option<(&'static str, Activity, &'static str)> {
        Some(match &self.unit(id)?.rt {
            Rt::Socket(s) => (s.m.state.name(), s.m.state.activity(), s.m.result.name()),
            Rt::Service(s) => (s.m.state.name(), s.m.state.activity(), s.m.result.name()),
        })
    }

    /// Records a transition when the state now differs from `from`.
    pub(super) fn observe(
        &mut self,
        id: UnitId,
        from: &'static str,
        event: &str,
        pid: Option<i32>,
    ) {
        let Some((to, _, _)) = self.state_of(id) else {
            return;
        };
        if from != to {
            self.record(id, from, to, event, pid);
        }
    }

    /// Traces one state change and logs it at debug level.
    pub(super) fn record(
        &mut self,
        id: UnitId,
        from: &str,
        to: &str,
        event: &str,
        pid: Option<i32>,
    ) {
        let Some((_, _, result)) = self.state_of(id) else {
            return;
        };
        let name = self.name(id);
        self.obs
            .debug(Some(&name), &format!("Changed {from} -> {to}"));
        self.obs.transition(&Transition {
            unit: name,
            from: from.to_owned(),
            to: to.to_owned(),
            result: result.to_owned(),
            event: event.to_owned(),
            pid,
        });
        if let Some(u) = self.unit_mut(id) {
            u.since = now();
        }
    }

    /// Runs until SIGTERM/SIGINT, then stops every unit (services first) and returns.
    pub fn run(&mut self) -> Result<(), RunError> {
        loop {
            if self.shutting_down && self.shutdown_step() {
                return Ok(());
            }
            let mut wakes = self.ev.wait()?;
            // Like systemd, read notifications (and output) before exits, so a READY=1 or a
            // last line written just before exiting is not lost behind the SIGCHLD.
            wakes.sort_by_key(|w| match w {
                Wake::Fd { token, .. } if *token == NOTIFY_TOKEN => 0,
                Wake::Fd { token, .. } if (STREAM_BASE..NOTIFY_TOKEN).contains(token) => 1,
                _ => 2,
            });
            for wake in wakes {
                self.dispatch(wake);
                self.drain();
            }
        }
    }

    fn dispatch(&mut self, wake: Wake) {
        match wake {
            Wake::Signal(Signal::SIGCHLD) => self.reap(),
            Wake::Signal(Signal::SIGTERM | Signal::SIGINT) => {
                if !self.shutting_down {
                    self.obs
                        .log(None, "Received shutdown request, stopping units.");
                }
                self.shutting_down = true;
            }
            Wake::Signal(_) => {}
            Wake::Timer(key) => {
                let id = (key >> 2) as UnitId;
                let kind = match key & 3 {
                    0 => TimerKind::State,
                    1 => TimerKind::Watchdog,
                    _ => TimerKind::PidFile,
                };
                self.timer_fired(id, kind);
            }
            Wake::Fd { token, .. } if token == CONTROL_TOKEN => self.serve_control(),
            Wake::Fd { token, .. } if token == NOTIFY_TOKEN => self.receive_notifications(),
            Wake::Fd { token, .. } if (STREAM_BASE..NOTIFY_TOKEN).contains(&token) => {
                self.read_stream(token)
            }
            Wake::Fd { token, revents } => {
                let id = (token >> 20) as UnitId;
                let port = (token & 0xfffff) as usize;
                self.socket_event(
                    id,
                    SocketEvent::Ready {
                        port,
                        revents,
                        now: now(),
                    },
                );
            }
        }
    }

    fn timer_fired(&mut self, id: UnitId, kind: TimerKind) {
        match self.unit(id).map(|u| &u.rt) {
            Some(Rt::Socket(_)) => self.socket_event(id, SocketEvent::Timeout),
            Some(Rt::Service(_)) => self.service_timer(id, kind),
            None => {}
        }
    }

    /// Performs deferred cross-unit inputs until none are left.
    pub(super) fn drain(&mut self) {
        while let Some(d) = self.later.pop_front() {
            match d {
                Deferred::StartService(id) => self.start_service(id),
                Deferred::RestartService(id) => {
                    self.service_event(id, ServiceEvent::Restart { now: now() })
                }
                Deferred::NotifySocket(id, view, limit) => self.socket_event(
                    id,
                    SocketEvent::ServiceChanged {
                        view,
                        start_limit_hit: limit,
                    },
                ),
                Deferred::ConnectionClosed(id, source) => {
                    self.socket_event(id, SocketEvent::ConnectionClosed { source })
                }
                Deferred::Collect(id) => {
                    // A connection still held goes back to its socket's count first.
                    if let Some(Rt::Service(s)) = self.rt_mut(id)
                        && let Some((c, sock)) = s.conn.take()
                    {
                        self.socket_event(sock, SocketEvent::ConnectionClosed { source: c.source });
                    }
                    if let Some(u) = self.unit(id) {
                        let name = u.spec.name.clone();
                        self.catalog.forget(&name);
                    }
                    self.remove(id);
                }
            }
        }
    }
}

fn socket_params(c: &crate::config::SocketConfig, start_limit: (Usec, u64)) -> SocketParams {
    let flags = |v: &[crate::config::exec::ExecCommand]| {
        v.iter()
            .map(|c| c.flags.ignore_failure)
            .collect::<Vec<bool>>()
    };
    SocketParams {
        accept: c.accept,
        flush_pending: c.flush_pending,
        max_connections: c.max_connections,
        max_connections_per_source: c.max_connections_per_source,
        timeout_usec: c.timeout_usec,
        send_sigkill: c.kill.send_sigkill,
        chown: c.socket_user.is_some() || c.socket_group.is_some(),
        commands: [
            flags(&c.exec_start_pre),
            flags(&c.exec_start_post),
            flags(&c.exec_stop_pre),
            flags(&c.exec_stop_post),
        ],
        trigger_limit: c.trigger_limit(),
        can_accept: c.listens.iter().map(crate::config::can_accept).collect(),
        start_limit,
    }
}

fn service_params(c: &crate::config::ServiceConfig, start_limit: (Usec, u64)) -> ServiceParams {
    let mut p = ServiceParams::from_config(c);
    p.start_limit = start_limit;
    p.watchdog_usec = c.watchdog_usec;
    p
}
