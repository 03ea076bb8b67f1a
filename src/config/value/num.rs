//! Booleans, integers, file modes and byte sizes.

use super::cnum::{self, AtoFlags, WHITESPACE};
use super::{Errno, ignoring};
use crate::config::ValueError;

/// systemd's `parse_boolean`: case-insensitive `1 yes y true t on` / `0 no n false f off`.
pub(crate) fn boolean(value: &str) -> Option<bool> {
    const YES: [&str; 6] = ["1", "yes", "y", "true", "t", "on"];
    const NO: [&str; 6] = ["0", "no", "n", "false", "f", "off"];
    if YES.iter().any(|w| w.eq_ignore_ascii_case(value)) {
        Some(true)
    } else if NO.iter().any(|w| w.eq_ignore_ascii_case(value)) {
        Some(false)
    } else {
        None
    }
}

/// `config_parse_bool`: a boolean; bad input warns `Failed to parse boolean value, ignoring: X`.
pub fn parse_bool(value: &str) -> Result<bool, ValueError> {
    boolean(value).ok_or_else(|| ignoring("Failed to parse boolean value", value))
}

/// `config_parse_bool` with `ltype=true` (e.g. `DynamicUser=`): bad input refuses the unit with
/// `Failed to parse boolean value: X` (no ", ignoring").
pub fn parse_bool_fatal(value: &str) -> Result<bool, ValueError> {
    boolean(value)
        .ok_or_else(|| ValueError::fatal(format!("Failed to parse boolean value: {value}")))
}

/// `config_parse_unsigned` (`safe_atou`: base 0, so `0x10`=16 and `010`=8; leading whitespace and
/// `+` allowed; `-N` out of range; ≤ 4294967295). Msg `Failed to parse unsigned value, ignoring: X`.
pub fn parse_unsigned(value: &str) -> Result<u32, ValueError> {
    cnum::safe_atou(value).map_err(|_| ignoring("Failed to parse unsigned value", value))
}

/// `config_parse_int` (`safe_atoi`, base 0, i32). Msg `Failed to parse int value, ignoring: X`.
pub fn parse_int(value: &str) -> Result<i32, ValueError> {
    cnum::safe_atoi(value).map_err(|_| ignoring("Failed to parse int value", value))
}

/// `config_parse_long` (`safe_atoli`, base 0, i64 on 64-bit). Msg `Failed to parse long value, ignoring: X`.
pub fn parse_long(value: &str) -> Result<i64, ValueError> {
    cnum::safe_atolli(value).map_err(|_| ignoring("Failed to parse long value", value))
}

/// `config_parse_uint64` (`safe_atou64`, base 0). Msg `Failed to parse uint64 value, ignoring: X`.
pub fn parse_u64(value: &str) -> Result<u64, ValueError> {
    cnum::safe_atou64(value).map_err(|_| ignoring("Failed to parse uint64 value", value))
}

/// `config_parse_mode` (`parse_mode`: octal digits only, no sign, no `0o`/`0x`, ≤ 07777).
/// Msg `Failed to parse mode value, ignoring: X`.
pub fn parse_mode(value: &str) -> Result<u32, ValueError> {
    let flags = AtoFlags {
        refuse_sign: true,
        ..AtoFlags::default()
    };
    cnum::safe_atou_full(value, 8, flags)
        .ok()
        .filter(|&m| m <= 0o7777)
        .ok_or_else(|| ignoring("Failed to parse mode value", value))
}

const IEC: [(&str, u64); 8] = [
    ("E", 1 << 60),
    ("P", 1 << 50),
    ("T", 1 << 40),
    ("G", 1 << 30),
    ("M", 1 << 20),
    ("K", 1 << 10),
    ("B", 1),
    ("", 1),
];

const SI: [(&str, u64); 8] = [
    ("E", 1_000_000_000_000_000_000),
    ("P", 1_000_000_000_000_000),
    ("T", 1_000_000_000_000),
    ("G", 1_000_000_000),
    ("M", 1_000_000),
    ("K", 1_000),
    ("B", 1),
    ("", 1),
];

fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && WHITESPACE.contains(&s[i]) {
        i += 1;
    }
    i
}

/// systemd's `parse_size`: components `N[.F][ws]SUFFIX` summed, suffixes in strictly
/// decreasing order (`1M1K` ok, `1K1M` not), `-` refused with ERANGE.
pub(crate) fn parse_size(t: &str, table: &[(&str, u64); 8]) -> Result<u64, Errno> {
    let s = t.as_bytes();
    let mut p = 0;
    let mut total: u64 = 0;
    let mut start_pos = 0;
    loop {
        p = skip_ws(s, p);
        let (l, n, overflow) = cnum::strtoull(&s[p..], 10);
        if overflow {
            return Err(Errno::Range);
        }
        if n == 0 {
            return Err(Errno::Inval);
        }
        if s[p] == b'-' {
            return Err(Errno::Range);
        }
        let mut e = p + n;
        let mut frac = 0f64;
        if s.get(e) == Some(&b'.') {
            e += 1;
            if s.get(e).is_some_and(u8::is_ascii_digit) {
                let (l2, n2, overflow2) = cnum::strtoull(&s[e..], 10);
                if overflow2 {
                    return Err(Errno::Range);
                }
                frac = l2 as f64;
                for _ in 0..n2 {
                    frac /= 10.0;
                }
                e += n2;
            }
        }
        e = skip_ws(s, e);
        let i = (start_pos..table.len())
            .find(|&i| s[e..].starts_with(table[i].0.as_bytes()))
            .ok_or(Errno::Inval)?;
        let factor = table[i].1;
        if l.wrapping_add(u64::from(frac > 0.0)) > u64::MAX / factor {
            return Err(Errno::Range);
        }
        let part = l * factor + (frac * factor as f64) as u64;
        total = total.checked_add(part).ok_or(Errno::Range)?;
        p = e + table[i].0.len();
        start_pos = i + 1;
        if p >= s.len() {
            return Ok(total);
        }
    }
}

/// `config_parse_iec_size` (`parse_size` base 1024: `K M G T P E`, optional `B`, decimals
/// like `1.5K`, summed components). Msg `Failed to parse size value 'X', ignoring: <strerror>`
/// (`Invalid argument`, or `Numerical result out of range` for `-982`/overflow).
pub fn parse_iec_size(value: &str) -> Result<u64, ValueError> {
    parse_size(value, &IEC).map_err(|e| size_error(value, e))
}

/// `config_parse_si_uint64` (`parse_size` base 1000). Same messages as [`parse_iec_size`].
pub fn parse_si_size(value: &str) -> Result<u64, ValueError> {
    parse_size(value, &SI).map_err(|e| size_error(value, e))
}

/// 1024-based `parse_size` with a raw errno, for parsers that word their own message.
pub(crate) fn iec_size_raw(value: &str) -> Result<u64, Errno> {
    parse_size(value, &IEC)
}

fn size_error(value: &str, e: Errno) -> ValueError {
    ValueError::ignore(format!(
        "Failed to parse size value '{value}', ignoring: {}",
        e.strerror()
    ))
}
