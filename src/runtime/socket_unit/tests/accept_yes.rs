//! `Accept=yes`: connections, the 200 trigger burst, `MaxConnections=`,
//! `MaxConnectionsPerSource=`, instance and accept failures, `ConnectionClosed`, ports that
//! cannot accept.

use super::*;

/// Accepts connection `conn` from `source` and starts its instance (`nr` = `n_accepted`).
fn connect(m: &mut SocketMachine, conn: u64, source: Option<&str>, now: Usec) {
    let nr = m.n_accepted;
    let accept = vec![debug("Incoming traffic"), A::Accept { port: 0 }];
    run(
        m,
        vec![
            (ready(0, now), S::Listening, accept, R::Success),
            (
                accepted(conn, source),
                S::Listening,
                vec![A::StartInstance { conn, nr }],
                R::Success,
            ),
            (instance_ok(), S::Listening, vec![], R::Success),
        ],
    );
}

/// Accept=yes with the 200 burst: the 201st connection within 2 s is refused and fails the
/// socket; the connection is refused before the stop's kill.
#[test]
fn trigger_limit_200_with_accept_yes_refuses_the_connection() {
    let p = SocketParams {
        trigger_limit: (2 * SEC, 200),
        ..params()
    };
    let mut m = accepting(p);
    for conn in 0..200 {
        connect(&mut m, conn, None, SEC + conn);
        m.step(closed(None));
    }
    assert_eq!((m.n_accepted, m.n_connections, m.n_refused), (200, 0, 0));
    let hit = log("Trigger limit hit, refusing further activation.");
    let limit = R::TriggerLimitHit;
    m.step(ready(0, SEC + 500));
    let want = vec![hit, A::Refuse { conn: 200 }, term()];
    run(
        &mut m,
        vec![(accepted(200, None), S::Listening, want, limit)],
    );
    assert_eq!((m.n_accepted, m.n_refused), (200, 1));
}

/// `MaxConnections=2` (§8b item 7): the third live connection is dropped, counted in NRefused
/// only, and changes no state.
#[test]
fn max_connections_refuses_and_connection_closed_makes_room() {
    let p = SocketParams {
        max_connections: 2,
        ..params()
    };
    let mut m = accepting(p);
    connect(&mut m, 1, None, 2);
    connect(&mut m, 2, None, 3);
    let line = log("Too many incoming connections (2), dropping connection.");
    m.step(ready(0, 4));
    let row = (
        accepted(3, None),
        S::Listening,
        vec![line, A::Refuse { conn: 3 }],
        R::Success,
    );
    run(&mut m, vec![row]);
    assert_eq!((m.n_accepted, m.n_connections, m.n_refused), (2, 2, 1));
    let closed_row = (
        closed(None),
        S::Listening,
        vec![debug("One connection closed, 1 left.")],
        R::Success,
    );
    run(&mut m, vec![closed_row]);
    connect(&mut m, 4, None, 5);
    assert_eq!((m.n_accepted, m.n_connections, m.n_refused), (3, 2, 1));
}

#[test]
fn max_connections_per_source_counts_each_peer() {
    let p = SocketParams {
        max_connections_per_source: 2,
        ..params()
    };
    let mut m = accepting(p);
    let a = Some("10.0.0.1");
    connect(&mut m, 1, a, 2);
    connect(&mut m, 2, a, 3);
    let line = log("Too many incoming connections (3) from source 10.0.0.1, dropping connection.");
    m.step(ready(0, 4));
    let row = (
        accepted(3, a),
        S::Listening,
        vec![line, A::Refuse { conn: 3 }],
        R::Success,
    );
    run(&mut m, vec![row]);
    connect(&mut m, 4, Some("10.0.0.2"), 5);
    connect(&mut m, 5, None, 6);
    m.step(closed(a));
    connect(&mut m, 6, a, 7);
    assert_eq!((m.n_accepted, m.n_connections, m.n_refused), (5, 4, 1));
}

#[test]
fn instance_failures_count_as_far_as_systemd_got() {
    let fail = |kind: &str, e: &str| {
        log(&format!(
            "Failed to queue service startup job (Maybe the service file is missing or not a \
             {kind} unit?): {e}"
        ))
    };
    // (error, lines before the stop, n_accepted after)
    let cases = [
        (
            InstanceError::Load("Invalid argument".into()),
            vec![fail("template", "Invalid argument")],
            0,
        ),
        (
            InstanceError::Attach("Invalid argument".into()),
            vec![fail("template", "Invalid argument")],
            1,
        ),
        (
            InstanceError::Queue("Transaction is destructive.".into()),
            vec![
                debug("One connection closed, 0 left."),
                fail("template", "Transaction is destructive."),
            ],
            1,
        ),
    ];
    for (error, lines, n_accepted) in cases {
        let mut m = accepting(params());
        m.step(ready(0, 2));
        m.step(accepted(7, Some("::1")));
        let want = [lines, vec![term()]].concat();
        run(
            &mut m,
            vec![(instance_err(error), S::Listening, want, R::Resources)],
        );
        assert_eq!(
            (m.n_accepted, m.n_connections, m.n_refused),
            (n_accepted, 0, 0)
        );
    }
}

#[test]
fn an_aborted_connection_is_ignored() {
    let mut m = accepting(params());
    m.step(ready(0, 2));
    m.step(accepted(7, None));
    let line =
        debug("Got ENOTCONN on incoming socket, assuming aborted connection attempt, ignoring.");
    let aborted = instance_err(InstanceError::Aborted("ENOTCONN".into()));
    run(
        &mut m,
        vec![(aborted, S::Listening, vec![line], R::Success)],
    );
    assert_eq!((m.n_accepted, m.n_connections, m.n_refused), (0, 0, 0));
}

#[test]
fn accept_errors_spurious_or_not() {
    let mut m = accepting(params());
    m.step(ready(0, 2));
    let spurious = E::AcceptFailed {
        spurious: true,
        error: "Resource temporarily unavailable".into(),
    };
    run(&mut m, vec![(spurious, S::Listening, vec![], R::Success)]);
    m.step(ready(0, 3));
    let real = E::AcceptFailed {
        spurious: false,
        error: "Too many open files".into(),
    };
    let line = log("Failed to accept connection socket: Too many open files");
    run(
        &mut m,
        vec![(real, S::Listening, vec![line, term()], R::Resources)],
    );
}

#[test]
fn accept_yes_triggers_on_ports_that_cannot_accept() {
    let p = SocketParams {
        can_accept: vec![true, false],
        ..params()
    };
    let mut m = accepting(p);
    run(
        &mut m,
        vec![
            (ready(1, 2), S::Listening, trigger(), R::Success),
            (
                E::Triggered { error: None },
                S::Running,
                vec![A::Unwatch],
                R::Success,
            ),
        ],
    );
    let mut m = accepting(params());
    run(
        &mut m,
        vec![(ready(9, 2), S::Listening, trigger(), R::Success)],
    );
}

#[test]
fn connection_closed_in_any_state_decrements() {
    let mut m = accepting(params());
    connect(&mut m, 1, Some("a"), 2);
    connect(&mut m, 2, Some("a"), 3);
    stop_to_dead(&mut m);
    let row = (
        closed(Some("a")),
        S::Dead,
        vec![debug("One connection closed, 1 left.")],
        R::Success,
    );
    run(&mut m, vec![row]);
    assert_eq!(m.n_connections, 1);
}
