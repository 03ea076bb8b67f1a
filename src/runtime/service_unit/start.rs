//! The start path: start jobs and the start limit, `condition` → `start-pre` → `start` →
//! `start-post` → `running`/`exited`, reload, clean and reset-failed.

use crate::runtime::types::{Activity, INFINITY, Usec};

use super::kinds::{NotifyState, Role, ServiceCommand, ServiceResult, ServiceState, ServiceType};
use super::{OnSpawnFailed, OnSpawned, Queued, ServiceAction, ServiceMachine};

impl ServiceMachine {
    /// A start job (`unit_start` → `service_can_start` → `service_start`).
    pub(super) fn request_start(&mut self, now: Usec) {
        match self.activity() {
            Activity::Active | Activity::Reloading => return,
            Activity::Maintenance => {
                self.queued = Some(Queued::Start(now));
                return;
            }
            _ => {}
        }
        if !self.start_limit.below(now) {
            self.log("Start request repeated too quickly.");
            self.start_limit_hit = true;
            self.enter_dead(ServiceResult::StartLimitHit, false);
            return;
        }
        self.start_limit_hit = false;
        match self.state {
            s if s.is_stopping() => self.queued = Some(Queued::Start(now)),
            ServiceState::Dead | ServiceState::Failed => self.begin_start(),
            _ => {}
        }
    }

    /// `service_start` from `dead`/`failed`: reset the per-activation state, then
    /// `condition`.
    fn begin_start(&mut self) {
        self.result = ServiceResult::Success;
        self.reload_result = ServiceResult::Success;
        self.main_known = false;
        self.main_exit = None;
        self.forbid_restart = false;
        self.status_text = None;
        self.status_errno = 0;
        self.notify_state = None;
        self.condition_result = None;
        self.watchdog_override = None;
        if self.flush_n_restarts {
            self.restart_count = 0;
            self.flush_n_restarts = false;
        }
        self.resources_held = true;
        self.enter_condition();
    }

    /// `service_enter_condition`.
    fn enter_condition(&mut self) {
        self.forget_control();
        if self.params.count(ServiceCommand::Condition) == 0 {
            return self.enter_start_pre();
        }
        self.spawn(
            ServiceCommand::Condition,
            0,
            Role::Control,
            self.params.timeout_start_usec,
            OnSpawned::Enter(ServiceState::Condition),
            OnSpawnFailed::Condition,
        );
    }

    /// `service_enter_start_pre`.
    pub(super) fn enter_start_pre(&mut self) {
        self.forget_control();
        if self.params.count(ServiceCommand::StartPre) == 0 {
            return self.enter_start();
        }
        self.spawn(
            ServiceCommand::StartPre,
            0,
            Role::Control,
            self.params.timeout_start_usec,
            OnSpawned::Enter(ServiceState::StartPre),
            OnSpawnFailed::StartPre,
        );
    }

    /// `service_enter_start`: the main process (the control process for `forking`).
    pub(super) fn enter_start(&mut self) {
        self.forget_control();
        self.forget_main();
        let ty = self.params.service_type;
        if self.params.count(ServiceCommand::Start) == 0 {
            if ty != ServiceType::Oneshot {
                self.log("There's no 'start' task anymore we could start.");
                return self.spawn_failed(OnSpawnFailed::Start, "No such device or address");
            }
            self.set_state(ServiceState::Start);
            return self.enter_start_post();
        }
        let simple = matches!(ty, ServiceType::Simple | ServiceType::Idle);
        let timeout = if simple {
            INFINITY
        } else {
            self.params.timeout_start_usec
        };
        let (role, ok) = match ty {
            _ if simple => (Role::Main, OnSpawned::StartPost),
            ServiceType::Forking => (Role::Control, OnSpawned::Enter(ServiceState::Start)),
            _ => (Role::Main, OnSpawned::Enter(ServiceState::Start)),
        };
        self.spawn(
            ServiceCommand::Start,
            0,
            role,
            timeout,
            ok,
            OnSpawnFailed::Start,
        );
    }

    /// `service_enter_start_post`.
    pub(super) fn enter_start_post(&mut self) {
        self.forget_control();
        self.reset_watchdog();
        if self.params.count(ServiceCommand::StartPost) == 0 {
            return self.enter_running(ServiceResult::Success);
        }
        self.spawn(
            ServiceCommand::StartPost,
            0,
            Role::Control,
            self.params.timeout_start_usec,
            OnSpawned::Enter(ServiceState::StartPost),
            OnSpawnFailed::StartPost,
        );
    }

    /// `service_enter_running`: `running` while something runs, else `exited` or stop.
    pub(super) fn enter_running(&mut self, f: ServiceResult) {
        self.stick(f);
        self.forget_control();
        if self.result != ServiceResult::Success {
            self.enter_signal(ServiceState::StopSigterm, f);
        } else if self.service_good() {
            match self.notify_state {
                Some(NotifyState::Reloading) => self.enter_reload_by_notify(),
                Some(NotifyState::Stopping) => self.enter_stop_by_notify(),
                _ => {
                    self.set_state(ServiceState::Running);
                    self.arm_runtime_timer();
                }
            }
        } else if self.params.remain_after_exit {
            self.set_state(ServiceState::Exited);
        } else {
            self.enter_stop(ServiceResult::Success);
        }
    }

    /// `service_arm_timer(service_running_timeout())`.
    fn arm_runtime_timer(&mut self) {
        let max = self.params.runtime_max_usec;
        if max == INFINITY {
            self.disarm_timer();
        } else {
            self.timer_armed = true;
            self.emit(ServiceAction::ArmRuntimeTimer(max));
        }
    }

    /// A reload job (`service_reload`; only from `running`/`exited`).
    pub(super) fn request_reload(&mut self) {
        if !matches!(self.state, ServiceState::Running | ServiceState::Exited) {
            return;
        }
        self.forget_control();
        self.reload_result = ServiceResult::Success;
        if self.params.count(ServiceCommand::Reload) == 0 {
            return self.enter_running(ServiceResult::Success);
        }
        self.spawn(
            ServiceCommand::Reload,
            0,
            Role::Control,
            self.params.timeout_start_usec,
            OnSpawned::Enter(ServiceState::Reload),
            OnSpawnFailed::Reload,
        );
    }

    /// `service_enter_reload_by_notify` (`RELOADING=1`).
    pub(super) fn enter_reload_by_notify(&mut self) {
        self.arm_timer(self.params.timeout_start_usec);
        self.set_state(ServiceState::Reload);
    }

    /// `Type=exec`: the exec handshake completed.
    pub(super) fn exec_ok(&mut self) {
        if self.params.service_type == ServiceType::Exec && self.state == ServiceState::Start {
            self.enter_start_post();
        }
    }

    /// `service_clean` (only from `dead`).
    pub(super) fn request_clean(&mut self) {
        if self.state != ServiceState::Dead {
            return;
        }
        self.forget_control();
        self.clean_result = ServiceResult::Success;
        self.control = None;
        self.arm_timer(self.params.timeout_clean_usec);
        self.emit(ServiceAction::SpawnClean);
        self.awaiting = Some(super::Await::Spawn {
            role: Role::Control,
            cmd: None,
            ok: OnSpawned::Enter(ServiceState::Cleaning),
            fail: OnSpawnFailed::Clean,
        });
    }

    /// `unit_reset_failed` → `service_reset_failed`.
    pub(super) fn reset_failed(&mut self) {
        if self.state == ServiceState::Failed {
            self.set_state(ServiceState::Dead);
        }
        self.result = ServiceResult::Success;
        self.reload_result = ServiceResult::Success;
        self.clean_result = ServiceResult::Success;
        self.restart_count = 0;
        self.flush_n_restarts = false;
        self.start_limit.reset();
        self.start_limit_hit = false;
    }

    /// A spawn failed: systemd's message, then its fallback.
    pub(super) fn spawn_failed(&mut self, fail: OnSpawnFailed, error: &str) {
        use OnSpawnFailed as F;
        let what = match fail {
            F::Condition => "Failed to run 'exec-condition' task",
            F::StartPre => "Failed to run 'start-pre' task",
            F::Start => "Failed to run 'start' task",
            F::StartPost => "Failed to run 'start-post' task",
            F::Reload => "Failed to run 'reload' task",
            F::Stop => "Failed to run 'stop' task",
            F::StopPost => "Failed to run 'stop-post' task",
            F::NextControl => "Failed to run next control task",
            F::NextMain => "Failed to run next main task",
            F::Clean => "Failed to initiate cleaning",
        };
        self.log(format!("{what}: {error}"));
        let res = ServiceResult::Resources;
        match fail {
            F::Condition | F::StartPre => self.enter_dead(res, true),
            F::Start | F::Stop => self.enter_signal(ServiceState::StopSigterm, res),
            F::StartPost | F::NextMain => self.enter_stop(res),
            F::Reload => {
                self.reload_result = res;
                self.enter_running(ServiceResult::Success);
            }
            F::StopPost => self.enter_signal(ServiceState::FinalSigterm, res),
            F::NextControl => self.next_control_failed(),
            F::Clean => {
                self.clean_result = res;
                self.disarm_timer();
            }
        }
    }

    /// `service_run_next_control`'s fallback, by state.
    fn next_control_failed(&mut self) {
        let res = ServiceResult::Resources;
        match self.state {
            ServiceState::Condition
            | ServiceState::StartPre
            | ServiceState::StartPost
            | ServiceState::Stop => self.enter_signal(ServiceState::StopSigterm, res),
            ServiceState::StopPost => self.enter_dead(res, true),
            ServiceState::Reload => {
                self.reload_result = res;
                self.enter_running(ServiceResult::Success);
            }
            _ => self.enter_stop(res),
        }
    }
}
