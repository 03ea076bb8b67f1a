//! Random executors: no event sequence panics, fallible actions end their batch, ports are never
//! opened twice or closed unopened, watches alternate the same way, and between batches the
//! held resources agree with the state.

use std::collections::HashSet;

use proptest::prelude::*;

use super::*;

/// What a well-behaved executor knows from the actions it performed.
#[derive(Debug, Default)]
struct Executor {
    /// Ports open.
    open: bool,
    /// Ports in epoll.
    watched: bool,
    /// Timer armed.
    timer: bool,
    /// The fallible action an answer is owed to.
    owed: Option<A>,
    /// A control process runs.
    child: bool,
    /// Live connections, by source.
    conns: Vec<Option<String>>,
    /// The source of the connection being started.
    offering: Option<String>,
    /// Monotonic time.
    now: Usec,
}

/// Whether an action needs an answer.
fn fallible(a: &A) -> bool {
    matches!(
        a,
        A::Spawn { .. }
            | A::SpawnChown
            | A::Open
            | A::Watch
            | A::Kill(_)
            | A::Accept { .. }
            | A::TriggerService
            | A::StartInstance { .. }
    )
}

impl Executor {
    /// Performs a batch, checking the protocol.
    fn perform(&mut self, actions: &[A]) {
        for (i, a) in actions.iter().enumerate() {
            if fallible(a) {
                assert_eq!(
                    i + 1,
                    actions.len(),
                    "fallible action not last: {actions:?}"
                );
                self.owed = Some(a.clone());
            }
            match a {
                A::Open => assert!(!self.open, "Open while open: {actions:?}"),
                A::Close => {
                    assert!(self.open, "Close while closed: {actions:?}");
                    self.open = false;
                }
                A::Watch => assert!(self.open && !self.watched, "Watch: {actions:?}"),
                A::Unwatch => {
                    assert!(self.watched, "Unwatch while unwatched: {actions:?}");
                    self.watched = false;
                }
                A::ArmTimer(_) => self.timer = true,
                A::DisarmTimer => {
                    assert!(self.timer, "DisarmTimer while disarmed: {actions:?}");
                    self.timer = false;
                }
                A::Spawn { .. } | A::SpawnChown => self.child = true,
                _ => {}
            }
        }
    }

    /// The answer to the owed action (not a spawn), picked by `pick`.
    fn answer(&mut self, owed: A, pick: u8) -> E {
        let ok = !pick.is_multiple_of(4);
        let error = || (!ok).then(|| "Input/output error".to_string());
        match owed {
            A::Open => {
                self.open = ok;
                E::Opened { error: error() }
            }
            A::Watch => {
                self.watched = ok;
                E::Watched { error: error() }
            }
            A::Kill(_) => E::Killed(match pick % 3 {
                0 => KillOutcome::Signalled,
                1 => KillOutcome::Nothing,
                _ => KillOutcome::Failed,
            }),
            A::Accept { .. } => self.accept(pick),
            A::TriggerService => E::Triggered { error: error() },
            A::StartInstance { .. } => {
                if ok {
                    self.conns.push(self.offering.take());
                }
                let error = (!ok).then(|| InstanceError::Queue("x".into()));
                E::InstanceStarted { error }
            }
            _ => unreachable!("{owed:?} is not answered"),
        }
    }

    /// The answer to `Accept`.
    fn accept(&mut self, pick: u8) -> E {
        match pick % 5 {
            0 => E::AcceptFailed {
                spurious: pick.is_multiple_of(2),
                error: "Connection reset by peer".into(),
            },
            n => {
                self.offering = Some(format!("10.0.0.{}", n % 3)).filter(|_| n != 4);
                E::Accepted {
                    conn: u64::from(pick),
                    source: self.offering.clone(),
                }
            }
        }
    }

    /// An unsolicited event, picked by `pick`.
    fn spontaneous(&mut self, pick: u8) -> E {
        self.now += u64::from(pick) * 10_000;
        let now = self.now;
        match pick % 11 {
            0 => E::Start { now },
            1 => E::Stop,
            2 => E::ResetFailed,
            3 | 4 => {
                self.child = false;
                E::ControlExited(match pick % 4 {
                    0 => ExitStatus::Exited(0),
                    1 => ExitStatus::Exited(1),
                    2 => ExitStatus::Killed(9),
                    _ => ExitStatus::Dumped(11),
                })
            }
            5 => {
                // The timer fires (or, when unarmed, a stale expiry arrives).
                self.timer = false;
                E::Timeout
            }
            6 | 7 => E::Ready {
                port: usize::from(pick % 2),
                revents: if pick.is_multiple_of(13) { 0x10 } else { 1 },
                now,
            },
            8 => E::ServiceChanged {
                view: [
                    ServiceView::Busy,
                    ServiceView::Stopped,
                    ServiceView::Running,
                ][usize::from(pick % 3)],
                start_limit_hit: pick.is_multiple_of(17),
            },
            9 if !self.conns.is_empty() => {
                let source = self.conns.remove(usize::from(pick) % self.conns.len());
                E::ConnectionClosed { source }
            }
            _ => {
                self.timer = false;
                E::Timeout
            }
        }
    }

    /// Between batches, with nothing owed: the state agrees with what is held.
    fn check(&self, m: &SocketMachine) {
        assert!(!m.awaiting_answer());
        assert_eq!(
            self.watched,
            m.state == S::Listening,
            "watched in {:?}",
            m.state
        );
        assert!(!self.open || m.state.keeps_fds(), "open in {:?}", m.state);
        assert!(
            !self.timer || m.state.is_process(),
            "timer in {:?}",
            m.state
        );
        assert!(m.n_connections <= m.n_accepted);
    }
}

/// An answer nobody asked for, picked by `pick` (no `SpawnFailed` right after a spawn: that one
/// would be a real answer).
fn stray(pick: u8, spawned: bool) -> E {
    match pick % 7 {
        0 => opened(),
        1 => watched(),
        2 => nothing(),
        3 => accepted(1, None),
        4 => E::Triggered { error: None },
        5 => instance_ok(),
        _ if spawned => E::Killed(KillOutcome::Failed),
        _ => spawn_failed("x"),
    }
}

/// Drives a machine with `p` by `picks`; with `rogue`, every fifth event breaks the protocol
/// (an unsolicited event while an answer is owed, or an answer nobody asked for), which the
/// machine must ignore.
fn drive(p: SocketParams, picks: &[u8], rogue: bool) -> HashSet<S> {
    let mut m = SocketMachine::new(p);
    let mut x = Executor::default();
    let mut seen = HashSet::new();
    for (i, &pick) in picks.iter().enumerate() {
        let last = x.owed.take();
        let spawned = matches!(last, Some(A::Spawn { .. } | A::SpawnChown));
        let owed = last.filter(|_| !spawned);
        let breaking = rogue && i % 5 == 0;
        let (timer, conns) = (x.timer, x.conns.clone());
        let event = match owed.clone() {
            Some(_) if breaking => x.spontaneous(pick),
            Some(owed) => x.answer(owed, pick),
            None if breaking => stray(pick, spawned),
            None if spawned && pick.is_multiple_of(4) => {
                x.child = false;
                spawn_failed("Cannot allocate memory")
            }
            None => x.spontaneous(pick),
        };
        let actions = m.step(event.clone());
        if breaking {
            assert_eq!(actions, vec![], "{event:?} not ignored");
            assert_eq!(m.awaiting_answer(), owed.is_some());
            (x.owed, x.timer, x.conns) = (owed, timer, conns);
        }
        x.perform(&actions);
        if x.owed.is_none() {
            x.check(&m);
        }
        seen.insert(m.state);
    }
    seen
}

/// Parameters picked by `bits`: commands, chown, accept, limits.
fn params_from(bits: u16) -> SocketParams {
    let flags = |b: u16| match b % 4 {
        0 => vec![],
        1 => vec![false],
        2 => vec![true, false],
        _ => vec![false, true, false],
    };
    let mut p = params();
    for (i, cmd) in C::ALL.into_iter().enumerate() {
        p.commands[cmd.index()] = flags(bits >> (2 * i));
    }
    p.chown = bits & 0x100 != 0;
    p.accept = bits & 0x200 != 0;
    p.flush_pending = bits & 0x400 != 0;
    p.send_sigkill = bits & 0x800 != 0;
    p.max_connections = u64::from(bits >> 12 & 3) + 1;
    p.max_connections_per_source = u64::from(bits >> 14 & 1);
    p.trigger_limit = (2 * SEC, 5);
    p.can_accept = vec![true, bits & 0x8000 != 0];
    p
}

proptest! {
    #[test]
    fn a_protocol_keeping_executor_sees_a_consistent_machine(
        bits in any::<u16>(),
        picks in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        drive(params_from(bits), &picks, false);
    }

    #[test]
    fn no_event_sequence_panics(
        bits in any::<u16>(),
        picks in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        drive(params_from(bits), &picks, true);
    }
}

/// The random executor is not stuck in a corner: a fixed set of runs visits every state.
#[test]
fn random_runs_visit_every_state() {
    let mut seed: u32 = 0x2545_f491;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    let mut seen = HashSet::new();
    for _ in 0..200 {
        let bits = (next() & 0xffff) as u16;
        let picks: Vec<u8> = (0..300).map(|_| (next() & 0xff) as u8).collect();
        seen.extend(drive(params_from(bits), &picks, false));
    }
    let all = [
        S::Dead,
        S::StartPre,
        S::StartChown,
        S::StartPost,
        S::Listening,
        S::Running,
        S::StopPre,
        S::StopPreSigterm,
        S::StopPreSigkill,
        S::StopPost,
        S::FinalSigterm,
        S::FinalSigkill,
        S::Failed,
    ];
    let missing: Vec<_> = all.iter().filter(|s| !seen.contains(s)).collect();
    assert!(missing.is_empty(), "never visited: {missing:?}");
}
