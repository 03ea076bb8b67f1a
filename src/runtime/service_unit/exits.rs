//! Process exits (`service_sigchld_event`): the main process, control processes and the
//! next command of a list.

use crate::config::value::{exit_status_name, signal_to_string};
use crate::runtime::types::ExitStatus;

use super::kinds::{
    ExitType, NotifyAccess, Role, ServiceCommand, ServiceResult, ServiceState, ServiceType,
};
use super::{Await, OnSpawnFailed, OnSpawned, PidCtx, ServiceAction, ServiceMachine};

/// `is_clean_exit`'s mode: daemons may die of SIGHUP/SIGINT/SIGTERM/SIGPIPE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Clean {
    Command,
    Daemon,
}

/// `unit_log_process_exit`'s text.
fn exit_text(kind: &str, st: ExitStatus, success: bool) -> String {
    let (status, name) = match st {
        ExitStatus::Exited(c) => (
            c,
            u8::try_from(c)
                .ok()
                .and_then(exit_status_name)
                .unwrap_or("n/a")
                .to_owned(),
        ),
        ExitStatus::Killed(s) | ExitStatus::Dumped(s) => (s, signal_to_string(s)),
    };
    let ok = if success { " (success)" } else { "" };
    format!(
        "{kind} exited, code={}, status={status}/{name}{ok}",
        st.code_name()
    )
}

impl ServiceMachine {
    /// `is_clean_exit` with `SuccessExitStatus=`, mapped to a result.
    fn classify(&self, st: ExitStatus, clean: Clean) -> ServiceResult {
        let set = &self.params.success_status;
        let ok = match st {
            ExitStatus::Exited(c) => c == 0 || set.contains(st),
            ExitStatus::Killed(s) => {
                (clean == Clean::Daemon && matches!(s, 1 | 2 | 13 | 15)) || set.contains(st)
            }
            ExitStatus::Dumped(_) => false,
        };
        match st {
            _ if ok => ServiceResult::Success,
            ExitStatus::Exited(_) => ServiceResult::ExitCode,
            ExitStatus::Killed(_) => ServiceResult::Signal,
            ExitStatus::Dumped(_) => ServiceResult::CoreDump,
        }
    }

    /// The main process exited.
    pub(super) fn main_exited(&mut self, st: ExitStatus) {
        if !self.main_alive {
            return;
        }
        let clean = if self.params.service_type == ServiceType::Oneshot {
            Clean::Command
        } else {
            Clean::Daemon
        };
        let f = self.classify(st, clean);
        if self.params.pid_file {
            // A forking daemon may have moved to a new pid before its old one exited.
            self.emit(ServiceAction::ReadPidFile);
            self.awaiting = Some(Await::PidFile(PidCtx::MainExit(st, f)));
            return;
        }
        self.main_gone(st, f);
    }

    /// The main process is gone for good.
    pub(super) fn main_gone(&mut self, st: ExitStatus, mut f: ServiceResult) {
        self.main_alive = false;
        self.main_exit = Some(st);
        let ignore = match self.main_command {
            Some(i) => self.params.ignores_failure(ServiceCommand::Start, i),
            None => self.params.ignores_failure(ServiceCommand::Start, 0),
        };
        if ignore {
            f = ServiceResult::Success;
        }
        let text = exit_text("Main process", st, f == ServiceResult::Success);
        self.log(text);
        self.stick(f);
        let next = self.main_command.map(|i| i + 1);
        if let Some(n) = next.filter(|&n| n < self.params.count(ServiceCommand::Start))
            && self.params.service_type == ServiceType::Oneshot
            && f == ServiceResult::Success
        {
            return self.run_next_main(n);
        }
        self.main_command = None;
        if self.params.exit_type == ExitType::Main || !self.cgroup_populated {
            self.main_gone_in_state(f);
        }
    }

    /// What the main process's end means in the current state.
    fn main_gone_in_state(&mut self, f: ServiceResult) {
        use ServiceState::*;
        let ty = self.params.service_type;
        match self.state {
            StartPost | Reload if !self.control_alive => self.enter_stop(f),
            Start if ty == ServiceType::Oneshot => {
                if f == ServiceResult::Success {
                    self.enter_start_post();
                } else {
                    self.enter_signal(StopSigterm, f);
                }
            }
            Start if ty == ServiceType::Notify => {
                if f != ServiceResult::Success {
                    self.enter_signal(StopSigterm, f);
                } else if !self.params.remain_after_exit
                    || self.params.notify_access() == NotifyAccess::Main
                {
                    self.enter_signal(StopSigterm, ServiceResult::Protocol);
                }
            }
            Start | Running => self.enter_running(f),
            StopWatchdog | StopSigterm | StopSigkill if !self.control_alive => {
                self.enter_stop_post(f)
            }
            StopPost if !self.control_alive => self.enter_signal(FinalSigterm, f),
            FinalWatchdog | FinalSigterm | FinalSigkill if !self.control_alive => {
                self.enter_dead(f, true)
            }
            _ => {}
        }
    }

    /// `service_run_next_main` (`Type=oneshot` with several `ExecStart=`).
    fn run_next_main(&mut self, index: usize) {
        self.forget_main();
        self.spawn(
            ServiceCommand::Start,
            index,
            Role::Main,
            self.params.timeout_start_usec,
            OnSpawned::Stay,
            OnSpawnFailed::NextMain,
        );
    }

    /// A control process exited.
    pub(super) fn control_exited(&mut self, st: ExitStatus) {
        if !self.control_alive {
            return;
        }
        self.control_alive = false;
        let cmd = self.control;
        let clean = match cmd {
            Some((ServiceCommand::Start, _))
                if self.params.service_type != ServiceType::Oneshot =>
            {
                Clean::Daemon
            }
            _ => Clean::Command,
        };
        let mut f = self.classify(st, clean);
        if let Some((c, i)) = cmd
            && self.params.ignores_failure(c, i)
        {
            f = ServiceResult::Success;
        }
        let mut kind = "Control process";
        let mut success = f == ServiceResult::Success;
        if self.state == ServiceState::Condition {
            kind = "Condition check process";
            match st {
                ExitStatus::Exited(c) if f == ServiceResult::ExitCode && c < 255 => {
                    self.condition_result = Some(false);
                    f = ServiceResult::ExecCondition;
                    success = true;
                }
                _ if success => self.condition_result = Some(true),
                _ => {}
            }
        }
        self.log(exit_text(kind, st, success));
        if self.state != ServiceState::Reload {
            self.stick(f);
        }
        if let Some((c, i)) = cmd.filter(|&(c, i)| i + 1 < self.params.count(c))
            && f == ServiceResult::Success
        {
            return self.run_next_control(c, i + 1);
        }
        self.control = None;
        self.control_done(f);
    }

    /// `service_run_next_control`.
    fn run_next_control(&mut self, cmd: ServiceCommand, index: usize) {
        self.forget_control();
        let timeout = match self.state {
            ServiceState::Condition
            | ServiceState::StartPre
            | ServiceState::Start
            | ServiceState::StartPost
            | ServiceState::Running
            | ServiceState::Reload => self.params.timeout_start_usec,
            _ => self.params.timeout_stop_usec,
        };
        self.spawn(
            cmd,
            index,
            Role::Control,
            timeout,
            OnSpawned::Stay,
            OnSpawnFailed::NextControl,
        );
    }

    /// The last command of the current list ended with `f` ("final SIGCHLD").
    fn control_done(&mut self, f: ServiceResult) {
        use ServiceState::*;
        let ok = f == ServiceResult::Success;
        let main_gone = self.main_good() != Some(true);
        match self.state {
            Condition if ok => self.enter_start_pre(),
            StartPre if ok => self.enter_start(),
            Condition | StartPre => self.enter_signal(StopSigterm, f),
            Start if self.params.service_type != ServiceType::Forking => {}
            Start | StartPost if !ok => self.enter_signal(StopSigterm, f),
            Start => {
                let has_post = self.params.count(ServiceCommand::StartPost) > 0;
                self.find_main_pid(PidCtx::ForkingStart { has_post });
            }
            StartPost => self.find_main_pid(PidCtx::StartPost),
            Reload if ok => self.find_main_pid(PidCtx::Reload(f)),
            Reload => self.pid_known(PidCtx::Reload(f)),
            Stop => self.enter_signal(StopSigterm, f),
            StopWatchdog | StopSigterm | StopSigkill if main_gone => self.enter_stop_post(f),
            StopPost if main_gone => self.enter_signal(FinalSigterm, f),
            FinalWatchdog | FinalSigterm | FinalSigkill if main_gone => self.enter_dead(f, true),
            Cleaning => {
                if self.clean_result == ServiceResult::Success {
                    self.clean_result = f;
                }
                self.enter_dead(ServiceResult::Success, false);
            }
            _ => {}
        }
    }
}
