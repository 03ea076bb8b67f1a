//! Interface names, fd names and path checks.

use super::cnum;
use crate::config::ValueError;

/// `IFNAMSIZ`: names must be shorter.
const IFNAMSIZ: usize = 16;
/// `FDNAME_MAX`.
const FDNAME_MAX: usize = 255;
/// `NAME_MAX`: longest path component.
const NAME_MAX: usize = 255;
/// `PATH_MAX` (counting the NUL).
const PATH_MAX: usize = 4096;

/// systemd's `ifname_valid()` (no alternative names, no numeric indexes): 1–15 bytes of
/// printable non-space ASCII without `:`, `/`, `%`; not `.`, `..`, `all`, `default`; not a
/// number (anything `safe_atoi` reads as a positive index, e.g. `5`, `+5`, `0x10`) and not all
/// digits.
pub fn ifname_valid(p: &str) -> bool {
    if p.is_empty() || cnum::safe_atoi(p).is_ok_and(|i| i > 0) {
        return false;
    }
    p.len() < IFNAMSIZ
        && !matches!(p, "." | ".." | "all" | "default")
        && p.bytes()
            .all(|c| c > 32 && c < 127 && !matches!(c, b':' | b'/' | b'%'))
        && !p.bytes().all(|c| c.is_ascii_digit())
}

/// systemd's `fdname_is_valid()`: ASCII 0x20–0x7E except `:`, at most 255 bytes, empty allowed.
pub fn fdname_is_valid(s: &str) -> bool {
    s.len() <= FDNAME_MAX && s.bytes().all(|c| (b' '..127).contains(&c) && c != b':')
}

/// Skips `/` and `./` runs (systemd's `skip_slash_or_dot`).
fn skip_slash_or_dot(s: &str) -> &str {
    let mut s = s;
    loop {
        if let Some(r) = s.strip_prefix('/') {
            s = r;
        } else if let Some(r) = s.strip_prefix("./") {
            s = r;
        } else {
            return s;
        }
    }
}

/// systemd's `path_simplify()`: drops repeated and trailing slashes and `.` components, keeps
/// `..`. An empty relative result becomes `.`. `///foo//./bar/.` → `/foo/bar`.
pub fn path_simplify(path: &str) -> String {
    if path.is_empty() {
        return String::new();
    }
    let absolute = path.starts_with('/');
    let mut out = String::from(if absolute { "/" } else { "" });
    let mut rest = if absolute { &path[1..] } else { path };
    let mut first = true;
    loop {
        let p = skip_slash_or_dot(rest);
        if p.is_empty() || p == "." {
            break;
        }
        let end = p.find('/').unwrap_or(p.len());
        if !first {
            out.push('/');
        }
        if end > NAME_MAX {
            out.push_str(p); // an over-long component stops simplification
            return out;
        }
        out.push_str(&p[..end]);
        first = false;
        let next = skip_slash_or_dot(&p[end..]);
        rest = if next == "." { "" } else { next };
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

fn components(p: &str) -> impl Iterator<Item = &str> {
    p.split('/').filter(|c| !c.is_empty() && *c != ".")
}

/// `path_is_valid()`: non-empty, components ≤ 255 bytes, shorter than `PATH_MAX`.
fn path_is_valid(p: &str) -> bool {
    !p.is_empty() && p.len() < PATH_MAX && components(p).all(|c| c.len() <= NAME_MAX)
}

/// `path_is_normalized()`: valid, no `..`, no `.` components, no `//`.
fn path_is_normalized(p: &str) -> bool {
    let dotted = p == "." || p.starts_with("./") || p.ends_with("/.") || p.contains("/./");
    let dotdot = components(p).any(|c| c == "..");
    path_is_valid(p) && !dotdot && !dotted && !p.contains("//")
}

/// The `PATH_CHECK_*` flags of `path_simplify_and_warn`. systemd 252 has no `NON_API_VFS` check
/// (that came later); `absolute` and `relative` are exclusive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PathCheck {
    /// `PATH_CHECK_ABSOLUTE`: the path must be absolute.
    pub absolute: bool,
    /// `PATH_CHECK_RELATIVE`: the path must be relative.
    pub relative: bool,
    /// `PATH_CHECK_FATAL`: messages drop ", ignoring" and the error is marked fatal. (Some
    /// callers, e.g. `StandardInput=file:`, pass FATAL yet only ignore: see [`super::parse_exec_input`].)
    pub fatal: bool,
}

/// `path_simplify_and_warn(path, flags, …, key)`: checks absoluteness, simplifies, then checks
/// length and normalization. Messages (`, ignoring` only without `fatal`):
/// `KEY= path is not absolute, ignoring: P`, `KEY= path is absolute, ignoring: P`,
/// `KEY= path has invalid length (N bytes), ignoring.`, `KEY= path is not normalized, ignoring: P`
/// (the last two show the simplified path). Returns the simplified path.
pub fn path_check(key: &str, path: &str, check: PathCheck) -> Result<String, ValueError> {
    let ign = if check.fatal { "" } else { ", ignoring" };
    let err = |msg: String| {
        if check.fatal {
            ValueError::fatal(msg)
        } else {
            ValueError::ignore(msg)
        }
    };
    let absolute = path.starts_with('/');
    if check.absolute && !absolute {
        return Err(err(format!("{key}= path is not absolute{ign}: {path}")));
    }
    if check.relative && absolute {
        return Err(err(format!("{key}= path is absolute{ign}: {path}")));
    }
    let simple = path_simplify(path);
    if !path_is_valid(&simple) {
        let n = simple.len();
        return Err(err(format!(
            "{key}= path has invalid length ({n} bytes){ign}."
        )));
    }
    if !path_is_normalized(&simple) {
        return Err(err(format!("{key}= path is not normalized{ign}: {simple}")));
    }
    Ok(simple)
}
