//! Small value types shared by the runtime's pure state machines and its executor: time,
//! process exit statuses, rate limits and the generic active state.
//!
//! Nothing here does I/O.

use crate::config::value::{exit_status_name, signal_to_string};

/// Microseconds on `CLOCK_MONOTONIC` (systemd's `usec_t`); `u64::MAX` is infinity.
pub type Usec = u64;

/// `USEC_INFINITY`.
pub const INFINITY: Usec = u64::MAX;

/// How a process ended, as `waitid()` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ExitStatus {
    /// `CLD_EXITED` with the exit code.
    Exited(i32),
    /// `CLD_KILLED` with the signal.
    Killed(i32),
    /// `CLD_DUMPED` with the signal.
    Dumped(i32),
}

impl ExitStatus {
    /// `is_clean_exit(…, EXIT_CLEAN_COMMAND)`: exit code 0 only.
    pub fn is_success(self) -> bool {
        matches!(self, ExitStatus::Exited(0))
    }

    /// systemd's `code=` word (`exited`, `killed`, `dumped`).
    pub fn code_name(self) -> &'static str {
        match self {
            ExitStatus::Exited(_) => "exited",
            ExitStatus::Killed(_) => "killed",
            ExitStatus::Dumped(_) => "dumped",
        }
    }
}

/// The `status=` text of systemd's `unit_log_process_exit`: the number, `/`, then the
/// `exit_status_to_string(…, EXIT_STATUS_FULL)` name for exits (`1/FAILURE`, `203/EXEC`,
/// `42/n/a` for unnamed codes) or the `signal_to_string` name for signals (`15/TERM`, `9/KILL`).
/// The name tables are the config layer's ([`exit_status_name`], [`signal_to_string`]).
pub fn exit_status_text(status: ExitStatus) -> String {
    match status {
        ExitStatus::Exited(code) => {
            let name = u8::try_from(code).ok().and_then(exit_status_name);
            format!("{code}/{}", name.unwrap_or("n/a"))
        }
        ExitStatus::Killed(signo) | ExitStatus::Dumped(signo) => {
            format!("{signo}/{}", signal_to_string(signo))
        }
    }
}

/// What a kill operation found (`unit_kill_context`'s return).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KillOutcome {
    /// At least one process was signalled: wait for it (arm the timer).
    Signalled,
    /// Nothing was left to signal: cascade to the next state at once.
    Nothing,
    /// The kill failed (`resources`).
    Failed,
}

/// Which kill operation a state asks for (`KillOperation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KillOp {
    /// `KillSignal=` (`RestartKillSignal=` for restarts), plus SIGHUP with `SendSIGHUP=`.
    Terminate,
    /// `KillSignal=` for a restart (`RestartKillSignal=` when set).
    Restart,
    /// `FinalKillSignal=` (SIGKILL).
    Kill,
    /// `WatchdogSignal=` (SIGABRT).
    Watchdog,
}

/// systemd's `UnitActiveState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Activity {
    /// `active`.
    Active,
    /// `reloading`.
    Reloading,
    /// `inactive`.
    Inactive,
    /// `failed`.
    Failed,
    /// `activating`.
    Activating,
    /// `deactivating`.
    Deactivating,
    /// `maintenance`.
    Maintenance,
}

impl Activity {
    /// The name systemd prints (`ActiveState=`).
    pub fn name(self) -> &'static str {
        match self {
            Activity::Active => "active",
            Activity::Reloading => "reloading",
            Activity::Inactive => "inactive",
            Activity::Failed => "failed",
            Activity::Activating => "activating",
            Activity::Deactivating => "deactivating",
            Activity::Maintenance => "maintenance",
        }
    }

    /// `UNIT_IS_INACTIVE_OR_FAILED`.
    pub fn is_inactive_or_failed(self) -> bool {
        matches!(self, Activity::Inactive | Activity::Failed)
    }
}

/// systemd's `RateLimit` with `ratelimit_below()`: at most `burst` events per `interval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    interval: Usec,
    burst: u64,
    begin: Usec,
    num: u64,
}

impl RateLimit {
    /// A limit of `burst` per `interval`; either being 0 disables it.
    pub fn new(interval: Usec, burst: u64) -> RateLimit {
        RateLimit {
            interval,
            burst,
            begin: 0,
            num: 0,
        }
    }

    /// Counts one event at `now`; false once the burst is exceeded within the interval.
    pub fn below(&mut self, now: Usec) -> bool {
        if self.interval == 0 || self.burst == 0 {
            return true;
        }
        if self.begin == 0 || now.saturating_sub(self.begin) > self.interval {
            self.begin = now.max(1);
            self.num = 0;
        }
        self.num += 1;
        self.num <= self.burst
    }

    /// `ratelimit_reset()`.
    pub fn reset(&mut self) {
        self.begin = 0;
        self.num = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_counts_a_burst_per_interval() {
        let mut r = RateLimit::new(2_000_000, 3);
        assert!(r.below(10));
        assert!(r.below(20));
        assert!(r.below(30));
        assert!(!r.below(40));
        assert!(!r.below(1_999_999));
        assert!(!r.below(2_000_010));
        assert!(r.below(2_000_011));
    }

    #[test]
    fn exit_status_text_uses_systemds_names() {
        let cases = [
            (ExitStatus::Exited(0), "0/SUCCESS"),
            (ExitStatus::Exited(1), "1/FAILURE"),
            (ExitStatus::Exited(2), "2/INVALIDARGUMENT"),
            (ExitStatus::Exited(64), "64/USAGE"),
            (ExitStatus::Exited(203), "203/EXEC"),
            (ExitStatus::Exited(217), "217/USER"),
            (ExitStatus::Exited(223), "223/n/a"),
            (ExitStatus::Exited(42), "42/n/a"),
            (ExitStatus::Exited(255), "255/EXCEPTION"),
            (ExitStatus::Exited(300), "300/n/a"),
            (ExitStatus::Killed(15), "15/TERM"),
            (ExitStatus::Killed(9), "9/KILL"),
            (ExitStatus::Killed(36), "36/RTMIN+2"),
            (ExitStatus::Dumped(11), "11/SEGV"),
            (ExitStatus::Dumped(6), "6/ABRT"),
        ];
        for (status, text) in cases {
            assert_eq!(exit_status_text(status), text, "{status:?}");
        }
    }

    #[test]
    fn rate_limit_zero_is_unlimited() {
        let mut r = RateLimit::new(0, 1);
        assert!((0..100).all(|i| r.below(i)));
    }
}
