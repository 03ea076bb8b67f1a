//! C number scanning as systemd's `safe_ato*` helpers do it (glibc `strtoul`/`strtol` semantics
//! plus systemd's own prefix and sign rules). Internal to the value parsers.

use super::Errno;

/// systemd's `WHITESPACE` set.
pub(crate) const WHITESPACE: &[u8] = b" \t\n\r";

/// Flags of `safe_atou_full` / `safe_atollu_full`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct AtoFlags {
    /// `SAFE_ATO_REFUSE_PLUS_MINUS`
    pub refuse_sign: bool,
    /// `SAFE_ATO_REFUSE_LEADING_ZERO`
    pub refuse_leading_zero: bool,
    /// `SAFE_ATO_REFUSE_LEADING_WHITESPACE`
    pub refuse_leading_ws: bool,
}

/// What a `strto*` call saw: magnitude, sign, where it stopped, and whether it overflowed.
struct Scan {
    magnitude: u128,
    negative: bool,
    /// Index just past the last digit; 0 when no digits were found (like `endptr == nptr`).
    end: usize,
}

fn c_isspace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn digit_value(b: u8) -> Option<u32> {
    (b as char).to_digit(36)
}

/// The common part of `strtoul`/`strtol`: whitespace, sign, base prefix, digits.
fn scan(s: &[u8], base: u32) -> Scan {
    let mut i = 0;
    while i < s.len() && c_isspace(s[i]) {
        i += 1;
    }
    let mut negative = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        negative = s[i] == b'-';
        i += 1;
    }
    let mut base = base;
    let hex_prefix = |i: usize| {
        s.get(i) == Some(&b'0')
            && matches!(s.get(i + 1), Some(b'x' | b'X'))
            && s.get(i + 2)
                .and_then(|&b| digit_value(b))
                .is_some_and(|d| d < 16)
    };
    if (base == 0 || base == 16) && hex_prefix(i) {
        base = 16;
        i += 2;
    } else if base == 0 {
        base = if s.get(i) == Some(&b'0') { 8 } else { 10 };
    }
    let start = i;
    let mut magnitude: u128 = 0;
    while let Some(d) = s.get(i).and_then(|&b| digit_value(b)).filter(|&d| d < base) {
        magnitude = (magnitude * u128::from(base) + u128::from(d)).min(u128::from(u64::MAX) + 1);
        i += 1;
    }
    Scan {
        magnitude,
        negative,
        end: if i == start { 0 } else { i },
    }
}

/// `strtoull(s, &end, base)`: the value (wrapped for `-`), end index, and whether errno=ERANGE.
pub(crate) fn strtoull(s: &[u8], base: u32) -> (u64, usize, bool) {
    let sc = scan(s, base);
    if sc.magnitude > u128::from(u64::MAX) {
        return (u64::MAX, sc.end, true);
    }
    let m = sc.magnitude as u64;
    (
        if sc.negative { m.wrapping_neg() } else { m },
        sc.end,
        false,
    )
}

/// `strtoll(s, &end, base)`: the value (clamped on overflow), end index, errno=ERANGE flag.
pub(crate) fn strtoll(s: &[u8], base: u32) -> (i64, usize, bool) {
    let sc = scan(s, base);
    let limit = if sc.negative {
        1u128 << 63
    } else {
        (1u128 << 63) - 1
    };
    if sc.magnitude > limit {
        return (if sc.negative { i64::MIN } else { i64::MAX }, sc.end, true);
    }
    let v = if sc.negative {
        (sc.magnitude as i128).wrapping_neg()
    } else {
        sc.magnitude as i128
    };
    (v as i64, sc.end, false)
}

fn skip_ws(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|b| WHITESPACE.contains(b)).count();
    &s[n..]
}

/// systemd's `mangle_base`: with base 0, `0b`/`0o` prefixes select base 2/8 and are dropped.
fn mangle_base(s: &[u8], base: u32) -> (&[u8], u32) {
    if base != 0 {
        return (s, base);
    }
    match s {
        [b'0', b'b' | b'B', rest @ ..] => (rest, 2),
        [b'0', b'o' | b'O', rest @ ..] => (rest, 8),
        _ => (s, 0),
    }
}

/// `safe_atollu_full`: unsigned 64-bit, `-` refused (ERANGE) unless the value is 0.
pub(crate) fn safe_atollu_full(s: &str, base: u32, flags: AtoFlags) -> Result<u64, Errno> {
    let b = s.as_bytes();
    if flags.refuse_leading_ws && b.first().is_some_and(|c| WHITESPACE.contains(c)) {
        return Err(Errno::Inval);
    }
    let b = skip_ws(b);
    if flags.refuse_sign && matches!(b.first(), Some(b'+' | b'-')) {
        return Err(Errno::Inval);
    }
    if flags.refuse_leading_zero && b.first() == Some(&b'0') && b.len() > 1 {
        return Err(Errno::Inval);
    }
    let (b, base) = mangle_base(b, base);
    let (v, end, overflow) = strtoull(b, base);
    if overflow {
        return Err(Errno::Range);
    }
    if end == 0 || end != b.len() {
        return Err(Errno::Inval);
    }
    if v != 0 && b.first() == Some(&b'-') {
        return Err(Errno::Range);
    }
    Ok(v)
}

/// `safe_atou_full`: like [`safe_atollu_full`] but the result must fit 32 bits.
pub(crate) fn safe_atou_full(s: &str, base: u32, flags: AtoFlags) -> Result<u32, Errno> {
    let v = safe_atollu_full(s, base, flags)?;
    u32::try_from(v).map_err(|_| Errno::Range)
}

/// `safe_atou`: base 0, no flags.
pub(crate) fn safe_atou(s: &str) -> Result<u32, Errno> {
    safe_atou_full(s, 0, AtoFlags::default())
}

/// `safe_atou64`: base 0, no flags.
pub(crate) fn safe_atou64(s: &str) -> Result<u64, Errno> {
    safe_atollu_full(s, 0, AtoFlags::default())
}

/// `safe_atou8`.
pub(crate) fn safe_atou8(s: &str) -> Result<u8, Errno> {
    u8::try_from(safe_atou(s)?).map_err(|_| Errno::Range)
}

/// `safe_atolli`: signed 64-bit, base 0.
pub(crate) fn safe_atolli(s: &str) -> Result<i64, Errno> {
    let (b, base) = mangle_base(skip_ws(s.as_bytes()), 0);
    let (v, end, overflow) = strtoll(b, base);
    if overflow {
        return Err(Errno::Range);
    }
    if end == 0 || end != b.len() {
        return Err(Errno::Inval);
    }
    Ok(v)
}

/// `safe_atoi`: signed 32-bit, base 0.
pub(crate) fn safe_atoi(s: &str) -> Result<i32, Errno> {
    i32::try_from(safe_atolli(s)?).map_err(|_| Errno::Range)
}
