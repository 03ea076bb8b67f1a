//! Stop timeouts in every stopping state, `SendSIGKILL=no`, kill failures.

use super::*;

/// §8b item 4: `listening -> stop-post`, then an ExecStopPost that ignores SIGTERM goes
/// `stop-post -> final-sigterm -> final-sigkill -> failed` (timeout).
#[test]
fn stop_post_ignoring_sigterm_times_out_to_failed() {
    let mut m = listening(with(params(), C::StopPost, &[false]));
    run(
        &mut m,
        vec![
            (
                E::Stop,
                S::StopPost,
                vec![arm(), A::Unwatch, A::Close, spawn(C::StopPost, 0)],
                R::Success,
            ),
            (
                E::Timeout,
                S::StopPost,
                vec![log("Stopping timed out (2). Terminating."), term()],
                R::Timeout,
            ),
            (signalled(), S::FinalSigterm, vec![arm()], R::Timeout),
            (
                E::Timeout,
                S::FinalSigterm,
                vec![log("Stopping timed out (2). Killing."), kill()],
                R::Timeout,
            ),
            (signalled(), S::FinalSigkill, vec![arm()], R::Timeout),
            (
                signalled_by(9),
                S::Failed,
                vec![
                    log("Control process exited, code=killed, status=9/KILL"),
                    final_sigchld("final-sigkill"),
                    failed_with("timeout"),
                    A::DisarmTimer,
                ],
                R::Timeout,
            ),
        ],
    );
}

#[test]
fn every_stop_timeout_in_turn() {
    let mut m = listening(with(params(), C::StopPre, &[false]));
    m.step(E::Stop);
    run(
        &mut m,
        vec![
            (
                E::Timeout,
                S::StopPre,
                vec![log("Stopping timed out. Terminating."), kill()],
                R::Timeout,
            ),
            (signalled(), S::StopPreSigterm, vec![arm()], R::Timeout),
            (
                E::Timeout,
                S::StopPreSigterm,
                vec![log("Stopping timed out. Killing."), kill()],
                R::Timeout,
            ),
            (signalled(), S::StopPreSigkill, vec![arm()], R::Timeout),
            (
                E::Timeout,
                S::StopPreSigkill,
                vec![
                    log("Processes still around after SIGKILL. Ignoring."),
                    term(),
                ],
                R::Timeout,
            ),
            (
                signalled(),
                S::FinalSigterm,
                vec![arm(), A::Close],
                R::Timeout,
            ),
            (
                E::Timeout,
                S::FinalSigterm,
                vec![log("Stopping timed out (2). Killing."), kill()],
                R::Timeout,
            ),
            (signalled(), S::FinalSigkill, vec![arm()], R::Timeout),
            (
                E::Timeout,
                S::Failed,
                vec![
                    log("Still around after SIGKILL (2). Entering failed mode."),
                    failed_with("timeout"),
                ],
                R::Timeout,
            ),
            // The old control process is no longer watched.
            (signalled_by(9), S::Failed, vec![], R::Timeout),
        ],
    );
}

#[test]
fn send_sigkill_no_skips_both_sigkill_states() {
    let mut p = with(params(), C::StopPre, &[false]);
    p.send_sigkill = false;
    let mut m = listening(p);
    m.step(E::Stop);
    m.step(E::Timeout);
    run(
        &mut m,
        vec![
            (signalled(), S::StopPreSigterm, vec![arm()], R::Timeout),
            (
                E::Timeout,
                S::StopPreSigterm,
                vec![
                    log("Stopping timed out. Skipping SIGKILL. Ignoring."),
                    term(),
                ],
                R::Timeout,
            ),
            (
                signalled(),
                S::FinalSigterm,
                vec![arm(), A::Close],
                R::Timeout,
            ),
            (
                E::Timeout,
                S::Failed,
                vec![
                    log("Stopping timed out (2). Skipping SIGKILL. Ignoring."),
                    failed_with("timeout"),
                ],
                R::Timeout,
            ),
        ],
    );
}

#[test]
fn kill_failures_are_resources() {
    let failed = || E::Killed(KillOutcome::Failed);
    let line = || log("Failed to kill processes: Cannot allocate memory");
    // stop-pre-sigterm: stop-post (none: final-sigterm).
    let mut m = SocketMachine::new(with(params(), C::StartPre, &[false]));
    m.step(start(1));
    m.step(E::Stop);
    run(
        &mut m,
        vec![(failed(), S::StartPre, vec![line(), term()], R::Resources)],
    );
    // final-sigterm: dead.
    let want = vec![line(), failed_with("resources"), A::DisarmTimer];
    run(&mut m, vec![(failed(), S::Failed, want, R::Resources)]);
}
