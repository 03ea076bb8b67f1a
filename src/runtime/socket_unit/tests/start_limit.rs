//! The start limit (10 s/5 → start-limit-hit), start requests outside `dead`/`failed`,
//! reset-failed.

use super::*;

/// Start limit 10 s/5: the sixth start within 10 s is refused with start-limit-hit.
#[test]
fn start_limit_hit_on_the_sixth_start_within_the_interval() {
    let mut m = SocketMachine::new(params());
    for i in 0..5 {
        to_listening(&mut m, SEC + i * SEC);
        stop_to_dead(&mut m);
    }
    let refused = vec![
        log("Start request repeated too quickly."),
        failed_with("start-limit-hit"),
    ];
    run(
        &mut m,
        vec![
            (start(6 * SEC), S::Failed, refused.clone(), R::StartLimitHit),
            (start(7 * SEC), S::Failed, refused, R::StartLimitHit),
            (E::ResetFailed, S::Dead, vec![], R::Success),
        ],
    );
    // reset-failed also resets the start limit.
    to_listening(&mut m, 8 * SEC);
}

#[test]
fn start_limit_forgets_starts_older_than_the_interval() {
    let mut m = SocketMachine::new(params());
    for i in 0..5 {
        to_listening(&mut m, SEC + i * SEC);
        stop_to_dead(&mut m);
    }
    to_listening(&mut m, 12 * SEC);
}

/// v252's `socket_enter_dead` keeps an earlier failure: the start limit does not override it.
#[test]
fn start_limit_hit_keeps_an_earlier_failure_result() {
    let mut m = SocketMachine::new(with(params(), C::StartPre, &[false]));
    for i in 0..5 {
        m.step(start(SEC + i));
        m.step(exited(1));
        m.step(nothing());
        m.step(nothing());
        assert_eq!((m.state, m.result), (S::Failed, R::ExitCode));
    }
    let refused = vec![
        log("Start request repeated too quickly."),
        failed_with("exit-code"),
    ];
    run(
        &mut m,
        vec![(start(2 * SEC), S::Failed, refused, R::ExitCode)],
    );
}

#[test]
fn start_elsewhere_than_dead_or_failed_is_ignored_and_not_counted() {
    let mut m = SocketMachine::new(with(params(), C::StartPre, &[false]));
    m.step(start(1));
    run(&mut m, vec![(start(2), S::StartPre, vec![], R::Success)]);
    let mut m = listening(with(params(), C::StopPost, &[false]));
    m.step(E::Stop);
    run(&mut m, vec![(start(SEC), S::StopPost, vec![], R::Success)]);
    // One counted start, ten ignored ones, four more counted: the sixth counted one is refused.
    let mut m = listening(params());
    for i in 0..10 {
        run(
            &mut m,
            vec![(start(2 + i), S::Listening, vec![], R::Success)],
        );
    }
    for i in 0..4 {
        stop_to_dead(&mut m);
        to_listening(&mut m, 2 * SEC + i);
    }
    stop_to_dead(&mut m);
    assert_eq!(m.step(start(3 * SEC)).len(), 2);
    assert_eq!(m.result, R::StartLimitHit);
}

#[test]
fn reset_failed_clears_the_result_in_any_state() {
    let mut m = SocketMachine::new(params());
    run(&mut m, vec![(E::ResetFailed, S::Dead, vec![], R::Success)]);
    let mut m = listening(with(params(), C::StopPost, &[false]));
    m.step(E::Stop);
    m.step(exited(1));
    assert_eq!((m.state, m.result), (S::Failed, R::ExitCode));
    run(&mut m, vec![(E::ResetFailed, S::Dead, vec![], R::Success)]);
    let mut m = listening(with(params(), C::StopPre, &[false]));
    m.step(E::Stop);
    m.step(E::Timeout);
    m.step(signalled());
    assert_eq!((m.state, m.result), (S::StopPreSigterm, R::Timeout));
    let row = (E::ResetFailed, S::StopPreSigterm, vec![], R::Success);
    run(&mut m, vec![row]);
}
