//! Priority 3: notify, watchdog, forking (PIDFile/GuessMainPID), ExecCondition, reload,
//! timeout failure modes, RuntimeMaxSec, dbus, clean, OOM, ExitType=cgroup, idle.

use super::Op::*;
use super::*;
use ServiceCommand as C;
use ServiceResult as R;
use ServiceType as T;

fn with(mut p: ServiceParams, f: fn(&mut ServiceParams)) -> ServiceParams {
    f(&mut p);
    p
}

fn note(f: fn(&mut Notification)) -> Op {
    let mut n = Notification::default();
    f(&mut n);
    Ev(ServiceEvent::Notify(n))
}

fn notify() -> Vec<Case> {
    use NotifyState::*;
    vec![
        case(
            "exit 0 before READY",
            plain(T::Notify),
            vec![Start, Main(Exited(0))],
            "dead -> start -> failed",
            R::Protocol,
        ),
        case(
            "exit 1 before READY",
            plain(T::Notify),
            vec![Start, Main(Exited(1))],
            "dead -> start -> failed",
            R::ExitCode,
        ),
        case(
            "RemainAfterExit, NotifyAccess=all: READY after the exit",
            with(plain(T::Notify), |p| {
                p.remain_after_exit = true;
                p.notify_access = NotifyAccess::All;
            }),
            vec![Start, Main(Exited(0)), Says(Ready)],
            "dead -> start -> exited",
            R::Success,
        ),
        case(
            "STOPPING=1",
            plain(T::Notify),
            vec![Start, Says(Ready), Says(Stopping), AllDie(15)],
            "dead -> start -> running -> stop-sigterm -> dead",
            R::Success,
        )
        .check(|s| assert_eq!(s.kills(), vec![KillOp::Terminate, KillOp::Kill])),
        case(
            "RELOADING=1, READY=1",
            plain(T::Notify),
            vec![Start, Says(Ready), Says(Reloading), Says(Ready)],
            "dead -> start -> running -> reload -> running",
            R::Success,
        ),
        case(
            "STOPPING=1 during ExecStartPost is acted on after it",
            params(T::Notify, &[(C::StartPost, 1, false)]),
            vec![Start, Says(Ready), Says(Stopping), Ctl(Exited(0))],
            "dead -> start -> start-post -> stop-sigterm",
            R::Success,
        ),
        case(
            "MAINPID=, STATUS=, ERRNO=, EXTEND_TIMEOUT_USEC=",
            plain(T::Notify),
            vec![
                note(|n| n.main_pid = true),
                Start,
                note(|n| {
                    n.main_pid = true;
                    n.status = Some("warming up".into());
                    n.errno = Some(5);
                    n.extend_timeout_usec = Some(5_000_000);
                    n.state = Some(Ready);
                }),
            ],
            "dead -> start -> running",
            R::Success,
        )
        .check(|s| {
            assert_eq!(s.count(|a| *a == ServiceAction::AdoptMainPid), 1);
            assert!(s.actions.contains(&ServiceAction::ExtendTimeout(5_000_000)));
            assert_eq!(s.m.status_text.as_deref(), Some("warming up"));
            assert_eq!(s.m.status_errno, 5);
        }),
    ]
}

fn watchdog() -> Vec<Case> {
    let wd = || with(plain(T::Simple), |p| p.watchdog_usec = 5_000_000);
    vec![
        case(
            "watchdog timeout",
            wd(),
            vec![
                Start,
                note(|n| n.watchdog = Some(WatchdogPing::Ping)),
                Ev(ServiceEvent::WatchdogTimeout),
                AllDie(6),
            ],
            "dead -> running -> stop-watchdog -> failed",
            R::Watchdog,
        )
        .check(|s| {
            assert_eq!(s.count(|a| *a == ServiceAction::ArmWatchdog(5_000_000)), 2);
            assert!(s.logged("Watchdog timeout (limit 5s)!"));
            assert_eq!(s.kills()[0], KillOp::Watchdog);
        }),
        case(
            "WATCHDOG=trigger",
            wd(),
            vec![
                Start,
                note(|n| n.watchdog = Some(WatchdogPing::Trigger)),
                Timeout,
                AllDie(9),
            ],
            "dead -> running -> stop-watchdog -> stop-sigkill -> failed",
            R::Watchdog,
        )
        .check(|s| {
            assert!(s.logged("Watchdog request (last status: <unset>)!"));
            assert!(s.logged("State 'stop-watchdog' timed out. Killing."));
        }),
        case(
            "WATCHDOG_USEC= overrides until the next start",
            wd(),
            vec![
                Start,
                note(|n| n.watchdog_usec = Some(2_000_000)),
                Stop,
                AllDie(15),
                Start,
            ],
            "dead -> running -> stop-sigterm -> dead -> running",
            R::Success,
        )
        .check(|s| {
            let arms: Vec<_> = s
                .actions
                .iter()
                .filter(|a| matches!(a, ServiceAction::ArmWatchdog(_)))
                .collect();
            let want = [5_000_000, 2_000_000, 5_000_000].map(ServiceAction::ArmWatchdog);
            assert_eq!(arms, want.iter().collect::<Vec<_>>());
            assert_eq!(s.count(|a| *a == ServiceAction::DisarmWatchdog), 1);
        }),
    ]
}

fn forking() -> Vec<Case> {
    let pidfile = || with(plain(T::Forking), |p| p.pid_file = true);
    let failing = |s: &mut Sim| s.pid_file = PidFileRead::Failed;
    vec![
        case(
            "forking + PIDFile",
            pidfile(),
            vec![Start, Ctl(Exited(0)), World(failing), Main(Exited(0))],
            "dead -> start -> running -> dead",
            R::Success,
        )
        .check(|s| {
            assert_eq!(s.spawns(), vec![(C::Start, 0, Role::Control)]);
            assert!(s.actions.contains(&ServiceAction::RemovePidFile));
        }),
        case(
            "the daemon moves to a new pid",
            pidfile(),
            vec![Start, Ctl(Exited(0)), Main(Exited(0))],
            "dead -> start -> running",
            R::Success,
        )
        .check(|s| assert!(s.m.main_alive)),
        case(
            "the PID file appears later",
            pidfile(),
            vec![
                World(failing),
                Start,
                Ctl(Exited(0)),
                World(|s| s.pid_file = PidFileRead::Loaded),
                Ev(ServiceEvent::PidFileChanged),
            ],
            "dead -> start -> running",
            R::Success,
        )
        .check(|s| {
            assert_eq!(s.count(|a| *a == ServiceAction::WatchPidFile), 1);
            assert_eq!(s.count(|a| *a == ServiceAction::UnwatchPidFile), 1);
        }),
        case(
            "the PID file never appears",
            pidfile(),
            vec![
                World(failing),
                Start,
                Ctl(Exited(0)),
                Ev(ServiceEvent::CgroupEmpty),
            ],
            "dead -> start -> failed",
            R::Protocol,
        )
        .check(|s| assert!(s.logged("Daemon never wrote its PID file. Failing."))),
        case(
            "ExecStartPost writes the PID file",
            with(params(T::Forking, &[(C::StartPost, 1, false)]), |p| {
                p.pid_file = true
            }),
            vec![
                World(failing),
                Start,
                Ctl(Exited(0)),
                World(|s| s.pid_file = PidFileRead::Loaded),
                Ctl(Exited(0)),
            ],
            "dead -> start -> start-post -> running",
            R::Success,
        ),
        case(
            "GuessMainPID",
            plain(T::Forking),
            vec![Start, Ctl(Exited(0))],
            "dead -> start -> running",
            R::Success,
        )
        .check(|s| assert!(s.actions.contains(&ServiceAction::GuessMainPid) && s.m.main_alive)),
        case(
            "no main pid: the group decides",
            plain(T::Forking),
            vec![
                World(|s| s.guess = false),
                Start,
                Ctl(Exited(0)),
                Ev(ServiceEvent::CgroupEmpty),
            ],
            "dead -> start -> running -> dead",
            R::Success,
        ),
        case(
            "forking start fails",
            plain(T::Forking),
            vec![Start, Ctl(Exited(1))],
            "dead -> start -> failed",
            R::ExitCode,
        ),
    ]
}

fn condition() -> Vec<Case> {
    let cond = || params(T::Simple, &[(C::Condition, 1, false)]);
    vec![
        case(
            "ExecCondition exit 1 skips",
            cond(),
            vec![Start, Ctl(Exited(1))],
            "dead -> condition -> dead",
            R::ExecCondition,
        )
        .check(|s| {
            assert_eq!(s.m.condition_result, Some(false));
            assert!(
                s.logged("Condition check process exited, code=exited, status=1/FAILURE (success)")
            );
        }),
        case(
            "ExecCondition exit 255 fails",
            cond(),
            vec![Start, Ctl(Exited(255))],
            "dead -> condition -> failed",
            R::ExitCode,
        )
        .check(|s| {
            assert!(s.logged("Condition check process exited, code=exited, status=255/EXCEPTION"))
        }),
        case(
            "ExecCondition signal fails",
            cond(),
            vec![Start, Ctl(Killed(9))],
            "dead -> condition -> failed",
            R::Signal,
        ),
        case(
            "ExecCondition passes",
            cond(),
            vec![Start, Ctl(Exited(0))],
            "dead -> condition -> running",
            R::Success,
        )
        .check(|s| assert_eq!(s.m.condition_result, Some(true))),
        case(
            "a skip never restarts",
            with(cond(), |p| p.restart = RestartPolicy::Always),
            vec![Start, Ctl(Exited(3))],
            "dead -> condition -> dead",
            R::ExecCondition,
        ),
    ]
}

fn reload() -> Vec<Case> {
    let r = || params(T::Simple, &[(C::Reload, 1, false)]);
    vec![
        case(
            "reload",
            r(),
            vec![Start, Reload, Ctl(Exited(0))],
            "dead -> running -> reload -> running",
            R::Success,
        ),
        case(
            "reload fails",
            r(),
            vec![Start, Reload, Ctl(Exited(1))],
            "dead -> running -> reload -> running",
            R::Success,
        )
        .check(|s| assert_eq!(s.m.reload_result, R::ExitCode)),
        case(
            "reload timeout",
            r(),
            vec![Start, Reload, Timeout],
            "dead -> running -> reload -> running",
            R::Success,
        )
        .check(|s| {
            assert_eq!(s.m.reload_result, R::Timeout);
            assert!(s.actions.contains(&ServiceAction::KillControl));
            assert!(s.logged("Reload operation timed out. Killing reload process."));
        }),
        case(
            "no ExecReload",
            plain(T::Simple),
            vec![Start, Reload],
            "dead -> running",
            R::Success,
        ),
        case(
            "main exits during reload",
            r(),
            vec![Start, Reload, Main(Exited(0)), Ctl(Exited(0))],
            "dead -> running -> reload -> dead",
            R::Success,
        ),
        case(
            "reload an exited oneshot",
            with(params(T::Oneshot, &[(C::Reload, 1, false)]), |p| {
                p.remain_after_exit = true
            }),
            vec![Start, Main(Exited(0)), Reload, Ctl(Exited(0))],
            "dead -> start -> exited -> reload -> exited",
            R::Success,
        ),
    ]
}

fn failure_modes() -> Vec<Case> {
    use TimeoutFailureMode::*;
    let start = |m| {
        let mut p = plain(T::Notify);
        p.timeout_start_failure_mode = m;
        p
    };
    let stop = |m| {
        let mut p = params(T::Simple, &[(C::StopPost, 1, false)]);
        p.timeout_stop_failure_mode = m;
        p
    };
    vec![
        case("start abort", with(start(Abort), |p| p.timeout_abort_usec = Some(3_000_000)), vec![Start, Timeout, AllDie(6)], "dead -> start -> stop-watchdog -> failed", R::Timeout)
            .check(|s| {
                assert!(s.logged("start operation timed out. Aborting."));
                assert_eq!(s.kills()[0], KillOp::Watchdog);
                assert!(s.actions.contains(&ServiceAction::ArmTimer(3_000_000)));
            }),
        case("start kill", start(Kill), vec![Start, Timeout, AllDie(9)], "dead -> start -> stop-sigkill -> failed", R::Timeout)
            .check(|s| assert!(s.logged("start operation timed out. Killing."))),
        case("start kill, SendSIGKILL=no", with(start(Kill), |p| p.send_sigkill = false), vec![Start, Timeout], "dead -> start -> final-sigterm", R::Timeout)
            .check(|s| assert!(s.logged("start operation timed out. Skipping SIGKILL."))),
        case(
            "stop abort",
            stop(Abort),
            vec![Start, Stop, Timeout, Timeout, AllDie(9), Ctl(Exited(0))],
            "dead -> running -> stop-sigterm -> stop-watchdog -> stop-sigkill -> stop-post -> failed",
            R::Timeout,
        )
        .check(|s| assert!(s.logged("State 'stop-sigterm' timed out. Aborting."))),
        case(
            "stop-post abort",
            stop(Abort),
            vec![Start, Stop, AllDie(15), Timeout, Timeout, AllDie(9)],
            "dead -> running -> stop-sigterm -> stop-post -> final-watchdog -> final-sigkill -> failed",
            R::Timeout,
        )
        .check(|s| {
            assert!(s.logged("State 'stop-post' timed out. Aborting."));
            assert!(s.logged("State 'final-watchdog' timed out. Killing."));
        }),
        case(
            "stop-post kill without SIGKILL",
            with(stop(Kill), |p| p.send_sigkill = false),
            vec![Start, Stop, AllDie(15), Timeout],
            "dead -> running -> stop-sigterm -> stop-post -> failed",
            R::Timeout,
        )
        .check(|s| assert!(s.logged("State 'stop-post' timed out. Skipping SIGKILL. Entering failed mode."))),
    ]
}

fn others() -> Vec<Case> {
    vec![
        case(
            "RuntimeMaxSec",
            with(plain(T::Simple), |p| p.runtime_max_usec = 5_000_000),
            vec![Start, Timeout, AllDie(15)],
            "dead -> running -> stop-sigterm -> failed",
            R::Timeout,
        )
        .check(|s| {
            assert!(
                s.actions
                    .contains(&ServiceAction::ArmRuntimeTimer(5_000_000))
            );
            assert!(s.logged("Service reached runtime time limit. Stopping."));
        }),
        case(
            "dbus",
            plain(T::Dbus),
            vec![
                Start,
                Ev(ServiceEvent::BusName { owned: true }),
                Ev(ServiceEvent::BusName { owned: false }),
            ],
            "dead -> start -> running -> stop-sigterm",
            R::Success,
        ),
        case(
            "clean",
            plain(T::Simple),
            vec![Ev(ServiceEvent::Clean), Ctl(Exited(0))],
            "dead -> cleaning -> dead",
            R::Success,
        ),
        case(
            "clean timeout",
            with(plain(T::Simple), |p| p.timeout_clean_usec = 1_000_000),
            vec![Ev(ServiceEvent::Clean), Timeout, AllDie(9)],
            "dead -> cleaning -> final-sigkill -> failed",
            R::Signal,
        )
        .check(|s| {
            assert_eq!(s.m.clean_result, R::Timeout);
            assert!(s.logged("Cleaning timed out. killing."));
        }),
        case(
            "clean cannot spawn",
            plain(T::Simple),
            vec![
                World(|s| s.fail_spawn.push((None, 0))),
                Ev(ServiceEvent::Clean),
            ],
            "dead",
            R::Success,
        )
        .check(|s| assert_eq!(s.m.clean_result, R::Resources)),
        case(
            "stop while cleaning",
            plain(T::Simple),
            vec![Ev(ServiceEvent::Clean), Stop],
            "dead -> cleaning -> final-sigkill",
            R::Success,
        ),
        case(
            "OOM kill",
            plain(T::Simple),
            vec![Start, Ev(ServiceEvent::OomKilled), AllDie(9)],
            "dead -> running -> stop-sigterm -> failed",
            R::OomKill,
        ),
        case(
            "OOMPolicy=kill",
            with(plain(T::Simple), |p| p.oom_policy = OomPolicy::Kill),
            vec![Start, Ev(ServiceEvent::OomKilled), AllDie(9)],
            "dead -> running -> stop-sigkill -> failed",
            R::OomKill,
        ),
        case(
            "ExitType=cgroup waits for the group",
            with(plain(T::Simple), |p| p.exit_type = ExitType::Cgroup),
            vec![
                Start,
                Main(Exited(0)),
                World(|s| assert_eq!(s.m.state, ServiceState::Running)),
                Ev(ServiceEvent::CgroupEmpty),
            ],
            "dead -> running -> dead",
            R::Success,
        ),
    ]
}

/// Every priority-3 case, run.
pub(in crate::runtime) fn all() -> Vec<Sim> {
    let mut v = notify();
    v.extend(watchdog());
    v.extend(forking());
    v.extend(condition());
    v.extend(reload());
    v.extend(failure_modes());
    v.extend(others());
    run_all(v)
}

#[test]
fn priority_three_table() {
    assert_eq!(all().len(), 44);
}

#[test]
fn idle_counts_as_active_while_starting() {
    let mut p = params(T::Idle, &[(C::StartPre, 1, false)]);
    p.start_limit = (10_000_000, 1);
    let mut s = Sim::new(p);
    s.start();
    assert_eq!(s.m.state, ServiceState::StartPre);
    assert_eq!(s.m.activity(), crate::runtime::types::Activity::Active);
    s.start();
    assert!(!s.m.start_limit_hit);
    s.ctl_exit(Exited(0));
    assert_eq!(s.trace(), "dead -> start-pre -> running");
}
