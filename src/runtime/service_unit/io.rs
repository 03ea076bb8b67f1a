//! The service machine's inputs ([`ServiceEvent`]) and outputs ([`ServiceAction`]).

use crate::runtime::types::{ExitStatus, KillOp, KillOutcome, Usec};

use super::kinds::{NotifyState, Role, ServiceCommand, ServiceState};

/// `WATCHDOG=` in a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchdogPing {
    /// `WATCHDOG=1`: restart the watchdog timer.
    Ping,
    /// `WATCHDOG=trigger`: act as if the watchdog expired.
    Trigger,
}

/// One `sd_notify()` datagram, parsed and already filtered by `NotifyAccess=` by the manager.
/// Invalid fields (unparsable numbers, non-UTF-8 status) are dropped by the manager with
/// systemd's warnings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notification {
    /// `MAINPID=` named a pid the manager found suitable (alive, not the control process, the
    /// unit's or sent by root) and different from the current main pid. The machine answers
    /// with [`ServiceAction::AdoptMainPid`] when its state allows a new main pid.
    pub main_pid: bool,
    /// The last of `READY=1`, `RELOADING=1`, `STOPPING=1` in the message.
    pub state: Option<NotifyState>,
    /// `STATUS=` (an empty value clears the status text).
    pub status: Option<String>,
    /// `ERRNO=`.
    pub errno: Option<i32>,
    /// `EXTEND_TIMEOUT_USEC=`.
    pub extend_timeout_usec: Option<Usec>,
    /// `WATCHDOG=1` / `WATCHDOG=trigger`.
    pub watchdog: Option<WatchdogPing>,
    /// `WATCHDOG_USEC=`: override `WatchdogSec=` until the next start.
    pub watchdog_usec: Option<Usec>,
}

/// What reading `PIDFile=` gave (`service_load_pid_file`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PidFileRead {
    /// A new, suitable pid: the executor made it the main pid and watches it.
    Loaded,
    /// The file names the current main pid.
    Unchanged,
    /// Missing, unreadable, unparsable or unsuitable (the executor logged why).
    Failed,
}

/// Inputs to the machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceEvent {
    /// A start job runs at `now` (start limit accounting).
    Start {
        /// Monotonic time.
        now: Usec,
    },
    /// A stop job runs.
    Stop,
    /// A restart job runs at `now` (`systemctl restart`, or the job queued by
    /// [`ServiceAction::QueueRestart`]): stop, then start once inactive.
    Restart {
        /// Monotonic time.
        now: Usec,
    },
    /// A reload job runs (only meaningful in `running`/`exited`).
    Reload,
    /// `systemctl reset-failed`.
    ResetFailed,
    /// `systemctl clean` (only from `dead`).
    Clean,
    /// Answer to `Spawn`/`SpawnClean`: the process runs.
    Spawned {
        /// The role asked for.
        role: Role,
    },
    /// Answer to `Spawn`/`SpawnClean`: the process could not be started.
    SpawnFailed {
        /// The role asked for.
        role: Role,
        /// `strerror` of the error, for systemd's `…: %m` texts.
        error: String,
    },
    /// `Type=exec`: the main process's `execve()` succeeded (EOF on the exec fd).
    ExecOk,
    /// The main process exited (reported only for the pid the executor currently holds as the
    /// main pid).
    MainExited(ExitStatus),
    /// The control process exited.
    ControlExited(ExitStatus),
    /// Answer to `Kill`.
    Killed(KillOutcome),
    /// The timer fired.
    Timeout,
    /// The watchdog timer fired.
    WatchdogTimeout,
    /// An accepted notification message.
    Notify(Notification),
    /// Answer to `ReadPidFile`.
    PidFile(PidFileRead),
    /// The watched `PIDFile=` changed (inotify).
    PidFileChanged,
    /// Answer to `GuessMainPid`: a main pid was found and is now watched.
    MainPidGuessed(bool),
    /// No process of the unit is left (sent after the exit event that emptied it).
    CgroupEmpty,
    /// `BusName=` got (`true`) or lost an owner.
    BusName {
        /// Owned now.
        owned: bool,
    },
    /// A process of the unit was killed by the OOM killer.
    OomKilled,
}

/// Outputs of the machine, for the executor to perform in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceAction {
    /// Spawn command `index` of `cmd` (answer: `Spawned` or `SpawnFailed`). `Role::Main`
    /// processes get the socket fds, the notify socket and the watchdog environment; with
    /// `Type=exec` also the exec fd (report `ExecOk`). The new process replaces the executor's
    /// main pid or control pid.
    Spawn {
        /// Which list.
        cmd: ServiceCommand,
        /// Index in it.
        index: usize,
        /// Main or control process.
        role: Role,
    },
    /// Spawn the cleaning helper as the control process (answer: `Spawned`/`SpawnFailed`).
    SpawnClean,
    /// Send `op`'s signal per `KillMode=` to the main process, the control process and the
    /// unit's processes (answer: `Killed`).
    Kill(KillOp),
    /// SIGKILL the control process only (reload timeout); failures are ignored.
    KillControl,
    /// Arm the timer `usec` from now (replacing any earlier deadline).
    ArmTimer(Usec),
    /// Arm the timer at the time the unit last became active plus `usec` (`RuntimeMaxSec=`).
    ArmRuntimeTimer(Usec),
    /// Disarm the timer.
    DisarmTimer,
    /// `EXTEND_TIMEOUT_USEC=`: move the timer and the watchdog to at least `usec` from now.
    ExtendTimeout(Usec),
    /// Arm the watchdog `usec` from now.
    ArmWatchdog(Usec),
    /// Disarm the watchdog.
    DisarmWatchdog,
    /// Read `PIDFile=` (answer: `PidFile`).
    ReadPidFile,
    /// Watch `PIDFile=` for changes (report `PidFileChanged`).
    WatchPidFile,
    /// Stop watching `PIDFile=`.
    UnwatchPidFile,
    /// Remove `PIDFile=` (the service ended).
    RemovePidFile,
    /// Look for a main pid among the unit's processes (answer: `MainPidGuessed`).
    GuessMainPid,
    /// Make the pid of the notification being processed the main pid.
    AdoptMainPid,
    /// Stop tracking the main pid (its exit is no longer reported).
    ForgetMainPid,
    /// Stop tracking the control pid (its exit is no longer reported).
    ForgetControlPid,
    /// Queue a restart job; it runs as `Restart { now }`.
    QueueRestart,
    /// Close the `Accept=yes` connection fd (the socket's `ConnectionClosed`).
    CloseSocketFd,
    /// The unit is inactive with no job: release the fd store and stdio fds.
    ReleaseResources,
    /// The state changed (log `Changed FROM -> TO`, notify the socket and the job engine).
    StateChanged {
        /// The old state.
        from: ServiceState,
        /// The new state.
        to: ServiceState,
    },
    /// Log a message about the unit (systemd's text, without the `UNIT: ` prefix).
    Log(String),
}

impl ServiceAction {
    /// Whether the executor answers this action with an event (it then ends its batch).
    pub fn needs_answer(&self) -> bool {
        matches!(
            self,
            ServiceAction::Spawn { .. }
                | ServiceAction::SpawnClean
                | ServiceAction::Kill(_)
                | ServiceAction::ReadPidFile
                | ServiceAction::GuessMainPid
        )
    }
}
