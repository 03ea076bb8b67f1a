//! The service unit's state machine (systemd 252 `src/core/service.c`), pure.
//!
//! [`ServiceMachine::step`] takes one [`ServiceEvent`] and returns the [`ServiceAction`]s the
//! executor must perform, in order. It never performs I/O, reads a clock or looks at another
//! unit: process ids, fds, timers and clocks stay in the executor; time arrives inside events.
//!
//! **Protocol with the executor.** Same as [`super::socket_unit`], with two differences a
//! service needs:
//!
//! - An action that needs an answer (`Spawn`, `SpawnClean`, `Kill`, `ReadPidFile`,
//!   `GuessMainPid`; see [`ServiceAction::needs_answer`]) is always the *last* action of its
//!   batch, and the executor feeds exactly one answering event to `step` before anything else:
//!   `Spawned`/`SpawnFailed` (a spawn is answered on success too: `Type=simple` goes on to
//!   spawn `ExecStartPost=` only once its main process runs), `Killed`, `PidFile`,
//!   `MainPidGuessed`. While an answer is outstanding every other event is ignored.
//! - State changes are actions ([`ServiceAction::StateChanged`]), because one step can pass
//!   through several states (`running -> failed -> auto-restart`). The executor logs
//!   `Changed FROM -> TO` from them and forwards them to the socket and the job engine. On a
//!   change into `failed` it logs `Failed with result 'RESULT'.`, and into `dead` from any state
//!   but `auto-restart` either `Deactivated successfully.` or, for `exec-condition`,
//!   `Skipped due to 'exec-condition'.` (systemd's `unit_log_failure`/`_success`/`_skip`).
//!
//! The executor holds at most one main pid and one control pid. `Spawn` replaces the one of its
//! role; `ForgetMainPid`/`ForgetControlPid` drop one without signalling it, after which its
//! exit is not reported. It reports `MainExited`/`ControlExited` for the pids it holds, then
//! `CgroupEmpty` once no process of the unit is left. `Kill` applies `KillMode=` to the main pid,
//! the control pid and the unit's processes (`KillOutcome::Nothing` when none was signalled),
//! and logs `Failed to kill processes: %m` itself on failure. A start job whose unit has
//! leftover processes under `KillMode=control-group|mixed` with `SendSIGKILL=no` is refused by
//! failing the first spawn (`Will not start SendSIGKILL=no service …`). The timer fires as
//! `Timeout`, the watchdog as `WatchdogTimeout`, unless re-armed or disarmed before.
//!
//! Jobs: `Start`/`Restart` arriving while the unit is stopping are kept and run once it is
//! `dead`/`failed`; `Stop` drops them. `QueueRestart` asks the job engine for a restart job,
//! which comes back as `Restart { now }`.
//!
//! State names, result names, transitions and log texts are systemd 252's
//! (`systemd-semantics.md` §5, §8b). Where this machine differs:
//!
//! - The job engine is reduced to "a start waits while the unit stops" (systemd retries the job
//!   on every state change, counting the start limit each time; here once, when inactive).
//! - `cgroup_good()` is the flag `cgroup_populated`, which learns of an empty unit only from
//!   `CgroupEmpty`; so a `forking` daemon that died before writing `PIDFile=` fails on that
//!   event (`Daemon never wrote its PID file. Failing.`) rather than at once.
//! - Within one notification, `STATUS=`, `ERRNO=`, `EXTEND_TIMEOUT_USEC=`, `WATCHDOG*=` come
//!   before `READY=1`/`RELOADING=1`/`STOPPING=1`, and `WATCHDOG=trigger` wins over them.
//! - Unit-level messages (`Failed with result …`, conditions, asserts), `KillMode=`, the
//!   leftover-process check, fd collection and `NotifyAccess=` filtering are the executor's.

mod base;
mod exits;
mod io;
mod kinds;
mod notify;
mod params;
mod pidfile;
mod start;
mod stop;
mod timers;

pub use io::{Notification, PidFileRead, ServiceAction, ServiceEvent, WatchdogPing};
pub use kinds::{
    ExitType, NotifyAccess, NotifyState, OomPolicy, RestartPolicy, Role, ServiceCommand,
    ServiceResult, ServiceState, ServiceType, TimeoutFailureMode,
};
pub use params::{ExitStatusSet, ServiceParams};

use super::types::{Activity, ExitStatus, RateLimit, Usec};

/// What a successful spawn leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OnSpawned {
    /// Enter this state.
    Enter(ServiceState),
    /// `Type=simple`/`idle` main process: go on to `start-post`.
    StartPost,
    /// A next command of the same list: stay.
    Stay,
}

/// Which spawn failed (its systemd message and fallback).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OnSpawnFailed {
    Condition,
    StartPre,
    Start,
    StartPost,
    Reload,
    Stop,
    StopPost,
    NextControl,
    NextMain,
    Clean,
}

/// Who asked for the `PIDFile=` or a guessed main pid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PidCtx {
    /// The main process exited; the file may name its successor.
    MainExit(ExitStatus, ServiceResult),
    /// `forking`'s `ExecStart=` succeeded.
    ForkingStart { has_post: bool },
    /// `ExecStartPost=` succeeded.
    StartPost,
    /// `ExecReload=` ended with this result.
    Reload(ServiceResult),
    /// The retry right after starting to watch the file (`service_watch_pid_file`).
    Demanded(Demand),
    /// The watched file changed.
    Changed,
}

/// Where the file was demanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Demand {
    ForkingStart,
    StartPost,
}

/// An outstanding answer.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Await {
    Spawn {
        role: Role,
        cmd: Option<(ServiceCommand, usize)>,
        ok: OnSpawned,
        fail: OnSpawnFailed,
    },
    Kill(ServiceState),
    PidFile(PidCtx),
    Guess(PidCtx),
}

/// A job that waits for the unit to be inactive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Queued {
    Start(Usec),
    Restart(Usec),
}

/// The service unit's runtime state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceMachine {
    /// Current state.
    pub state: ServiceState,
    /// Result (the first failure sticks).
    pub result: ServiceResult,
    /// `ReloadResult=`.
    pub reload_result: ServiceResult,
    /// `CleanResult=`.
    pub clean_result: ServiceResult,
    /// The main pid is known (`main_pid_known`).
    pub main_known: bool,
    /// A main process is held and alive.
    pub main_alive: bool,
    /// The `ExecStart=` index the main process runs (not for `forking`).
    pub main_command: Option<usize>,
    /// The last main process exit (`ExecMainStatus=`).
    pub main_exit: Option<ExitStatus>,
    /// A control process is held and alive.
    pub control_alive: bool,
    /// The command the control process runs (`None` for the cleaning helper).
    pub control: Option<(ServiceCommand, usize)>,
    /// `NRestarts=`.
    pub restart_count: u32,
    /// The last start request hit the start limit.
    pub start_limit_hit: bool,
    /// `ExecCondition=` outcome of this activation.
    pub condition_result: Option<bool>,
    /// The last `READY=1`/`RELOADING=1`/`STOPPING=1`.
    pub notify_state: Option<NotifyState>,
    /// `StatusText=`.
    pub status_text: Option<String>,
    /// `StatusErrno=`.
    pub status_errno: i32,
    /// The unit may have processes (cleared by `CgroupEmpty`, set by every spawn).
    pub cgroup_populated: bool,
    /// `BusName=` has an owner.
    pub bus_name_good: bool,
    forbid_restart: bool,
    flush_n_restarts: bool,
    watchdog_override: Option<Usec>,
    timer_armed: bool,
    watchdog_armed: bool,
    pid_file_watched: bool,
    socket_fd_held: bool,
    resources_held: bool,
    queued: Option<Queued>,
    awaiting: Option<Await>,
    start_limit: RateLimit,
    params: ServiceParams,
    out: Vec<ServiceAction>,
}

impl ServiceMachine {
    /// A `dead` service with these settings.
    pub fn new(params: ServiceParams) -> ServiceMachine {
        ServiceMachine {
            state: ServiceState::Dead,
            result: ServiceResult::Success,
            reload_result: ServiceResult::Success,
            clean_result: ServiceResult::Success,
            main_known: false,
            main_alive: false,
            main_command: None,
            main_exit: None,
            control_alive: false,
            control: None,
            restart_count: 0,
            start_limit_hit: false,
            condition_result: None,
            notify_state: None,
            status_text: None,
            status_errno: 0,
            cgroup_populated: false,
            bus_name_good: false,
            forbid_restart: false,
            flush_n_restarts: false,
            watchdog_override: None,
            timer_armed: false,
            watchdog_armed: false,
            pid_file_watched: false,
            socket_fd_held: true,
            resources_held: false,
            queued: None,
            awaiting: None,
            start_limit: RateLimit::new(params.start_limit.0, params.start_limit.1),
            params,
            out: Vec::new(),
        }
    }

    /// The settings.
    pub fn params(&self) -> &ServiceParams {
        &self.params
    }

    /// `ActiveState=` (the idle table for `Type=idle`).
    pub fn activity(&self) -> Activity {
        if self.params.service_type == ServiceType::Idle {
            self.state.activity_idle()
        } else {
            self.state.activity()
        }
    }

    /// An answer is outstanding (the last batch ended with an action that needs one).
    pub fn is_waiting(&self) -> bool {
        self.awaiting.is_some()
    }

    /// `service_can_reload`: `ExecReload=` is set.
    pub fn can_reload(&self) -> bool {
        self.params.count(ServiceCommand::Reload) > 0
    }

    /// Feeds one event; returns the actions to perform, in order.
    pub fn step(&mut self, event: ServiceEvent) -> Vec<ServiceAction> {
        self.out.clear();
        match self.awaiting.take() {
            Some(w) => self.answer(w, event),
            None => self.dispatch(event),
        }
        self.settle();
        std::mem::take(&mut self.out)
    }

    /// Routes an event that is not an answer.
    fn dispatch(&mut self, event: ServiceEvent) {
        use ServiceEvent as E;
        match event {
            E::Start { now } => self.request_start(now),
            E::Stop => {
                self.queued = None;
                self.request_stop();
            }
            E::Restart { now } => self.request_restart(now),
            E::Reload => self.request_reload(),
            E::ResetFailed => self.reset_failed(),
            E::Clean => self.request_clean(),
            E::ExecOk => self.exec_ok(),
            E::MainExited(st) => self.main_exited(st),
            E::ControlExited(st) => self.control_exited(st),
            E::Timeout => self.timer_fired(),
            E::WatchdogTimeout => self.watchdog_fired(),
            E::Notify(n) => self.notify(n),
            E::PidFileChanged => self.pid_file_changed(),
            E::CgroupEmpty => self.cgroup_empty(),
            E::BusName { owned } => self.bus_name(owned),
            E::OomKilled => self.oom_killed(),
            E::Spawned { .. }
            | E::SpawnFailed { .. }
            | E::Killed(_)
            | E::PidFile(_)
            | E::MainPidGuessed(_) => {}
        }
    }

    /// Routes the answer to an outstanding action; anything else is ignored.
    fn answer(&mut self, w: Await, event: ServiceEvent) {
        use ServiceEvent as E;
        match (w, event) {
            (Await::Spawn { role, cmd, ok, .. }, E::Spawned { role: r }) if r == role => {
                self.spawned(role, cmd, ok)
            }
            (Await::Spawn { role, fail, .. }, E::SpawnFailed { role: r, error }) if r == role => {
                self.spawn_failed(fail, &error)
            }
            (Await::Kill(state), E::Killed(outcome)) => self.killed(state, outcome),
            (Await::PidFile(ctx), E::PidFile(r)) => self.pid_file_read(ctx, r),
            (Await::Guess(ctx), E::MainPidGuessed(found)) => {
                if found {
                    self.main_known = true;
                    self.main_alive = true;
                }
                self.pid_known(ctx);
            }
            (w, _) => self.awaiting = Some(w),
        }
    }

    /// After a step: run a job that waited for the unit to stop, release resources.
    fn settle(&mut self) {
        if self.awaiting.is_some() || !self.activity().is_inactive_or_failed() {
            return;
        }
        if let Some(Queued::Start(now) | Queued::Restart(now)) = self.queued.take() {
            self.request_start(now);
        }
        if self.awaiting.is_none()
            && self.activity().is_inactive_or_failed()
            && self.queued.is_none()
            && self.resources_held
        {
            self.resources_held = false;
            self.emit(ServiceAction::ReleaseResources);
        }
    }
}

#[cfg(test)]
#[path = "service_unit_tests.rs"]
mod tests;
