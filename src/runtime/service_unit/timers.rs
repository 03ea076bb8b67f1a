//! The timer (`service_dispatch_timer`) and the watchdog (`service_dispatch_watchdog`).

use crate::config::value::{USEC_PER_SEC, format_timespan};

use super::kinds::{ServiceResult, ServiceState, TimeoutFailureMode};
use super::{ServiceAction, ServiceMachine};

impl ServiceMachine {
    /// The timer fired.
    pub(super) fn timer_fired(&mut self) {
        use ServiceState::*;
        if !self.timer_armed {
            return;
        }
        self.timer_armed = false;
        let name = self.state.name();
        match self.state {
            Condition | StartPre | Start | StartPost => {
                let mode = self.params.timeout_start_failure_mode;
                self.start_timed_out(&format!("{name} operation"), mode);
            }
            Running => {
                self.log("Service reached runtime time limit. Stopping.");
                self.enter_stop(ServiceResult::Timeout);
            }
            Reload => {
                self.log("Reload operation timed out. Killing reload process.");
                if self.control_alive {
                    self.emit(ServiceAction::KillControl);
                }
                self.reload_result = ServiceResult::Timeout;
                self.enter_running(ServiceResult::Success);
            }
            Stop => {
                let mode = self.params.timeout_stop_failure_mode;
                self.start_timed_out("Stopping", mode);
            }
            StopWatchdog | StopSigterm | StopSigkill => self.stop_signal_timed_out(),
            StopPost | FinalWatchdog | FinalSigterm | FinalSigkill => self.final_timed_out(),
            AutoRestart => {
                let msg = if self.params.restart_usec > 0 {
                    let span = format_timespan(self.params.restart_usec, USEC_PER_SEC);
                    format!("Service RestartSec={span} expired, scheduling restart.")
                } else {
                    "Service has no hold-off time (RestartSec=0), scheduling restart.".to_owned()
                };
                self.log(msg);
                self.enter_restart();
            }
            Cleaning => {
                self.log("Cleaning timed out. killing.");
                if self.clean_result == ServiceResult::Success {
                    self.clean_result = ServiceResult::Timeout;
                }
                self.enter_signal(FinalSigkill, ServiceResult::Success);
            }
            Dead | Exited | Failed => {}
        }
    }

    /// A start-phase state or `stop` timed out: `TimeoutStartFailureMode=` /
    /// `TimeoutStopFailureMode=` (`what` is `start-pre operation`, `Stopping`, …).
    fn start_timed_out(&mut self, what: &str, mode: TimeoutFailureMode) {
        let t = ServiceResult::Timeout;
        match mode {
            TimeoutFailureMode::Terminate => {
                self.log(format!("{what} timed out. Terminating."));
                self.enter_signal(ServiceState::StopSigterm, t);
            }
            TimeoutFailureMode::Abort => {
                self.log(format!("{what} timed out. Aborting."));
                self.enter_signal(ServiceState::StopWatchdog, t);
            }
            TimeoutFailureMode::Kill if self.params.send_sigkill => {
                self.log(format!("{what} timed out. Killing."));
                self.enter_signal(ServiceState::StopSigkill, t);
            }
            TimeoutFailureMode::Kill => {
                self.log(format!("{what} timed out. Skipping SIGKILL."));
                self.enter_stop_post(t);
            }
        }
    }

    /// `stop-watchdog`, `stop-sigterm` or `stop-sigkill` timed out.
    fn stop_signal_timed_out(&mut self) {
        let t = ServiceResult::Timeout;
        let name = self.state.name();
        let abort = self.params.timeout_stop_failure_mode == TimeoutFailureMode::Abort;
        match self.state {
            ServiceState::StopSigkill => {
                self.log("Processes still around after SIGKILL. Ignoring.");
                self.enter_stop_post(t);
            }
            ServiceState::StopSigterm if abort => {
                self.log("State 'stop-sigterm' timed out. Aborting.");
                self.enter_signal(ServiceState::StopWatchdog, t);
            }
            _ if self.params.send_sigkill => {
                self.log(format!("State '{name}' timed out. Killing."));
                self.enter_signal(ServiceState::StopSigkill, t);
            }
            _ => {
                self.log(format!("State '{name}' timed out. Skipping SIGKILL."));
                self.enter_stop_post(t);
            }
        }
    }

    /// `stop-post` or a `final-*` state timed out.
    fn final_timed_out(&mut self) {
        use ServiceState::*;
        let t = ServiceResult::Timeout;
        let name = self.state.name();
        let mode = self.params.timeout_stop_failure_mode;
        let sigkill = self.params.send_sigkill;
        match self.state {
            FinalSigkill => {
                self.log("Processes still around after final SIGKILL. Entering failed mode.");
                self.enter_dead(t, true);
            }
            StopPost if mode == TimeoutFailureMode::Terminate => {
                self.log("State 'stop-post' timed out. Terminating.");
                self.enter_signal(FinalSigterm, t);
            }
            StopPost | FinalSigterm if mode == TimeoutFailureMode::Abort => {
                self.log(format!("State '{name}' timed out. Aborting."));
                self.enter_signal(FinalWatchdog, t);
            }
            _ if sigkill => {
                self.log(format!("State '{name}' timed out. Killing."));
                self.enter_signal(FinalSigkill, t);
            }
            _ => {
                let msg =
                    format!("State '{name}' timed out. Skipping SIGKILL. Entering failed mode.");
                self.log(msg);
                self.enter_dead(t, false);
            }
        }
    }

    /// The watchdog fired.
    pub(super) fn watchdog_fired(&mut self) {
        if !self.watchdog_armed {
            return;
        }
        self.watchdog_armed = false;
        let limit = format_timespan(self.watchdog_usec(), 1);
        self.log(format!("Watchdog timeout (limit {limit})!"));
        self.enter_signal(ServiceState::StopWatchdog, ServiceResult::Watchdog);
    }

    /// `service_get_watchdog_usec`.
    pub(super) fn watchdog_usec(&self) -> u64 {
        self.watchdog_override.unwrap_or(self.params.watchdog_usec)
    }

    /// `service_reset_watchdog`: (re)arm the watchdog if one is configured.
    pub(super) fn reset_watchdog(&mut self) {
        let usec = self.watchdog_usec();
        if usec == 0 || usec == crate::runtime::types::INFINITY {
            if self.watchdog_armed {
                self.watchdog_armed = false;
                self.emit(ServiceAction::DisarmWatchdog);
            }
        } else {
            self.watchdog_armed = true;
            self.emit(ServiceAction::ArmWatchdog(usec));
        }
    }
}
