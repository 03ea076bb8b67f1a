//! `systemd-semantics.md` §8b, as the executor's `Changed FROM -> TO` lines would show them:
//! the state before and after each step, where they differ.

use super::*;

/// Feeds `events` and returns the `Changed` lines (`from -> to`).
fn changes(m: &mut SocketMachine, events: Vec<E>) -> Vec<String> {
    let mut lines = Vec::new();
    for event in events {
        let before = m.state;
        m.step(event);
        if m.state != before {
            lines.push(format!("{} -> {}", before.name(), m.state.name()));
        }
    }
    lines
}

/// The events that take a socket without start commands to `listening`.
fn start_events() -> Vec<E> {
    vec![start(SEC), opened(), watched()]
}

/// Item 3: a failing ExecStartPre goes `start-pre -> failed`; a timed-out one passes
/// through `final-sigterm` only.
#[test]
fn item_3_start_pre_failure_and_timeout() {
    let p = with(params(), C::StartPre, &[false]);
    let mut m = SocketMachine::new(p.clone());
    let got = changes(&mut m, vec![start(SEC), exited(1), nothing(), nothing()]);
    assert_eq!(got, ["dead -> start-pre", "start-pre -> failed"]);
    assert_eq!(m.result, R::ExitCode);
    let mut m = SocketMachine::new(p);
    let events = vec![start(SEC), E::Timeout, signalled(), signalled_by(15)];
    let got = changes(&mut m, events);
    let want = [
        "dead -> start-pre",
        "start-pre -> final-sigterm",
        "final-sigterm -> failed",
    ];
    assert_eq!(got, want);
    assert_eq!(m.result, R::Timeout);
}

/// Item 4: without ExecStopPre a stop goes `listening -> stop-post`; an ExecStopPost that
/// ignores SIGTERM ends in `failed` (timeout) through both final states.
#[test]
fn item_4_stop_post_that_ignores_sigterm() {
    let mut m = SocketMachine::new(with(params(), C::StopPost, &[false]));
    changes(&mut m, start_events());
    let events = vec![
        E::Stop,
        E::Timeout,
        signalled(),
        E::Timeout,
        signalled(),
        signalled_by(9),
    ];
    let want = [
        "listening -> stop-post",
        "stop-post -> final-sigterm",
        "final-sigterm -> final-sigkill",
        "final-sigkill -> failed",
    ];
    assert_eq!(changes(&mut m, events), want);
    assert_eq!(m.result, R::Timeout);
    // Without ExecStop* at all, nothing is left to kill: straight to dead.
    let mut m = SocketMachine::new(params());
    changes(&mut m, start_events());
    let got = changes(&mut m, vec![E::Stop, nothing(), nothing()]);
    assert_eq!(got, ["listening -> dead"]);
}

/// Item 6: the trigger limit takes the socket `listening -> failed` in one step.
#[test]
fn item_6_trigger_limit_in_one_step() {
    let p = SocketParams {
        trigger_limit: (2 * SEC, 2),
        ..params()
    };
    let mut m = SocketMachine::new(p);
    changes(&mut m, start_events());
    let mut events = Vec::new();
    for i in 0..2 {
        let now = 2 * SEC + i;
        events.extend([ready(0, now), E::Triggered { error: None }]);
        events.extend([service(ServiceView::Stopped), watched()]);
    }
    events.extend([ready(0, 2 * SEC + 9), nothing(), nothing()]);
    let want = [
        "listening -> running",
        "running -> listening",
        "listening -> running",
        "running -> listening",
        "listening -> failed",
    ];
    assert_eq!(changes(&mut m, events), want);
    assert_eq!(
        (m.result, m.n_refused, m.n_accepted),
        (R::TriggerLimitHit, 1, 0)
    );
}

/// Item 7: a connection dropped by MaxConnections changes no state.
#[test]
fn item_7_refusals_change_no_state() {
    let p = SocketParams {
        accept: true,
        max_connections: 1,
        ..params()
    };
    let mut m = SocketMachine::new(p);
    changes(&mut m, start_events());
    let events = vec![
        ready(0, 2 * SEC),
        accepted(1, None),
        instance_ok(),
        ready(0, 2 * SEC),
        accepted(2, None),
    ];
    assert_eq!(changes(&mut m, events), Vec::<String>::new());
    assert_eq!((m.n_accepted, m.n_connections, m.n_refused), (1, 1, 1));
}

/// Items 8 and 9: a crashed service sends the socket back to `listening`, the queued
/// connection re-triggers it; the service's start limit fails it.
#[test]
fn items_8_and_9_service_restarts_and_start_limit() {
    let mut m = SocketMachine::new(params());
    changes(&mut m, start_events());
    let hit = E::ServiceChanged {
        view: ServiceView::Stopped,
        start_limit_hit: true,
    };
    let events = vec![
        ready(0, 2 * SEC),
        E::Triggered { error: None },
        service(ServiceView::Stopped),
        watched(),
        ready(0, 2 * SEC + 1),
        E::Triggered { error: None },
        hit,
        nothing(),
        nothing(),
    ];
    let want = [
        "listening -> running",
        "running -> listening",
        "listening -> running",
        "running -> failed",
    ];
    assert_eq!(changes(&mut m, events), want);
    assert_eq!(m.result, R::ServiceStartLimitHit);
}
