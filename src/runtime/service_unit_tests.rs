//! Table-driven tests of the service machine, with a simulated executor ([`Sim`]) that answers
//! every action the way the protocol says. No syscalls.

use std::collections::{BTreeSet, VecDeque};

use super::*;
use crate::runtime::types::{KillOp, KillOutcome};

#[path = "service_unit_tests/cases.rs"]
mod cases;
#[path = "service_unit_tests/later.rs"]
mod later;
#[path = "service_unit_tests/params.rs"]
mod params_tests;
#[path = "service_unit_tests/random.rs"]
mod random;
#[path = "service_unit_tests/restart.rs"]
mod restart;

use ExitStatus::{Dumped, Exited, Killed};

/// A simulated executor: which processes live, how answers come out.
pub(super) struct Sim {
    pub m: ServiceMachine,
    /// The held main process lives.
    pub main: bool,
    /// The held control process lives.
    pub control: bool,
    /// Other processes of the unit live (forgotten ones, forked daemons).
    pub others: bool,
    /// Spawns that fail: `(cmd, index)`; `None` is the cleaning helper.
    pub fail_spawn: Vec<(Option<ServiceCommand>, usize)>,
    /// Kills fail.
    pub kill_fails: bool,
    /// What `ReadPidFile` reads.
    pub pid_file: PidFileRead,
    /// What `GuessMainPid` finds.
    pub guess: bool,
    /// Initial state, then every `StateChanged` target.
    pub trace: Vec<ServiceState>,
    /// Every action, in order.
    pub actions: Vec<ServiceAction>,
    /// The monotonic clock.
    pub now: Usec,
}

impl Sim {
    pub fn new(p: ServiceParams) -> Sim {
        Sim {
            m: ServiceMachine::new(p),
            main: false,
            control: false,
            others: false,
            fail_spawn: Vec::new(),
            kill_fails: false,
            pid_file: PidFileRead::Loaded,
            guess: true,
            trace: vec![ServiceState::Dead],
            actions: Vec::new(),
            now: 1_000_000,
        }
    }

    /// Feeds `ev` and every answer it leads to.
    pub fn feed(&mut self, ev: ServiceEvent) {
        let mut queue = VecDeque::from([ev]);
        while let Some(e) = queue.pop_front() {
            let acts = self.m.step(e);
            check_batch(&acts);
            for a in acts {
                if let Some(answer) = self.perform(&a) {
                    queue.push_front(answer);
                }
                self.actions.push(a);
            }
            assert_eq!(self.m.is_waiting(), !queue.is_empty(), "answer bookkeeping");
        }
    }

    /// What the executor does for one action; the answer, if it needs one.
    fn perform(&mut self, a: &ServiceAction) -> Option<ServiceEvent> {
        use ServiceAction as A;
        match a {
            A::Spawn { cmd, index, role } => Some(self.spawn(Some(*cmd), *index, *role)),
            A::SpawnClean => Some(self.spawn(None, 0, Role::Control)),
            A::Kill(_) => Some(ServiceEvent::Killed(if self.kill_fails {
                KillOutcome::Failed
            } else if self.main || self.control || self.others {
                KillOutcome::Signalled
            } else {
                KillOutcome::Nothing
            })),
            A::ReadPidFile => {
                if self.pid_file == PidFileRead::Loaded {
                    self.others |= self.main;
                    self.main = true;
                }
                Some(ServiceEvent::PidFile(self.pid_file))
            }
            A::GuessMainPid => {
                if self.guess {
                    self.main = true;
                }
                Some(ServiceEvent::MainPidGuessed(self.guess))
            }
            A::AdoptMainPid => {
                self.others |= self.main;
                self.main = true;
                None
            }
            A::ForgetMainPid => {
                self.others |= std::mem::take(&mut self.main);
                None
            }
            A::ForgetControlPid => {
                self.others |= std::mem::take(&mut self.control);
                None
            }
            A::StateChanged { from, to } => {
                assert_eq!(Some(from), self.trace.last(), "StateChanged from");
                assert_ne!(from, to);
                self.trace.push(*to);
                None
            }
            _ => None,
        }
    }

    fn spawn(&mut self, cmd: Option<ServiceCommand>, index: usize, role: Role) -> ServiceEvent {
        if self.fail_spawn.contains(&(cmd, index)) {
            return ServiceEvent::SpawnFailed {
                role,
                error: "Permission denied".into(),
            };
        }
        match role {
            Role::Main => self.main = true,
            Role::Control => self.control = true,
        }
        ServiceEvent::Spawned { role }
    }

    pub fn start(&mut self) {
        self.now += 1;
        self.feed(ServiceEvent::Start { now: self.now });
    }

    pub fn restart(&mut self) {
        self.now += 1;
        self.feed(ServiceEvent::Restart { now: self.now });
    }

    /// The main process exits (reported only if the machine holds it).
    pub fn main_exit(&mut self, st: ExitStatus) {
        assert!(self.main, "no main process to exit");
        self.main = false;
        self.feed(ServiceEvent::MainExited(st));
    }

    /// The control process exits.
    pub fn ctl_exit(&mut self, st: ExitStatus) {
        assert!(self.control, "no control process to exit");
        self.control = false;
        self.feed(ServiceEvent::ControlExited(st));
    }

    /// Everything left dies of `sig` (answering the last kill), then the group is empty.
    pub fn all_die(&mut self, sig: i32) {
        let (main, control) = (self.main, self.control);
        if main {
            self.main_exit(Killed(sig));
        }
        if control && self.control {
            self.ctl_exit(Killed(sig));
        }
        self.others = false;
        self.feed(ServiceEvent::CgroupEmpty);
    }

    pub fn notify(&mut self, n: Notification) {
        self.feed(ServiceEvent::Notify(n));
    }

    pub fn trace(&self) -> String {
        let names: Vec<_> = self.trace.iter().map(|s| s.name()).collect();
        names.join(" -> ")
    }

    pub fn logs(&self) -> Vec<&str> {
        self.actions
            .iter()
            .filter_map(|a| match a {
                ServiceAction::Log(s) => Some(s.as_str()),
                _ => None,
            })
            .collect()
    }

    pub fn logged(&self, text: &str) -> bool {
        self.logs().contains(&text)
    }

    pub fn count(&self, pred: impl Fn(&ServiceAction) -> bool) -> usize {
        self.actions.iter().filter(|a| pred(a)).count()
    }

    pub fn kills(&self) -> Vec<KillOp> {
        self.actions
            .iter()
            .filter_map(|a| match a {
                ServiceAction::Kill(op) => Some(*op),
                _ => None,
            })
            .collect()
    }

    pub fn spawns(&self) -> Vec<(ServiceCommand, usize, Role)> {
        self.actions
            .iter()
            .filter_map(|a| match a {
                ServiceAction::Spawn { cmd, index, role } => Some((*cmd, *index, *role)),
                _ => None,
            })
            .collect()
    }
}

/// One step of a scripted scenario.
#[derive(Debug, Clone)]
pub(super) enum Op {
    /// A start job (the clock advances 1 µs).
    Start,
    /// A stop job.
    Stop,
    /// A restart job.
    Restart,
    /// A reload job.
    Reload,
    /// The main process exits.
    Main(ExitStatus),
    /// The control process exits.
    Ctl(ExitStatus),
    /// Everything dies of this signal; then `CgroupEmpty`.
    AllDie(i32),
    /// The timer fires.
    Timeout,
    /// A notification with just a state.
    Says(NotifyState),
    /// Any event.
    Ev(ServiceEvent),
    /// Advance the clock.
    Wait(Usec),
    /// Change the simulated world.
    World(fn(&mut Sim)),
}

/// A scenario: settings, a script, the expected states and result.
pub(super) struct Case {
    pub name: &'static str,
    pub params: ServiceParams,
    pub ops: Vec<Op>,
    pub trace: &'static str,
    pub result: ServiceResult,
    pub check: Option<fn(&Sim)>,
}

/// A case without an extra check.
pub(super) fn case(
    name: &'static str,
    params: ServiceParams,
    ops: Vec<Op>,
    trace: &'static str,
    result: ServiceResult,
) -> Case {
    Case {
        name,
        params,
        ops,
        trace,
        result,
        check: None,
    }
}

impl Case {
    /// Adds a check of the final simulation.
    pub fn check(mut self, f: fn(&Sim)) -> Case {
        self.check = Some(f);
        self
    }

    /// Runs the script and checks the outcome; returns the simulation.
    pub fn run(self) -> Sim {
        let mut sim = Sim::new(self.params);
        for op in self.ops {
            sim.apply(op);
        }
        assert_eq!(sim.trace(), self.trace, "{}: states", self.name);
        assert_eq!(sim.m.result, self.result, "{}: result", self.name);
        if let Some(f) = self.check {
            f(&sim);
        }
        sim
    }
}

impl Sim {
    /// Performs one scripted step.
    pub fn apply(&mut self, op: Op) {
        match op {
            Op::Start => self.start(),
            Op::Stop => self.feed(ServiceEvent::Stop),
            Op::Restart => self.restart(),
            Op::Reload => self.feed(ServiceEvent::Reload),
            Op::Main(st) => self.main_exit(st),
            Op::Ctl(st) => self.ctl_exit(st),
            Op::AllDie(sig) => self.all_die(sig),
            Op::Timeout => self.feed(ServiceEvent::Timeout),
            Op::Says(s) => self.notify(says(s)),
            Op::Ev(e) => self.feed(e),
            Op::Wait(u) => self.now += u,
            Op::World(f) => f(self),
        }
    }
}

/// Runs every case of a table.
pub(super) fn run_all(cases: Vec<Case>) -> Vec<Sim> {
    cases.into_iter().map(Case::run).collect()
}

/// The protocol: at most one action needs an answer, and it is last.
pub(super) fn check_batch(acts: &[ServiceAction]) {
    let n = acts.iter().filter(|a| a.needs_answer()).count();
    assert!(n <= 1, "two answers needed in one batch: {acts:?}");
    if n == 1 {
        assert!(acts.last().is_some_and(|a| a.needs_answer()), "{acts:?}");
    }
}

/// Settings with `n` commands of each listed kind (`-` prefixed when `ignore`).
pub(super) fn params(ty: ServiceType, cmds: &[(ServiceCommand, usize, bool)]) -> ServiceParams {
    let mut p = ServiceParams {
        service_type: ty,
        ..ServiceParams::default()
    };
    p.commands[ServiceCommand::Start.index()] = vec![false];
    for &(c, n, ignore) in cmds {
        p.commands[c.index()] = vec![ignore; n];
    }
    p
}

/// Settings for `ty` with one `ExecStart=` and nothing else.
pub(super) fn plain(ty: ServiceType) -> ServiceParams {
    params(ty, &[])
}

/// A notification with only a state.
pub(super) fn says(s: NotifyState) -> Notification {
    Notification {
        state: Some(s),
        ..Notification::default()
    }
}

#[test]
fn names_and_activities() {
    let names: Vec<_> = ServiceState::ALL.iter().map(|s| s.name()).collect();
    assert_eq!(
        names.join(" "),
        "dead condition start-pre start start-post running exited reload stop stop-watchdog \
         stop-sigterm stop-sigkill stop-post final-watchdog final-sigterm final-sigkill failed \
         auto-restart cleaning"
    );
    let acts: Vec<_> = ServiceState::ALL
        .iter()
        .map(|s| s.activity().name())
        .collect();
    assert_eq!(
        acts.join(" "),
        "inactive activating activating activating activating active active reloading \
         deactivating deactivating deactivating deactivating deactivating deactivating \
         deactivating deactivating failed activating maintenance"
    );
    let idle: Vec<_> = ServiceState::ALL[..6]
        .iter()
        .map(|s| s.activity_idle().name())
        .collect();
    assert_eq!(
        idle.join(" "),
        "inactive active active active active active"
    );
    let results: Vec<_> = ServiceResult::ALL.iter().map(|r| r.name()).collect();
    assert_eq!(
        results.join(" "),
        "success resources protocol timeout exit-code signal core-dump watchdog \
         start-limit-hit oom-kill exec-condition"
    );
    let keys: Vec<_> = ServiceCommand::ALL.iter().map(|c| c.key()).collect();
    assert_eq!(
        keys.join(" "),
        "ExecCondition ExecStartPre ExecStart ExecStartPost ExecReload ExecStop ExecStopPost"
    );
    assert_eq!(ServiceType::from_name("notify"), Some(ServiceType::Notify));
    assert_eq!(
        RestartPolicy::from_name("on-abort"),
        Some(RestartPolicy::OnAbort)
    );
    assert_eq!(RestartPolicy::Always.name(), "always");
}

#[test]
fn every_state_and_result_is_reached() {
    let mut states = BTreeSet::new();
    let mut results = BTreeSet::new();
    for sim in cases::all()
        .into_iter()
        .chain(restart::all())
        .chain(later::all())
    {
        states.extend(sim.trace.iter().map(|s| s.name()));
        results.insert(sim.m.result.name());
        results.insert(sim.m.reload_result.name());
        results.insert(sim.m.clean_result.name());
    }
    let all_states: BTreeSet<_> = ServiceState::ALL.iter().map(|s| s.name()).collect();
    let all_results: BTreeSet<_> = ServiceResult::ALL.iter().map(|r| r.name()).collect();
    assert_eq!(
        all_states.difference(&states).collect::<Vec<_>>(),
        Vec::<&&str>::new()
    );
    assert_eq!(
        all_results.difference(&results).collect::<Vec<_>>(),
        Vec::<&&str>::new()
    );
}
