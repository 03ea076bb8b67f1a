//! `EnvironmentFile=`: reading environment files the way systemd 252 does
//! (`exec_context_load_environment()` in `src/core/execute.c`, `load_env_file()` /
//! `parse_env_file_internal()` in `src/basic/env-file.c`).
//!
//! # Contract
//!
//! - [`parse_env_file`] is pure: file bytes → the `(line, key, value)` records systemd's state
//!   machine pushes, before any validation.
//! - [`load_env_file`] is pure: file bytes → `KEY=VALUE` assignments (later ones replace earlier
//!   ones in place), or the error that makes systemd drop the whole file (invalid UTF-8).
//! - [`load_environment_files`] does the I/O: expands each `EnvironmentFile=` glob, reads the
//!   files, drops invalid assignments with systemd's message, and merges the files in order.
//!   Messages go to the caller's `log` callback; nothing is printed.
//!
//! # The file format (v252)
//!
//! - Reading stops at the first NUL byte.
//! - Before a key, whitespace (` \t\n\r`) is skipped; `#` or `;` starts a comment that runs to the
//!   end of the line (a backslash in a comment escapes the next character, so `\` before the
//!   newline continues the comment onto the next line).
//! - The key runs to `=`; a line without `=` is dropped silently. Trailing whitespace of the key
//!   is removed, inner whitespace is kept (and makes the name invalid later). There is no
//!   `export` keyword: `export A=1` is the invalid name `export A`.
//! - After `=`, whitespace is skipped. Then the value is a mix of: unquoted text (a backslash
//!   keeps the next character literally, and a backslash-newline is removed; trailing
//!   unquoted whitespace is removed), `'…'` (everything literal, newlines included), and
//!   `"…"` (a backslash before one of `"` `\` `` ` `` `$` yields that character, before a
//!   `\n` removes both, otherwise stays). After a closing quote whitespace is skipped again,
//!   so `A="x" "y"` is `xy`; but inside unquoted text quotes are literal: `A=x "y"` is `x "y"`.
//! - `\r` ends a line like `\n` (so CRLF files work), except inside quotes.
//! - A file ending without a newline still yields its last assignment (an unterminated quote
//!   keeps what was read so far).
//! - Key or value not UTF-8 (systemd's `utf8_is_valid`, which also rejects noncharacters):
//!   `PATH:LINE: invalid UTF-8 in key 'K', ignoring.` / `PATH:LINE: invalid UTF-8 value for
//!   key K: 'V', ignoring.`, and the whole file fails with `EINVAL`. LINE is systemd's counter,
//!   which has already moved past the newline that ended the assignment.
//! - Names that are not valid environment names (`[A-Za-z_][A-Za-z0-9_]*`) are dropped after
//!   loading: `Ignoring invalid environment assignment 'K=V': PATH`.
//!
//! # `EnvironmentFile=` specs
//!
//! A leading `-` makes every failure for that spec silent (missing file, no glob match,
//! relative path, unreadable or invalid file). Otherwise the first failure ends loading with
//! systemd's `Failed to load environment files: %m` (`No such file or directory` for a missing
//! file or an unmatched glob, `Invalid argument` for a relative path). The path is a glob
//! (`*`, `?`, `[…]`, backslash escapes; no braces); matches are read in sorted order, and later
//! files override earlier ones.

use std::path::Path;

use nix::errno::Errno;

/// One assignment pushed by systemd's parser, before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAssignment {
    /// systemd's line counter at the time of the push (see the module docs).
    pub line: u32,
    /// The key bytes.
    pub key: Vec<u8>,
    /// The value bytes (empty for `KEY=`).
    pub value: Vec<u8>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    PreKey,
    Key,
    PreValue,
    Value,
    ValueEscape,
    SingleQuote,
    DoubleQuote,
    DoubleQuoteEscape,
    Comment,
    CommentEscape,
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

fn is_nl(c: u8) -> bool {
    matches!(c, b'\n' | b'\r')
}

/// Cuts `buf` at `mark` (systemd's `last_*_whitespace`), if set.
fn chomp(buf: &mut Vec<u8>, mark: Option<usize>) {
    if let Some(m) = mark {
        buf.truncate(m);
    }
}

/// `parse_env_file_internal()`: the records its state machine pushes, in order.
pub fn parse_env_file(contents: &[u8]) -> Vec<RawAssignment> {
    use State::*;
    let end = contents
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(contents.len());
    let mut out = Vec::new();
    let (mut key, mut value) = (Vec::new(), Vec::new());
    let (mut key_ws, mut value_ws): (Option<usize>, Option<usize>) = (None, None);
    let mut line = 1u32;
    let mut state = PreKey;
    let mut push = |line: u32, key: &mut Vec<u8>, value: &mut Vec<u8>| {
        out.push(RawAssignment {
            line,
            key: std::mem::take(key),
            value: std::mem::take(value),
        });
    };
    for &c in &contents[..end] {
        match state {
            PreKey => {
                if c == b'#' || c == b';' {
                    state = Comment;
                } else if !is_ws(c) {
                    state = Key;
                    key_ws = None;
                    key.push(c);
                }
            }
            Key => {
                if is_nl(c) {
                    state = PreKey;
                    line += 1;
                    key.clear();
                } else if c == b'=' {
                    state = PreValue;
                    value_ws = None;
                } else {
                    if !is_ws(c) {
                        key_ws = None;
                    } else if key_ws.is_none() {
                        key_ws = Some(key.len());
                    }
                    key.push(c);
                }
            }
            PreValue => {
                if is_nl(c) {
                    state = PreKey;
                    line += 1;
                    chomp(&mut key, key_ws);
                    push(line, &mut key, &mut value);
                } else if c == b'\'' {
                    state = SingleQuote;
                } else if c == b'"' {
                    state = DoubleQuote;
                } else if c == b'\\' {
                    state = ValueEscape;
                } else if !is_ws(c) {
                    state = Value;
                    value.push(c);
                }
            }
            Value => {
                if is_nl(c) {
                    state = PreKey;
                    line += 1;
                    chomp(&mut value, value_ws);
                    chomp(&mut key, key_ws);
                    push(line, &mut key, &mut value);
                } else if c == b'\\' {
                    state = ValueEscape;
                    value_ws = None;
                } else {
                    if !is_ws(c) {
                        value_ws = None;
                    } else if value_ws.is_none() {
                        value_ws = Some(value.len());
                    }
                    value.push(c);
                }
            }
            ValueEscape => {
                state = Value;
                if !is_nl(c) {
                    value.push(c);
                }
            }
            SingleQuote => {
                if c == b'\'' {
                    state = PreValue;
                } else {
                    value.push(c);
                }
            }
            DoubleQuote => {
                if c == b'"' {
                    state = PreValue;
                } else if c == b'\\' {
                    state = DoubleQuoteEscape;
                } else {
                    value.push(c);
                }
            }
            DoubleQuoteEscape => {
                state = DoubleQuote;
                if matches!(c, b'"' | b'\\' | b'`' | b'$') {
                    value.push(c);
                } else if c != b'\n' {
                    value.extend_from_slice(&[b'\\', c]);
                }
            }
            Comment => {
                if c == b'\\' {
                    state = CommentEscape;
                } else if is_nl(c) {
                    state = PreKey;
                    line += 1;
                }
            }
            CommentEscape => state = Comment,
        }
    }
    if matches!(
        state,
        PreValue | Value | ValueEscape | SingleQuote | DoubleQuote | DoubleQuoteEscape
    ) {
        if state == Value {
            chomp(&mut value, value_ws);
        }
        chomp(&mut key, key_ws);
        push(line, &mut key, &mut value);
    }
    out
}

/// systemd's `utf8_is_valid()`: UTF-8 without noncharacters.
fn utf8_ok(b: &[u8]) -> Option<&str> {
    let s = std::str::from_utf8(b).ok()?;
    s.chars()
        .all(|c| crate::config::exec::unichar_is_valid(c as u32))
        .then_some(s)
}

/// systemd's `utf8_escape_invalid()`: each byte that does not start a valid character becomes
/// U+FFFD.
fn escape_invalid(b: &[u8]) -> String {
    let mut out = String::new();
    let mut rest = b;
    while let Some(&first) = rest.first() {
        let len = match first {
            0x00..=0x7f => 1,
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf7 => 4,
            _ => 0,
        };
        match rest.get(..len).filter(|_| len > 0).and_then(utf8_ok) {
            Some(s) => {
                out.push_str(s);
                rest = &rest[len..];
            }
            None => {
                out.push('\u{FFFD}');
                rest = &rest[1..];
            }
        }
    }
    out
}

/// `load_env_file()`: the file's assignments as `(key, value)` (a repeated key replaces the
/// earlier value in place). `Err` carries systemd's error message for invalid UTF-8, which
/// fails the whole file with `EINVAL`.
pub fn load_env_file(path: &str, contents: &[u8]) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for a in parse_env_file(contents) {
        let Some(key) = utf8_ok(&a.key) else {
            return Err(format!(
                "{path}:{}: invalid UTF-8 in key '{}', ignoring.",
                a.line,
                escape_invalid(&a.key)
            ));
        };
        let Some(value) = utf8_ok(&a.value) else {
            return Err(format!(
                "{path}:{}: invalid UTF-8 value for key {key}: '{}', ignoring.",
                a.line,
                escape_invalid(&a.value)
            ));
        };
        merge(&mut out, key, value);
    }
    Ok(out)
}

/// Replaces `key`'s value in place, or appends (`strv_env_replace_consume`, `strv_env_merge`).
fn merge(env: &mut Vec<(String, String)>, key: &str, value: &str) {
    match env.iter_mut().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = value.to_owned(),
        None => env.push((key.to_owned(), value.to_owned())),
    }
}

/// `sysconf(_SC_ARG_MAX)`, systemd's bound on one assignment.
fn arg_max() -> usize {
    nix::unistd::sysconf(nix::unistd::SysconfVar::ARG_MAX)
        .ok()
        .flatten()
        .and_then(|v| usize::try_from(v).ok())
        .unwrap_or(2 * 1024 * 1024)
}

/// systemd's `env_name_is_valid()`: bash's rules (`[A-Za-z_][A-Za-z0-9_]*`), not empty, at most
/// `ARG_MAX - 2` bytes.
pub fn env_name_is_valid(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && !b[0].is_ascii_digit()
        && b.len() <= arg_max().saturating_sub(2)
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

/// `env_assignment_is_valid()` for a key and value that are already valid UTF-8.
fn assignment_is_valid(key: &str, value: &str) -> bool {
    let max = arg_max();
    env_name_is_valid(key)
        && value.len() <= max.saturating_sub(3)
        && key.len() + 1 + value.len() <= max.saturating_sub(1)
}

/// Loads every `EnvironmentFile=` spec in order (`exec_context_load_environment()`): returns the
/// merged `(key, value)` list, later files overriding earlier ones. `log` receives systemd's
/// per-file messages (invalid assignments, invalid UTF-8). `Err` is the message systemd logs
/// when it refuses to spawn: `Failed to load environment files: No such file or directory`.
///
/// In systemd's environment these override `Environment=` and `PassEnvironment=` and are
/// removed again by `UnsetEnvironment=`.
pub fn load_environment_files(
    specs: &[String],
    log: &mut dyn FnMut(String),
) -> Result<Vec<(String, String)>, String> {
    let fail = |e: Errno| format!("Failed to load environment files: {}", e.desc());
    let mut env: Vec<(String, String)> = Vec::new();
    for spec in specs {
        let (ignore, pattern) = match spec.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, spec.as_str()),
        };
        if !pattern.starts_with('/') {
            if ignore {
                continue;
            }
            return Err(fail(Errno::EINVAL));
        }
        let paths = match glob::glob(pattern) {
            Ok(p) => p,
            Err(_) if ignore => continue,
            Err(e) => return Err(fail(e)),
        };
        for path in paths {
            let shown = path.display().to_string();
            let loaded = read(&path).and_then(|bytes| {
                load_env_file(&shown, &bytes).map_err(|msg| {
                    log(msg);
                    Errno::EINVAL
                })
            });
            let file_env = match loaded {
                Ok(e) => e,
                Err(_) if ignore => continue,
                Err(e) => return Err(fail(e)),
            };
            for (k, v) in file_env {
                if assignment_is_valid(&k, &v) {
                    merge(&mut env, &k, &v);
                } else {
                    log(format!(
                        "Ignoring invalid environment assignment '{k}={v}': {shown}"
                    ));
                }
            }
        }
    }
    Ok(env)
}

/// Reads a whole file, as `read_full_file()`.
fn read(path: &Path) -> Result<Vec<u8>, Errno> {
    std::fs::read(path).map_err(|e| Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO)))
}

#[path = "envfile_glob.rs"]
pub(crate) mod glob;
#[cfg(test)]
#[path = "envfile_tests.rs"]
mod tests;
