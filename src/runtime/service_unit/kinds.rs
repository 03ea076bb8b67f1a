//! The service machine's vocabulary: states, results, types and the small enums the settings
//! use, with systemd 252's names (`src/basic/unit-def.c`, `src/core/service.c` string tables).

use crate::runtime::types::Activity;

/// `ServiceState` (systemd 252's `service_state_table`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceState {
    /// `dead`.
    Dead,
    /// `condition`: running `ExecCondition=`.
    Condition,
    /// `start-pre`: running `ExecStartPre=`.
    StartPre,
    /// `start`: waiting for the main process (or the forking control process, `READY=1`, the
    /// exec handshake, the bus name).
    Start,
    /// `start-post`: running `ExecStartPost=`.
    StartPost,
    /// `running`.
    Running,
    /// `exited`: `RemainAfterExit=yes` with nothing left running.
    Exited,
    /// `reload`: running `ExecReload=` (or `RELOADING=1`).
    Reload,
    /// `stop`: running `ExecStop=`.
    Stop,
    /// `stop-watchdog`: `WatchdogSignal=` sent.
    StopWatchdog,
    /// `stop-sigterm`.
    StopSigterm,
    /// `stop-sigkill`.
    StopSigkill,
    /// `stop-post`: running `ExecStopPost=`.
    StopPost,
    /// `final-watchdog`.
    FinalWatchdog,
    /// `final-sigterm`.
    FinalSigterm,
    /// `final-sigkill`.
    FinalSigkill,
    /// `failed`.
    Failed,
    /// `auto-restart`: waiting `RestartSec=` before a restart job.
    AutoRestart,
    /// `cleaning`: `systemctl clean` runs.
    Cleaning,
}

impl ServiceState {
    /// Every state, in `ServiceState` order.
    pub const ALL: [ServiceState; 19] = [
        ServiceState::Dead,
        ServiceState::Condition,
        ServiceState::StartPre,
        ServiceState::Start,
        ServiceState::StartPost,
        ServiceState::Running,
        ServiceState::Exited,
        ServiceState::Reload,
        ServiceState::Stop,
        ServiceState::StopWatchdog,
        ServiceState::StopSigterm,
        ServiceState::StopSigkill,
        ServiceState::StopPost,
        ServiceState::FinalWatchdog,
        ServiceState::FinalSigterm,
        ServiceState::FinalSigkill,
        ServiceState::Failed,
        ServiceState::AutoRestart,
        ServiceState::Cleaning,
    ];

    /// systemd's name (`SubState=`).
    pub fn name(self) -> &'static str {
        use ServiceState::*;
        match self {
            Dead => "dead",
            Condition => "condition",
            StartPre => "start-pre",
            Start => "start",
            StartPost => "start-post",
            Running => "running",
            Exited => "exited",
            Reload => "reload",
            Stop => "stop",
            StopWatchdog => "stop-watchdog",
            StopSigterm => "stop-sigterm",
            StopSigkill => "stop-sigkill",
            StopPost => "stop-post",
            FinalWatchdog => "final-watchdog",
            FinalSigterm => "final-sigterm",
            FinalSigkill => "final-sigkill",
            Failed => "failed",
            AutoRestart => "auto-restart",
            Cleaning => "cleaning",
        }
    }

    /// `state_translation_table` (the `Type=idle` table is [`ServiceState::activity_idle`]).
    pub fn activity(self) -> Activity {
        use ServiceState::*;
        match self {
            Dead => Activity::Inactive,
            Condition | StartPre | Start | StartPost | AutoRestart => Activity::Activating,
            Running | Exited => Activity::Active,
            Reload => Activity::Reloading,
            Stop | StopWatchdog | StopSigterm | StopSigkill | StopPost | FinalWatchdog
            | FinalSigterm | FinalSigkill => Activity::Deactivating,
            Failed => Activity::Failed,
            Cleaning => Activity::Maintenance,
        }
    }

    /// `state_translation_table_idle`: `Type=idle` counts as active from `condition` on.
    pub fn activity_idle(self) -> Activity {
        use ServiceState::*;
        match self {
            Condition | StartPre | Start | StartPost => Activity::Active,
            s => s.activity(),
        }
    }

    /// States that keep the timer (`service_set_state`).
    pub(crate) fn keeps_timer(self) -> bool {
        !matches!(
            self,
            ServiceState::Dead | ServiceState::Exited | ServiceState::Failed
        )
    }

    /// States that keep the main process (`service_set_state`).
    pub(crate) fn keeps_main(self) -> bool {
        use ServiceState::*;
        matches!(
            self,
            Start
                | StartPost
                | Running
                | Reload
                | Stop
                | StopWatchdog
                | StopSigterm
                | StopSigkill
                | StopPost
                | FinalWatchdog
                | FinalSigterm
                | FinalSigkill
        )
    }

    /// States that keep the control process (`service_set_state`).
    pub(crate) fn keeps_control(self) -> bool {
        use ServiceState::*;
        matches!(
            self,
            Condition
                | StartPre
                | Start
                | StartPost
                | Reload
                | Stop
                | StopWatchdog
                | StopSigterm
                | StopSigkill
                | StopPost
                | FinalWatchdog
                | FinalSigterm
                | FinalSigkill
                | Cleaning
        )
    }

    /// States that keep an `Accept=yes` connection fd (`service_set_state`).
    pub(crate) fn keeps_socket_fd(self) -> bool {
        self.keeps_main() || matches!(self, ServiceState::Condition | ServiceState::StartPre)
    }

    /// States that keep the watchdog (`service_set_state`).
    pub(crate) fn keeps_watchdog(self) -> bool {
        matches!(
            self,
            ServiceState::StartPost | ServiceState::Running | ServiceState::Reload
        )
    }

    /// `stop`, `stop-*`, `final-*`.
    pub(crate) fn is_stopping(self) -> bool {
        self.activity() == Activity::Deactivating
    }
}

/// `ServiceResult`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceResult {
    /// `success`.
    Success,
    /// `resources`.
    Resources,
    /// `protocol`.
    Protocol,
    /// `timeout`.
    Timeout,
    /// `exit-code`.
    ExitCode,
    /// `signal`.
    Signal,
    /// `core-dump`.
    CoreDump,
    /// `watchdog`.
    Watchdog,
    /// `start-limit-hit`.
    StartLimitHit,
    /// `oom-kill`.
    OomKill,
    /// `exec-condition` (`SERVICE_SKIP_CONDITION`: the unit ends `dead`, not `failed`).
    ExecCondition,
}

impl ServiceResult {
    /// Every result, in `ServiceResult` order.
    pub const ALL: [ServiceResult; 11] = [
        ServiceResult::Success,
        ServiceResult::Resources,
        ServiceResult::Protocol,
        ServiceResult::Timeout,
        ServiceResult::ExitCode,
        ServiceResult::Signal,
        ServiceResult::CoreDump,
        ServiceResult::Watchdog,
        ServiceResult::StartLimitHit,
        ServiceResult::OomKill,
        ServiceResult::ExecCondition,
    ];

    /// systemd's name (`Result=`).
    pub fn name(self) -> &'static str {
        use ServiceResult::*;
        match self {
            Success => "success",
            Resources => "resources",
            Protocol => "protocol",
            Timeout => "timeout",
            ExitCode => "exit-code",
            Signal => "signal",
            CoreDump => "core-dump",
            Watchdog => "watchdog",
            StartLimitHit => "start-limit-hit",
            OomKill => "oom-kill",
            ExecCondition => "exec-condition",
        }
    }
}

/// Generates a name table (`name()`, `from_name()`) for a plain enum.
macro_rules! named {
    ($(#[$m:meta])* $t:ident { $($(#[$vm:meta])* $v:ident = $n:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
        pub enum $t { $($(#[$vm])* $v),* }

        impl $t {
            /// systemd's name.
            pub fn name(self) -> &'static str {
                match self { $($t::$v => $n),* }
            }

            /// The value systemd's string table gives `s`.
            pub fn from_name(s: &str) -> Option<$t> {
                match s { $($n => Some($t::$v),)* _ => None }
            }
        }
    };
}

named! {
    /// `Type=`.
    ServiceType {
        /// `simple`: the spawned process is the main process; active at once.
        Simple = "simple",
        /// `exec`: active once the main process's `execve()` succeeded.
        Exec = "exec",
        /// `forking`: `ExecStart=` is a control process; the main pid comes from `PIDFile=`
        /// or a guess.
        Forking = "forking",
        /// `oneshot`: active (or done) once the main process exited.
        Oneshot = "oneshot",
        /// `dbus`: active once `BusName=` is owned.
        Dbus = "dbus",
        /// `notify`: active on `READY=1`.
        Notify = "notify",
        /// `idle`: `simple` with the idle activity table.
        Idle = "idle",
    }
}

named! {
    /// `Restart=`.
    RestartPolicy {
        /// `no`.
        No = "no",
        /// `on-success`.
        OnSuccess = "on-success",
        /// `on-failure`.
        OnFailure = "on-failure",
        /// `on-abnormal`.
        OnAbnormal = "on-abnormal",
        /// `on-watchdog`.
        OnWatchdog = "on-watchdog",
        /// `on-abort`.
        OnAbort = "on-abort",
        /// `always`.
        Always = "always",
    }
}

named! {
    /// `NotifyAccess=`.
    NotifyAccess {
        /// `none`.
        None = "none",
        /// `main`.
        Main = "main",
        /// `exec`.
        Exec = "exec",
        /// `all`.
        All = "all",
    }
}

named! {
    /// `TimeoutStartFailureMode=` / `TimeoutStopFailureMode=`.
    TimeoutFailureMode {
        /// `terminate`: `stop-sigterm` (`final-sigterm`).
        Terminate = "terminate",
        /// `abort`: `stop-watchdog` (`final-watchdog`), `WatchdogSignal=`.
        Abort = "abort",
        /// `kill`: `stop-sigkill` (`final-sigkill`).
        Kill = "kill",
    }
}

named! {
    /// `ExitType=`.
    ExitType {
        /// `main`: the service ends with its main process.
        Main = "main",
        /// `cgroup`: the service ends when its last process is gone.
        Cgroup = "cgroup",
    }
}

named! {
    /// `OOMPolicy=`.
    OomPolicy {
        /// `continue`.
        Continue = "continue",
        /// `stop`.
        Stop = "stop",
        /// `kill`.
        Kill = "kill",
    }
}

named! {
    /// What a notification message declared (`READY=1`, `RELOADING=1`, `STOPPING=1`; the last
    /// one in the message wins). Also the machine's `notify_state` (`NotifyState`).
    NotifyState {
        /// `READY=1`.
        Ready = "ready",
        /// `RELOADING=1`.
        Reloading = "reloading",
        /// `STOPPING=1`.
        Stopping = "stopping",
    }
}

/// Which `Exec*=` list a process runs (`ServiceExecCommand`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ServiceCommand {
    /// `ExecCondition=`.
    Condition,
    /// `ExecStartPre=`.
    StartPre,
    /// `ExecStart=`.
    Start,
    /// `ExecStartPost=`.
    StartPost,
    /// `ExecReload=`.
    Reload,
    /// `ExecStop=`.
    Stop,
    /// `ExecStopPost=`.
    StopPost,
}

impl ServiceCommand {
    /// All seven, in `ServiceExecCommand` order (the index into [`super::ServiceParams::commands`]).
    pub const ALL: [ServiceCommand; 7] = [
        ServiceCommand::Condition,
        ServiceCommand::StartPre,
        ServiceCommand::Start,
        ServiceCommand::StartPost,
        ServiceCommand::Reload,
        ServiceCommand::Stop,
        ServiceCommand::StopPost,
    ];

    /// The key (`ExecCondition`, `ExecStartPre`, …).
    pub fn key(self) -> &'static str {
        match self {
            ServiceCommand::Condition => "ExecCondition",
            ServiceCommand::StartPre => "ExecStartPre",
            ServiceCommand::Start => "ExecStart",
            ServiceCommand::StartPost => "ExecStartPost",
            ServiceCommand::Reload => "ExecReload",
            ServiceCommand::Stop => "ExecStop",
            ServiceCommand::StopPost => "ExecStopPost",
        }
    }

    /// The position in [`ServiceCommand::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Which process a spawn creates (or an exit concerns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Role {
    /// The main process (`ExecStart=` of every type but `forking`; gets the socket fds).
    Main,
    /// A control process (every other command, and `forking`'s `ExecStart=`).
    Control,
}
