//! Typed value parsers for unit-file settings, matching systemd 252.
//!
//! Contract: every function here is **pure** (no I/O, no syscalls, no environment, no user
//! database) and takes the value text *after* the syntax layer stripped it and expanded
//! specifiers. Each parser returns either the parsed value or a [`ValueError`] carrying the
//! exact message systemd 252 logs for that value (`Failed to parse unsigned value, ignoring: abc`)
//! and whether systemd refuses the unit (`fatal`, i.e. the parser returned `-ENOEXEC`).
//!
//! Numbers follow systemd's C helpers, which sit on `strtoul`/`strtoll`: `safe_atou` and friends
//! take base 0 (so `0x10` is 16 and `010` is 8), plus Python-style `0b`/`0o` prefixes.
//! Where systemd accepts odd spellings (`Backlog=+5`, `IPTOS=0x10`) so do we.
//!
//! Facts were taken from systemd 252's source and checked against the installed systemd
//! 252.38 (Debian 12) with `systemd-analyze verify`; see the `tests` module for which messages
//! were confirmed that way. Debian's 252.38 carries one backport that upstream v252 lacks: the
//! Greek small letter mu (`μs`, U+03BC) is accepted next to the micro sign (`µs`, U+00B5) in
//! time spans and `Timestamping=`. We follow the installed binary.

pub(crate) mod cnum;
mod enums;
mod exit;
mod names;
mod num;
mod rlimit;
mod signal;
mod stdio;
mod time;
mod user;
mod words;

#[cfg(test)]
mod tests;

pub use enums::*;
pub use exit::{ExitStatusList, exit_status_from_name, exit_status_name, parse_exit_status_list};
pub use names::{PathCheck, fdname_is_valid, ifname_valid, path_check, path_simplify};
pub use num::{
    parse_bool, parse_bool_fatal, parse_iec_size, parse_int, parse_long, parse_mode, parse_si_size,
    parse_u64, parse_unsigned,
};
pub use rlimit::{RlimitKind, parse_rlimit, rlimit_kind};
pub use signal::{parse_signal, signal_from_string, signal_name, signal_to_string};
pub use stdio::{
    CGROUP_CONTROLLERS, Delegate, StdInput, StdOutput, StdOutputParsed, parse_delegate,
    parse_exec_input, parse_exec_output,
};
pub use time::{
    NSEC_INFINITY, USEC_INFINITY, USEC_PER_MSEC, USEC_PER_SEC, format_timespan, parse_nsec,
    parse_sec, parse_sec_def_infinity, parse_sec_fix_0, parse_time, parse_timeout_sec,
};
pub use user::{UserName, parse_user_group};

use super::ValueError;

/// The errno values the parsers distinguish, with glibc's `strerror` text (what `%m` prints).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Errno {
    /// `EINVAL`
    Inval,
    /// `ERANGE`
    Range,
    /// `EPROTONOSUPPORT`
    ProtoNoSupport,
    /// `EILSEQ` (systemd's "soft limit above hard limit")
    IlSeq,
    /// `EOPNOTSUPP`
    OpNotSupp,
    /// `ENXIO` (an out-of-range numeric UID)
    NxIo,
}

impl Errno {
    /// glibc's `strerror()` text, as `%m` prints it.
    pub fn strerror(self) -> &'static str {
        match self {
            Errno::Inval => "Invalid argument",
            Errno::Range => "Numerical result out of range",
            Errno::ProtoNoSupport => "Protocol not supported",
            Errno::IlSeq => "Invalid or incomplete multibyte or wide character",
            Errno::OpNotSupp => "Operation not supported",
            Errno::NxIo => "No such device or address",
        }
    }
}

/// `<msg>, ignoring: <value>`: the message shape of systemd's generic and enum parsers.
pub(crate) fn ignoring(msg: &str, value: &str) -> ValueError {
    ValueError::ignore(format!("{msg}, ignoring: {value}"))
}
