//! [`ServiceParams`]: the plain settings the service machine reads, derived from the typed
//! [`ServiceConfig`].

use crate::config::ServiceConfig;
use crate::config::value::parse_exit_status_list;
use crate::runtime::types::{ExitStatus, INFINITY, Usec};

use super::kinds::{
    ExitType, NotifyAccess, OomPolicy, RestartPolicy, ServiceCommand, ServiceType,
    TimeoutFailureMode,
};

/// `ExitStatusSet`: exit codes and signals (`SuccessExitStatus=` and friends).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExitStatusSet {
    /// Exit codes `0..=255`.
    pub codes: Vec<u8>,
    /// Signal numbers.
    pub signals: Vec<i32>,
}

impl ExitStatusSet {
    /// `exit_status_set_test`: the exit code is listed (`CLD_EXITED`), or the signal is
    /// (`CLD_KILLED`/`CLD_DUMPED`).
    pub fn contains(&self, st: ExitStatus) -> bool {
        match st {
            ExitStatus::Exited(c) => u8::try_from(c).is_ok_and(|c| self.codes.contains(&c)),
            ExitStatus::Killed(s) | ExitStatus::Dumped(s) => self.signals.contains(&s),
        }
    }

    /// Parses the raw values of one list key (each value: words, as
    /// `config_parse_set_status`); bad words are skipped.
    pub fn parse(key: &str, values: &[String]) -> ExitStatusSet {
        let mut set = ExitStatusSet::default();
        for v in values {
            if let Ok(l) = parse_exit_status_list(key, v) {
                set.codes.extend(l.codes);
                set.signals.extend(l.signals);
            }
        }
        set.codes.sort_unstable();
        set.codes.dedup();
        set.signals.sort_unstable();
        set.signals.dedup();
        set
    }
}

/// The settings the machine needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceParams {
    /// `Type=`.
    pub service_type: ServiceType,
    /// `Restart=`.
    pub restart: RestartPolicy,
    /// `RestartSec=`.
    pub restart_usec: Usec,
    /// `TimeoutStartSec=` (`INFINITY`: none).
    pub timeout_start_usec: Usec,
    /// `TimeoutStopSec=`.
    pub timeout_stop_usec: Usec,
    /// `TimeoutAbortSec=` (`None`: `TimeoutStopSec=`).
    pub timeout_abort_usec: Option<Usec>,
    /// `TimeoutCleanSec=` (`INFINITY`).
    pub timeout_clean_usec: Usec,
    /// `RuntimeMaxSec=` (`INFINITY`).
    pub runtime_max_usec: Usec,
    /// `WatchdogSec=` (0: off; the caller wires it).
    pub watchdog_usec: Usec,
    /// `RemainAfterExit=`.
    pub remain_after_exit: bool,
    /// `GuessMainPID=`.
    pub guess_main_pid: bool,
    /// `PIDFile=` is set.
    pub pid_file: bool,
    /// `NotifyAccess=` as written (`none` when unset); see [`ServiceParams::notify_access`].
    pub notify_access: NotifyAccess,
    /// `SuccessExitStatus=`.
    pub success_status: ExitStatusSet,
    /// `RestartPreventExitStatus=`.
    pub restart_prevent_status: ExitStatusSet,
    /// `RestartForceExitStatus=`.
    pub restart_force_status: ExitStatusSet,
    /// `TimeoutStartFailureMode=`.
    pub timeout_start_failure_mode: TimeoutFailureMode,
    /// `TimeoutStopFailureMode=`.
    pub timeout_stop_failure_mode: TimeoutFailureMode,
    /// `ExitType=`.
    pub exit_type: ExitType,
    /// `OOMPolicy=` (`stop`).
    pub oom_policy: OomPolicy,
    /// `SendSIGKILL=`.
    pub send_sigkill: bool,
    /// Per [`ServiceCommand::ALL`] entry, one `ignore_failure` (`-` prefix) flag per command.
    pub commands: [Vec<bool>; 7],
    /// `StartLimitIntervalSec=`, `StartLimitBurst=` (10 s, 5).
    pub start_limit: (Usec, u64),
}

impl Default for ServiceParams {
    fn default() -> Self {
        ServiceParams {
            service_type: ServiceType::Simple,
            restart: RestartPolicy::No,
            restart_usec: 100_000,
            timeout_start_usec: 90_000_000,
            timeout_stop_usec: 90_000_000,
            timeout_abort_usec: None,
            timeout_clean_usec: INFINITY,
            runtime_max_usec: INFINITY,
            watchdog_usec: 0,
            remain_after_exit: false,
            guess_main_pid: true,
            pid_file: false,
            notify_access: NotifyAccess::None,
            success_status: ExitStatusSet::default(),
            restart_prevent_status: ExitStatusSet::default(),
            restart_force_status: ExitStatusSet::default(),
            timeout_start_failure_mode: TimeoutFailureMode::Terminate,
            timeout_stop_failure_mode: TimeoutFailureMode::Terminate,
            exit_type: ExitType::Main,
            oom_policy: OomPolicy::Stop,
            send_sigkill: true,
            commands: Default::default(),
            start_limit: (10_000_000, 5),
        }
    }
}

/// `parse_sec_fix_0`: a timeout of 0 means none.
fn fix_0(u: Usec) -> Usec {
    if u == 0 { INFINITY } else { u }
}

impl ServiceParams {
    /// The settings of `cfg`. Unknown enum words fall back to systemd's defaults.
    ///
    /// The typed config cannot say whether `Type=` or `TimeoutStartSec=` were written, so
    /// `service_add_extras` is approximated: `Type=simple` (the default) without `ExecStart=`
    /// becomes `oneshot`, and a `oneshot` whose start timeout is the 90 s default gets none.
    /// Callers that know better (`BusName=` without `Type=` is `dbus`) overwrite the fields.
    /// `WatchdogSec=`, `TimeoutAbortSec=`, `TimeoutCleanSec=`, `OOMPolicy=` and the `[Unit]`
    /// start limit keep their defaults here.
    pub fn from_config(cfg: &ServiceConfig) -> ServiceParams {
        let d = ServiceParams::default();
        let commands = ServiceCommand::ALL.map(|c| {
            cfg.commands(c.key())
                .iter()
                .map(|e| e.flags.ignore_failure)
                .collect::<Vec<_>>()
        });
        let mut service_type = ServiceType::from_name(&cfg.service_type).unwrap_or(d.service_type);
        if service_type == ServiceType::Simple && commands[ServiceCommand::Start.index()].is_empty()
        {
            service_type = ServiceType::Oneshot;
        }
        let mut timeout_start_usec = fix_0(cfg.timeout_start_usec);
        if service_type == ServiceType::Oneshot
            && cfg.timeout_start_usec == crate::config::typed::DEFAULT_TIMEOUT_USEC
        {
            timeout_start_usec = INFINITY;
        }
        let mode =
            |s: &str| TimeoutFailureMode::from_name(s).unwrap_or(TimeoutFailureMode::Terminate);
        ServiceParams {
            service_type,
            restart: RestartPolicy::from_name(&cfg.restart).unwrap_or(d.restart),
            restart_usec: cfg.restart_usec,
            timeout_start_usec,
            timeout_stop_usec: fix_0(cfg.timeout_stop_usec),
            runtime_max_usec: cfg.runtime_max_usec,
            remain_after_exit: cfg.remain_after_exit,
            guess_main_pid: cfg.guess_main_pid,
            pid_file: cfg.pid_file.is_some(),
            notify_access: cfg
                .notify_access
                .as_deref()
                .and_then(NotifyAccess::from_name)
                .unwrap_or(NotifyAccess::None),
            success_status: ExitStatusSet::parse("SuccessExitStatus", &cfg.success_exit_status),
            restart_prevent_status: ExitStatusSet::parse(
                "RestartPreventExitStatus",
                &cfg.restart_prevent_exit_status,
            ),
            restart_force_status: ExitStatusSet::parse(
                "RestartForceExitStatus",
                &cfg.restart_force_exit_status,
            ),
            timeout_start_failure_mode: mode(&cfg.timeout_start_failure_mode),
            timeout_stop_failure_mode: mode(&cfg.timeout_stop_failure_mode),
            exit_type: ExitType::from_name(&cfg.exit_type).unwrap_or(ExitType::Main),
            send_sigkill: cfg.kill.send_sigkill,
            commands,
            ..d
        }
    }

    /// The effective `NotifyAccess=` (`service_add_extras`: `none` becomes `main` for
    /// `Type=notify` or with a watchdog).
    pub fn notify_access(&self) -> NotifyAccess {
        if self.notify_access == NotifyAccess::None
            && (self.service_type == ServiceType::Notify || self.watchdog_usec > 0)
        {
            NotifyAccess::Main
        } else {
            self.notify_access
        }
    }

    /// How many commands `cmd` has.
    pub fn count(&self, cmd: ServiceCommand) -> usize {
        self.commands[cmd.index()].len()
    }

    /// Whether command `index` of `cmd` has the `-` prefix.
    pub fn ignores_failure(&self, cmd: ServiceCommand, index: usize) -> bool {
        self.commands[cmd.index()]
            .get(index)
            .copied()
            .unwrap_or(false)
    }

    /// `service_timeout_abort_usec`.
    pub fn abort_usec(&self) -> Usec {
        self.timeout_abort_usec.unwrap_or(self.timeout_stop_usec)
    }
}
