//! `Accept=no`: triggering, the service's state, `FlushPending=`, the service's start limit,
//! the trigger limit (2 s/20); poll errors and traffic outside `listening`.

use super::*;

/// Accept=no: `listening -> running` on traffic, back on the service stopping (§8b item 8: a
/// crashed service re-triggers on the still-queued connection).
#[test]
fn accept_no_triggers_running_and_listens_again_when_the_service_stops() {
    let mut m = listening(params());
    run(
        &mut m,
        vec![
            (ready(0, 2), S::Listening, trigger(), R::Success),
            (
                E::Triggered { error: None },
                S::Running,
                vec![A::Unwatch],
                R::Success,
            ),
            (ready(0, 3), S::Running, vec![], R::Success),
            (service(ServiceView::Busy), S::Running, vec![], R::Success),
            (
                service(ServiceView::Running),
                S::Running,
                vec![],
                R::Success,
            ),
            (
                service(ServiceView::Stopped),
                S::Running,
                vec![A::Watch],
                R::Success,
            ),
            (watched(), S::Listening, vec![], R::Success),
            (ready(0, 4), S::Listening, trigger(), R::Success),
            (
                E::Triggered { error: None },
                S::Running,
                vec![A::Unwatch],
                R::Success,
            ),
        ],
    );
    assert_eq!((m.n_accepted, m.n_refused, m.n_connections), (0, 0, 0));
}

#[test]
fn flush_pending_flushes_before_listening_again() {
    let p = SocketParams {
        flush_pending: true,
        ..params()
    };
    let flush = || vec![debug("Flushing socket before listening."), A::Flush];
    let mut m = SocketMachine::new(p);
    run(
        &mut m,
        vec![
            (start(1), S::Dead, vec![A::Open], R::Success),
            (
                opened(),
                S::Dead,
                [flush(), vec![A::Watch]].concat(),
                R::Success,
            ),
            (watched(), S::Listening, vec![], R::Success),
            // Already watched: no second Watch.
            (
                service(ServiceView::Stopped),
                S::Listening,
                flush(),
                R::Success,
            ),
            (ready(0, 2), S::Listening, trigger(), R::Success),
            (
                E::Triggered { error: None },
                S::Running,
                vec![A::Unwatch],
                R::Success,
            ),
            (
                service(ServiceView::Stopped),
                S::Running,
                [flush(), vec![A::Watch]].concat(),
                R::Success,
            ),
        ],
    );
}

/// A service started by hand takes the socket to `running` (§8b item 10).
#[test]
fn a_running_service_makes_a_listening_socket_running() {
    let mut m = listening(params());
    let row = (
        service(ServiceView::Running),
        S::Running,
        vec![A::Unwatch],
        R::Success,
    );
    run(&mut m, vec![row]);
}

/// §8b item 9: the service's start limit takes the socket `running -> failed`.
#[test]
fn service_start_limit_hit_fails_the_socket() {
    let mut m = listening(params());
    m.step(ready(0, 2));
    m.step(E::Triggered { error: None });
    let hit = E::ServiceChanged {
        view: ServiceView::Stopped,
        start_limit_hit: true,
    };
    let limit = R::ServiceStartLimitHit;
    run(&mut m, vec![(hit, S::Running, vec![term()], limit)]);
    fails_with(&mut m, S::Running, limit, vec![A::Close]);
}

#[test]
fn service_changes_are_ignored_outside_listening_running_and_with_accept_yes() {
    let hit = || E::ServiceChanged {
        view: ServiceView::Stopped,
        start_limit_hit: true,
    };
    let mut m = SocketMachine::new(params());
    run(&mut m, vec![(hit(), S::Dead, vec![], R::Success)]);
    let mut m = SocketMachine::new(with(params(), C::StartPre, &[false]));
    m.step(start(1));
    run(&mut m, vec![(hit(), S::StartPre, vec![], R::Success)]);
    let mut m = accepting(params());
    run(&mut m, vec![(hit(), S::Listening, vec![], R::Success)]);
    let row = (
        service(ServiceView::Running),
        S::Listening,
        vec![],
        R::Success,
    );
    run(&mut m, vec![row]);
}

#[test]
fn a_failed_trigger_is_resources() {
    let mut m = listening(params());
    let error = Some("Unit t.service is masked.".to_string());
    let line = log(
        "Failed to queue service startup job (Maybe the service file is missing or not a \
         non-template unit?): Unit t.service is masked.",
    );
    run(
        &mut m,
        vec![
            (ready(0, 2), S::Listening, trigger(), R::Success),
            (
                E::Triggered { error },
                S::Listening,
                vec![line, term()],
                R::Resources,
            ),
        ],
    );
    fails_with(
        &mut m,
        S::Listening,
        R::Resources,
        vec![A::Unwatch, A::Close],
    );
}

/// §8b item 6: the 21st trigger within 2 s takes the socket `listening -> failed` in one change.
#[test]
fn trigger_limit_20_per_2s_fails_the_socket_in_one_change() {
    let mut m = listening(params());
    for i in 0..20 {
        let now = SEC + i * 50_000;
        m.step(ready(0, now));
        m.step(E::Triggered { error: None });
        m.step(service(ServiceView::Stopped));
        run(&mut m, vec![(watched(), S::Listening, vec![], R::Success)]);
    }
    let hit = log("Trigger limit hit, refusing further activation.");
    let limit = R::TriggerLimitHit;
    let row = (
        ready(0, 2 * SEC),
        S::Listening,
        vec![debug("Incoming traffic"), hit, term()],
        limit,
    );
    run(&mut m, vec![row]);
    assert_eq!((m.n_refused, m.n_accepted), (1, 0));
    fails_with(&mut m, S::Listening, limit, vec![A::Unwatch, A::Close]);
    // Later traffic is not looked at.
    run(&mut m, vec![(ready(0, 3 * SEC), S::Failed, vec![], limit)]);
}

#[test]
fn trigger_limit_window_restarts_after_the_interval() {
    let mut m = listening(params());
    for i in 0..20 {
        m.step(ready(0, SEC + i));
        m.step(E::Triggered { error: None });
        m.step(service(ServiceView::Stopped));
        m.step(watched());
    }
    let row = (ready(0, 3 * SEC + 100), S::Listening, trigger(), R::Success);
    run(&mut m, vec![row]);
}

#[test]
fn poll_errors_stop_the_socket() {
    let pollhup = log(
        "Got POLLHUP on a listening socket. The service probably invoked shutdown() on it, and \
         should better not do that.",
    );
    let cases = [
        (0x011, pollhup.clone()),
        (0x010, pollhup),
        (0x008, log("Got unexpected poll event (0x8) on socket.")),
        (0x005, log("Got unexpected poll event (0x5) on socket.")),
    ];
    for (revents, line) in cases {
        let mut m = listening(params());
        let event = E::Ready {
            port: 0,
            revents,
            now: 2,
        };
        let want = vec![debug("Incoming traffic"), line, term()];
        run(&mut m, vec![(event, S::Listening, want, R::Resources)]);
        fails_with(
            &mut m,
            S::Listening,
            R::Resources,
            vec![A::Unwatch, A::Close],
        );
    }
}

#[test]
fn traffic_outside_listening_is_ignored() {
    let mut m = SocketMachine::new(params());
    run(&mut m, vec![(ready(0, 1), S::Dead, vec![], R::Success)]);
    let mut m = listening(with(params(), C::StopPre, &[false]));
    m.step(E::Stop);
    run(&mut m, vec![(ready(0, 2), S::StopPre, vec![], R::Success)]);
}
