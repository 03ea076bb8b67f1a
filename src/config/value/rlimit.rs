//! `Limit*=` resource limits (`config_parse_rlimit` → `rlimit_parse`).

use super::num::iec_size_raw;
use super::time::{USEC_INFINITY, USEC_PER_SEC, parse_time};
use super::words::split_colon_pair;
use super::{Errno, cnum};
use crate::config::ValueError;

/// `RLIM_INFINITY`: what `infinity` parses to.
const RLIM_INFINITY: u64 = u64::MAX;

/// How a resource's value is spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RlimitKind {
    /// Plain count (`safe_atou64`): NOFILE, NPROC, LOCKS, SIGPENDING, RTPRIO.
    Count,
    /// Bytes with 1024-based suffixes: FSIZE, DATA, STACK, CORE, RSS, AS, MEMLOCK, MSGQUEUE.
    Size,
    /// Seconds as a time span, rounded up to whole seconds: CPU.
    Seconds,
    /// Microseconds as a time span (bare numbers are µs): RTTIME.
    Microseconds,
    /// Nice level: `+N` (0..=19) / `-N` (0..=20) map to 20∓N; bare numbers are raw 0..=40: NICE.
    Nice,
}

/// The [`RlimitKind`] of a `Limit*=` key, or `None` for keys that are not resource limits.
pub fn rlimit_kind(key: &str) -> Option<RlimitKind> {
    use RlimitKind::*;
    Some(match key.strip_prefix("Limit")? {
        "NOFILE" | "NPROC" | "LOCKS" | "SIGPENDING" | "RTPRIO" => Count,
        "FSIZE" | "DATA" | "STACK" | "CORE" | "RSS" | "AS" | "MEMLOCK" | "MSGQUEUE" => Size,
        "CPU" => Seconds,
        "RTTIME" => Microseconds,
        "NICE" => Nice,
        _ => return None,
    })
}

fn below_infinity(u: u64) -> Result<u64, Errno> {
    if u == RLIM_INFINITY {
        Err(Errno::Range)
    } else {
        Ok(u)
    }
}

fn parse_nice(val: &str) -> Result<u64, Errno> {
    if let Some(rest) = val.strip_prefix('+') {
        let n = cnum::safe_atou64(rest)?;
        if n >= 20 {
            Err(Errno::Range)
        } else {
            Ok(20 - n)
        }
    } else if let Some(rest) = val.strip_prefix('-') {
        let n = cnum::safe_atou64(rest)?;
        if n > 20 {
            Err(Errno::Range)
        } else {
            Ok(20 + n)
        }
    } else {
        let n = cnum::safe_atou64(val)?;
        if n > 40 { Err(Errno::Range) } else { Ok(n) }
    }
}

/// `rlimit_parse_one`: one side of `soft:hard`.
fn parse_one(kind: RlimitKind, val: &str) -> Result<u64, Errno> {
    if val == "infinity" {
        return Ok(RLIM_INFINITY);
    }
    match kind {
        RlimitKind::Count => below_infinity(cnum::safe_atou64(val)?),
        RlimitKind::Size => below_infinity(iec_size_raw(val)?),
        RlimitKind::Seconds => match parse_time(val, USEC_PER_SEC)? {
            USEC_INFINITY => Ok(RLIM_INFINITY),
            t => below_infinity(t.div_ceil(USEC_PER_SEC)),
        },
        RlimitKind::Microseconds => parse_time(val, 1),
        RlimitKind::Nice => parse_nice(val),
    }
}

/// `config_parse_rlimit` for key `key` (`LimitNOFILE`, …): `VALUE` or `SOFT:HARD`, each side
/// per [`RlimitKind`] or `infinity` (→ `u64::MAX`). Returns `(soft, hard)`.
/// Msgs: `Failed to parse resource value, ignoring: X`; soft above hard:
/// `Soft resource limit chosen higher than hard limit, ignoring: X`.
/// Unknown keys give `Failed to parse resource value` too (systemd never calls it for them).
pub fn parse_rlimit(key: &str, value: &str) -> Result<(u64, u64), ValueError> {
    let fail = || super::ignoring("Failed to parse resource value", value);
    let kind = rlimit_kind(key).ok_or_else(fail)?;
    let (soft, hard) = split_colon_pair(value).map_err(|_| fail())?;
    let soft = parse_one(kind, &soft).map_err(|_| fail())?;
    let Some(hard) = hard else {
        return Ok((soft, soft));
    };
    let hard = parse_one(kind, &hard).map_err(|_| fail())?;
    if soft > hard {
        return Err(super::ignoring(
            "Soft resource limit chosen higher than hard limit",
            value,
        ));
    }
    Ok((soft, hard))
}
