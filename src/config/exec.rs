//! `Exec*=` command lines as systemd 252's `config_parse_exec()` reads them.
//!
//! Contract: pure (no I/O, no syscalls). Specifier expansion is delegated to the caller's
//! callback; everything else (word splitting, C unescaping, prefixes, `;` separators, path
//! checks, the exact systemd 252 messages) happens here. Also provides the `Command Line:`
//! quoting of systemd's unit dump and the path helpers (`path_simplify`, validity checks) the
//! `Listen*=` parser shares.

use std::ops::Range;

use super::ValueError;
use crate::load::specifier::SpecifierError;

/// systemd's `PATH_MAX`, counted with the trailing NUL.
pub(crate) const PATH_MAX: usize = 4096;
/// systemd's `NAME_MAX`.
pub(crate) const NAME_MAX: usize = 255;

/// The prefixes of an exec line's first word.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ExecFlags {
    /// `-`: failures are ignored (and parse errors only warn).
    pub ignore_failure: bool,
    /// `@`: the second word is argv\[0\].
    pub at: bool,
    /// `:`: no `$VAR` expansion at exec time.
    pub no_env_expand: bool,
    /// `+`: full privileges, no sandboxing.
    pub full_privileges: bool,
    /// `!`: sandboxing but no user/group change.
    pub no_setuid: bool,
    /// `!!`: user/group change only with ambient capabilities.
    pub ambient: bool,
}

/// One parsed command.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExecCommand {
    /// The executable, specifier-expanded and `path_simplify`'d.
    pub path: String,
    /// The arguments; argv\[0\] is the unsimplified path unless `@` gave one.
    pub argv: Vec<String>,
    /// The prefixes.
    pub flags: ExecFlags,
    /// Bytes of the value text this command came from.
    #[serde(skip)]
    pub range: Range<usize>,
}

/// The result of one accepted `Exec*=` assignment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecParse {
    /// True for an empty value: the caller resets the command list.
    pub reset: bool,
    /// The commands to append, in order (several when `;` separates them).
    pub commands: Vec<ExecCommand>,
    /// Non-fatal messages in systemd's order: unknown escapes kept literally, errors
    /// downgraded by `-` (the command and everything after it is dropped), unbalanced quoting
    /// in a first word (logged by systemd at error level, but not fatal).
    pub warnings: Vec<ValueError>,
}

/// A fatal rejection: systemd refuses the unit (`-ENOEXEC`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecFatal {
    /// Messages systemd printed before the fatal one.
    pub warnings: Vec<ValueError>,
    /// The fatal message (`fatal == true`).
    pub error: ValueError,
}

/// What one word extraction produced.
struct Word {
    bytes: Vec<u8>,
    range: Range<usize>,
    /// Where the next word starts, or `None` at the end of the value.
    next: Option<usize>,
}

/// Every word of `value` as `extract_first_word(UNQUOTE|CUNESCAPE)` splits it (used by
/// `Environment=` and other quoted lists), with each word's byte range; `None` on bad quoting
/// or escapes. Words that are not UTF-8 are decoded lossily.
pub fn split_words(value: &str) -> Option<Vec<(String, Range<usize>)>> {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(word) = extract(bytes, pos, false).ok()? {
        out.push((
            String::from_utf8_lossy(&word.bytes).into_owned(),
            word.range.clone(),
        ));
        match word.next {
            Some(next) => pos = next,
            None => break,
        }
    }
    Some(out)
}

/// Splits off the word starting at or after `pos` with `extract_first_word(UNQUOTE|CUNESCAPE)`
/// (`relax`: `EXTRACT_UNESCAPE_RELAX`). `Ok(None)`: no word left; `Err(())`: `-EINVAL`.
fn extract(v: &[u8], pos: usize, relax: bool) -> Result<Option<Word>, ()> {
    let is_sep = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r');
    let mut i = pos;
    while i < v.len() && is_sep(v[i]) {
        i += 1;
    }
    if i == v.len() {
        return Ok(None);
    }
    let start = i;
    let mut out = Vec::new();
    let mut quote: Option<u8> = None;
    loop {
        let Some(&c) = v.get(i) else {
            if quote.is_some() {
                return Err(());
            }
            return Ok(Some(Word {
                bytes: out,
                range: start..i,
                next: None,
            }));
        };
        if c == b'\\' {
            i += 1;
            let Some(&e) = v.get(i) else {
                if relax && quote.is_none() {
                    out.push(b'\\');
                    return Ok(Some(Word {
                        bytes: out,
                        range: start..i,
                        next: None,
                    }));
                }
                return Err(());
            };
            if let Some((bytes, used)) = cunescape_one(&v[i..]) {
                out.extend_from_slice(&bytes);
                i += used;
            } else if relax {
                out.extend_from_slice(&[b'\\', e]);
                i += 1;
            } else {
                return Err(());
            }
            continue;
        }
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => out.push(c),
            None if c == b'\'' || c == b'"' => quote = Some(c),
            None if is_sep(c) => {
                let end = i;
                while i < v.len() && is_sep(v[i]) {
                    i += 1;
                }
                let next = (i < v.len()).then_some(i);
                return Ok(Some(Word {
                    bytes: out,
                    range: start..end,
                    next,
                }));
            }
            None => out.push(c),
        }
        i += 1;
    }
}

/// One C escape after a backslash (systemd's `cunescape_one()`, NUL refused): the bytes it
/// stands for and how many input bytes it used.
fn cunescape_one(p: &[u8]) -> Option<(Vec<u8>, usize)> {
    let hex = |n: usize| -> Option<u32> {
        let digits = p.get(1..1 + n)?;
        digits
            .iter()
            .try_fold(0u32, |acc, &d| Some(acc << 4 | (d as char).to_digit(16)?))
    };
    let simple = match p[0] {
        b'a' => Some(7),
        b'b' => Some(8),
        b'f' => Some(12),
        b'n' => Some(b'\n'),
        b'r' => Some(b'\r'),
        b't' => Some(b'\t'),
        b'v' => Some(11),
        b'\\' | b'"' | b'\'' => Some(p[0]),
        b's' => Some(b' '),
        _ => None,
    };
    if let Some(b) = simple {
        return Some((vec![b], 1));
    }
    match p[0] {
        b'x' => {
            let b = hex(2).filter(|&b| b != 0)?;
            Some((vec![b as u8], 3))
        }
        b'u' => {
            let c = hex(4).filter(|&c| c != 0)?;
            Some((encode_utf8(c), 5))
        }
        b'U' => {
            let c = hex(8).filter(|&c| c != 0 && unichar_is_valid(c))?;
            Some((encode_utf8(c), 9))
        }
        b'0'..=b'7' => {
            let digits = p.get(0..3)?;
            let m = digits.iter().try_fold(0u32, |acc, &d| {
                (b'0'..=b'7')
                    .contains(&d)
                    .then(|| acc << 3 | u32::from(d - b'0'))
            })?;
            (m != 0 && m <= 255).then(|| (vec![m as u8], 3))
        }
        _ => None,
    }
}

/// systemd's `unichar_is_valid()`.
pub(crate) fn unichar_is_valid(c: u32) -> bool {
    c < 0x110000
        && c & 0xFFFF_F800 != 0xD800
        && !(0xFDD0..=0xFDEF).contains(&c)
        && c & 0xFFFE != 0xFFFE
}

/// UTF-8 encoding without Rust's surrogate check (systemd's `utf8_encode_unichar()`).
fn encode_utf8(c: u32) -> Vec<u8> {
    match c {
        0..=0x7F => vec![c as u8],
        0x80..=0x7FF => vec![0xC0 | (c >> 6) as u8, 0x80 | (c & 0x3F) as u8],
        0x800..=0xFFFF => vec![
            0xE0 | (c >> 12) as u8,
            0x80 | ((c >> 6) & 0x3F) as u8,
            0x80 | (c & 0x3F) as u8,
        ],
        _ => vec![
            0xF0 | (c >> 18) as u8,
            0x80 | ((c >> 12) & 0x3F) as u8,
            0x80 | ((c >> 6) & 0x3F) as u8,
            0x80 | (c & 0x3F) as u8,
        ],
    }
}

/// Parser state for one value: position, message context, collected output.
struct Parser<'a> {
    v: &'a str,
    expand: &'a dyn Fn(&str) -> Result<String, SpecifierError>,
    out: ExecParse,
}

/// Why parsing of the value stopped early.
enum Stop {
    /// systemd returned 0 (possibly after logging).
    Quiet,
    /// systemd returned `-ENOEXEC`.
    Fatal(ValueError),
}

impl Parser<'_> {
    /// `extract_first_word_and_warn()`: retries relaxed and warns, or reports unbalanced
    /// quoting (`rvalue` is the text systemd names, from `rvalue_at` on).
    fn word(&mut self, pos: usize, rvalue_at: usize) -> Result<Option<Word>, ValueError> {
        let text = self.v;
        let v = text.as_bytes();
        if let Ok(w) = extract(v, pos, false) {
            return Ok(w);
        }
        match extract(v, pos, true) {
            Ok(w) => {
                if let Some(w) = &w {
                    let msg = format!(
                        "Ignoring unknown escape sequences: \"{}\"",
                        String::from_utf8_lossy(&w.bytes)
                    );
                    self.out
                        .warnings
                        .push(ValueError::ignore(msg).at(w.range.clone()));
                }
                Ok(w)
            }
            Err(()) => {
                let msg = format!("Unbalanced quoting, ignoring: \"{}\"", &text[rvalue_at..]);
                Err(ValueError::fatal(msg).at(pos..v.len()))
            }
        }
    }

    /// Parses one command starting at `pos` (`rvalue_at`: where the text systemd quotes in
    /// messages starts). Returns where the next command starts (after `;`) and whether a
    /// command was added (a lone `;` first word adds none).
    fn command(&mut self, pos: usize, rvalue_at: usize) -> Result<(Option<usize>, bool), Stop> {
        let text = self.v;
        let v = text.as_bytes();
        let first = match self.word(pos, rvalue_at) {
            Ok(Some(w)) => w,
            Ok(None) => return Err(Stop::Quiet),
            Err(e) => {
                self.out.warnings.push(ValueError { fatal: false, ..e });
                return Err(Stop::Quiet);
            }
        };
        if first.bytes == b";" {
            return Ok((first.next, false));
        }
        let mut flags = ExecFlags::default();
        let mut n = 0;
        for &c in &first.bytes {
            match c {
                b'-' if !flags.ignore_failure => flags.ignore_failure = true,
                b'@' if !flags.at => flags.at = true,
                b':' if !flags.no_env_expand => flags.no_env_expand = true,
                b'+' if !(flags.full_privileges || flags.no_setuid || flags.ambient) => {
                    flags.full_privileges = true;
                }
                b'!' if !(flags.full_privileges || flags.no_setuid || flags.ambient) => {
                    flags.no_setuid = true;
                }
                b'!' if !(flags.full_privileges || flags.ambient) => {
                    flags.no_setuid = false;
                    flags.ambient = true;
                }
                _ => break,
            }
            n += 1;
        }
        let ignore = flags.ignore_failure;
        let ig = if ignore { ", ignoring" } else { "" };
        let fail = |msg: String, range: Range<usize>| ValueError::ignore(msg).at(range);
        let rvalue = &text[rvalue_at..];
        let f = String::from_utf8_lossy(&first.bytes[n..]).into_owned();
        let wr = first.range.clone();
        let path = (self.expand)(&f).and_then(|p| {
            if p.len() > PATH_MAX - 1 {
                Err(SpecifierError::TooLong)
            } else {
                Ok(p)
            }
        });
        let checked = match path {
            Err(e) => Err(format!(
                "Failed to resolve unit specifiers in '{f}'{ig}: {}",
                e.strerror()
            )),
            Ok(p) if p.is_empty() => Err(format!("Empty path in command line{ig}: '{rvalue}'")),
            Ok(p) if !string_is_safe(&p) => Err(format!(
                "Executable name contains special characters{ig}: {p}"
            )),
            Ok(p) if p.ends_with('/') => {
                Err(format!("Executable path specifies a directory{ig}: {p}"))
            }
            Ok(p)
                if !(if p.starts_with('/') {
                    path_is_valid(&p)
                } else {
                    filename_is_valid(&p)
                }) =>
            {
                Err(format!(
                    "Neither a valid executable name nor an absolute path{ig}: {p}"
                ))
            }
            Ok(p) => Ok(p),
        };
        let path = checked.map_err(|m| self.stop(fail(m, wr.clone()), ignore))?;
        let mut argv = Vec::new();
        if !flags.at {
            argv.push(path.clone());
        }
        let path = path_simplify(&path);
        let mut end = wr.end;
        let mut p = first.next;
        let mut next_command = None;
        while let Some(at) = p {
            let rest = &v[at..];
            let standalone = |k: usize| rest.get(k).is_none_or(|c| b" \t\n\r".contains(c));
            if rest[0] == b';' && standalone(1) {
                let mut i = at + 1;
                while i < v.len() && b" \t\n\r".contains(&v[i]) {
                    i += 1;
                }
                next_command = Some(i);
                break;
            }
            if rest.starts_with(b"\\;") && standalone(2) {
                argv.push(";".to_owned());
                end = at + 2;
                let mut i = at + 2;
                while i < v.len() && b" \t\n\r".contains(&v[i]) {
                    i += 1;
                }
                p = (i < v.len()).then_some(i);
                continue;
            }
            let w = match self.word(at, rvalue_at) {
                Ok(Some(w)) => w,
                Ok(None) => break,
                Err(e) => return Err(self.stop(e, ignore)),
            };
            let text = String::from_utf8_lossy(&w.bytes).into_owned();
            match (self.expand)(&text) {
                Ok(r) => argv.push(r),
                Err(e) => {
                    let m = format!(
                        "Failed to resolve unit specifiers in {text}{ig}: {}",
                        e.strerror()
                    );
                    return Err(self.stop(fail(m, w.range), ignore));
                }
            }
            end = w.range.end;
            p = w.next;
        }
        if argv.is_empty() {
            let m = format!("Empty executable name or zeroeth argument{ig}: {rvalue}");
            return Err(self.stop(fail(m, wr), ignore));
        }
        self.out.commands.push(ExecCommand {
            path,
            argv,
            flags,
            range: wr.start..end,
        });
        Ok((next_command, true))
    }

    /// How an error ends parsing: `-` turns it into a warning.
    fn stop(&mut self, e: ValueError, ignore: bool) -> Stop {
        if ignore {
            self.out.warnings.push(ValueError { fatal: false, ..e });
            Stop::Quiet
        } else {
            Stop::Fatal(ValueError { fatal: true, ..e })
        }
    }
}

/// Parses one `Exec*=` value as systemd 252's `config_parse_exec()` does.
///
/// `expand` applies the unit's full specifier table (`unit_full_printf`, limit
/// `LONG_LINE_MAX`); the executable is additionally held to `PATH_MAX - 1` bytes as
/// `unit_path_printf` does. `key` is accepted for symmetry with the other value parsers;
/// systemd's messages for `Exec*=` do not name it.
pub fn parse_exec(
    value: &str,
    key: &str,
    expand: &dyn Fn(&str) -> Result<String, SpecifierError>,
) -> Result<ExecParse, ExecFatal> {
    let _ = key;
    if value.is_empty() {
        return Ok(ExecParse {
            reset: true,
            ..ExecParse::default()
        });
    }
    let mut parser = Parser {
        v: value,
        expand,
        out: ExecParse::default(),
    };
    let (mut pos, mut rvalue_at) = (Some(0), 0);
    while let Some(at) = pos {
        match parser.command(at, rvalue_at) {
            Ok((next, added)) => {
                if added {
                    rvalue_at = next.unwrap_or(value.len());
                }
                pos = next;
            }
            Err(Stop::Quiet) => break,
            Err(Stop::Fatal(error)) => {
                return Err(ExecFatal {
                    warnings: parser.out.warnings,
                    error,
                });
            }
        }
    }
    Ok(parser.out)
}

/// systemd's `string_is_safe()`: no control characters, quotes, backslashes or DEL.
fn string_is_safe(s: &str) -> bool {
    !s.bytes()
        .any(|b| (1..b' ').contains(&b) || matches!(b, b'"' | b'\'' | b'\\' | 0x7f))
}

/// systemd's `filename_is_valid()`.
pub(crate) fn filename_is_valid(s: &str) -> bool {
    !s.is_empty() && s != "." && s != ".." && !s.contains('/') && s.len() <= NAME_MAX
}

/// systemd's `path_is_valid()` (`..` allowed): non-empty, components at most `NAME_MAX`, the
/// whole at most `PATH_MAX - 1` bytes.
pub(crate) fn path_is_valid(s: &str) -> bool {
    !s.is_empty() && s.len() < PATH_MAX && s.split('/').all(|c| c.len() <= NAME_MAX)
}

/// systemd's `path_simplify()`: drops redundant slashes and `.` components (`..` stays).
/// Stops simplifying at a component longer than `NAME_MAX`, as systemd does.
pub(crate) fn path_simplify(path: &str) -> String {
    if path.is_empty() {
        return String::new();
    }
    let b = path.as_bytes();
    let absolute = b[0] == b'/';
    let mut out = String::with_capacity(path.len());
    if absolute {
        out.push('/');
    }
    let mut p = usize::from(absolute);
    let mut add_slash = false;
    loop {
        // Skip slashes and "./" before the component.
        let mut i = p;
        while i < b.len() && (b[i] == b'/' || b[i..].starts_with(b"./")) {
            i += if b[i] == b'/' { 1 } else { 2 };
        }
        if i == b.len() || &b[i..] == b"." {
            break;
        }
        let end = b[i..]
            .iter()
            .position(|&c| c == b'/')
            .map_or(b.len(), |k| i + k);
        if add_slash {
            out.push('/');
        }
        if end - i > NAME_MAX {
            out.push_str(&path[p..]);
            return out;
        }
        out.push_str(&path[i..end]);
        add_slash = true;
        p = end;
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// systemd's `quote_command_line(argv, SHELL_ESCAPE_EMPTY)` as the unit dump's
/// `Command Line:` shows it (Debian 252.38 behaviour: invalid UTF-8 is escaped too).
pub fn quote_command_line(argv: &[String]) -> String {
    argv.iter()
        .map(|a| shell_maybe_quote(a))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One argument of [`quote_command_line`].
fn shell_maybe_quote(s: &str) -> String {
    if s.is_empty() {
        return "\"\"".to_owned();
    }
    let needs = |c: char| {
        (c as u32) < 0x20
            || c as u32 == 0x7f
            || !unichar_is_valid(c as u32)
            || " \t\n\r\"\\`$*?['()<>|&;!".contains(c)
    };
    if !s.chars().any(needs) {
        return s.to_owned();
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        if (c as u32) < 0x20 || c as u32 == 0x7f || !unichar_is_valid(c as u32) {
            let mut buf = [0u8; 4];
            for &b in c.encode_utf8(&mut buf).as_bytes() {
                out.push_str(&cescape_byte(b));
            }
        } else {
            if matches!(c, '"' | '\\' | '`' | '$') {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// systemd's `cescape_char()` for one byte.
pub(crate) fn cescape_byte(b: u8) -> String {
    match b {
        7 => "\\a".into(),
        8 => "\\b".into(),
        12 => "\\f".into(),
        b'\n' => "\\n".into(),
        b'\r' => "\\r".into(),
        b'\t' => "\\t".into(),
        11 => "\\v".into(),
        b'\\' => "\\\\".into(),
        b'"' => "\\\"".into(),
        b'\'' => "\\'".into(),
        b if !(b' '..127).contains(&b) => format!("\\{:03o}", b),
        b => (b as char).to_string(),
    }
}

#[cfg(test)]
#[path = "exec_tests.rs"]
mod tests;
