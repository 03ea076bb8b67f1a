//! Finding the main pid of a `forking` service (and after a reload): `PIDFile=`, its inotify
//! watch, and `GuessMainPID=`.

use super::io::PidFileRead;
use super::kinds::{ServiceResult, ServiceState};
use super::{Await, Demand, PidCtx, ServiceAction, ServiceMachine};

impl ServiceMachine {
    /// Read `PIDFile=` if set, else guess (`service_load_pid_file` failing with `ENOENT` →
    /// `service_search_main_pid`).
    pub(super) fn find_main_pid(&mut self, ctx: PidCtx) {
        if self.params.pid_file {
            self.emit(ServiceAction::ReadPidFile);
            self.awaiting = Some(Await::PidFile(ctx));
        } else {
            self.search_main_pid(ctx);
        }
    }

    /// `service_search_main_pid`: only when the main pid is unknown and guessing is on.
    fn search_main_pid(&mut self, ctx: PidCtx) {
        if !self.main_known && self.params.guess_main_pid {
            self.emit(ServiceAction::GuessMainPid);
            self.awaiting = Some(Await::Guess(ctx));
        } else {
            self.pid_known(ctx);
        }
    }

    /// The answer to `ReadPidFile`.
    pub(super) fn pid_file_read(&mut self, ctx: PidCtx, r: PidFileRead) {
        let failed = r == PidFileRead::Failed;
        if r == PidFileRead::Loaded {
            self.main_known = true;
            self.main_alive = true;
        }
        match ctx {
            PidCtx::MainExit(st, f) => {
                if r != PidFileRead::Loaded {
                    self.main_gone(st, f);
                }
            }
            PidCtx::ForkingStart { has_post: false } if failed => {
                self.demand_pid_file(Demand::ForkingStart)
            }
            PidCtx::StartPost if failed => self.demand_pid_file(Demand::StartPost),
            PidCtx::Reload(_) if failed => self.search_main_pid(ctx),
            PidCtx::Demanded(d) => {
                if !failed {
                    self.unwatch_pid_file();
                    self.enter_running(ServiceResult::Success);
                }
                if self.awaiting.is_none() && !self.cgroup_populated {
                    self.pid_file_never_usable(d);
                }
            }
            PidCtx::Changed => {
                if !failed {
                    self.unwatch_pid_file();
                    self.enter_running(ServiceResult::Success);
                }
            }
            _ => self.pid_known(ctx),
        }
    }

    /// The main pid is settled (found, or not to be found); go on.
    pub(super) fn pid_known(&mut self, ctx: PidCtx) {
        match ctx {
            PidCtx::ForkingStart { .. } => self.enter_start_post(),
            PidCtx::StartPost => self.enter_running(ServiceResult::Success),
            PidCtx::Reload(f) => {
                self.reload_result = f;
                self.enter_running(ServiceResult::Success);
            }
            PidCtx::MainExit(..) | PidCtx::Demanded(_) | PidCtx::Changed => {}
        }
    }

    /// `service_demand_pid_file`: watch the file, and read it once more right away.
    fn demand_pid_file(&mut self, d: Demand) {
        self.pid_file_watched = true;
        self.emit(ServiceAction::WatchPidFile);
        self.emit(ServiceAction::ReadPidFile);
        self.awaiting = Some(Await::PidFile(PidCtx::Demanded(d)));
    }

    /// `service_unwatch_pid_file`.
    pub(super) fn unwatch_pid_file(&mut self) {
        if self.pid_file_watched {
            self.pid_file_watched = false;
            self.emit(ServiceAction::UnwatchPidFile);
        }
    }

    /// The daemon exited without writing a usable PID file and nothing is left running.
    fn pid_file_never_usable(&mut self, d: Demand) {
        match d {
            Demand::ForkingStart => {
                self.enter_signal(ServiceState::StopSigterm, ServiceResult::Protocol)
            }
            Demand::StartPost => self.enter_stop(ServiceResult::Protocol),
        }
    }

    /// The watched `PIDFile=` changed: try it again (`service_retry_pid_file`).
    pub(super) fn pid_file_changed(&mut self) {
        if self.pid_file_watched
            && matches!(self.state, ServiceState::Start | ServiceState::StartPost)
        {
            self.emit(ServiceAction::ReadPidFile);
            self.awaiting = Some(Await::PidFile(PidCtx::Changed));
        }
    }
}
