//! User and group names (`config_parse_user_group_compat` → `valid_user_group_name` with
//! `VALID_USER_RELAX | VALID_USER_ALLOW_NUMERIC | VALID_USER_WARN`).

use super::cnum::{self, AtoFlags};
use crate::config::ValueError;

/// An accepted `User=`/`Group=`/`SocketUser=`/`SocketGroup=` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserName {
    /// The name (or numeric ID) as given.
    pub name: String,
    /// For names valid only under the relaxed rules, systemd's NOTICE: `Accepting user/group
    /// name 'X', which does not match strict user/group name rules.` systemd logs it with
    /// `log_struct`, i.e. **without** the `file:line:` prefix.
    pub relaxed_warning: Option<String>,
    /// True when a `*User=` key names `nobody`: systemd then logs the NOTICE
    /// `<file>:<line>: Special user nobody configured, this is not safe!` (the caller has the
    /// location).
    pub nobody: bool,
}

/// systemd's `parse_uid`: decimal only, no sign, no leading zero or whitespace, and not
/// 4294967295 or 65535.
fn parse_uid(s: &str) -> Option<u32> {
    let flags = AtoFlags {
        refuse_sign: true,
        refuse_leading_zero: true,
        refuse_leading_ws: true,
    };
    cnum::safe_atou_full(s, 10, flags)
        .ok()
        .filter(|&u| u != u32::MAX && u != 0xFFFF)
}

/// Strict rules: `[A-Za-z_][A-Za-z0-9_-]*`, at most 31 bytes (`UT_NAMESIZE - 1`).
fn strict_ok(u: &str) -> bool {
    let b = u.as_bytes();
    let first_ok = b
        .first()
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_');
    first_ok
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-'))
        && b.len() <= 31
}

/// Relaxed rules: no surrounding space, no control chars, no `:` or `/`, not all digits (also
/// after a `-`), not `.` or `..`. No length limit.
fn relaxed_ok(u: &str) -> bool {
    let all_digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    !(u.starts_with(' ')
        || u.ends_with(' ')
        || u.bytes().any(|c| c < b' ' || c == 127)
        || u.contains([':', '/'])
        || all_digits(u)
        || (u.starts_with('-') && all_digits(&u[1..]))
        || u == "."
        || u == "..")
}

/// Validates a user/group setting (after specifier expansion). Numeric IDs `0..=4294967294`
/// except 65535 are fine; strict names silently; relaxed names with a warning. Anything else
/// (`a/b`, `a:b`, `.`, `..`, `-1`, `007`, `65535`, `4294967295`, empty) is **fatal**:
/// `Invalid user/group name or numeric ID: X`. `key` only decides the `nobody` flag.
pub fn parse_user_group(key: &str, value: &str) -> Result<UserName, ValueError> {
    let invalid = || ValueError::fatal(format!("Invalid user/group name or numeric ID: {value}"));
    if value.is_empty() {
        return Err(invalid());
    }
    let relaxed_warning = if parse_uid(value).is_some() || strict_ok(value) {
        None
    } else if relaxed_ok(value) {
        Some(format!(
            "Accepting user/group name '{value}', which does not match strict user/group name rules."
        ))
    } else {
        return Err(invalid());
    };
    Ok(UserName {
        name: value.to_string(),
        relaxed_warning,
        nobody: key.contains("User") && value == "nobody",
    })
}
