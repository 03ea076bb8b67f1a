//! The socket machine's vocabulary: states, results, `Exec*=` lists, the service as the socket
//! sees it, and the settings the machine is built from.

use super::super::types::{Activity, Usec};

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

    /// The position in [`SocketCommand::ALL`] and [`SocketParams::commands`].
    pub fn index(self) -> usize {
        match self {
            SocketCommand::StartPre => 0,
            SocketCommand::StartPost => 1,
            SocketCommand::StopPre => 2,
            SocketCommand::StopPost => 3,
        }
    }

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
    /// Per port (config order): `Accept=yes` accepts connections on it (a stream or seqpacket
    /// socket, `socket_address_can_accept`). Other ports, and ports past the end, trigger the
    /// service like `Accept=no`.
    pub can_accept: Vec<bool>,
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

    /// States in which a control process may run and the timer stays armed (`socket_set_state`);
    /// entering any other state disarms the timer and forgets the control process.
    pub fn is_process(self) -> bool {
        matches!(
            self,
            SocketState::StartPre
                | SocketState::StartChown
                | SocketState::StartPost
                | SocketState::StopPre
                | SocketState::StopPreSigterm
                | SocketState::StopPreSigkill
                | SocketState::StopPost
                | SocketState::FinalSigterm
                | SocketState::FinalSigkill
        )
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
