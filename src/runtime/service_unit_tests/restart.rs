//! Priority 2: `Restart=` against man systemd.service's Table 2, the exit status lists,
//! `RestartSec=`, manual stops and `NRestarts=`.

use super::Op::*;
use super::*;
use RestartPolicy as P;
use ServiceResult as R;
use ServiceType as T;

/// How the service ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Clean,
    ExitCode,
    Sigkill,
    CoreDump,
    Timeout,
    Watchdog,
}

/// Runs one service to its end under `policy`.
fn end_with(policy: RestartPolicy, end: End) -> Sim {
    let mut p = plain(if end == End::Timeout {
        T::Notify
    } else {
        T::Simple
    });
    p.restart = policy;
    p.watchdog_usec = 1_000_000;
    let mut s = Sim::new(p);
    s.start();
    match end {
        End::Clean => s.main_exit(Exited(0)),
        End::ExitCode => s.main_exit(Exited(1)),
        End::Sigkill => s.main_exit(Killed(9)),
        End::CoreDump => s.main_exit(Dumped(6)),
        End::Timeout => {
            s.feed(ServiceEvent::Timeout);
            s.all_die(9);
        }
        End::Watchdog => {
            s.feed(ServiceEvent::WatchdogTimeout);
            s.all_die(6);
        }
    }
    s
}

/// man systemd.service, Table 2: which exit causes restart under which setting.
const TABLE_2: [(End, R, [bool; 7]); 6] = [
    // no, always, on-success, on-failure, on-abnormal, on-abort, on-watchdog
    (
        End::Clean,
        R::Success,
        [false, true, true, false, false, false, false],
    ),
    (
        End::ExitCode,
        R::ExitCode,
        [false, true, false, true, false, false, false],
    ),
    (
        End::Sigkill,
        R::Signal,
        [false, true, false, true, true, true, false],
    ),
    (
        End::CoreDump,
        R::CoreDump,
        [false, true, false, true, true, true, false],
    ),
    (
        End::Timeout,
        R::Timeout,
        [false, true, false, true, true, false, false],
    ),
    (
        End::Watchdog,
        R::Watchdog,
        [false, true, false, true, true, false, true],
    ),
];

const POLICIES: [RestartPolicy; 7] = [
    P::No,
    P::Always,
    P::OnSuccess,
    P::OnFailure,
    P::OnAbnormal,
    P::OnAbort,
    P::OnWatchdog,
];

#[test]
fn restart_table_2() {
    for (end, result, row) in TABLE_2 {
        for (policy, want) in POLICIES.into_iter().zip(row) {
            let s = end_with(policy, end);
            let what = format!("{end:?} under Restart={}", policy.name());
            assert_eq!(s.m.result, result, "{what}");
            let last = if want {
                "auto-restart"
            } else if result == R::Success {
                "dead"
            } else {
                "failed"
            };
            assert_eq!(s.m.state.name(), last, "{what}: {}", s.trace());
            if want {
                let end_state = if result == R::Success {
                    "dead"
                } else {
                    "failed"
                };
                assert!(
                    s.trace().ends_with(&format!("{end_state} -> auto-restart")),
                    "{what}"
                );
                assert!(
                    s.actions.contains(&ServiceAction::ArmTimer(100_000)),
                    "{what}"
                );
            }
        }
    }
}

fn restarting(policy: RestartPolicy) -> ServiceParams {
    let mut p = plain(T::Simple);
    p.restart = policy;
    p
}

fn cases() -> Vec<Case> {
    let with_sets = |policy, f: fn(&mut ServiceParams)| {
        let mut p = restarting(policy);
        f(&mut p);
        p
    };
    vec![
        case(
            "8b.8 Restart=on-failure",
            restarting(P::OnFailure),
            vec![Start, Main(Exited(1)), Timeout, Restart],
            "dead -> running -> failed -> auto-restart -> dead -> running",
            R::Success,
        )
        .check(|s| {
            assert_eq!(s.m.restart_count, 1);
            assert_eq!(s.count(|a| *a == ServiceAction::QueueRestart), 1);
            assert!(s.logged("Service RestartSec=100ms expired, scheduling restart."));
            assert!(s.logged("Scheduled restart job, restart counter is at 1."));
        }),
        case(
            "RestartSec=0",
            with_sets(P::Always, |p| p.restart_usec = 0),
            vec![Start, Main(Exited(0)), Timeout],
            "dead -> running -> dead -> auto-restart",
            R::Success,
        )
        .check(|s| {
            assert!(s.actions.contains(&ServiceAction::ArmTimer(0)));
            assert!(s.logged("Service has no hold-off time (RestartSec=0), scheduling restart."));
        }),
        case(
            "NRestarts counts, a manual stop and start flushes it",
            restarting(P::OnFailure),
            vec![
                Start,
                Main(Exited(1)),
                Timeout,
                Restart,
                Main(Exited(1)),
                Timeout,
                Restart,
                World(|s| assert_eq!(s.m.restart_count, 2)),
                Stop,
                AllDie(15),
                World(|s| assert_eq!(s.m.restart_count, 2)),
                Start,
            ],
            "dead -> running -> failed -> auto-restart -> dead -> running -> failed -> auto-restart \
             -> dead -> running -> stop-sigterm -> dead -> running",
            R::Success,
        )
        .check(|s| assert_eq!(s.m.restart_count, 0)),
        case(
            "a manual stop forbids restart",
            restarting(P::Always),
            vec![Start, Stop, AllDie(15)],
            "dead -> running -> stop-sigterm -> dead",
            R::Success,
        ),
        case(
            "stop in auto-restart",
            restarting(P::Always),
            vec![Start, Main(Exited(1)), Stop],
            "dead -> running -> failed -> auto-restart -> dead",
            R::ExitCode,
        ),
        case(
            "start in auto-restart waits for the timer",
            restarting(P::Always),
            vec![Start, Main(Exited(1)), Start],
            "dead -> running -> failed -> auto-restart",
            R::ExitCode,
        ),
        case(
            "RestartPreventExitStatus",
            with_sets(P::Always, |p| p.restart_prevent_status.codes = vec![1]),
            vec![Start, Main(Exited(1))],
            "dead -> running -> failed",
            R::ExitCode,
        ),
        case(
            "RestartForceExitStatus",
            with_sets(P::No, |p| p.restart_force_status.signals = vec![10]),
            vec![Start, Main(Killed(10))],
            "dead -> running -> failed -> auto-restart",
            R::Signal,
        ),
        case(
            "prevent wins over force",
            with_sets(P::No, |p| {
                p.restart_force_status.codes = vec![3];
                p.restart_prevent_status.codes = vec![3];
            }),
            vec![Start, Main(Exited(3))],
            "dead -> running -> failed",
            R::ExitCode,
        ),
        case(
            "SuccessExitStatus is success for on-failure",
            with_sets(P::OnFailure, |p| p.success_status.codes = vec![42]),
            vec![Start, Main(Exited(42))],
            "dead -> running -> dead",
            R::Success,
        ),
        case(
            "SuccessExitStatus is success for on-success",
            with_sets(P::OnSuccess, |p| p.success_status.codes = vec![42]),
            vec![Start, Main(Exited(42))],
            "dead -> running -> dead -> auto-restart",
            R::Success,
        ),
        case(
            "reset-failed zeroes NRestarts",
            restarting(P::OnFailure),
            vec![Start, Main(Exited(1)), Timeout, Restart, Stop, AllDie(15), Ev(ServiceEvent::ResetFailed)],
            "dead -> running -> failed -> auto-restart -> dead -> running -> stop-sigterm -> dead",
            R::Success,
        )
        .check(|s| assert_eq!(s.m.restart_count, 0)),
        case(
            "Restart=always crash loop ends at the start limit",
            restarting(P::Always),
            {
                let mut v = vec![Start];
                for _ in 0..5 {
                    v.extend([Main(Exited(1)), Timeout, Restart]);
                }
                v
            },
            "dead -> running -> failed -> auto-restart -> dead -> running -> failed -> auto-restart \
             -> dead -> running -> failed -> auto-restart -> dead -> running -> failed -> auto-restart \
             -> dead -> running -> failed -> auto-restart -> dead -> failed",
            R::ExitCode,
        )
        .check(|s| {
            assert!(s.m.start_limit_hit);
            assert_eq!(s.m.restart_count, 5);
        }),
    ]
}

/// Every priority-2 case, run.
pub(in crate::runtime) fn all() -> Vec<Sim> {
    let mut v = run_all(cases());
    for (end, _, _) in TABLE_2 {
        v.push(end_with(P::Always, end));
    }
    v
}

#[test]
fn priority_two_table() {
    assert_eq!(all().len(), 19);
}
