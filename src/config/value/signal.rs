//! Signal names and numbers (`signal_from_string` / `signal_to_string`, glibc x86-64 numbering).

use super::Errno;
use super::cnum;
use crate::config::ValueError;

/// glibc's `SIGRTMIN` (the kernel's 32 and 33 are reserved for the thread library).
const SIGRTMIN: i32 = 34;
/// `SIGRTMAX`.
const SIGRTMAX: i32 = 64;
/// `_NSIG`: valid signals are `1.._NSIG`.
const NSIG: i32 = 65;

/// systemd's static signal table: number → name without `SIG`.
const SIGNALS: [(i32, &str); 31] = [
    (1, "HUP"),
    (2, "INT"),
    (3, "QUIT"),
    (4, "ILL"),
    (5, "TRAP"),
    (6, "ABRT"),
    (7, "BUS"),
    (8, "FPE"),
    (9, "KILL"),
    (10, "USR1"),
    (11, "SEGV"),
    (12, "USR2"),
    (13, "PIPE"),
    (14, "ALRM"),
    (15, "TERM"),
    (16, "STKFLT"),
    (17, "CHLD"),
    (18, "CONT"),
    (19, "STOP"),
    (20, "TSTP"),
    (21, "TTIN"),
    (22, "TTOU"),
    (23, "URG"),
    (24, "XCPU"),
    (25, "XFSZ"),
    (26, "VTALRM"),
    (27, "PROF"),
    (28, "WINCH"),
    (29, "IO"),
    (30, "PWR"),
    (31, "SYS"),
];

/// systemd's `signal_from_string`: a number `1..=64` (base 0, like `safe_atoi`), else an
/// optional `SIG` prefix then a name (case-sensitive) or `RTMIN`, `RTMIN+n`, `RTMAX`, `RTMAX-n`
/// with `0 <= n <= 30`. Raw errno on failure (`ERANGE` for out-of-range numbers).
pub fn signal_from_string(s: &str) -> Result<i32, Errno> {
    if let Ok(n) = cnum::safe_atoi(s) {
        return if n > 0 && n < NSIG {
            Ok(n)
        } else {
            Err(Errno::Range)
        };
    }
    let s = s.strip_prefix("SIG").unwrap_or(s);
    if let Some(&(n, _)) = SIGNALS.iter().find(|(_, name)| *name == s) {
        return Ok(n);
    }
    if let Some(p) = s.strip_prefix("RTMIN") {
        if p.is_empty() {
            return Ok(SIGRTMIN);
        }
        if !p.starts_with('+') {
            return Err(Errno::Inval);
        }
        let n = cnum::safe_atoi(p)?;
        return if (0..=SIGRTMAX - SIGRTMIN).contains(&n) {
            Ok(n + SIGRTMIN)
        } else {
            Err(Errno::Range)
        };
    }
    if let Some(p) = s.strip_prefix("RTMAX") {
        if p.is_empty() {
            return Ok(SIGRTMAX);
        }
        if !p.starts_with('-') {
            return Err(Errno::Inval);
        }
        let n = cnum::safe_atoi(p)?;
        return if (SIGRTMIN - SIGRTMAX..=0).contains(&n) {
            Ok(n + SIGRTMAX)
        } else {
            Err(Errno::Range)
        };
    }
    Err(Errno::Inval)
}

/// `config_parse_signal` (`KillSignal=`, `RestartKillSignal=`, `FinalKillSignal=`,
/// `WatchdogSignal=`). Msg `Failed to parse signal name, ignoring: X` (also for empty values).
pub fn parse_signal(value: &str) -> Result<i32, ValueError> {
    signal_from_string(value).map_err(|_| super::ignoring("Failed to parse signal name", value))
}

/// systemd's `signal_to_string`: `TERM`, `RTMIN+2`, or the bare number (`32`).
pub fn signal_to_string(signo: i32) -> String {
    if let Some(&(_, name)) = SIGNALS.iter().find(|(n, _)| *n == signo) {
        name.to_string()
    } else if (SIGRTMIN..=SIGRTMAX).contains(&signo) {
        format!("RTMIN+{}", signo - SIGRTMIN)
    } else {
        signo.to_string()
    }
}

/// The dump spelling, `SIG` + [`signal_to_string`]: `SIGTERM`, `SIGRTMIN+2` (as
/// `kill_context_dump` prints `KillSignal: SIG%s`).
pub fn signal_name(signo: i32) -> String {
    format!("SIG{}", signal_to_string(signo))
}
