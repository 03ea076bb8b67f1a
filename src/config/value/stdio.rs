//! `StandardInput=`, `StandardOutput=`/`StandardError=` and `Delegate=`.

use super::num::boolean;
use super::words::split_words;
use super::{PathCheck, fdname_is_valid, ignoring, path_check};
use crate::config::ValueError;

/// A parsed `StandardInput=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StdInput {
    /// `null`
    Null,
    /// `tty`
    Tty,
    /// `tty-force`
    TtyForce,
    /// `tty-fail`
    TtyFail,
    /// `socket`
    Socket,
    /// `data`
    Data,
    /// `fd` / `fd:NAME` (`None`: no name, i.e. the default stdin name)
    Fd(Option<String>),
    /// `file:PATH` (`None` for a bare `file`, which the table also accepts)
    File(Option<String>),
}

/// `config_parse_exec_input` (after specifier expansion): `null tty tty-force tty-fail data
/// socket fd fd:NAME file:PATH`. Msgs: `Failed to parse input specifier, ignoring: X`;
/// `Invalid file descriptor name, ignoring: NAME`; for `file:` a relative/unnormalized path logs
/// `StandardInput= path is not absolute: P` (no ", ignoring", yet the setting is only ignored).
pub fn parse_exec_input(value: &str) -> Result<StdInput, ValueError> {
    if let Some(name) = value.strip_prefix("fd:") {
        return fd_name(name).map(StdInput::Fd);
    }
    if let Some(path) = value.strip_prefix("file:") {
        return stdio_path("StandardInput", path).map(|p| StdInput::File(Some(p)));
    }
    Ok(match value {
        "null" => StdInput::Null,
        "tty" => StdInput::Tty,
        "tty-force" => StdInput::TtyForce,
        "tty-fail" => StdInput::TtyFail,
        "socket" => StdInput::Socket,
        "data" => StdInput::Data,
        "fd" => StdInput::Fd(None),
        "file" => StdInput::File(None),
        _ => return Err(ignoring("Failed to parse input specifier", value)),
    })
}

fn fd_name(name: &str) -> Result<Option<String>, ValueError> {
    if name.is_empty() {
        Ok(None)
    } else if fdname_is_valid(name) {
        Ok(Some(name.to_string()))
    } else {
        Err(ignoring("Invalid file descriptor name", name))
    }
}

/// `path_simplify_and_warn(ABSOLUTE|FATAL)` as the stdio parsers use it: the wording of a fatal
/// check, but the parser returns 0, so the setting is only ignored.
fn stdio_path(key: &str, path: &str) -> Result<String, ValueError> {
    let check = PathCheck {
        absolute: true,
        relative: false,
        fatal: true,
    };
    path_check(key, path, check).map_err(|mut e| {
        e.fatal = false;
        e
    })
}

/// A parsed `StandardOutput=` / `StandardError=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StdOutput {
    /// `inherit`
    Inherit,
    /// `null`
    Null,
    /// `tty`
    Tty,
    /// `kmsg`
    Kmsg,
    /// `kmsg+console`
    KmsgAndConsole,
    /// `journal` (also from the obsolete `syslog`)
    Journal,
    /// `journal+console` (also from the obsolete `syslog+console`)
    JournalAndConsole,
    /// `socket`
    Socket,
    /// `fd` / `fd:NAME`
    Fd(Option<String>),
    /// `file:PATH` (`None` for a bare `file`)
    File(Option<String>),
    /// `append:PATH` (`None` for a bare `append`)
    Append(Option<String>),
    /// `truncate:PATH` (`None` for a bare `truncate`)
    Truncate(Option<String>),
}

/// Builds a path-carrying [`StdOutput`].
type MakeOutput = fn(Option<String>) -> StdOutput;

/// A parsed stdout/stderr setting plus the NOTICE systemd logs for `syslog`/`syslog+console`:
/// `Standard output type syslog is obsolete, automatically updating to journal. Please update
/// your unit file, and consider removing the setting altogether.`
pub type StdOutputParsed = (StdOutput, Option<String>);

/// `config_parse_exec_output` for `key` (`StandardOutput`/`StandardError`): `inherit null tty
/// journal kmsg journal+console kmsg+console socket fd fd:NAME file:PATH append:PATH
/// truncate:PATH`, plus obsolete `syslog`, `syslog+console`. Msgs: `Failed to parse output
/// specifier, ignoring: X`; `Invalid file descriptor name, ignoring: NAME`; paths as in
/// [`parse_exec_input`] (`KEY= path is not absolute: P`, non-fatal).
pub fn parse_exec_output(key: &str, value: &str) -> Result<StdOutputParsed, ValueError> {
    if let Some(name) = value.strip_prefix("fd:") {
        return fd_name(name).map(|n| (StdOutput::Fd(n), None));
    }
    let obsolete = |eo: StdOutput, new: &str| {
        let msg = format!(
            "Standard output type {value} is obsolete, automatically updating to {new}. Please update your unit file, and consider removing the setting altogether."
        );
        Ok((eo, Some(msg)))
    };
    match value {
        "syslog" => return obsolete(StdOutput::Journal, "journal"),
        "syslog+console" => return obsolete(StdOutput::JournalAndConsole, "journal+console"),
        _ => {}
    }
    let with_path: [(&str, MakeOutput); 3] = [
        ("file:", StdOutput::File),
        ("append:", StdOutput::Append),
        ("truncate:", StdOutput::Truncate),
    ];
    for (prefix, make) in with_path {
        if let Some(path) = value.strip_prefix(prefix) {
            return stdio_path(key, path).map(|p| (make(Some(p)), None));
        }
    }
    let eo = match value {
        "inherit" => StdOutput::Inherit,
        "null" => StdOutput::Null,
        "tty" => StdOutput::Tty,
        "kmsg" => StdOutput::Kmsg,
        "kmsg+console" => StdOutput::KmsgAndConsole,
        "journal" => StdOutput::Journal,
        "journal+console" => StdOutput::JournalAndConsole,
        "socket" => StdOutput::Socket,
        "fd" => StdOutput::Fd(None),
        "file" => StdOutput::File(None),
        "append" => StdOutput::Append(None),
        "truncate" => StdOutput::Truncate(None),
        _ => return Err(ignoring("Failed to parse output specifier", value)),
    };
    Ok((eo, None))
}

/// cgroup controller names `Delegate=` accepts (v252).
pub const CGROUP_CONTROLLERS: [&str; 13] = [
    "cpu",
    "cpuacct",
    "cpuset",
    "io",
    "blkio",
    "memory",
    "devices",
    "pids",
    "bpf-firewall",
    "bpf-devices",
    "bpf-foreign",
    "bpf-socket-bind",
    "bpf-restrict-network-interfaces",
];

/// A parsed `Delegate=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delegate {
    /// `no`
    Off,
    /// `yes`: all controllers.
    All,
    /// Empty value: delegation on, controller list reset.
    Reset,
    /// A controller list (added to earlier lists); unknown names were skipped with a warning.
    Controllers {
        /// The valid names, in order given.
        names: Vec<String>,
        /// `Invalid controller name 'X', ignoring` per unknown word.
        warnings: Vec<ValueError>,
    },
}

/// `config_parse_delegate` (for unit types that can delegate): boolean, empty (reset), or a
/// list of controllers (quotes removed). Unbalanced quotes: `Invalid syntax, ignoring: X`.
pub fn parse_delegate(value: &str) -> Result<Delegate, ValueError> {
    if value.is_empty() {
        return Ok(Delegate::Reset);
    }
    match boolean(value) {
        Some(true) => return Ok(Delegate::All),
        Some(false) => return Ok(Delegate::Off),
        None => {}
    }
    let words = split_words(value, true).map_err(|_| ignoring("Invalid syntax", value))?;
    let (mut names, mut warnings) = (Vec::new(), Vec::new());
    for w in words {
        if CGROUP_CONTROLLERS.contains(&w.as_str()) {
            names.push(w);
        } else {
            warnings.push(ValueError::ignore(format!(
                "Invalid controller name '{w}', ignoring"
            )));
        }
    }
    Ok(Delegate::Controllers { names, warnings })
}
