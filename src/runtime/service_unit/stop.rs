//! The stop path: stop and restart jobs, `stop` → `stop-sigterm` → `stop-sigkill` →
//! `stop-post` → `final-sigterm` → `final-sigkill` → `dead`/`failed`, and `Restart=`.

use crate::runtime::types::{KillOp, KillOutcome, Usec};

use super::kinds::{RestartPolicy, Role, ServiceCommand, ServiceResult, ServiceState};
use super::{Await, OnSpawnFailed, OnSpawned, Queued, ServiceAction, ServiceMachine};

impl ServiceMachine {
    /// A stop job (`service_stop`).
    pub(super) fn request_stop(&mut self) {
        use ServiceState::*;
        if self.activity().is_inactive_or_failed() {
            return;
        }
        self.forbid_restart = true;
        match self.state {
            Stop | StopSigterm | StopSigkill | StopPost | FinalWatchdog | FinalSigterm
            | FinalSigkill => {}
            AutoRestart => self.set_state(Dead),
            Condition | StartPre | Start | StartPost | Reload | StopWatchdog => {
                self.enter_signal(StopSigterm, ServiceResult::Success)
            }
            Cleaning => self.enter_signal(FinalSigkill, ServiceResult::Success),
            Running | Exited => self.enter_stop(ServiceResult::Success),
            Dead | Failed => {}
        }
    }

    /// A restart job: stop, then start once inactive.
    pub(super) fn request_restart(&mut self, now: Usec) {
        if self.activity().is_inactive_or_failed() {
            self.queued = None;
            return self.request_start(now);
        }
        self.queued = Some(Queued::Restart(now));
        self.request_stop();
    }

    /// `service_enter_stop`: `ExecStop=`, else signal.
    pub(super) fn enter_stop(&mut self, f: ServiceResult) {
        self.stick(f);
        self.forget_control();
        if self.params.count(ServiceCommand::Stop) == 0 {
            return self.enter_signal(ServiceState::StopSigterm, ServiceResult::Success);
        }
        self.spawn(
            ServiceCommand::Stop,
            0,
            Role::Control,
            self.params.timeout_stop_usec,
            OnSpawned::Enter(ServiceState::Stop),
            OnSpawnFailed::Stop,
        );
    }

    /// `service_enter_stop_by_notify` (`STOPPING=1`): as if SIGTERM had been sent.
    pub(super) fn enter_stop_by_notify(&mut self) {
        self.arm_timer(self.params.timeout_stop_usec);
        self.set_state(ServiceState::StopSigterm);
    }

    /// `service_enter_stop_post`: `ExecStopPost=`, else the final signals.
    pub(super) fn enter_stop_post(&mut self, f: ServiceResult) {
        self.stick(f);
        self.forget_control();
        if self.params.count(ServiceCommand::StopPost) == 0 {
            return self.enter_signal(ServiceState::FinalSigterm, ServiceResult::Success);
        }
        self.spawn(
            ServiceCommand::StopPost,
            0,
            Role::Control,
            self.params.timeout_stop_usec,
            OnSpawned::Enter(ServiceState::StopPost),
            OnSpawnFailed::StopPost,
        );
    }

    /// `state_to_kill_operation`.
    fn kill_op(&self, state: ServiceState) -> KillOp {
        match state {
            ServiceState::StopWatchdog | ServiceState::FinalWatchdog => KillOp::Watchdog,
            ServiceState::StopSigterm if matches!(self.queued, Some(Queued::Restart(_))) => {
                KillOp::Restart
            }
            ServiceState::StopSigkill | ServiceState::FinalSigkill => KillOp::Kill,
            _ => KillOp::Terminate,
        }
    }

    /// `service_enter_signal`: signal, then wait in `state` (answer: `Killed`).
    pub(super) fn enter_signal(&mut self, state: ServiceState, f: ServiceResult) {
        self.stick(f);
        let op = self.kill_op(state);
        self.emit(ServiceAction::Kill(op));
        self.awaiting = Some(Await::Kill(state));
    }

    /// The answer to `Kill`: wait, or cascade when nothing was signalled.
    pub(super) fn killed(&mut self, state: ServiceState, outcome: KillOutcome) {
        use ServiceState::*;
        let ok = ServiceResult::Success;
        let sigkill = self.params.send_sigkill;
        match outcome {
            KillOutcome::Signalled => {
                let usec = if self.kill_op(state) == KillOp::Watchdog {
                    self.params.abort_usec()
                } else {
                    self.params.timeout_stop_usec
                };
                self.arm_timer(usec);
                self.set_state(state);
            }
            KillOutcome::Nothing => match state {
                StopWatchdog | StopSigterm if sigkill => self.enter_signal(StopSigkill, ok),
                StopWatchdog | StopSigterm | StopSigkill => self.enter_stop_post(ok),
                FinalWatchdog | FinalSigterm if sigkill => self.enter_signal(FinalSigkill, ok),
                _ => self.enter_dead(ok, true),
            },
            KillOutcome::Failed => match state {
                StopWatchdog | StopSigterm | StopSigkill => {
                    self.enter_stop_post(ServiceResult::Resources)
                }
                _ => self.enter_dead(ServiceResult::Resources, true),
            },
        }
    }

    /// `service_enter_dead`: `dead`/`failed`, then maybe `auto-restart`.
    pub(super) fn enter_dead(&mut self, f: ServiceResult, allow_restart: bool) {
        self.stick(f);
        let end = match self.result {
            ServiceResult::Success | ServiceResult::ExecCondition => ServiceState::Dead,
            _ => ServiceState::Failed,
        };
        let restart = allow_restart && self.shall_restart();
        self.set_state(end);
        if restart {
            self.arm_timer(self.params.restart_usec);
            self.set_state(ServiceState::AutoRestart);
        } else {
            self.flush_n_restarts = true;
        }
        self.forbid_restart = false;
        if self.params.pid_file {
            self.emit(ServiceAction::RemovePidFile);
        }
    }

    /// `service_shall_restart` (man systemd.service, Table 2).
    pub(super) fn shall_restart(&self) -> bool {
        use ServiceResult::*;
        if self.forbid_restart {
            return false;
        }
        if let Some(st) = self.main_exit {
            if self.params.restart_prevent_status.contains(st) {
                return false;
            }
            if self.params.restart_force_status.contains(st) {
                return true;
            }
        }
        let r = self.result;
        match self.params.restart {
            RestartPolicy::No => false,
            RestartPolicy::Always => r != ExecCondition,
            RestartPolicy::OnSuccess => r == Success,
            RestartPolicy::OnFailure => !matches!(r, Success | ExecCondition),
            RestartPolicy::OnAbnormal => !matches!(r, Success | ExitCode | ExecCondition),
            RestartPolicy::OnWatchdog => r == Watchdog,
            RestartPolicy::OnAbort => matches!(r, Signal | CoreDump),
        }
    }

    /// `service_enter_restart`: the hold-off is over, queue the restart job.
    pub(super) fn enter_restart(&mut self) {
        self.restart_count = self.restart_count.saturating_add(1);
        self.flush_n_restarts = false;
        let n = self.restart_count;
        self.log(format!("Scheduled restart job, restart counter is at {n}."));
        self.emit(ServiceAction::QueueRestart);
    }
}
