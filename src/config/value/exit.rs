//! Exit status names and `SuccessExitStatus=`-style lists.

use super::signal::signal_from_string;
use super::words::split_words;
use super::{Errno, cnum};
use crate::config::ValueError;

/// systemd 252's `exit_status_mappings` (libc, LSB, BSD `EX_*` and systemd's own 200–244).
const EXIT_NAMES: &[(u8, &str)] = &[
    (0, "SUCCESS"),
    (1, "FAILURE"),
    (2, "INVALIDARGUMENT"),
    (3, "NOTIMPLEMENTED"),
    (4, "NOPERMISSION"),
    (5, "NOTINSTALLED"),
    (6, "NOTCONFIGURED"),
    (7, "NOTRUNNING"),
    (64, "USAGE"),
    (65, "DATAERR"),
    (66, "NOINPUT"),
    (67, "NOUSER"),
    (68, "NOHOST"),
    (69, "UNAVAILABLE"),
    (70, "SOFTWARE"),
    (71, "OSERR"),
    (72, "OSFILE"),
    (73, "CANTCREAT"),
    (74, "IOERR"),
    (75, "TEMPFAIL"),
    (76, "PROTOCOL"),
    (77, "NOPERM"),
    (78, "CONFIG"),
    (200, "CHDIR"),
    (201, "NICE"),
    (202, "FDS"),
    (203, "EXEC"),
    (204, "MEMORY"),
    (205, "LIMITS"),
    (206, "OOM_ADJUST"),
    (207, "SIGNAL_MASK"),
    (208, "STDIN"),
    (209, "STDOUT"),
    (210, "CHROOT"),
    (211, "IOPRIO"),
    (212, "TIMERSLACK"),
    (213, "SECUREBITS"),
    (214, "SETSCHEDULER"),
    (215, "CPUAFFINITY"),
    (216, "GROUP"),
    (217, "USER"),
    (218, "CAPABILITIES"),
    (219, "CGROUP"),
    (220, "SETSID"),
    (221, "CONFIRM"),
    (222, "STDERR"),
    (224, "PAM"),
    (225, "NETWORK"),
    (226, "NAMESPACE"),
    (227, "NO_NEW_PRIVILEGES"),
    (228, "SECCOMP"),
    (229, "SELINUX_CONTEXT"),
    (230, "PERSONALITY"),
    (231, "APPARMOR"),
    (232, "ADDRESS_FAMILIES"),
    (233, "RUNTIME_DIRECTORY"),
    (235, "CHOWN"),
    (236, "SMACK_PROCESS_LABEL"),
    (237, "KEYRING"),
    (238, "STATE_DIRECTORY"),
    (239, "CACHE_DIRECTORY"),
    (240, "LOGS_DIRECTORY"),
    (241, "CONFIGURATION_DIRECTORY"),
    (242, "NUMA_POLICY"),
    (243, "CREDENTIALS"),
    (244, "BPF"),
    (255, "EXCEPTION"),
];

/// systemd's `exit_status_from_string`: a name from the table (case-sensitive), else a number
/// `0..=255` (`safe_atou8`, base 0).
pub fn exit_status_from_name(s: &str) -> Result<u8, Errno> {
    if let Some(&(code, _)) = EXIT_NAMES.iter().find(|(_, name)| *name == s) {
        return Ok(code);
    }
    cnum::safe_atou8(s)
}

/// The table name of an exit status (`SUCCESS`, `EXEC`, …), if it has one.
pub fn exit_status_name(code: u8) -> Option<&'static str> {
    EXIT_NAMES.iter().find(|(c, _)| *c == code).map(|&(_, n)| n)
}

/// A parsed `SuccessExitStatus=`/`RestartPreventExitStatus=`/`RestartForceExitStatus=` value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExitStatusList {
    /// Exit statuses, sorted and deduplicated (systemd keeps a bitmap).
    pub codes: Vec<u8>,
    /// Signals, sorted and deduplicated.
    pub signals: Vec<i32>,
    /// One warning per word systemd skipped: `Failed to parse value, ignoring: WORD`.
    pub warnings: Vec<ValueError>,
}

/// `config_parse_set_status`: whitespace-separated words (quotes are not special; backslash
/// escapes the next character), each an exit status (names first, then `0..=255`) or else a
/// signal. Bad words are skipped with a per-word warning in [`ExitStatusList::warnings`]; the
/// whole value fails only on a dangling backslash: `Failed to parse KEY=VALUE, ignoring:
/// Invalid argument`. An empty value resets the list (the caller handles that; here it gives an
/// empty list).
pub fn parse_exit_status_list(key: &str, value: &str) -> Result<ExitStatusList, ValueError> {
    let words = split_words(value, false).map_err(|e| {
        ValueError::ignore(format!(
            "Failed to parse {key}={value}, ignoring: {}",
            e.strerror()
        ))
    })?;
    let mut out = ExitStatusList::default();
    for word in words {
        if let Ok(code) = exit_status_from_name(&word) {
            out.codes.push(code);
        } else if let Ok(sig) = signal_from_string(&word) {
            out.signals.push(sig);
        } else {
            let msg = format!("Failed to parse value, ignoring: {word}");
            out.warnings.push(ValueError::ignore(msg));
        }
    }
    out.codes.sort_unstable();
    out.codes.dedup();
    out.signals.sort_unstable();
    out.signals.dedup();
    Ok(out)
}
