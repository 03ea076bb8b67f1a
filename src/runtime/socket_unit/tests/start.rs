//! The start path: `dead -> start-pre -> start-chown -> start-post -> listening`, control
//! command sequencing, `-` prefixes, open/watch/spawn failures, start timeouts, the start limit.

use super::*;

#[test]
fn start_without_commands_goes_from_dead_to_listening_in_one_change() {
    let mut m = SocketMachine::new(params());
    run(
        &mut m,
        vec![
            (start(1), S::Dead, vec![A::Open], R::Success),
            (opened(), S::Dead, vec![A::Watch], R::Success),
            (watched(), S::Listening, vec![], R::Success),
        ],
    );
    assert_eq!(m.control, None);
}

#[test]
fn start_runs_every_start_command_in_order_and_chowns() {
    let p = with(params(), C::StartPre, &[false, false]);
    let mut p = with(p, C::StartPost, &[false]);
    p.chown = true;
    let mut m = SocketMachine::new(p);
    run(
        &mut m,
        vec![
            (
                start(1),
                S::StartPre,
                vec![arm(), spawn(C::StartPre, 0)],
                R::Success,
            ),
            (
                exited(0),
                S::StartPre,
                vec![
                    exit_ok("0/SUCCESS"),
                    next_cmd("start-pre"),
                    arm(),
                    spawn(C::StartPre, 1),
                ],
                R::Success,
            ),
        ],
    );
    assert_eq!(m.control, Some((C::StartPre, 1)));
    run(
        &mut m,
        vec![
            (
                exited(0),
                S::StartPre,
                vec![exit_ok("0/SUCCESS"), final_sigchld("start-pre"), A::Open],
                R::Success,
            ),
            (
                opened(),
                S::StartChown,
                vec![arm(), A::SpawnChown],
                R::Success,
            ),
        ],
    );
    assert_eq!(m.control, None);
    run(
        &mut m,
        vec![
            (
                exited(0),
                S::StartPost,
                vec![
                    exit_ok("0/SUCCESS"),
                    final_sigchld("start-chown"),
                    arm(),
                    spawn(C::StartPost, 0),
                ],
                R::Success,
            ),
            (
                exited(0),
                S::StartPost,
                vec![exit_ok("0/SUCCESS"), final_sigchld("start-post"), A::Watch],
                R::Success,
            ),
            (watched(), S::Listening, vec![A::DisarmTimer], R::Success),
        ],
    );
}

/// §8b item 3: `start-pre -> failed` (exit-code), because final-sigterm finds nothing to kill.
#[test]
fn failing_start_pre_goes_straight_to_failed() {
    let mut m = SocketMachine::new(with(params(), C::StartPre, &[false, false]));
    run(
        &mut m,
        vec![
            (
                start(1),
                S::StartPre,
                vec![arm(), spawn(C::StartPre, 0)],
                R::Success,
            ),
            (
                exited(1),
                S::StartPre,
                vec![
                    log("Control process exited, code=exited, status=1/FAILURE"),
                    final_sigchld("start-pre"),
                    term(),
                ],
                R::ExitCode,
            ),
            (nothing(), S::StartPre, vec![kill()], R::ExitCode),
            (
                nothing(),
                S::Failed,
                vec![failed_with("exit-code"), A::DisarmTimer],
                R::ExitCode,
            ),
        ],
    );
}

#[test]
fn a_dash_prefix_turns_failure_into_success_and_the_next_command_runs() {
    let mut m = SocketMachine::new(with(params(), C::StartPre, &[true, false]));
    run(
        &mut m,
        vec![
            (
                start(1),
                S::StartPre,
                vec![arm(), spawn(C::StartPre, 0)],
                R::Success,
            ),
            (
                exited(203),
                S::StartPre,
                vec![
                    debug("Control process exited, code=exited, status=203/EXEC (success)"),
                    next_cmd("start-pre"),
                    arm(),
                    spawn(C::StartPre, 1),
                ],
                R::Success,
            ),
            (
                exited(0),
                S::StartPre,
                vec![exit_ok("0/SUCCESS"), final_sigchld("start-pre"), A::Open],
                R::Success,
            ),
        ],
    );
}

#[test]
fn exit_kinds_map_to_results_and_log_lines() {
    let cases = [
        (
            ExitStatus::Exited(2),
            R::ExitCode,
            "code=exited, status=2/INVALIDARGUMENT",
        ),
        (
            ExitStatus::Killed(9),
            R::Signal,
            "code=killed, status=9/KILL",
        ),
        (
            ExitStatus::Killed(15),
            R::Signal,
            "code=killed, status=15/TERM",
        ),
        (
            ExitStatus::Dumped(11),
            R::CoreDump,
            "code=dumped, status=11/SEGV",
        ),
    ];
    for (status, result, text) in cases {
        let mut m = SocketMachine::new(with(params(), C::StartPre, &[false]));
        m.step(start(1));
        let got = m.step(E::ControlExited(status));
        let line = format!("Control process exited, {text}");
        assert_eq!(got, vec![log(&line), final_sigchld("start-pre"), term()]);
        assert_eq!(m.result, result, "{status:?}");
    }
}

/// §8b item 3, timed out: `start-pre -> final-sigterm -> failed` (timeout).
#[test]
fn start_pre_timeout_terminates_then_fails() {
    let mut m = SocketMachine::new(with(params(), C::StartPre, &[false]));
    run(
        &mut m,
        vec![
            (
                start(1),
                S::StartPre,
                vec![arm(), spawn(C::StartPre, 0)],
                R::Success,
            ),
            (
                E::Timeout,
                S::StartPre,
                vec![log("Starting timed out. Terminating."), term()],
                R::Timeout,
            ),
            (signalled(), S::FinalSigterm, vec![arm()], R::Timeout),
            (
                signalled_by(15),
                S::Failed,
                vec![
                    log("Control process exited, code=killed, status=15/TERM"),
                    final_sigchld("final-sigterm"),
                    failed_with("timeout"),
                    A::DisarmTimer,
                ],
                R::Timeout,
            ),
        ],
    );
}

#[test]
fn chown_and_start_post_failures_and_timeouts_go_through_stop_pre() {
    let mut p = with(params(), C::StartPost, &[false]);
    p.chown = true;
    let p = with(p, C::StopPost, &[false]);
    let stop_post = vec![arm(), A::Close, spawn(C::StopPost, 0)];
    // (event in start-chown, expected lines before stop-post, result)
    let exit_user = "Control process exited, code=exited, status=217/USER";
    let chown_cases = [
        (
            exited(217),
            vec![log(exit_user), final_sigchld("start-chown")],
            R::ExitCode,
        ),
        (
            E::Timeout,
            vec![log("Starting timed out. Stopping.")],
            R::Timeout,
        ),
    ];
    for (event, lines, result) in chown_cases {
        let mut m = SocketMachine::new(p.clone());
        m.step(start(1));
        assert_eq!(m.step(opened()), vec![arm(), A::SpawnChown]);
        let want = [lines, stop_post.clone()].concat();
        run(&mut m, vec![(event, S::StopPost, want, result)]);
    }
    let exit_failure = "Control process exited, code=exited, status=1/FAILURE";
    let post_cases = [
        (
            exited(1),
            vec![log(exit_failure), final_sigchld("start-post")],
            R::ExitCode,
        ),
        (
            E::Timeout,
            vec![log("Starting timed out. Stopping.")],
            R::Timeout,
        ),
    ];
    for (event, lines, result) in post_cases {
        let mut m = SocketMachine::new(p.clone());
        m.step(start(1));
        m.step(opened());
        assert_eq!(m.step(exited(0)).last(), Some(&spawn(C::StartPost, 0)));
        let want = [lines, stop_post.clone()].concat();
        run(&mut m, vec![(event, S::StopPost, want, result)]);
        let end = vec![exit_ok("0/SUCCESS"), final_sigchld("stop-post")];
        let end = [end, vec![failed_with(result.name()), A::DisarmTimer]].concat();
        run(&mut m, vec![(exited(0), S::Failed, end, result)]);
    }
}

#[test]
fn open_failure_is_resources_without_a_close() {
    let mut m = SocketMachine::new(params());
    let error = Some("Address already in use".to_string());
    run(
        &mut m,
        vec![
            (start(1), S::Dead, vec![A::Open], R::Success),
            (
                E::Opened { error },
                S::Dead,
                vec![
                    log("Failed to listen on sockets: Address already in use"),
                    term(),
                ],
                R::Resources,
            ),
            (nothing(), S::Dead, vec![kill()], R::Resources),
            (
                nothing(),
                S::Failed,
                vec![failed_with("resources")],
                R::Resources,
            ),
        ],
    );
}

#[test]
fn watch_failure_is_resources_and_closes_the_ports() {
    let mut m = SocketMachine::new(params());
    let error = Some("No space left on device".to_string());
    run(
        &mut m,
        vec![
            (start(1), S::Dead, vec![A::Open], R::Success),
            (opened(), S::Dead, vec![A::Watch], R::Success),
            (
                E::Watched { error },
                S::Dead,
                vec![
                    log("Failed to watch listening fds: No space left on device"),
                    log("Failed to watch sockets: No space left on device"),
                    term(),
                ],
                R::Resources,
            ),
            (nothing(), S::Dead, vec![kill()], R::Resources),
            (
                nothing(),
                S::Failed,
                vec![failed_with("resources"), A::Close],
                R::Resources,
            ),
        ],
    );
}

#[test]
fn start_pre_spawn_failure_fails_at_once() {
    let mut m = SocketMachine::new(with(params(), C::StartPre, &[false]));
    run(
        &mut m,
        vec![
            (
                start(1),
                S::StartPre,
                vec![arm(), spawn(C::StartPre, 0)],
                R::Success,
            ),
            (
                spawn_failed("Permission denied"),
                S::Failed,
                vec![
                    log("Failed to run 'start-pre' task: Permission denied"),
                    failed_with("resources"),
                    A::DisarmTimer,
                ],
                R::Resources,
            ),
        ],
    );
}

#[test]
fn chown_and_start_post_spawn_failures_stop() {
    let mut p = with(params(), C::StartPost, &[false]);
    p.chown = true;
    let mut m = SocketMachine::new(p.clone());
    m.step(start(1));
    m.step(opened());
    let line = log("Failed to fork 'start-chown' task: Cannot allocate memory");
    let failed = spawn_failed("Cannot allocate memory");
    run(
        &mut m,
        vec![(failed, S::StartChown, vec![line, term()], R::Resources)],
    );

    let mut m = SocketMachine::new(p);
    m.step(start(1));
    m.step(opened());
    m.step(exited(0));
    let line = log("Failed to run 'start-post' task: Bad file descriptor");
    let failed = spawn_failed("Bad file descriptor");
    run(
        &mut m,
        vec![(failed, S::StartPost, vec![line, term()], R::Resources)],
    );
    run(
        &mut m,
        vec![
            (nothing(), S::StartPost, vec![kill()], R::Resources),
            (
                nothing(),
                S::Failed,
                vec![failed_with("resources"), A::DisarmTimer, A::Close],
                R::Resources,
            ),
        ],
    );
}

#[test]
fn next_command_spawn_failure_depends_on_the_state() {
    let next_failed = || log("Failed to run next task: Argument list too long");
    let failed = || spawn_failed("Argument list too long");
    // start-pre: final-sigterm.
    let mut m = SocketMachine::new(with(params(), C::StartPre, &[false, false]));
    m.step(start(1));
    assert_eq!(m.step(exited(0)).last(), Some(&spawn(C::StartPre, 1)));
    let want = vec![next_failed(), term()];
    run(&mut m, vec![(failed(), S::StartPre, want, R::Resources)]);
    // start-post: stop-pre (no ExecStopPre: stop-post, none: final-sigterm).
    let mut m = SocketMachine::new(with(params(), C::StartPost, &[false, false]));
    m.step(start(1));
    m.step(opened());
    assert_eq!(m.step(exited(0)).last(), Some(&spawn(C::StartPost, 1)));
    let want = vec![next_failed(), term()];
    run(&mut m, vec![(failed(), S::StartPost, want, R::Resources)]);
    // stop-post: dead.
    let mut m = listening(with(params(), C::StopPost, &[false, false]));
    m.step(E::Stop);
    assert_eq!(m.step(exited(0)).last(), Some(&spawn(C::StopPost, 1)));
    let want = vec![next_failed(), failed_with("resources"), A::DisarmTimer];
    run(&mut m, vec![(failed(), S::Failed, want, R::Resources)]);
}

#[test]
fn spawn_failed_is_ignored_unless_it_answers_a_spawn() {
    let mut m = listening(params());
    run(
        &mut m,
        vec![(spawn_failed("x"), S::Listening, vec![], R::Success)],
    );
    let mut m = SocketMachine::new(with(params(), C::StartPre, &[false, false]));
    m.step(start(1));
    m.step(exited(0));
    m.step(E::Timeout);
    run(
        &mut m,
        vec![(spawn_failed("x"), S::StartPre, vec![], R::Timeout)],
    );
}
