//! Time spans: `parse_sec` and friends, and `format_timespan` for dumps.

use super::cnum::{self, WHITESPACE};
use super::{Errno, ignoring};
use crate::config::ValueError;

/// `USEC_INFINITY`: what `infinity` (and `0` for `sec_fix_0`) parses to.
pub const USEC_INFINITY: u64 = u64::MAX;
/// `NSEC_INFINITY`.
pub const NSEC_INFINITY: u64 = u64::MAX;
/// Microseconds per second.
pub const USEC_PER_SEC: u64 = 1_000_000;
/// Microseconds per millisecond.
pub const USEC_PER_MSEC: u64 = 1_000;

const USEC_PER_MINUTE: u64 = 60 * USEC_PER_SEC;
const USEC_PER_HOUR: u64 = 60 * USEC_PER_MINUTE;
const USEC_PER_DAY: u64 = 24 * USEC_PER_HOUR;
const USEC_PER_WEEK: u64 = 7 * USEC_PER_DAY;
/// 30.44 days.
const USEC_PER_MONTH: u64 = 2_629_800 * USEC_PER_SEC;
/// 365.25 days.
const USEC_PER_YEAR: u64 = 31_557_600 * USEC_PER_SEC;

/// Suffixes in systemd's matching order (first prefix match wins), in microseconds.
const USEC_UNITS: &[(&str, u64)] = &[
    ("seconds", USEC_PER_SEC),
    ("second", USEC_PER_SEC),
    ("sec", USEC_PER_SEC),
    ("s", USEC_PER_SEC),
    ("minutes", USEC_PER_MINUTE),
    ("minute", USEC_PER_MINUTE),
    ("min", USEC_PER_MINUTE),
    ("months", USEC_PER_MONTH),
    ("month", USEC_PER_MONTH),
    ("M", USEC_PER_MONTH),
    ("msec", USEC_PER_MSEC),
    ("ms", USEC_PER_MSEC),
    ("m", USEC_PER_MINUTE),
    ("hours", USEC_PER_HOUR),
    ("hour", USEC_PER_HOUR),
    ("hr", USEC_PER_HOUR),
    ("h", USEC_PER_HOUR),
    ("days", USEC_PER_DAY),
    ("day", USEC_PER_DAY),
    ("d", USEC_PER_DAY),
    ("weeks", USEC_PER_WEEK),
    ("week", USEC_PER_WEEK),
    ("w", USEC_PER_WEEK),
    ("years", USEC_PER_YEAR),
    ("year", USEC_PER_YEAR),
    ("y", USEC_PER_YEAR),
    ("usec", 1),
    ("us", 1),
    ("\u{3bc}s", 1), // Greek small letter mu: Debian 252.38 backport (upstream v254)
    ("\u{b5}s", 1),  // micro sign
];

/// The nanosecond table: the same words scaled by 1000, plus `nsec`/`ns`, and bare = ns.
fn nsec_units() -> impl Iterator<Item = (&'static str, u64)> {
    USEC_UNITS
        .iter()
        .map(|&(s, u)| (s, u * 1000))
        .chain([("nsec", 1), ("ns", 1), ("", 1)])
}

fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && WHITESPACE.contains(&s[i]) {
        i += 1;
    }
    i
}

/// systemd's `parse_time`/`parse_nsec` core. `units` lists suffixes in match order; a number
/// without a suffix uses `default_unit`. Returns `-EINVAL`/`-ERANGE` like systemd.
fn parse_span(t: &str, default_unit: u64, units: &[(&str, u64)]) -> Result<u64, Errno> {
    let s = t.as_bytes();
    let mut p = skip_ws(s, 0);
    if let Some(rest) = s[p..].strip_prefix(b"infinity") {
        return if skip_ws(rest, 0) == rest.len() {
            Ok(u64::MAX)
        } else {
            Err(Errno::Inval)
        };
    }
    let mut total: u64 = 0;
    let mut something = false;
    loop {
        p = skip_ws(s, p);
        if p == s.len() {
            return if something {
                Ok(total)
            } else {
                Err(Errno::Inval)
            };
        }
        if s[p] == b'-' {
            return Err(Errno::Range);
        }
        let (l, n, overflow) = cnum::strtoll(&s[p..], 10);
        if overflow || l < 0 {
            return Err(Errno::Range);
        }
        let e = p + n;
        let dot = if n == 0 { p } else { e };
        let has_dot = s.get(dot) == Some(&b'.');
        if has_dot {
            p = dot + 1;
            while p < s.len() && s[p].is_ascii_digit() {
                p += 1;
            }
        } else if n == 0 {
            return Err(Errno::Inval);
        } else {
            p = e;
        }
        let q = skip_ws(s, p);
        let (after, multiplier) = units
            .iter()
            .find(|(suffix, _)| s[q..].starts_with(suffix.as_bytes()))
            .map_or((q, default_unit), |&(suffix, m)| (q + suffix.len(), m));
        if after == p && after < s.len() {
            return Err(Errno::Inval);
        }
        p = after;
        let l = l as u64;
        if l >= u64::MAX / multiplier {
            return Err(Errno::Range);
        }
        let k = l * multiplier;
        if k >= u64::MAX - total {
            return Err(Errno::Range);
        }
        total += k;
        something = true;
        if has_dot {
            let mut m = multiplier / 10;
            let mut b = dot + 1;
            while b < s.len() && s[b].is_ascii_digit() {
                let k = u64::from(s[b] - b'0') * m;
                if k >= u64::MAX - total {
                    return Err(Errno::Range);
                }
                total += k;
                b += 1;
                m /= 10;
            }
            if b == dot + 1 {
                return Err(Errno::Inval);
            }
        }
    }
}

/// systemd's `parse_time(t, default_unit)` in microseconds (raw errno), e.g. for `LimitRTTIME=`.
pub fn parse_time(t: &str, default_unit: u64) -> Result<u64, Errno> {
    parse_span(t, default_unit, USEC_UNITS)
}

/// `config_parse_sec`: bare numbers are seconds; units `us ms s min h d w M y` and long forms;
/// decimals (`1.5s`); components summed (`5min 20s`, `1h30min`); `infinity` → [`USEC_INFINITY`].
/// `-1` is refused. Msg `Failed to parse sec value, ignoring: X`.
pub fn parse_sec(value: &str) -> Result<u64, ValueError> {
    parse_time(value, USEC_PER_SEC).map_err(|_| ignoring("Failed to parse sec value", value))
}

/// `config_parse_sec_fix_0` (socket/mount/swap `TimeoutSec=`, service `TimeoutStopSec=`/
/// `TimeoutAbortSec=`): like [`parse_sec`] but `0` means infinity.
/// Msg `Failed to parse time value, ignoring: X`.
pub fn parse_sec_fix_0(value: &str) -> Result<u64, ValueError> {
    match parse_time(value, USEC_PER_SEC) {
        Ok(0) => Ok(USEC_INFINITY),
        Ok(v) => Ok(v),
        Err(_) => Err(ignoring("Failed to parse time value", value)),
    }
}

/// `config_parse_service_timeout` (service `TimeoutSec=`/`TimeoutStartSec=`): `sec_fix_0`
/// semantics with msg `Failed to parse <KEY>= parameter, ignoring: X`.
pub fn parse_timeout_sec(key: &str, value: &str) -> Result<u64, ValueError> {
    parse_sec_fix_0(value).map_err(|_| {
        ValueError::ignore(format!(
            "Failed to parse {key}= parameter, ignoring: {value}"
        ))
    })
}

/// `config_parse_sec_def_infinity` (`CPUQuotaPeriodSec=`): empty (or blank) → infinity.
/// Msg `Failed to parse sec_def_infinity value, ignoring: X` (systemd's macro-made text).
pub fn parse_sec_def_infinity(value: &str) -> Result<u64, ValueError> {
    if skip_ws(value.as_bytes(), 0) == value.len() {
        return Ok(USEC_INFINITY);
    }
    parse_time(value, USEC_PER_SEC)
        .map_err(|_| ignoring("Failed to parse sec_def_infinity value", value))
}

/// `config_parse_nsec` (`TimerSlackNSec=`): nanoseconds, bare numbers are ns, plus `ns`/`nsec`.
/// Msg `Failed to parse nsec value, ignoring: X`.
pub fn parse_nsec(value: &str) -> Result<u64, ValueError> {
    let units: Vec<(&str, u64)> = nsec_units().collect();
    parse_span(value, 1, &units).map_err(|_| ignoring("Failed to parse nsec value", value))
}

/// systemd's `format_timespan(t, accuracy)`: `infinity`, `0`, else units `y month w d h min s
/// ms us` largest first, space-separated, stopping once the rest is below `accuracy`; spans
/// under a minute with a remainder print as a decimal (`1.500s` at ms accuracy).
///
/// Accuracy per caller in v252 dumps: `socket_dump` uses `USEC_PER_SEC` for KeepAliveTimeSec,
/// KeepAliveIntervalSec, DeferAcceptSec, TriggerLimitIntervalSec and TimeoutSec; `service_dump`
/// uses `USEC_PER_SEC` for RestartSec, TimeoutStartSec/StopSec/AbortSec, RuntimeMaxSec,
/// RuntimeRandomizedExtraSec, WatchdogSec; `exec_context_dump` uses `USEC_PER_SEC` for
/// TimeoutCleanSec and LogRateLimitIntervalSec; `cgroup_context_dump` uses `1` for
/// CPUQuotaPerSecSec and CPUQuotaPeriodSec; the "consumed … CPU time" line uses `USEC_PER_MSEC`.
pub fn format_timespan(t: u64, accuracy: u64) -> String {
    const TABLE: [(&str, u64); 9] = [
        ("y", USEC_PER_YEAR),
        ("month", USEC_PER_MONTH),
        ("w", USEC_PER_WEEK),
        ("d", USEC_PER_DAY),
        ("h", USEC_PER_HOUR),
        ("min", USEC_PER_MINUTE),
        ("s", USEC_PER_SEC),
        ("ms", USEC_PER_MSEC),
        ("us", 1),
    ];
    if t == USEC_INFINITY {
        return "infinity".into();
    }
    if t == 0 {
        return "0".into();
    }
    let mut out = String::new();
    let mut t = t;
    for (suffix, unit) in TABLE {
        if t == 0 || (t < accuracy && !out.is_empty()) {
            break;
        }
        if t < unit {
            continue;
        }
        let sep = if out.is_empty() { "" } else { " " };
        let (a, mut b) = (t / unit, t % unit);
        if t < USEC_PER_MINUTE && b > 0 {
            let mut j = digits_below(unit) as i32;
            let mut cc = accuracy;
            while cc > 1 {
                b /= 10;
                j -= 1;
                cc /= 10;
            }
            if j > 0 {
                out += &format!("{sep}{a}.{b:0width$}{suffix}", width = j as usize);
                t = 0;
                continue;
            }
        }
        out += &format!("{sep}{a}{suffix}");
        t = b;
    }
    out
}

/// How many times `unit` can be divided by 10 before reaching 1 (`log10` for powers of ten).
fn digits_below(mut unit: u64) -> u32 {
    let mut j = 0;
    while unit > 1 {
        unit /= 10;
        j += 1;
    }
    j
}
