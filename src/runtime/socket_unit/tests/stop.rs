//! Stopping: from every state, `ExecStopPre=`/`ExecStopPost=`, stop timeouts, the kill
//! cascade, `SendSIGKILL=no`, kill failures, first-failure-sticks, stale events.

use super::*;

/// A machine in `state`, with one command of each kind and chown, every kill finding
/// something.
fn machine_in(state: S) -> SocketMachine {
    let p = with(params(), C::StartPre, &[false]);
    let p = with(p, C::StartPost, &[false]);
    let p = with(p, C::StopPre, &[false]);
    let mut p = with(p, C::StopPost, &[false]);
    p.chown = true;
    let start_path = vec![
        start(1),
        exited(0),
        opened(),
        exited(0),
        exited(0),
        watched(),
    ];
    let timeout = || vec![E::Timeout, signalled()];
    let stop_path = [start_path.clone(), vec![E::Stop]].concat();
    let stop_post_path = [stop_path.clone(), vec![exited(0)]].concat();
    let path = match state {
        S::Dead => vec![],
        S::StartPre => start_path[..1].to_vec(),
        S::StartChown => start_path[..3].to_vec(),
        S::StartPost => start_path[..4].to_vec(),
        S::Listening => start_path,
        S::Running => [start_path, vec![ready(0, 2), E::Triggered { error: None }]].concat(),
        S::StopPre => stop_path,
        S::StopPreSigterm => [stop_path, timeout()].concat(),
        S::StopPreSigkill => [stop_path, timeout(), timeout()].concat(),
        S::StopPost => stop_post_path,
        S::FinalSigterm => [stop_post_path, timeout()].concat(),
        S::FinalSigkill => [stop_post_path, timeout(), timeout()].concat(),
        S::Failed => [stop_post_path, timeout(), timeout(), vec![E::Timeout]].concat(),
    };
    let mut m = SocketMachine::new(p);
    for event in path {
        m.step(event);
    }
    assert_eq!(m.state, state);
    m
}

/// Every state once: what a stop does there (`unit_stop` + `socket_stop`).
#[test]
fn stop_from_every_state() {
    let stop_pre = vec![arm(), spawn(C::StopPre, 0)];
    let cases: Vec<(S, S, Vec<A>)> = vec![
        (S::Dead, S::Dead, vec![]),
        (S::StartPre, S::StartPre, vec![kill()]),
        (S::StartChown, S::StartChown, vec![kill()]),
        (S::StartPost, S::StartPost, vec![kill()]),
        (
            S::Listening,
            S::StopPre,
            vec![arm(), A::Unwatch, spawn(C::StopPre, 0)],
        ),
        (S::Running, S::StopPre, stop_pre),
        (S::StopPre, S::StopPre, vec![]),
        (S::StopPreSigterm, S::StopPreSigterm, vec![]),
        (S::StopPreSigkill, S::StopPreSigkill, vec![]),
        (S::StopPost, S::StopPost, vec![]),
        (S::FinalSigterm, S::FinalSigterm, vec![]),
        (S::FinalSigkill, S::FinalSigkill, vec![]),
        (S::Failed, S::Failed, vec![]),
    ];
    for (state, after, actions) in cases {
        let mut m = machine_in(state);
        let result = m.result;
        run(&mut m, vec![(E::Stop, after, actions, result)]);
        // A stop during start waits for the kill's answer in the old state.
        if after == state && m.awaiting_answer() {
            run(
                &mut m,
                vec![(signalled(), S::StopPreSigterm, vec![arm()], result)],
            );
        }
    }
}

#[test]
fn stop_is_a_no_op_in_stopping_and_inactive_states() {
    let mut m = listening(with(
        with(params(), C::StopPre, &[false]),
        C::StopPost,
        &[false],
    ));
    m.step(E::Stop);
    run(&mut m, vec![(E::Stop, S::StopPre, vec![], R::Success)]);
    m.step(exited(0));
    run(&mut m, vec![(E::Stop, S::StopPost, vec![], R::Success)]);
    m.step(E::Timeout);
    m.step(signalled());
    run(&mut m, vec![(E::Stop, S::FinalSigterm, vec![], R::Timeout)]);
    m.step(E::Timeout);
    m.step(signalled());
    run(&mut m, vec![(E::Stop, S::FinalSigkill, vec![], R::Timeout)]);
    m.step(E::Timeout);
    run(&mut m, vec![(E::Stop, S::Failed, vec![], R::Timeout)]);
}

/// Stopping during start SIGKILLs (v252's `KILL_KILL` for stop-pre-sigterm) and, with nothing
/// found, cascades through both stop-pre signal states and both final ones.
#[test]
fn stop_during_start_cascades_through_every_signal_state() {
    let mut p = with(params(), C::StartPost, &[false]);
    p.chown = true;
    let mut m = SocketMachine::new(p);
    m.step(start(1));
    m.step(opened());
    run(
        &mut m,
        vec![
            (E::Stop, S::StartChown, vec![kill()], R::Success),
            (nothing(), S::StartChown, vec![kill()], R::Success),
            (nothing(), S::StartChown, vec![term()], R::Success),
            (nothing(), S::StartChown, vec![kill()], R::Success),
            (
                nothing(),
                S::Dead,
                vec![deactivated(), A::DisarmTimer, A::Close],
                R::Success,
            ),
        ],
    );
}

#[test]
fn stop_pre_and_stop_post_run_then_dead() {
    let p = with(params(), C::StopPre, &[false]);
    let mut m = listening(with(p, C::StopPost, &[false]));
    run(
        &mut m,
        vec![
            (
                E::Stop,
                S::StopPre,
                vec![arm(), A::Unwatch, spawn(C::StopPre, 0)],
                R::Success,
            ),
            (
                exited(0),
                S::StopPost,
                vec![
                    exit_ok("0/SUCCESS"),
                    final_sigchld("stop-pre"),
                    arm(),
                    A::Close,
                    spawn(C::StopPost, 0),
                ],
                R::Success,
            ),
            (
                exited(0),
                S::Dead,
                vec![
                    exit_ok("0/SUCCESS"),
                    final_sigchld("stop-post"),
                    deactivated(),
                    A::DisarmTimer,
                ],
                R::Success,
            ),
        ],
    );
}

#[test]
fn the_first_failure_sticks() {
    let p = with(params(), C::StopPre, &[false]);
    let mut m = listening(with(p, C::StopPost, &[false]));
    m.step(E::Stop);
    let exit_1 = log("Control process exited, code=exited, status=1/FAILURE");
    let term_15 = log("Control process exited, code=killed, status=15/TERM");
    run(
        &mut m,
        vec![
            (
                exited(1),
                S::StopPost,
                vec![
                    exit_1,
                    final_sigchld("stop-pre"),
                    arm(),
                    A::Close,
                    spawn(C::StopPost, 0),
                ],
                R::ExitCode,
            ),
            (
                signalled_by(15),
                S::Failed,
                vec![
                    term_15,
                    final_sigchld("stop-post"),
                    failed_with("exit-code"),
                    A::DisarmTimer,
                ],
                R::ExitCode,
            ),
        ],
    );
    // A new start clears it.
    m.step(start(2 * SEC));
    assert_eq!(m.result, R::Success);
}

#[test]
fn several_stop_post_commands_run_while_each_succeeds() {
    let mut m = listening(with(params(), C::StopPost, &[false, false, false]));
    m.step(E::Stop);
    let exit_1 = log("Control process exited, code=exited, status=1/FAILURE");
    run(
        &mut m,
        vec![
            (
                exited(0),
                S::StopPost,
                vec![
                    exit_ok("0/SUCCESS"),
                    next_cmd("stop-post"),
                    arm(),
                    spawn(C::StopPost, 1),
                ],
                R::Success,
            ),
            (
                exited(1),
                S::Failed,
                vec![
                    exit_1,
                    final_sigchld("stop-post"),
                    failed_with("exit-code"),
                    A::DisarmTimer,
                ],
                R::ExitCode,
            ),
        ],
    );
}

/// systemd keeps `control_command` while killing: an ignored-failure ExecStartPre= killed by a
/// stop counts as success, so the next ExecStartPre= runs in stop-pre-sigterm.
#[test]
fn a_killed_dash_command_still_runs_its_successor() {
    let mut m = SocketMachine::new(with(params(), C::StartPre, &[true, false]));
    m.step(start(1));
    run(
        &mut m,
        vec![
            (E::Stop, S::StartPre, vec![kill()], R::Success),
            (signalled(), S::StopPreSigterm, vec![arm()], R::Success),
            (
                signalled_by(9),
                S::StopPreSigterm,
                vec![
                    debug("Control process exited, code=killed, status=9/KILL (success)"),
                    next_cmd("stop-pre-sigterm"),
                    arm(),
                    spawn(C::StartPre, 1),
                ],
                R::Success,
            ),
            (
                exited(0),
                S::StopPreSigterm,
                vec![
                    exit_ok("0/SUCCESS"),
                    final_sigchld("stop-pre-sigterm"),
                    term(),
                ],
                R::Success,
            ),
        ],
    );
}

#[test]
fn stale_and_unexpected_events_are_ignored() {
    let mut m = listening(params());
    let stale = [
        E::Timeout,
        exited(0),
        opened(),
        watched(),
        nothing(),
        E::Triggered { error: None },
        instance_ok(),
        accepted(1, None),
        E::AcceptFailed {
            spurious: false,
            error: "x".into(),
        },
    ];
    for event in stale {
        run(&mut m, vec![(event, S::Listening, vec![], R::Success)]);
    }
    // While an answer is owed, anything else is ignored.
    m.step(E::Stop);
    for event in [E::Stop, start(5), ready(0, 5), E::Timeout, watched()] {
        run(&mut m, vec![(event, S::Listening, vec![], R::Success)]);
    }
    assert!(m.awaiting_answer());
    run(
        &mut m,
        vec![(nothing(), S::Listening, vec![kill()], R::Success)],
    );
}
