//! Priority 1: simple/exec/oneshot start paths, the stop chain, results, `-` prefixes,
//! several commands, start limits, `RemainAfterExit=`, and the §8b sequences.

use super::Op::*;
use super::*;
use ServiceCommand as C;
use ServiceResult as R;
use ServiceType as T;

fn with(mut p: ServiceParams, f: fn(&mut ServiceParams)) -> ServiceParams {
    f(&mut p);
    p
}

fn start_paths() -> Vec<Case> {
    vec![
        case(
            "8b.1 simple",
            plain(T::Simple),
            vec![Start],
            "dead -> running",
            R::Success,
        )
        .check(|s| {
            assert_eq!(s.spawns(), vec![(C::Start, 0, Role::Main)]);
            assert_eq!(s.count(|a| matches!(a, ServiceAction::ArmTimer(_))), 0);
            assert_eq!(
                s.count(|a| matches!(a, ServiceAction::ArmRuntimeTimer(_))),
                0
            );
        }),
        case(
            "8b.1 simple + ExecStartPost",
            params(T::Simple, &[(C::StartPost, 1, false)]),
            vec![Start, Ctl(Exited(0))],
            "dead -> start-post -> running",
            R::Success,
        )
        .check(|s| assert!(s.actions.contains(&ServiceAction::ArmTimer(90_000_000)))),
        case(
            "8b.1 notify",
            plain(T::Notify),
            vec![Start, Says(NotifyState::Ready)],
            "dead -> start -> running",
            R::Success,
        ),
        case(
            "idle = simple",
            plain(T::Idle),
            vec![Start],
            "dead -> running",
            R::Success,
        ),
        case(
            "exec waits for execve",
            plain(T::Exec),
            vec![Start, Ev(ServiceEvent::ExecOk)],
            "dead -> start -> running",
            R::Success,
        ),
        case(
            "exec: execve fails",
            plain(T::Exec),
            vec![Start, Main(Exited(203))],
            "dead -> start -> failed",
            R::ExitCode,
        )
        .check(|s| assert!(s.logged("Main process exited, code=exited, status=203/EXEC"))),
        case(
            "8b.2 oneshot",
            plain(T::Oneshot),
            vec![Start, Main(Exited(0))],
            "dead -> start -> dead",
            R::Success,
        ),
        case(
            "8b.2 oneshot RemainAfterExit, then stop",
            with(plain(T::Oneshot), |p| p.remain_after_exit = true),
            vec![Start, Main(Exited(0)), Stop],
            "dead -> start -> exited -> dead",
            R::Success,
        ),
        case(
            "oneshot without ExecStart",
            with(params(T::Oneshot, &[(C::Start, 0, false)]), |p| {
                p.remain_after_exit = true
            }),
            vec![Start],
            "dead -> start -> exited",
            R::Success,
        ),
        case(
            "oneshot: two ExecStart in turn",
            params(T::Oneshot, &[(C::Start, 2, false)]),
            vec![Start, Main(Exited(0)), Main(Exited(0))],
            "dead -> start -> dead",
            R::Success,
        )
        .check(|s| {
            assert_eq!(
                s.spawns(),
                vec![(C::Start, 0, Role::Main), (C::Start, 1, Role::Main)]
            )
        }),
        case(
            "oneshot: a failure ends the list",
            params(T::Oneshot, &[(C::Start, 2, false)]),
            vec![Start, Main(Exited(1))],
            "dead -> start -> failed",
            R::ExitCode,
        )
        .check(|s| assert_eq!(s.spawns().len(), 1)),
        case(
            "oneshot: - ignores the failure",
            params(T::Oneshot, &[(C::Start, 1, true)]),
            vec![Start, Main(Exited(1))],
            "dead -> start -> dead",
            R::Success,
        )
        .check(|s| {
            assert!(s.logged("Main process exited, code=exited, status=1/FAILURE (success)"))
        }),
        case(
            "oneshot: SIGTERM is a failure for commands",
            plain(T::Oneshot),
            vec![Start, Main(Killed(15))],
            "dead -> start -> failed",
            R::Signal,
        ),
        case(
            "simple RemainAfterExit",
            with(plain(T::Simple), |p| p.remain_after_exit = true),
            vec![Start, Main(Exited(0))],
            "dead -> running -> exited",
            R::Success,
        ),
    ]
}

fn main_exits() -> Vec<Case> {
    vec![
        case(
            "simple exits 0",
            plain(T::Simple),
            vec![Start, Main(Exited(0))],
            "dead -> running -> dead",
            R::Success,
        ),
        case(
            "simple exits 1",
            plain(T::Simple),
            vec![Start, Main(Exited(1))],
            "dead -> running -> failed",
            R::ExitCode,
        )
        .check(|s| assert!(s.logged("Main process exited, code=exited, status=1/FAILURE"))),
        case(
            "simple SIGTERM is clean",
            plain(T::Simple),
            vec![Start, Main(Killed(15))],
            "dead -> running -> dead",
            R::Success,
        ),
        case(
            "simple SIGKILL",
            plain(T::Simple),
            vec![Start, Main(Killed(9))],
            "dead -> running -> failed",
            R::Signal,
        )
        .check(|s| assert!(s.logged("Main process exited, code=killed, status=9/KILL"))),
        case(
            "simple core dump",
            plain(T::Simple),
            vec![Start, Main(Dumped(6))],
            "dead -> running -> failed",
            R::CoreDump,
        )
        .check(|s| assert!(s.logged("Main process exited, code=dumped, status=6/ABRT"))),
        case(
            "SuccessExitStatus",
            with(plain(T::Simple), |p| p.success_status.codes = vec![42]),
            vec![Start, Main(Exited(42))],
            "dead -> running -> dead",
            R::Success,
        )
        .check(|s| assert!(s.logged("Main process exited, code=exited, status=42/n/a (success)"))),
        case(
            "SuccessExitStatus signal",
            with(plain(T::Simple), |p| p.success_status.signals = vec![10]),
            vec![Start, Main(Killed(10))],
            "dead -> running -> dead",
            R::Success,
        ),
    ]
}

fn stop_chain() -> Vec<Case> {
    vec![
        case("SIGTERM ends it", plain(T::Simple), vec![Start, Stop, AllDie(15)], "dead -> running -> stop-sigterm -> dead", R::Success)
            .check(|s| assert_eq!(s.kills(), vec![KillOp::Terminate, KillOp::Terminate, KillOp::Kill])),
        case(
            "stop timeout: SIGKILL",
            plain(T::Simple),
            vec![Start, Stop, Timeout, AllDie(9)],
            "dead -> running -> stop-sigterm -> stop-sigkill -> failed",
            R::Timeout,
        )
        .check(|s| assert!(s.logged("State 'stop-sigterm' timed out. Killing."))),
        case(
            "stop-sigkill timeout",
            with(params(T::Simple, &[(C::StopPost, 1, false)]), |p| p.send_sigkill = true),
            vec![Start, Stop, Timeout, Timeout],
            "dead -> running -> stop-sigterm -> stop-sigkill -> stop-post",
            R::Timeout,
        )
        .check(|s| assert!(s.logged("Processes still around after SIGKILL. Ignoring."))),
        case(
            "SendSIGKILL=no",
            with(plain(T::Simple), |p| p.send_sigkill = false),
            vec![Start, Stop, Timeout, Timeout],
            "dead -> running -> stop-sigterm -> final-sigterm -> failed",
            R::Timeout,
        )
        .check(|s| {
            assert!(!s.kills().contains(&KillOp::Kill));
            assert!(s.logged("State 'stop-sigterm' timed out. Skipping SIGKILL."));
            assert!(s.logged("State 'final-sigterm' timed out. Skipping SIGKILL. Entering failed mode."));
            assert!(!s.m.main_alive);
        }),
        case(
            "ExecStop then ExecStopPost",
            params(T::Simple, &[(C::Stop, 1, false), (C::StopPost, 1, false)]),
            vec![Start, Stop, Ctl(Exited(0)), Main(Killed(15)), Ctl(Exited(0))],
            "dead -> running -> stop -> stop-sigterm -> stop-post -> dead",
            R::Success,
        ),
        case(
            "main exits while ExecStop runs",
            params(T::Simple, &[(C::Stop, 1, false)]),
            vec![Start, Stop, Main(Exited(0)), Ctl(Exited(0))],
            "dead -> running -> stop -> dead",
            R::Success,
        ),
        case(
            "ExecStop timeout",
            params(T::Simple, &[(C::Stop, 1, false)]),
            vec![Start, Stop, Timeout, AllDie(15)],
            "dead -> running -> stop -> stop-sigterm -> failed",
            R::Timeout,
        )
        .check(|s| assert!(s.logged("Stopping timed out. Terminating."))),
        case(
            "ExecStopPost ignores SIGTERM (§8b.4 for services)",
            params(T::Simple, &[(C::StopPost, 1, false)]),
            vec![Start, Stop, Main(Killed(15)), Timeout, Timeout, Timeout],
            "dead -> running -> stop-sigterm -> stop-post -> final-sigterm -> final-sigkill -> failed",
            R::Timeout,
        )
        .check(|s| {
            assert!(s.logged("State 'stop-post' timed out. Terminating."));
            assert!(s.logged("State 'final-sigterm' timed out. Killing."));
            assert!(s.logged("Processes still around after final SIGKILL. Entering failed mode."));
        }),
        case(
            "stop during start-pre",
            params(T::Simple, &[(C::StartPre, 1, false)]),
            vec![Start, Stop, AllDie(15)],
            "dead -> start-pre -> stop-sigterm -> failed",
            R::Signal,
        ),
        case(
            "restart job",
            plain(T::Simple),
            vec![Start, Restart, AllDie(15)],
            "dead -> running -> stop-sigterm -> dead -> running",
            R::Success,
        )
        .check(|s| assert_eq!(s.kills()[0], KillOp::Restart)),
        case(
            "start while stopping waits",
            plain(T::Simple),
            vec![Start, Stop, Start, AllDie(15)],
            "dead -> running -> stop-sigterm -> dead -> running",
            R::Success,
        ),
        case(
            "stop cancels a waiting start",
            plain(T::Simple),
            vec![Start, Stop, Start, Stop, AllDie(15)],
            "dead -> running -> stop-sigterm -> dead",
            R::Success,
        ),
    ]
}

fn control_commands() -> Vec<Case> {
    let pre = |n, ignore| params(T::Simple, &[(C::StartPre, n, ignore)]);
    vec![
        case(
            "ExecStartPre fails",
            pre(1, false),
            vec![Start, Ctl(Exited(1))],
            "dead -> start-pre -> failed",
            R::ExitCode,
        )
        .check(|s| assert!(s.logged("Control process exited, code=exited, status=1/FAILURE"))),
        case(
            "ExecStartPre=-",
            pre(1, true),
            vec![Start, Ctl(Exited(1))],
            "dead -> start-pre -> running",
            R::Success,
        )
        .check(|s| {
            assert!(s.logged("Control process exited, code=exited, status=1/FAILURE (success)"))
        }),
        case(
            "three ExecStartPre",
            pre(3, false),
            vec![Start, Ctl(Exited(0)), Ctl(Exited(0)), Ctl(Exited(0))],
            "dead -> start-pre -> running",
            R::Success,
        )
        .check(|s| {
            let want: Vec<_> = (0..3)
                .map(|i| (C::StartPre, i, Role::Control))
                .chain([(C::Start, 0, Role::Main)])
                .collect();
            assert_eq!(s.spawns(), want);
        }),
        case(
            "second ExecStartPre fails",
            pre(3, false),
            vec![Start, Ctl(Exited(0)), Ctl(Exited(2))],
            "dead -> start-pre -> failed",
            R::ExitCode,
        )
        .check(|s| {
            assert_eq!(s.spawns().len(), 2);
            assert!(s.logged("Control process exited, code=exited, status=2/INVALIDARGUMENT"));
        }),
        case(
            "the first failure sticks",
            params(
                T::Simple,
                &[(C::StartPre, 1, false), (C::StopPost, 1, false)],
            ),
            vec![Start, Ctl(Exited(1)), Ctl(Killed(9))],
            "dead -> start-pre -> stop-post -> failed",
            R::ExitCode,
        ),
        case(
            "ExecStartPre timeout",
            pre(1, false),
            vec![Start, Timeout, AllDie(15)],
            "dead -> start-pre -> stop-sigterm -> failed",
            R::Timeout,
        )
        .check(|s| assert!(s.logged("start-pre operation timed out. Terminating."))),
        case(
            "ExecStartPost fails",
            params(T::Simple, &[(C::StartPost, 1, false)]),
            vec![Start, Ctl(Exited(1)), AllDie(15)],
            "dead -> start-post -> stop-sigterm -> failed",
            R::ExitCode,
        ),
        case(
            "main exits during ExecStartPost",
            params(T::Simple, &[(C::StartPost, 1, false)]),
            vec![Start, Main(Exited(0)), Ctl(Exited(0))],
            "dead -> start-post -> dead",
            R::Success,
        ),
        case(
            "notify start timeout",
            plain(T::Notify),
            vec![Start, Timeout, AllDie(15)],
            "dead -> start -> stop-sigterm -> failed",
            R::Timeout,
        )
        .check(|s| {
            assert!(s.logged("start operation timed out. Terminating."));
            assert!(s.actions.contains(&ServiceAction::ArmTimer(90_000_000)));
        }),
    ]
}

fn failures() -> Vec<Case> {
    vec![
        case(
            "ExecStartPre cannot spawn",
            params(T::Simple, &[(C::StartPre, 1, false)]),
            vec![World(|s| s.fail_spawn.push((Some(C::StartPre), 0))), Start],
            "dead -> failed",
            R::Resources,
        )
        .check(|s| assert!(s.logged("Failed to run 'start-pre' task: Permission denied"))),
        case(
            "ExecStart cannot spawn",
            plain(T::Simple),
            vec![World(|s| s.fail_spawn.push((Some(C::Start), 0))), Start],
            "dead -> failed",
            R::Resources,
        ),
        case(
            "ExecStop cannot spawn",
            params(T::Simple, &[(C::Stop, 1, false)]),
            vec![
                World(|s| s.fail_spawn.push((Some(C::Stop), 0))),
                Start,
                Stop,
                AllDie(15),
            ],
            "dead -> running -> stop-sigterm -> failed",
            R::Resources,
        ),
        case(
            "second ExecStopPost cannot spawn",
            params(T::Simple, &[(C::StopPost, 2, false)]),
            vec![
                World(|s| s.fail_spawn.push((Some(C::StopPost), 1))),
                Start,
                Stop,
                AllDie(15),
                Ctl(Exited(0)),
            ],
            "dead -> running -> stop-sigterm -> stop-post -> failed",
            R::Resources,
        )
        .check(|s| assert!(s.logged("Failed to run next control task: Permission denied"))),
        case(
            "no ExecStart outside oneshot",
            params(T::Simple, &[(C::Start, 0, false)]),
            vec![Start],
            "dead -> failed",
            R::Resources,
        )
        .check(|s| {
            assert!(s.logged("There's no 'start' task anymore we could start."));
            assert!(s.logged("Failed to run 'start' task: No such device or address"));
        }),
        case(
            "kill fails",
            plain(T::Simple),
            vec![Start, World(|s| s.kill_fails = true), Stop],
            "dead -> running -> failed",
            R::Resources,
        ),
    ]
}

fn start_limits() -> Vec<Case> {
    let mut crash_loop = Vec::new();
    for _ in 0..5 {
        crash_loop.extend([Start, Main(Exited(1))]);
    }
    crash_loop.push(Start);
    let burst1 = || with(plain(T::Simple), |p| p.start_limit = (10_000_000, 1));
    vec![
        case(
            "8b.9 crash loop hits the start limit",
            plain(T::Simple),
            crash_loop,
            "dead -> running -> failed -> running -> failed -> running -> failed -> running -> failed -> running -> failed",
            R::ExitCode,
        )
        .check(|s| {
            assert!(s.m.start_limit_hit);
            assert!(s.logged("Start request repeated too quickly."));
        }),
        case(
            "start limit from dead",
            burst1(),
            vec![Start, Main(Exited(0)), Start],
            "dead -> running -> dead -> failed",
            R::StartLimitHit,
        ),
        case(
            "the interval passes",
            burst1(),
            vec![Start, Main(Exited(0)), Wait(10_000_001), Start],
            "dead -> running -> dead -> running",
            R::Success,
        ),
        case(
            "reset-failed resets the limit",
            burst1(),
            vec![Start, Main(Exited(0)), Start, Ev(ServiceEvent::ResetFailed), Start],
            "dead -> running -> dead -> failed -> dead -> running",
            R::Success,
        )
        .check(|s| assert!(!s.m.start_limit_hit)),
        case(
            "a running service ignores start",
            burst1(),
            vec![Start, Start, Start],
            "dead -> running",
            R::Success,
        ),
    ]
}

/// Every priority-1 case, run.
pub(in crate::runtime) fn all() -> Vec<Sim> {
    let mut v = start_paths();
    v.extend(main_exits());
    v.extend(stop_chain());
    v.extend(control_commands());
    v.extend(failures());
    v.extend(start_limits());
    run_all(v)
}

#[test]
fn priority_one_table() {
    assert_eq!(all().len(), 53);
}

#[test]
fn releases_resources_and_connection_once() {
    let mut s = Sim::new(plain(T::Simple));
    s.start();
    s.main_exit(Exited(1));
    assert_eq!(s.count(|a| *a == ServiceAction::CloseSocketFd), 1);
    assert_eq!(s.count(|a| *a == ServiceAction::ReleaseResources), 1);
    let tail: Vec<_> = s.actions.iter().rev().take(2).collect();
    assert_eq!(tail[0], &ServiceAction::ReleaseResources);
}
