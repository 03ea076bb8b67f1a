//! Cheap randomized checks: no event sequence panics, the protocol holds, and the machine's
//! view of its processes matches the simulated executor's.

use super::*;

/// xorshift64*.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn coin(&mut self) -> bool {
        self.next() & 1 == 1
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
}

const TYPES: [ServiceType; 7] = [
    ServiceType::Simple,
    ServiceType::Exec,
    ServiceType::Forking,
    ServiceType::Oneshot,
    ServiceType::Dbus,
    ServiceType::Notify,
    ServiceType::Idle,
];

const POLICIES: [RestartPolicy; 7] = [
    RestartPolicy::No,
    RestartPolicy::OnSuccess,
    RestartPolicy::OnFailure,
    RestartPolicy::OnAbnormal,
    RestartPolicy::OnWatchdog,
    RestartPolicy::OnAbort,
    RestartPolicy::Always,
];

const MODES: [TimeoutFailureMode; 3] = [
    TimeoutFailureMode::Terminate,
    TimeoutFailureMode::Abort,
    TimeoutFailureMode::Kill,
];

fn random_params(r: &mut Rng) -> ServiceParams {
    let ty = r.pick(&TYPES);
    let mut p = plain(ty);
    for c in ServiceCommand::ALL {
        let n = match c {
            ServiceCommand::Start if ty != ServiceType::Oneshot => 1,
            _ => r.pick(&[0, 0, 1, 2]),
        };
        p.commands[c.index()] = (0..n).map(|_| r.below(4) == 0).collect();
    }
    p.restart = r.pick(&POLICIES);
    p.restart_usec = r.pick(&[0, 100_000]);
    p.remain_after_exit = r.coin();
    p.pid_file = r.coin();
    p.guess_main_pid = r.coin();
    p.send_sigkill = r.coin();
    p.timeout_start_failure_mode = r.pick(&MODES);
    p.timeout_stop_failure_mode = r.pick(&MODES);
    p.exit_type = r.pick(&[ExitType::Main, ExitType::Cgroup]);
    p.oom_policy = r.pick(&[OomPolicy::Continue, OomPolicy::Stop, OomPolicy::Kill]);
    p.watchdog_usec = r.pick(&[0, 1_000_000]);
    p.runtime_max_usec = r.pick(&[crate::runtime::types::INFINITY, 5_000_000]);
    p.notify_access = r.pick(&[NotifyAccess::None, NotifyAccess::Main, NotifyAccess::All]);
    p.start_limit = (10_000_000, r.pick(&[1, 5]));
    p.success_status.codes = vec![3];
    p.restart_prevent_status.codes = vec![4];
    p.restart_force_status.signals = vec![10];
    p
}

fn random_status(r: &mut Rng) -> ExitStatus {
    match r.below(8) {
        0 => Exited(r.pick(&[1, 3, 4, 255])),
        1 => Killed(r.pick(&[9, 10, 15])),
        2 => Dumped(6),
        3 => Exited(203),
        _ => Exited(0),
    }
}

fn random_notification(r: &mut Rng) -> Notification {
    Notification {
        main_pid: r.below(4) == 0,
        state: r.pick(&[
            None,
            Some(NotifyState::Ready),
            Some(NotifyState::Reloading),
            Some(NotifyState::Stopping),
        ]),
        status: r.coin().then(|| "x".to_owned()),
        errno: None,
        extend_timeout_usec: r.pick(&[None, Some(1_000_000)]),
        watchdog: r.pick(&[None, Some(WatchdogPing::Ping), Some(WatchdogPing::Trigger)]),
        watchdog_usec: r.pick(&[None, Some(2_000_000)]),
    }
}

/// One random step a real executor could produce.
fn random_step(r: &mut Rng, s: &mut Sim) {
    match r.below(20) {
        0..=2 => s.start(),
        3 => s.feed(ServiceEvent::Stop),
        4 => s.restart(),
        5 => s.feed(ServiceEvent::Reload),
        6 => s.feed(ServiceEvent::ResetFailed),
        7 => s.feed(ServiceEvent::Clean),
        8 if s.main => s.main_exit(random_status(r)),
        9 if s.control => s.ctl_exit(random_status(r)),
        10 => s.feed(ServiceEvent::Timeout),
        11 if s.main => s.main_exit(Exited(0)),
        12 => s.feed(ServiceEvent::WatchdogTimeout),
        13 => s.notify(random_notification(r)),
        14 => s.feed(ServiceEvent::ExecOk),
        15 if !s.main && !s.control => {
            s.others = false;
            s.feed(ServiceEvent::CgroupEmpty);
        }
        16 => s.feed(ServiceEvent::PidFileChanged),
        17 => s.feed(ServiceEvent::BusName { owned: r.coin() }),
        18 => s.feed(ServiceEvent::OomKilled),
        _ => {
            s.kill_fails = r.below(8) == 0;
            s.guess = r.coin();
            s.pid_file = r.pick(&[
                PidFileRead::Loaded,
                PidFileRead::Unchanged,
                PidFileRead::Failed,
            ]);
            s.fail_spawn.clear();
            if r.below(6) == 0 {
                let c = r.pick(&ServiceCommand::ALL);
                s.fail_spawn.push((Some(c), r.below(2)));
            }
            s.now += r.pick(&[1, 3_000_000, 11_000_000]);
        }
    }
}

/// The machine's bookkeeping agrees with the executor's and with its state.
fn check_consistent(s: &Sim) {
    let m = &s.m;
    assert!(!m.is_waiting());
    assert_eq!(m.main_alive, s.main, "main pid in {}", m.state.name());
    assert_eq!(
        m.control_alive,
        s.control,
        "control pid in {}",
        m.state.name()
    );
    assert!(
        !m.main_alive || m.state.keeps_main(),
        "main in {}",
        m.state.name()
    );
    assert!(
        !m.control_alive || m.state.keeps_control(),
        "control in {}",
        m.state.name()
    );
    assert!(
        !m.timer_armed || m.state.keeps_timer(),
        "timer in {}",
        m.state.name()
    );
    assert!(
        !m.pid_file_watched || m.state == ServiceState::Start || m.state == ServiceState::StartPost
    );
    assert_eq!(s.trace.last(), Some(&m.state));
}

#[test]
fn random_executor_runs_keep_the_protocol() {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..1500 {
        let mut s = Sim::new(random_params(&mut r));
        for _ in 0..60 {
            random_step(&mut r, &mut s);
            check_consistent(&s);
        }
    }
}

fn random_event(r: &mut Rng) -> ServiceEvent {
    use ServiceEvent as E;
    let role = r.pick(&[Role::Main, Role::Control]);
    match r.below(22) {
        0 => E::Start {
            now: r.next() % 100_000_000,
        },
        1 => E::Stop,
        2 => E::Restart {
            now: r.next() % 100_000_000,
        },
        3 => E::Reload,
        4 => E::ResetFailed,
        5 => E::Clean,
        6 | 7 => E::Spawned { role },
        8 => E::SpawnFailed {
            role,
            error: "x".into(),
        },
        9 => E::ExecOk,
        10 => E::MainExited(random_status(r)),
        11 => E::ControlExited(random_status(r)),
        12 => E::Killed(r.pick(&[
            KillOutcome::Signalled,
            KillOutcome::Nothing,
            KillOutcome::Failed,
        ])),
        13 => E::Timeout,
        14 => E::WatchdogTimeout,
        15 => E::Notify(random_notification(r)),
        16 => E::PidFile(r.pick(&[
            PidFileRead::Loaded,
            PidFileRead::Unchanged,
            PidFileRead::Failed,
        ])),
        17 => E::PidFileChanged,
        18 => E::MainPidGuessed(r.coin()),
        19 => E::CgroupEmpty,
        20 => E::BusName { owned: r.coin() },
        _ => E::OomKilled,
    }
}

#[test]
fn arbitrary_event_sequences_never_panic() {
    let mut r = Rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..2000 {
        let mut m = ServiceMachine::new(random_params(&mut r));
        for _ in 0..80 {
            let acts = m.step(random_event(&mut r));
            check_batch(&acts);
            if !acts.is_empty() {
                assert_eq!(
                    m.is_waiting(),
                    acts.last().is_some_and(ServiceAction::needs_answer)
                );
            }
        }
    }
}
