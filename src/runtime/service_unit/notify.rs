//! Messages from outside the process tree: `sd_notify()` (`service_notify_message`), the
//! unit's processes all gone (`service_notify_cgroup_empty_event`), the OOM killer and the bus
//! name.

use super::io::{Notification, WatchdogPing};
use super::kinds::{ExitType, NotifyState, OomPolicy, ServiceResult, ServiceState, ServiceType};
use super::{ServiceAction, ServiceMachine};

impl ServiceMachine {
    /// A notification message. Fields that only update values, the watchdog and
    /// `WATCHDOG=trigger` are handled before `READY=1`/`RELOADING=1`/`STOPPING=1` (systemd
    /// handles them after), so that a spawn or kill the state part starts stays the batch's last
    /// action; `EXTEND_TIMEOUT_USEC=` hence applies to the timer before the state change.
    pub(super) fn notify(&mut self, n: Notification) {
        use ServiceState::*;
        if n.main_pid && matches!(self.state, Start | StartPost | Running | Reload) {
            self.main_known = true;
            self.main_alive = true;
            self.emit(ServiceAction::AdoptMainPid);
        }
        if let Some(s) = n.status {
            self.status_text = (!s.is_empty()).then_some(s);
        }
        if let Some(e) = n.errno {
            self.status_errno = e;
        }
        if let Some(u) = n.extend_timeout_usec
            && u != 0
            && u != crate::runtime::types::INFINITY
        {
            self.emit(ServiceAction::ExtendTimeout(u));
        }
        if let Some(u) = n.watchdog_usec {
            self.watchdog_override = Some(u);
            self.reset_watchdog();
        }
        match n.watchdog {
            Some(WatchdogPing::Ping) => self.reset_watchdog(),
            Some(WatchdogPing::Trigger) => {
                let status = self.status_text.as_deref().unwrap_or("<unset>");
                self.log(format!("Watchdog request (last status: {status})!"));
                return self.enter_signal(StopWatchdog, ServiceResult::Watchdog);
            }
            None => {}
        }
        if let Some(s) = n.state {
            self.notify_state_change(s);
        }
    }

    /// `READY=1`, `RELOADING=1`, `STOPPING=1`.
    fn notify_state_change(&mut self, s: NotifyState) {
        self.notify_state = Some(s);
        match (s, self.state) {
            (NotifyState::Ready, ServiceState::Start)
                if self.params.service_type == ServiceType::Notify =>
            {
                self.enter_start_post()
            }
            (NotifyState::Ready, ServiceState::Reload) if !self.control_alive => {
                self.enter_running(ServiceResult::Success)
            }
            (NotifyState::Reloading, ServiceState::Running) => self.enter_reload_by_notify(),
            (NotifyState::Stopping, ServiceState::Running) => self.enter_stop_by_notify(),
            _ => {}
        }
    }

    /// No process of the unit is left.
    pub(super) fn cgroup_empty(&mut self) {
        use ServiceState::*;
        self.cgroup_populated = false;
        let main_dead = self.main_good() == Some(false);
        let nothing = self.main_good() != Some(true) && !self.control_alive;
        match self.state {
            Start => {
                if self.params.service_type == ServiceType::Notify
                    && main_dead
                    && !self.control_alive
                {
                    return self.enter_stop_post(ServiceResult::Protocol);
                }
                if self.params.exit_type == ExitType::Cgroup && self.main_good() != Some(true) {
                    self.enter_start_post();
                }
                if self.awaiting.is_none() {
                    self.pid_file_abandoned();
                }
            }
            StartPost => self.pid_file_abandoned(),
            Running => self.enter_running(ServiceResult::Success),
            StopWatchdog | StopSigterm | StopSigkill if nothing => {
                self.enter_stop_post(ServiceResult::Success)
            }
            StopPost | FinalWatchdog | FinalSigterm | FinalSigkill if nothing => {
                self.enter_dead(ServiceResult::Success, true)
            }
            _ => {}
        }
    }

    /// `Daemon never wrote its PID file. Failing.` systemd checks for a main pid that is known
    /// and dead; an unknown one counts too here, because systemd's own check at the time the
    /// file was demanded (`cgroup_good() == 0`) sees the group live, while this machine only
    /// learns that it is empty from the `CgroupEmpty` that follows the exit.
    fn pid_file_abandoned(&mut self) {
        if !(self.pid_file_watched && self.main_good() != Some(true) && !self.control_alive) {
            return;
        }
        self.log("Daemon never wrote its PID file. Failing.");
        self.unwatch_pid_file();
        if self.state == ServiceState::Start {
            self.enter_stop_post(ServiceResult::Protocol);
        } else {
            self.enter_stop(ServiceResult::Protocol);
        }
    }

    /// `BusName=` got or lost an owner.
    pub(super) fn bus_name(&mut self, owned: bool) {
        self.bus_name_good = owned;
        if self.params.service_type != ServiceType::Dbus {
            return;
        }
        match self.state {
            ServiceState::Running => self.enter_running(ServiceResult::Success),
            ServiceState::Start if owned => self.enter_start_post(),
            _ => {}
        }
    }

    /// `service_notify_cgroup_oom_event` with `OOMPolicy=`.
    pub(super) fn oom_killed(&mut self) {
        use ServiceState::*;
        let policy = self.params.oom_policy;
        let oom = ServiceResult::OomKill;
        if policy == OomPolicy::Continue {
            return;
        }
        let kill = policy == OomPolicy::Kill;
        match self.state {
            Condition | StartPre | Start | StartPost | Stop => {
                self.enter_signal(if kill { StopSigkill } else { StopSigterm }, oom)
            }
            Exited | Running if kill => self.enter_signal(StopSigkill, oom),
            Exited | Running => self.enter_stop(oom),
            StopWatchdog | StopSigterm => self.enter_signal(StopSigkill, oom),
            StopSigkill | FinalSigkill => self.stick(oom),
            StopPost | FinalSigterm => self.enter_signal(FinalSigkill, oom),
            _ => {}
        }
    }
}
