//! The socket unit's state machine (systemd 252 `src/core/socket.c`), pure.
//!
//! [`SocketMachine::step`] takes one [`SocketEvent`] and returns the [`SocketAction`]s the
//! executor must perform, in order. It never performs I/O, reads a clock or looks at another
//! unit: time arrives inside events, and everything about other units (the triggered service,
//! connection instances) arrives as events from the manager.
//!
//! **Protocol with the executor.** An action that can fail (`Spawn`, `SpawnChown`, `Open`,
//! `Watch`, `Kill`, `Accept`, `TriggerService`, `StartInstance`) is always the *last* action of
//! the batch that contains it, and the executor answers it with exactly one event (`SpawnFailed`
//! only on failure; the others always), which it feeds to `step` before anything else. While an
//! answer is owed, every other event is ignored. A spawned control process later reports
//! `ControlExited`. The timer armed by `ArmTimer` fires as `Timeout` unless a later
//! `DisarmTimer`/`ArmTimer` replaced it.
//!
//! **State changes.** systemd changes state only after the fallible call succeeded; so does
//! the machine for `Open`, `Watch`, `Kill`, `TriggerService` and `StartInstance`: the state
//! stays put until the answer arrives. A spawn's success is not answered, so the machine enters
//! the spawn's state in the same batch and leaves it again on `SpawnFailed` (where systemd
//! would never have entered it).
//!
//! **Releases.** `socket_set_state`'s side effects become actions only when there is
//! something to release: `DisarmTimer` when an armed timer is left for a state without a
//! control process, `Unwatch` when watched ports leave `listening`, `Close` when open ports
//! enter a state that does not keep them ([`SocketState::keeps_fds`]). So `Open`/`Close` and
//! `Watch`/`Unwatch` strictly alternate.
//!
//! **Logs.** `Log` carries what systemd logs at info level or above, `Debug` its debug lines
//! (as a user manager: `Deactivated successfully.` is debug there).
//!
//! State names, result names, transitions and log texts are systemd's (see
//! `systemd-semantics.md` §5); the executor logs `Changed FROM -> TO` itself by comparing
//! states before and after each step.
//!
//! Files: `model` (states, results, settings), `io` (events, actions), `lifecycle` (start,
//! stop, control processes, timer, kill cascade), `traffic` (watching, triggering,
//! connections).

mod io;
mod lifecycle;
mod model;
mod traffic;

use std::collections::BTreeMap;

pub use io::{ConnId, InstanceError, SocketAction, SocketEvent};
pub use model::{ServiceView, SocketCommand, SocketParams, SocketResult, SocketState};

use super::types::{RateLimit, Usec};

/// An answer the machine waits for (the last action of the previous batch was fallible).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pending {
    /// `Open` → `Opened`.
    Open,
    /// `Watch` → `Watched`.
    Watch,
    /// `Kill` → `Killed`; the state `socket_enter_signal` is entering.
    Kill(SocketState),
    /// `Accept` → `Accepted`/`AcceptFailed`; the time of the `Ready`.
    Accept(Usec),
    /// `TriggerService` → `Triggered`.
    Trigger,
    /// `StartInstance` → `InstanceStarted`; the connection's source key.
    Instance(Option<String>),
}

/// Which `socket_enter_*` (or `socket_run_next`) spawned, deciding where a spawn failure goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SpawnStage {
    /// `socket_enter_start_pre`.
    StartPre,
    /// `socket_enter_start_chown`.
    Chown,
    /// `socket_enter_start_post`.
    StartPost,
    /// `socket_enter_stop_pre`.
    StopPre,
    /// `socket_enter_stop_post`.
    StopPost,
    /// `socket_run_next`.
    Next,
}

/// What the executor currently holds for the socket, as far as the machine asked for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Held {
    /// The ports are open.
    fds: bool,
    /// The ports are in epoll.
    watched: bool,
    /// The timer is armed.
    timer: bool,
    /// A control process is watched (systemd's `control_pid != 0`).
    control_pid: bool,
}

/// The socket unit's runtime state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketMachine {
    /// Current state.
    pub state: SocketState,
    /// Result (the first failure sticks).
    pub result: SocketResult,
    /// `NAccepted`.
    pub n_accepted: u64,
    /// `NConnections`.
    pub n_connections: u64,
    /// `NRefused`.
    pub n_refused: u64,
    /// The control command being run or last run in this state (systemd's `control_command`),
    /// if any; `None` for the chown helper.
    pub control: Option<(SocketCommand, usize)>,
    per_source: BTreeMap<String, u64>,
    trigger_limit: RateLimit,
    start_limit: RateLimit,
    params: SocketParams,
    held: Held,
    pending: Option<Pending>,
    spawned: Option<SpawnStage>,
    out: Vec<SocketAction>,
}

impl SocketMachine {
    /// A `dead` socket with these settings.
    pub fn new(params: SocketParams) -> SocketMachine {
        SocketMachine {
            state: SocketState::Dead,
            result: SocketResult::Success,
            n_accepted: 0,
            n_connections: 0,
            n_refused: 0,
            control: None,
            per_source: BTreeMap::new(),
            trigger_limit: RateLimit::new(params.trigger_limit.0, params.trigger_limit.1),
            start_limit: RateLimit::new(params.start_limit.0, params.start_limit.1),
            params,
            held: Held::default(),
            pending: None,
            spawned: None,
            out: Vec::new(),
        }
    }

    /// The settings the machine was built with.
    pub fn params(&self) -> &SocketParams {
        &self.params
    }

    /// True while the machine waits for the answer to the last action it returned.
    pub fn awaiting_answer(&self) -> bool {
        self.pending.is_some()
    }

    /// Feeds one event; returns the actions to perform, in order.
    pub fn step(&mut self, event: SocketEvent) -> Vec<SocketAction> {
        let spawned = self.spawned.take();
        match self.pending.take() {
            Some(pending) => self.answer(pending, event),
            None => self.dispatch(event, spawned),
        }
        std::mem::take(&mut self.out)
    }

    /// An event while an answer is owed: the answer, or (protocol violation) ignored.
    fn answer(&mut self, pending: Pending, event: SocketEvent) {
        match (pending, event) {
            (Pending::Open, SocketEvent::Opened { error }) => self.opened(error),
            (Pending::Watch, SocketEvent::Watched { error }) => self.watched(error),
            (Pending::Kill(target), SocketEvent::Killed(outcome)) => self.killed(target, outcome),
            (Pending::Accept(now), SocketEvent::Accepted { conn, source }) => {
                self.enter_running(Some((conn, source)), now)
            }
            (Pending::Accept(_), SocketEvent::AcceptFailed { spurious, error }) => {
                self.accept_failed(spurious, &error)
            }
            (Pending::Trigger, SocketEvent::Triggered { error }) => self.triggered(error),
            (Pending::Instance(source), SocketEvent::InstanceStarted { error }) => {
                self.instance_started(source, error)
            }
            (pending, _) => self.pending = Some(pending),
        }
    }

    /// An event while no answer is owed.
    fn dispatch(&mut self, event: SocketEvent, spawned: Option<SpawnStage>) {
        match event {
            SocketEvent::Start { now } => self.start(now),
            SocketEvent::Stop => self.stop(),
            SocketEvent::ResetFailed => self.reset_failed(),
            SocketEvent::SpawnFailed { error } => {
                if let Some(stage) = spawned {
                    self.spawn_failed(stage, &error);
                }
            }
            SocketEvent::ControlExited(status) => self.control_exited(status),
            SocketEvent::Timeout => self.timeout(),
            SocketEvent::Ready { port, revents, now } => self.ready(port, revents, now),
            SocketEvent::ServiceChanged {
                view,
                start_limit_hit,
            } => self.service_changed(view, start_limit_hit),
            SocketEvent::ConnectionClosed { source } => self.connection_closed(source),
            SocketEvent::Opened { .. }
            | SocketEvent::Watched { .. }
            | SocketEvent::Killed(_)
            | SocketEvent::Accepted { .. }
            | SocketEvent::AcceptFailed { .. }
            | SocketEvent::Triggered { .. }
            | SocketEvent::InstanceStarted { .. } => {}
        }
    }

    /// Appends an action to the batch being built.
    fn emit(&mut self, action: SocketAction) {
        self.out.push(action);
    }

    /// Appends an info-or-above log line.
    fn log(&mut self, text: impl Into<String>) {
        self.out.push(SocketAction::Log(text.into()));
    }

    /// Appends a debug log line.
    fn debug(&mut self, text: impl Into<String>) {
        self.out.push(SocketAction::Debug(text.into()));
    }

    /// `if (s->result == SOCKET_SUCCESS) s->result = f;`: the first failure sticks.
    fn note(&mut self, f: SocketResult) {
        if self.result == SocketResult::Success {
            self.result = f;
        }
    }

    /// `socket_set_state`'s side effects, then the new state.
    fn set_state(&mut self, state: SocketState) {
        if !state.is_process() {
            if self.held.timer {
                self.held.timer = false;
                self.emit(SocketAction::DisarmTimer);
            }
            self.held.control_pid = false;
            self.control = None;
        }
        if state != SocketState::Listening && self.held.watched {
            self.held.watched = false;
            self.emit(SocketAction::Unwatch);
        }
        if !state.keeps_fds() && self.held.fds {
            self.held.fds = false;
            self.emit(SocketAction::Close);
        }
        self.state = state;
    }
}

#[cfg(test)]
mod tests;
