//! Tests of the socket machine, no syscalls. Each table is a sequence of rows: an event, then the
//! state, the actions and the result expected after it.
//!
//! - `start`: the start path, control commands, `-` prefixes, open/watch/spawn failures.
//! - `start_limit`: the start limit, starts outside `dead`/`failed`, reset-failed.
//! - `stop`: stop from every state, stop commands, the kill cascade, first-failure-sticks,
//!   stale events.
//! - `timeouts`: stop timeouts, SendSIGKILL=no, kill failures.
//! - `accept_no`: triggering, the service's state, trigger limit, poll errors.
//! - `accept_yes`: connections and their limits, instance and accept failures.
//! - `observed`: the runtime transitions of `systemd-semantics.md` §8b, as `Changed` lines.
//! - `props`: random executors that keep the protocol (or not): no panics, fds and watches
//!   alternate, state and held resources agree.

mod accept_no;
mod accept_yes;
mod observed;
mod props;
mod start;
mod start_limit;
mod stop;
mod timeouts;

use super::{
    InstanceError, ServiceView, SocketAction as A, SocketCommand as C, SocketEvent as E,
    SocketMachine, SocketParams, SocketResult as R, SocketState as S,
};
use crate::runtime::types::{ExitStatus, KillOp, KillOutcome, Usec};

/// One second.
const SEC: Usec = 1_000_000;
/// `TimeoutSec=` of [`params`].
const TIMEOUT: Usec = 90 * SEC;

/// One row: the event, then the state, actions and result expected after it.
type Row = (E, S, Vec<A>, R);

/// Accept=no, no commands, no chown, 90 s timeout, trigger limit 2 s/20, start limit 10 s/5,
/// one port.
fn params() -> SocketParams {
    SocketParams {
        accept: false,
        flush_pending: false,
        max_connections: 64,
        max_connections_per_source: 0,
        timeout_usec: TIMEOUT,
        send_sigkill: true,
        chown: false,
        commands: Default::default(),
        trigger_limit: (2 * SEC, 20),
        start_limit: (10 * SEC, 5),
        can_accept: vec![true],
    }
}

/// [`params`] with `cmd` set to commands with these `-` flags.
fn with(mut p: SocketParams, cmd: C, ignore: &[bool]) -> SocketParams {
    p.commands[cmd.index()] = ignore.to_vec();
    p
}

/// Feeds each row's event and checks what follows it.
fn run(m: &mut SocketMachine, rows: Vec<Row>) {
    for (i, (event, state, actions, result)) in rows.into_iter().enumerate() {
        let what = format!("row {i} ({event:?})");
        let got = m.step(event);
        assert_eq!(got, actions, "{what}: actions");
        assert_eq!(m.state, state, "{what}: state");
        assert_eq!(m.result, result, "{what}: result");
    }
}

/// A machine with `p`, started at `now` and brought to `listening` (no start commands).
fn listening_at(p: SocketParams, now: Usec) -> SocketMachine {
    let mut m = SocketMachine::new(p);
    to_listening(&mut m, now);
    m
}

/// A machine with `p` in `listening`.
fn listening(p: SocketParams) -> SocketMachine {
    listening_at(p, SEC)
}

/// Starts a `dead`/`failed` machine without start commands and brings it to `listening`.
fn to_listening(m: &mut SocketMachine, now: Usec) {
    let from = m.state;
    run(
        m,
        vec![
            (E::Start { now }, from, vec![A::Open], R::Success),
            (opened(), from, vec![A::Watch], R::Success),
            (watched(), S::Listening, vec![], R::Success),
        ],
    );
}

/// Stops a `listening` machine without stop commands, nothing left to kill.
fn stop_to_dead(m: &mut SocketMachine) {
    let from = m.state;
    run(
        m,
        vec![
            (E::Stop, from, vec![term()], R::Success),
            (nothing(), from, vec![kill()], R::Success),
            (
                nothing(),
                S::Dead,
                vec![deactivated(), A::Unwatch, A::Close],
                R::Success,
            ),
        ],
    );
}

/// The lines of an incoming trigger on `listening` (Accept=no).
fn trigger() -> Vec<A> {
    vec![debug("Incoming traffic"), A::TriggerService]
}

/// The rest of a stop without stop commands, nothing left to kill: `failed` with `result`,
/// then `tail` (what the state change releases).
fn fails_with(m: &mut SocketMachine, from: S, result: R, tail: Vec<A>) {
    let end = [vec![failed_with(result.name())], tail].concat();
    run(
        m,
        vec![
            (nothing(), from, vec![kill()], result),
            (nothing(), S::Failed, end, result),
        ],
    );
}

/// An Accept=yes machine in `listening`.
fn accepting(p: SocketParams) -> SocketMachine {
    listening(SocketParams { accept: true, ..p })
}

/// `Start { now }`.
fn start(now: Usec) -> E {
    E::Start { now }
}

/// The control process exited with `code`.
fn exited(code: i32) -> E {
    E::ControlExited(ExitStatus::Exited(code))
}

/// The control process was killed by `signo`.
fn signalled_by(signo: i32) -> E {
    E::ControlExited(ExitStatus::Killed(signo))
}

/// `Opened` without error.
fn opened() -> E {
    E::Opened { error: None }
}

/// `Watched` without error.
fn watched() -> E {
    E::Watched { error: None }
}

/// `Killed(Nothing)`.
fn nothing() -> E {
    E::Killed(KillOutcome::Nothing)
}

/// `Killed(Signalled)`.
fn signalled() -> E {
    E::Killed(KillOutcome::Signalled)
}

/// `SpawnFailed` with `error`.
fn spawn_failed(error: &str) -> E {
    E::SpawnFailed {
        error: error.to_string(),
    }
}

/// Plain `EPOLLIN` on `port` at `now`.
fn ready(port: usize, now: Usec) -> E {
    E::Ready {
        port,
        revents: 1,
        now,
    }
}

/// `ServiceChanged` without start limit.
fn service(view: ServiceView) -> E {
    E::ServiceChanged {
        view,
        start_limit_hit: false,
    }
}

/// `Accepted` from `source`.
fn accepted(conn: u64, source: Option<&str>) -> E {
    E::Accepted {
        conn,
        source: source.map(str::to_string),
    }
}

/// `InstanceStarted` without error.
fn instance_ok() -> E {
    E::InstanceStarted { error: None }
}

/// `InstanceStarted` with `error`.
fn instance_err(error: InstanceError) -> E {
    E::InstanceStarted { error: Some(error) }
}

/// `ConnectionClosed` from `source`.
fn closed(source: Option<&str>) -> E {
    E::ConnectionClosed {
        source: source.map(str::to_string),
    }
}

/// `Spawn { cmd, index }`.
fn spawn(cmd: C, index: usize) -> A {
    A::Spawn { cmd, index }
}

/// `ArmTimer(TIMEOUT)`.
fn arm() -> A {
    A::ArmTimer(TIMEOUT)
}

/// `Kill(Terminate)`.
fn term() -> A {
    A::Kill(KillOp::Terminate)
}

/// `Kill(Kill)`.
fn kill() -> A {
    A::Kill(KillOp::Kill)
}

/// `Log(text)`.
fn log(text: &str) -> A {
    A::Log(text.to_string())
}

/// `Debug(text)`.
fn debug(text: &str) -> A {
    A::Debug(text.to_string())
}

/// `Failed with result 'RESULT'.`
fn failed_with(result: &str) -> A {
    log(&format!("Failed with result '{result}'."))
}

/// `Deactivated successfully.`
fn deactivated() -> A {
    debug("Deactivated successfully.")
}

/// The debug line of a successful control process exit with `code`.
fn exit_ok(code: &str) -> A {
    debug(&format!(
        "Control process exited, code=exited, status={code} (success)"
    ))
}

/// `Got final SIGCHLD for state STATE`.
fn final_sigchld(state: &str) -> A {
    debug(&format!("Got final SIGCHLD for state {state}"))
}

/// `Running next command for state STATE`.
fn next_cmd(state: &str) -> A {
    debug(&format!("Running next command for state {state}"))
}
