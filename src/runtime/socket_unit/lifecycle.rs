//! Start, stop, control processes, the timer and the kill cascade (`socket_start`,
//! `socket_stop`, `socket_enter_*`, `socket_sigchld_event`, `socket_dispatch_timer`).

use super::{
    Pending, SocketAction, SocketCommand, SocketMachine, SocketResult, SocketState, SpawnStage,
};
use crate::runtime::types::{ExitStatus, INFINITY, KillOp, KillOutcome, Usec, exit_status_text};

/// `Killed(Failed)`: v252's `unit_kill_context` fails only with `-ENOMEM`.
const KILL_FAILED: &str = "Failed to kill processes: Cannot allocate memory";

impl SocketMachine {
    /// `unit_start` + `socket_can_start` + `socket_start`.
    pub(super) fn start(&mut self, now: Usec) {
        if !matches!(self.state, SocketState::Dead | SocketState::Failed) {
            return;
        }
        if !self.start_limit.below(now) {
            self.log("Start request repeated too quickly.");
            self.enter_dead(SocketResult::StartLimitHit);
            return;
        }
        self.result = SocketResult::Success;
        self.enter_start_pre();
    }

    /// `socket_stop` (`unit_stop` ignores inactive units).
    pub(super) fn stop(&mut self) {
        match self.state {
            SocketState::StartPre | SocketState::StartChown | SocketState::StartPost => {
                self.enter_signal(SocketState::StopPreSigterm, SocketResult::Success)
            }
            SocketState::Listening | SocketState::Running => {
                self.enter_stop_pre(SocketResult::Success)
            }
            SocketState::Dead
            | SocketState::Failed
            | SocketState::StopPre
            | SocketState::StopPreSigterm
            | SocketState::StopPreSigkill
            | SocketState::StopPost
            | SocketState::FinalSigterm
            | SocketState::FinalSigkill => {}
        }
    }

    /// `socket_reset_failed` + `unit_reset_failed`.
    pub(super) fn reset_failed(&mut self) {
        if self.state == SocketState::Failed {
            self.set_state(SocketState::Dead);
        }
        self.result = SocketResult::Success;
        self.start_limit.reset();
    }

    /// Whether `cmd` has any command lines.
    fn has(&self, cmd: SocketCommand) -> bool {
        !self.params.commands[cmd.index()].is_empty()
    }

    /// `socket_arm_timer(now + TimeoutSec)`; an infinite timeout leaves no timer running.
    pub(super) fn arm_timer(&mut self) {
        let usec = self.params.timeout_usec;
        if usec == 0 || usec == INFINITY {
            if self.held.timer {
                self.held.timer = false;
                self.emit(SocketAction::DisarmTimer);
            }
        } else {
            self.held.timer = true;
            self.emit(SocketAction::ArmTimer(usec));
        }
    }

    /// `socket_spawn` (or `socket_chown` for `command == None`), then `socket_set_state(state)`.
    /// The spawn ends the batch; a failure comes back as `SpawnFailed`.
    fn spawn_in(
        &mut self,
        state: SocketState,
        command: Option<(SocketCommand, usize)>,
        stage: SpawnStage,
    ) {
        self.arm_timer();
        self.set_state(state);
        self.control = command;
        self.held.control_pid = true;
        self.spawned = Some(stage);
        self.emit(match command {
            Some((cmd, index)) => SocketAction::Spawn { cmd, index },
            None => SocketAction::SpawnChown,
        });
    }

    /// Runs the first command of `cmd` in `state`, or returns false if there is none.
    fn spawn_first(&mut self, state: SocketState, cmd: SocketCommand, stage: SpawnStage) -> bool {
        self.held.control_pid = false;
        self.control = None;
        if !self.has(cmd) {
            return false;
        }
        self.spawn_in(state, Some((cmd, 0)), stage);
        true
    }

    /// `socket_enter_start_pre`.
    fn enter_start_pre(&mut self) {
        let (state, cmd) = (SocketState::StartPre, SocketCommand::StartPre);
        if !self.spawn_first(state, cmd, SpawnStage::StartPre) {
            self.enter_start_chown();
        }
    }

    /// `socket_enter_start_chown`, first half: open the ports.
    fn enter_start_chown(&mut self) {
        self.emit(SocketAction::Open);
        self.pending = Some(Pending::Open);
    }

    /// `socket_enter_start_chown`, second half: the answer to `Open`.
    pub(super) fn opened(&mut self, error: Option<String>) {
        if let Some(error) = error {
            self.log(format!("Failed to listen on sockets: {error}"));
            self.enter_stop_pre(SocketResult::Resources);
            return;
        }
        self.held.fds = true;
        if self.params.chown {
            self.held.control_pid = false;
            self.spawn_in(SocketState::StartChown, None, SpawnStage::Chown);
        } else {
            self.enter_start_post();
        }
    }

    /// `socket_enter_start_post`.
    fn enter_start_post(&mut self) {
        let (state, cmd) = (SocketState::StartPost, SocketCommand::StartPost);
        if !self.spawn_first(state, cmd, SpawnStage::StartPost) {
            self.enter_listening();
        }
    }

    /// `socket_enter_stop_pre`.
    pub(super) fn enter_stop_pre(&mut self, f: SocketResult) {
        self.note(f);
        let (state, cmd) = (SocketState::StopPre, SocketCommand::StopPre);
        if !self.spawn_first(state, cmd, SpawnStage::StopPre) {
            self.enter_stop_post(SocketResult::Success);
        }
    }

    /// `socket_enter_stop_post`.
    fn enter_stop_post(&mut self, f: SocketResult) {
        self.note(f);
        let (state, cmd) = (SocketState::StopPost, SocketCommand::StopPost);
        if !self.spawn_first(state, cmd, SpawnStage::StopPost) {
            self.enter_signal(SocketState::FinalSigterm, SocketResult::Success);
        }
    }

    /// `socket_enter_signal`, first half: ask for the kill. v252's `state_to_kill_operation`
    /// gives `KILL_TERMINATE` only to `final-sigterm`; `stop-pre-sigterm` gets `KILL_KILL` unless
    /// a restart job is pending, which the machine never sees.
    fn enter_signal(&mut self, target: SocketState, f: SocketResult) {
        self.note(f);
        let op = if target == SocketState::FinalSigterm {
            KillOp::Terminate
        } else {
            KillOp::Kill
        };
        self.emit(SocketAction::Kill(op));
        self.pending = Some(Pending::Kill(target));
    }

    /// `socket_enter_signal`, second half: the answer to `Kill`.
    pub(super) fn killed(&mut self, target: SocketState, outcome: KillOutcome) {
        match outcome {
            KillOutcome::Signalled => {
                self.arm_timer();
                self.set_state(target);
            }
            KillOutcome::Nothing => match target {
                SocketState::StopPreSigterm => {
                    self.enter_signal(SocketState::StopPreSigkill, SocketResult::Success)
                }
                SocketState::StopPreSigkill => self.enter_stop_post(SocketResult::Success),
                SocketState::FinalSigterm => {
                    self.enter_signal(SocketState::FinalSigkill, SocketResult::Success)
                }
                _ => self.enter_dead(SocketResult::Success),
            },
            KillOutcome::Failed => {
                self.log(KILL_FAILED);
                if is_stop_pre_signal(target) {
                    self.enter_stop_post(SocketResult::Resources);
                } else {
                    self.enter_dead(SocketResult::Resources);
                }
            }
        }
    }

    /// `socket_enter_dead`.
    pub(super) fn enter_dead(&mut self, f: SocketResult) {
        self.note(f);
        if self.result == SocketResult::Success {
            // unit_log_success: debug level in a user manager.
            self.debug("Deactivated successfully.");
            self.set_state(SocketState::Dead);
        } else {
            self.log(format!("Failed with result '{}'.", self.result.name()));
            self.set_state(SocketState::Failed);
        }
    }

    /// A spawn reported `SpawnFailed`: the `fail:` paths of the `socket_enter_*` that spawned.
    pub(super) fn spawn_failed(&mut self, stage: SpawnStage, error: &str) {
        self.held.control_pid = false;
        let r = SocketResult::Resources;
        match stage {
            SpawnStage::StartPre => {
                self.log(format!("Failed to run 'start-pre' task: {error}"));
                self.enter_dead(r);
            }
            SpawnStage::Chown => {
                self.log(format!("Failed to fork 'start-chown' task: {error}"));
                self.enter_stop_pre(r);
            }
            SpawnStage::StartPost => {
                self.log(format!("Failed to run 'start-post' task: {error}"));
                self.enter_stop_pre(r);
            }
            SpawnStage::StopPre => {
                self.log(format!("Failed to run 'stop-pre' task: {error}"));
                self.enter_stop_post(r);
            }
            SpawnStage::StopPost => {
                self.log(format!("Failed to run 'stop-post' task: {error}"));
                self.enter_signal(SocketState::FinalSigterm, r);
            }
            SpawnStage::Next => {
                self.log(format!("Failed to run next task: {error}"));
                match self.state {
                    SocketState::StartPost => self.enter_stop_pre(r),
                    SocketState::StopPost => self.enter_dead(r),
                    _ => self.enter_signal(SocketState::FinalSigterm, r),
                }
            }
        }
    }

    /// `socket_sigchld_event` for the control process.
    pub(super) fn control_exited(&mut self, status: ExitStatus) {
        if !self.held.control_pid {
            return;
        }
        self.held.control_pid = false;
        let ignore = self.control.is_some_and(|(cmd, index)| {
            let flags = &self.params.commands[cmd.index()];
            flags.get(index).copied().unwrap_or(false)
        });
        let f = if ignore {
            SocketResult::Success
        } else {
            classify(status)
        };
        self.log_exit(status, f == SocketResult::Success);
        self.note(f);
        let next = self.control.and_then(|(cmd, index)| {
            let more = index + 1 < self.params.commands[cmd.index()].len();
            (more && f == SocketResult::Success).then_some((cmd, index + 1))
        });
        if let Some(next) = next {
            self.debug(format!(
                "Running next command for state {}",
                self.state.name()
            ));
            self.spawn_in(self.state, Some(next), SpawnStage::Next);
        } else {
            self.control = None;
            self.debug(format!("Got final SIGCHLD for state {}", self.state.name()));
            self.after_final_exit(f);
        }
    }

    /// `unit_log_process_exit(u, "Control process", …)`.
    fn log_exit(&mut self, status: ExitStatus, success: bool) {
        let text = format!(
            "Control process exited, code={}, status={}{}",
            status.code_name(),
            exit_status_text(status),
            if success { " (success)" } else { "" }
        );
        if success {
            self.debug(text);
        } else {
            self.log(text);
        }
    }

    /// `socket_sigchld_event`'s switch: where the last command of a state leads.
    fn after_final_exit(&mut self, f: SocketResult) {
        let ok = f == SocketResult::Success;
        match self.state {
            SocketState::StartPre if ok => self.enter_start_chown(),
            SocketState::StartPre => self.enter_signal(SocketState::FinalSigterm, f),
            SocketState::StartChown if ok => self.enter_start_post(),
            SocketState::StartPost if ok => self.enter_listening(),
            SocketState::StartChown | SocketState::StartPost => self.enter_stop_pre(f),
            SocketState::StopPre | SocketState::StopPreSigterm | SocketState::StopPreSigkill => {
                self.enter_stop_post(f)
            }
            SocketState::StopPost | SocketState::FinalSigterm | SocketState::FinalSigkill => {
                self.enter_dead(f)
            }
            // No control process is watched outside the process states.
            SocketState::Dead
            | SocketState::Failed
            | SocketState::Listening
            | SocketState::Running => {}
        }
    }

    /// `socket_dispatch_timer`.
    pub(super) fn timeout(&mut self) {
        if !self.held.timer {
            return;
        }
        self.held.timer = false;
        let t = SocketResult::Timeout;
        match self.state {
            SocketState::StartPre => {
                self.log("Starting timed out. Terminating.");
                self.enter_signal(SocketState::FinalSigterm, t);
            }
            SocketState::StartChown | SocketState::StartPost => {
                self.log("Starting timed out. Stopping.");
                self.enter_stop_pre(t);
            }
            SocketState::StopPre => {
                self.log("Stopping timed out. Terminating.");
                self.enter_signal(SocketState::StopPreSigterm, t);
            }
            SocketState::StopPreSigterm | SocketState::StopPreSigkill => self.stop_pre_timeout(),
            SocketState::StopPost | SocketState::FinalSigterm | SocketState::FinalSigkill => {
                self.final_timeout()
            }
            // The timer is disarmed on entering any other state.
            SocketState::Dead
            | SocketState::Failed
            | SocketState::Listening
            | SocketState::Running => {}
        }
    }

    /// `socket_dispatch_timer` in `stop-pre-sigterm` and `stop-pre-sigkill`.
    fn stop_pre_timeout(&mut self) {
        let t = SocketResult::Timeout;
        if self.state == SocketState::StopPreSigkill {
            self.log("Processes still around after SIGKILL. Ignoring.");
            self.enter_stop_post(t);
        } else if self.params.send_sigkill {
            self.log("Stopping timed out. Killing.");
            self.enter_signal(SocketState::StopPreSigkill, t);
        } else {
            self.log("Stopping timed out. Skipping SIGKILL. Ignoring.");
            self.enter_stop_post(t);
        }
    }

    /// `socket_dispatch_timer` in `stop-post`, `final-sigterm` and `final-sigkill`.
    fn final_timeout(&mut self) {
        let t = SocketResult::Timeout;
        match self.state {
            SocketState::StopPost => {
                self.log("Stopping timed out (2). Terminating.");
                self.enter_signal(SocketState::FinalSigterm, t);
            }
            SocketState::FinalSigterm if self.params.send_sigkill => {
                self.log("Stopping timed out (2). Killing.");
                self.enter_signal(SocketState::FinalSigkill, t);
            }
            SocketState::FinalSigterm => {
                self.log("Stopping timed out (2). Skipping SIGKILL. Ignoring.");
                self.enter_dead(t);
            }
            _ => {
                self.log("Still around after SIGKILL (2). Entering failed mode.");
                self.enter_dead(t);
            }
        }
    }
}

/// `stop-pre-sigterm` or `stop-pre-sigkill`.
fn is_stop_pre_signal(state: SocketState) -> bool {
    matches!(
        state,
        SocketState::StopPreSigterm | SocketState::StopPreSigkill
    )
}

/// `is_clean_exit(…, EXIT_CLEAN_COMMAND)` and the `CLD_*` → result mapping.
fn classify(status: ExitStatus) -> SocketResult {
    match status {
        ExitStatus::Exited(0) => SocketResult::Success,
        ExitStatus::Exited(_) => SocketResult::ExitCode,
        ExitStatus::Killed(_) => SocketResult::Signal,
        ExitStatus::Dumped(_) => SocketResult::CoreDump,
    }
}
