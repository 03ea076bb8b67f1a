//! The socket unit's state machine (systemd 252 `src/core/socket.c`), pure.
//!
//! [`SocketMachine::step`] takes one [`SocketEvent`] and returns the [`SocketAction`]s the
//! executor must perform, in order. It never performs I/O, reads a clock or looks at another
//! unit: time arrives inside events, and everything about other units (the triggered service,
//! connection instances) arrives as events from the manager.
//!
//! **Protocol with the executor.** An action that can fail (`Spawn`, `SpawnChown`, `Open`,
//! `Watch`, `Kill`, `Accept`, `TriggerService`, `StartInstance`) is always the *last* action of
//! the batch that contains it, and the executor answers it with exactly one event (`SpawnFailed`
//! only on failure; the others always), which it feeds to `step` before anything else. A
//! spawned control process later reports `ControlExited`. The timer armed by `ArmTimer` fires as
//! `Timeout` unless a later `DisarmTimer`/`ArmTimer` replaced it.
//!
//! State names, result names, transitions and log texts are systemd's (see
//! `systemd-semantics.md` §5); the executor logs `Changed FROM -> TO` itself by comparing
//! states before and after each step.

use std::collections::BTreeMap;

use super::types::{Activity, ExitStatus, KillOp, KillOutcome, RateLimit, Usec};

/// `SocketState` (systemd 252's `socket_state_table`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SocketState {
    /// `dead`.
    Dead,
    /// `start-pre`: running `ExecStartPre=`.
    StartPre,
    /// `start-chown`: fds open, the chown helper runs.
    StartChown,
    /// `start-post`: running `ExecStartPost=`.
    StartPost,
    /// `listening`: fds watched.
    Listening,
    /// `running`: the service owns the traffic.
    Running,
    /// `stop-pre`: running `ExecStopPre=`.
    StopPre,
    /// `stop-pre-sigterm`.
    StopPreSigterm,
    /// `stop-pre-sigkill`.
    StopPreSigkill,
    /// `stop-post`: running `ExecStopPost=`.
    StopPost,
    /// `final-sigterm`.
    FinalSigterm,
    /// `final-sigkill`.
    FinalSigkill,
    /// `failed`.
    Failed,
}

/// `SocketResult`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SocketResult {
    /// `success`.
    Success,
    /// `resources`.
    Resources,
    /// `timeout`.
    Timeout,
    /// `exit-code`.
    ExitCode,
    /// `signal`.
    Signal,
    /// `core-dump`.
    CoreDump,
    /// `start-limit-hit`.
    StartLimitHit,
    /// `trigger-limit-hit`.
    TriggerLimitHit,
    /// `service-start-limit-hit`.
    ServiceStartLimitHit,
}

/// Which `Exec*=` list of a socket a control process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum SocketCommand {
    /// `ExecStartPre=`.
    StartPre,
    /// `ExecStartPost=`.
    StartPost,
    /// `ExecStopPre=`.
    StopPre,
    /// `ExecStopPost=`.
    StopPost,
}

impl SocketCommand {
    /// All four, in `SocketExecCommand` order (the index into [`SocketParams::commands`]).
    pub const ALL: [SocketCommand; 4] = [
        SocketCommand::StartPre,
        SocketCommand::StartPost,
        SocketCommand::StopPre,
        SocketCommand::StopPost,
    ];

    /// The key (`ExecStartPre`, …).
    pub fn key(self) -> &'static str {
        match self {
            SocketCommand::StartPre => "ExecStartPre",
            SocketCommand::StartPost => "ExecStartPost",
            SocketCommand::StopPre => "ExecStopPre",
            SocketCommand::StopPost => "ExecStopPost",
        }
    }
}

/// How the service a socket triggers (`Accept=no`) looks to the socket
/// (`socket_trigger_notify`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceView {
    /// The service has a job pending, or is in a state the socket ignores.
    Busy,
    /// Inactive, failed, auto-restart or final-sig*: the socket listens again.
    Stopped,
    /// `SERVICE_RUNNING`: the socket is `running` (also when the service was started by hand).
    Running,
}

/// The settings the machine needs, taken from the typed `SocketConfig`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketParams {
    /// `Accept=`.
    pub accept: bool,
    /// `FlushPending=`.
    pub flush_pending: bool,
    /// `MaxConnections=`.
    pub max_connections: u64,
    /// `MaxConnectionsPerSource=`.
    pub max_connections_per_source: u64,
    /// `TimeoutSec=` (`INFINITY` or 0: no timer).
    pub timeout_usec: Usec,
    /// `SendSIGKILL=`.
    pub send_sigkill: bool,
    /// `SocketUser=` or `SocketGroup=` set: the chown helper runs in `start-chown`.
    pub chown: bool,
    /// Per [`SocketCommand::ALL`] entry, one `ignore_failure` (`-` prefix) flag per command.
    pub commands: [Vec<bool>; 4],
    /// `TriggerLimitIntervalSec=`, `TriggerLimitBurst=` after defaults.
    pub trigger_limit: (Usec, u64),
    /// `StartLimitIntervalSec=`, `StartLimitBurst=` (10 s, 5).
    pub start_limit: (Usec, u64),
}

/// An accepted connection, named by the executor.
pub type ConnId = u64;

/// Inputs to the machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketEvent {
    /// A start request at `now` (start limit accounting).
    Start {
        /// Monotonic time.
        now: Usec,
    },
    /// A stop request.
    Stop,
    /// `systemctl reset-failed`.
    ResetFailed,
    /// Answer to `Spawn`/`SpawnChown`: the process could not be started.
    SpawnFailed,
    /// The control process (or chown helper) exited.
    ControlExited(ExitStatus),
    /// Answer to `Open`.
    Opened {
        /// All ports are open.
        ok: bool,
    },
    /// Answer to `Watch`.
    Watched {
        /// The fds are in epoll.
        ok: bool,
    },
    /// Answer to `Kill`.
    Killed(KillOutcome),
    /// The timer fired.
    Timeout,
    /// A watched port is ready (delivered only in `listening`).
    Ready {
        /// Port index (config order).
        port: usize,
        /// `revents != EPOLLIN` (hang-up or error).
        hangup: bool,
        /// Monotonic time (trigger limit accounting).
        now: Usec,
    },
    /// Answer to `Accept`: a connection.
    Accepted {
        /// The connection.
        conn: ConnId,
        /// The per-source key (peer IP, vsock CID or AF_UNIX uid), `None` if unknown.
        source: Option<String>,
    },
    /// Answer to `Accept`: no connection; `spurious` for EAGAIN-like errors.
    AcceptFailed {
        /// Ignore it and keep listening.
        spurious: bool,
    },
    /// Answer to `TriggerService`.
    Triggered {
        /// The start job was queued (or nothing needed queueing).
        ok: bool,
    },
    /// Answer to `StartInstance`.
    InstanceStarted {
        /// The instance was loaded and its start queued.
        ok: bool,
    },
    /// `Accept=no`: the triggered service changed state.
    ServiceChanged {
        /// How it looks now.
        view: ServiceView,
        /// The service hit its start limit.
        start_limit_hit: bool,
    },
    /// `Accept=yes`: a connection instance released its connection.
    ConnectionClosed {
        /// The source key given in `Accepted`.
        source: Option<String>,
    },
}

/// Outputs of the machine, for the executor to perform in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketAction {
    /// Spawn command `index` of `cmd` as the control process (answer: `SpawnFailed` on failure).
    Spawn {
        /// Which list.
        cmd: SocketCommand,
        /// Index in it.
        index: usize,
    },
    /// Spawn the `(sd-chown)` helper (answer: `SpawnFailed` on failure).
    SpawnChown,
    /// Arm the timer `usec` from now.
    ArmTimer(Usec),
    /// Disarm the timer.
    DisarmTimer,
    /// Open every port, create `Symlinks=` (answer: `Opened`).
    Open,
    /// Close every port; with `RemoveOnStop=` also unlink nodes and symlinks.
    Close,
    /// Watch every port for `EPOLLIN` (answer: `Watched`).
    Watch,
    /// Stop watching.
    Unwatch,
    /// `FlushPending=`: drain every port.
    Flush,
    /// Signal the control process (answer: `Killed`).
    Kill(KillOp),
    /// Accept one connection on `port` (answer: `Accepted`/`AcceptFailed`).
    Accept {
        /// Port index.
        port: usize,
    },
    /// Close an accepted connection unused.
    Refuse {
        /// The connection.
        conn: ConnId,
    },
    /// `Accept=no`: queue a start of the triggered service(s) unless one is active or has a job
    /// (answer: `Triggered`).
    TriggerService,
    /// `Accept=yes`: load `prefix@INSTANCE.service` for connection `nr` and queue its start,
    /// handing it `conn` (answer: `InstanceStarted`).
    StartInstance {
        /// The connection.
        conn: ConnId,
        /// `n_accepted` before the increment (the instance number).
        nr: u64,
    },
    /// Log a message about the unit (systemd's text, without the `UNIT: ` prefix).
    Log(String),
}

/// The socket unit's runtime state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketMachine {
    /// Current state.
    pub state: SocketState,
    /// Result (the first failure sticks).
    pub result: SocketResult,
    /// `NAccepted`.
    pub n_accepted: u64,
    /// `NConnections`.
    pub n_connections: u64,
    /// `NRefused`.
    pub n_refused: u64,
    /// The running control command, if any.
    pub control: Option<(SocketCommand, usize)>,
    per_source: BTreeMap<String, u64>,
    trigger_limit: RateLimit,
    start_limit: RateLimit,
    params: SocketParams,
}

impl SocketState {
    /// systemd's name (`SubState=`).
    pub fn name(self) -> &'static str {
        match self {
            SocketState::Dead => "dead",
            SocketState::StartPre => "start-pre",
            SocketState::StartChown => "start-chown",
            SocketState::StartPost => "start-post",
            SocketState::Listening => "listening",
            SocketState::Running => "running",
            SocketState::StopPre => "stop-pre",
            SocketState::StopPreSigterm => "stop-pre-sigterm",
            SocketState::StopPreSigkill => "stop-pre-sigkill",
            SocketState::StopPost => "stop-post",
            SocketState::FinalSigterm => "final-sigterm",
            SocketState::FinalSigkill => "final-sigkill",
            SocketState::Failed => "failed",
        }
    }

    /// `state_translation_table`.
    pub fn activity(self) -> Activity {
        match self {
            SocketState::Dead => Activity::Inactive,
            SocketState::StartPre | SocketState::StartChown | SocketState::StartPost => {
                Activity::Activating
            }
            SocketState::Listening | SocketState::Running => Activity::Active,
            SocketState::StopPre
            | SocketState::StopPreSigterm
            | SocketState::StopPreSigkill
            | SocketState::StopPost
            | SocketState::FinalSigterm
            | SocketState::FinalSigkill => Activity::Deactivating,
            SocketState::Failed => Activity::Failed,
        }
    }

    /// States in which the ports stay open (`socket_set_state`).
    pub fn keeps_fds(self) -> bool {
        matches!(
            self,
            SocketState::StartChown
                | SocketState::StartPost
                | SocketState::Listening
                | SocketState::Running
                | SocketState::StopPre
                | SocketState::StopPreSigterm
                | SocketState::StopPreSigkill
        )
    }
}

impl SocketResult {
    /// systemd's name (`Result=`).
    pub fn name(self) -> &'static str {
        match self {
            SocketResult::Success => "success",
            SocketResult::Resources => "resources",
            SocketResult::Timeout => "timeout",
            SocketResult::ExitCode => "exit-code",
            SocketResult::Signal => "signal",
            SocketResult::CoreDump => "core-dump",
            SocketResult::StartLimitHit => "start-limit-hit",
            SocketResult::TriggerLimitHit => "trigger-limit-hit",
            SocketResult::ServiceStartLimitHit => "service-start-limit-hit",
        }
    }
}

impl SocketMachine {
    /// A `dead` socket with these settings.
    pub fn new(params: SocketParams) -> SocketMachine {
        SocketMachine {
            state: SocketState::Dead,
            result: SocketResult::Success,
            n_accepted: 0,
            n_connections: 0,
            n_refused: 0,
            control: None,
            per_source: BTreeMap::new(),
            trigger_limit: RateLimit::new(params.trigger_limit.0, params.trigger_limit.1),
            start_limit: RateLimit::new(params.start_limit.0, params.start_limit.1),
            params,
        }
    }

    /// Feeds one event; returns the actions to perform, in order.
    pub fn step(&mut self, event: SocketEvent) -> Vec<SocketAction> {
        let _ = event;
        Vec::new()
    }
}
