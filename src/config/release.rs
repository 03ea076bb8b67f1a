//! Checking units as a given systemd release would: which keys that release knows and with
//! which parser ([`super::directive_table::KEY_HISTORY`], generated from systemd's directive
//! lists of every release it covers), the values later releases added to parsers sockunit
//! checks, and the wording of messages where it changed.
//!
//! The value checks themselves are systemd 252's ([`super::dispatch`]); a release only
//! changes the key set, the parser a key goes to, a few accepted values and the wording.
//! Pure.

use std::fmt;

use super::ValueError;
use super::directive_table::{FIRST_RELEASE, KEY_HISTORY, KeyHistory, LAST_RELEASE};
use super::dispatch::Checked;

/// A systemd release sockunit can check units for (`FIRST_RELEASE..=LAST_RELEASE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Release(u16);

impl Default for Release {
    fn default() -> Release {
        Release::V252
    }
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Release {
    /// systemd 252, whose behaviour sockunit reproduces exactly.
    pub const V252: Release = Release(252);
    /// The oldest release the key history covers.
    pub const FIRST: Release = Release(FIRST_RELEASE);
    /// The newest release the key history covers (`--systemd-version latest`).
    pub const LATEST: Release = Release(LAST_RELEASE);

    /// The release `n`, if the key history covers it.
    pub fn new(n: u16) -> Option<Release> {
        (FIRST_RELEASE..=LAST_RELEASE)
            .contains(&n)
            .then_some(Release(n))
    }

    /// The nearest release the key history covers (for an installed systemd outside it).
    pub fn clamped(n: u16) -> Release {
        Release(n.clamp(FIRST_RELEASE, LAST_RELEASE))
    }

    /// The release number.
    pub fn number(self) -> u16 {
        self.0
    }

    /// systemd's parser and `ltype` for `key` in `[section]`, if this release knows the key.
    pub fn lookup(self, section: &str, key: &str) -> Option<(&'static str, &'static str)> {
        let (_, _, _, changes) = history(section, key)?;
        let (_, parser, ltype) = changes.iter().rev().find(|(n, _, _)| *n <= self.0)?;
        (!parser.is_empty()).then_some((*parser, *ltype))
    }

    /// Whether this release knows `key` in `[section]`.
    pub fn is_known(self, section: &str, key: &str) -> bool {
        self.lookup(section, key).is_some()
    }

    /// Adjusts what systemd 252's parser said about `raw` to what this release says: values
    /// added later are accepted, changed messages get this release's wording.
    pub fn adjust(self, parser: &str, key: &str, raw: &str, checked: &mut Checked) {
        if self == Release::V252 {
            return;
        }
        let rejected =
            checked.value.is_none() && (checked.fatal.is_some() || !checked.warnings.is_empty());
        if rejected && self.accepts_added_value(parser, raw) {
            *checked = Checked::default();
            return;
        }
        if parser == "config_parse_emergency_action" && self.0 >= 253 {
            // v253 dropped 252's "using exit-force instead": the action is ignored.
            if let Some(i) = checked
                .notices
                .iter()
                .position(|n| n.contains(" in user mode specified as "))
            {
                checked.notices.remove(i);
                checked.value = None;
                checked.warnings.push(ValueError::ignore(format!(
                    "{key}= specified as system mode action, ignoring: {raw}"
                )));
            }
        }
        for w in checked.warnings.iter_mut().chain(checked.fatal.as_mut()) {
            w.message = self.reword(parser, key, raw, &w.message, w.fatal);
        }
    }

    /// Whether `raw` is a value a release after 252 added to `parser`.
    fn accepts_added_value(self, parser: &str, raw: &str) -> bool {
        VALUE_ADDITIONS
            .iter()
            .any(|(p, v, n)| *p == parser && *v == raw && self.0 >= *n)
    }

    /// One message of systemd 252's parser in this release's wording.
    fn reword(self, parser: &str, key: &str, raw: &str, message: &str, fatal: bool) -> String {
        if self.0 >= 257 && PARSE_ERROR_257.contains(&parser) && is_whole_value_error(message, raw)
        {
            // v257's log_syntax_parse_error(): "Failed to parse KEY=VALUE, ignoring: ERRNO".
            let ignoring = if fatal { "" } else { ", ignoring" };
            return match errno_257(parser, raw, message) {
                Some(e) => format!("Failed to parse {key}={raw}{ignoring}: {e}"),
                None => format!("Failed to parse {key}={raw}{ignoring}."),
            };
        }
        let mut out = message.to_owned();
        if self.0 >= 256 && parser == "config_parse_exec" {
            out = out.replacen(
                "Executable name contains special characters",
                "Executable path contains special characters",
                1,
            );
            if let Some(rest) = out.strip_prefix("Empty path in command line")
                && let Some((ig, quoted)) = rest.split_once(": '")
                && let Some(v) = quoted.strip_suffix('\'')
            {
                out = format!("Empty path in command line{ig}: {v}");
            }
        }
        out
    }

    /// A message produced outside the value parsers (syntax, loading) in this release's
    /// wording.
    pub fn reword_other(self, message: &str) -> String {
        if self.0 >= 261
            && let Some(rest) = message.strip_prefix("Bad characters in section header ")
        {
            return format!("Section header invalid {rest}");
        }
        message.to_owned()
    }
}

/// The release that added `key` to `[section]`: `Some(0)` when it is at or before
/// [`Release::FIRST`] and the man pages do not say; `None` for a key no covered release knows.
pub fn key_added(section: &str, key: &str) -> Option<u16> {
    history(section, key).map(|(_, _, added, _)| *added)
}

/// The first covered release that knows `key` in `[section]`.
pub fn first_known(section: &str, key: &str) -> Option<Release> {
    let (_, _, _, changes) = history(section, key)?;
    changes
        .iter()
        .find(|(_, p, _)| !p.is_empty())
        .map(|(n, _, _)| Release(*n))
}

/// Every key any covered release knows.
pub fn all_keys() -> impl Iterator<Item = (&'static str, &'static str)> {
    KEY_HISTORY.iter().map(|(s, k, _, _)| (*s, *k))
}

fn history(section: &str, key: &str) -> Option<&'static KeyHistory> {
    let i = KEY_HISTORY
        .binary_search_by(|(s, k, _, _)| (*s, *k).cmp(&(section, key)))
        .ok()?;
    Some(&KEY_HISTORY[i])
}

/// Values releases after 252 accept that 252's parser rejects: (parser, value, release).
/// Facts from systemd's string tables and parsers at each tag.
const VALUE_ADDITIONS: &[(&str, &str, u16)] = &[
    ("config_parse_service_type", "notify-reload", 253),
    ("config_parse_job_mode", "restart-dependencies", 254),
    ("config_parse_job_mode", "lenient", 258),
    ("config_parse_emergency_action", "halt", 254),
    ("config_parse_emergency_action", "halt-force", 254),
    ("config_parse_emergency_action", "halt-immediate", 254),
    ("config_parse_emergency_action", "kexec", 254),
    ("config_parse_emergency_action", "kexec-force", 254),
    ("config_parse_emergency_action", "soft-reboot", 254),
    ("config_parse_emergency_action", "soft-reboot-force", 254),
    ("config_parse_socket_protocol", "mptcp", 257),
    ("config_parse_socket_protocol", "262", 257),
    ("config_parse_exec_cpu_sched_policy", "ext", 260),
];

/// Parsers whose whole-value failure v257 reports through `log_syntax_parse_error()`
/// (systemd's conf-parser.c generic parsers and load-fragment.c's enum parsers).
const PARSE_ERROR_257: &[&str] = &[
    "config_parse_bool",
    "config_parse_int",
    "config_parse_long",
    "config_parse_unsigned",
    "config_parse_nsec",
    "config_parse_sec",
    "config_parse_sec_def_infinity",
    "config_parse_sec_fix_0",
    "config_parse_mode",
    "config_parse_iec_size",
    "config_parse_signal",
    "config_parse_personality",
    "config_parse_rlimit",
    "config_parse_socket_protocol",
    "config_parse_collect_mode",
    "config_parse_device_policy",
    "config_parse_exec_keyring_mode",
    "config_parse_protect_proc",
    "config_parse_proc_subset",
    "config_parse_exec_utmp_mode",
    "config_parse_job_mode",
    "config_parse_notify_access",
    "config_parse_protect_home",
    "config_parse_protect_system",
    "config_parse_service_type",
    "config_parse_service_exit_type",
    "config_parse_service_restart",
    "config_parse_service_timeout_failure_mode",
    "config_parse_socket_bind",
    "config_parse_oom_policy",
    "config_parse_managed_oom_preference",
    "config_parse_ip_tos",
    "config_parse_socket_timestamping",
];

/// Whether a 252 message rejects the whole value (`…, ignoring: VALUE`, `Failed to parse
/// boolean value: VALUE`, `Failed to parse size value 'VALUE', ignoring: …`), as opposed to
/// a parser's other messages (`Soft resource limit chosen higher than hard limit, …`).
fn is_whole_value_error(message: &str, raw: &str) -> bool {
    message.starts_with("Failed to parse")
        && (message.ends_with(&format!(", ignoring: {raw}"))
            || message == format!("Failed to parse boolean value: {raw}")
            || message.starts_with(&format!("Failed to parse size value '{raw}', ignoring: ")))
}

/// The `strerror()` text v257 appends, `None` for the parsers that pass no error (it then
/// ends the message with `.`).
fn errno_257(parser: &str, raw: &str, message: &str) -> Option<&'static str> {
    const EINVAL: &str = "Invalid argument";
    const ERANGE: &str = "Numerical result out of range";
    if parser == "config_parse_personality" {
        return None;
    }
    if parser == "config_parse_iec_size" {
        return Some(if message.ends_with(ERANGE) {
            ERANGE
        } else {
            EINVAL
        });
    }
    if parser == "config_parse_socket_protocol" {
        // parse_ip_protocol() knows the name or number; only three protocols are allowed.
        let known = raw.parse::<u8>().is_ok()
            || matches!(
                raw.to_ascii_lowercase().as_str(),
                "ip" | "icmp"
                    | "igmp"
                    | "tcp"
                    | "udp"
                    | "ipv6"
                    | "gre"
                    | "esp"
                    | "ah"
                    | "icmpv6"
                    | "raw"
                    | "dccp"
                    | "pim"
                    | "comp"
                    | "l2tp"
                    | "ethernet"
                    | "mpls"
            );
        return Some(if known {
            "Protocol not supported"
        } else {
            EINVAL
        });
    }
    let numeric = matches!(
        parser,
        "config_parse_int"
            | "config_parse_long"
            | "config_parse_unsigned"
            | "config_parse_nsec"
            | "config_parse_sec"
            | "config_parse_sec_def_infinity"
            | "config_parse_sec_fix_0"
            | "config_parse_mode"
            | "config_parse_signal"
            | "config_parse_rlimit"
    );
    let t = raw.trim_start();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    // parse_mode() reads octal: an 8 or 9 is not a number at all.
    let radix_digit = |b: u8| {
        if parser == "config_parse_mode" {
            (b'0'..=b'7').contains(&b)
        } else {
            b.is_ascii_digit()
        }
    };
    let all_digits = !digits.is_empty() && digits.bytes().all(radix_digit);
    // Numbers systemd reads but cannot hold (negative for unsigned, too large) are ERANGE.
    if numeric
        && (all_digits || (t.starts_with('-') && digits.starts_with(|c: char| c.is_ascii_digit())))
    {
        Some(ERANGE)
    } else {
        Some(EINVAL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_by_release() {
        let r252 = Release::V252;
        let r255 = Release::new(255).unwrap();
        assert_eq!(
            r252.lookup("Socket", "Backlog"),
            Some(("config_parse_unsigned", "0"))
        );
        assert!(!r252.is_known("Socket", "PollLimitBurst"));
        assert!(r255.is_known("Socket", "PollLimitBurst"));
        assert!(!r255.is_known("Socket", "PassPIDFD"));
        assert!(Release::LATEST.is_known("Socket", "PassPIDFD"));
        assert_eq!(key_added("Socket", "PollLimitBurst"), Some(255));
        assert_eq!(key_added("Socket", "FileDescriptorName"), Some(227));
        assert_eq!(key_added("Socket", "Backlog"), Some(0));
        assert_eq!(key_added("Socket", "Nonsense"), None);
        // Removed in 258: the parser becomes config_parse_warn_compat.
        assert_eq!(
            Release::new(258).unwrap().lookup("Service", "CPUShares"),
            Some(("config_parse_warn_compat", "DISABLED_LEGACY"))
        );
        assert!(Release::new(249).is_none());
        assert_eq!(Release::clamped(300), Release::LATEST);
    }

    #[test]
    fn the_252_table_is_the_history_at_252() {
        for (s, k, p, l) in super::super::DIRECTIVE_TABLE {
            assert_eq!(Release::V252.lookup(s, k), Some((*p, *l)), "{s}.{k}");
        }
        let known = all_keys()
            .filter(|(s, k)| Release::V252.is_known(s, k))
            .count();
        assert_eq!(known, super::super::DIRECTIVE_TABLE.len());
    }

    #[test]
    fn v257_parse_error_wording() {
        let r = Release::new(257).unwrap();
        let say = |parser: &str, key: &str, raw: &str, msg: &str, fatal: bool| {
            r.reword(parser, key, raw, msg, fatal)
        };
        assert_eq!(
            say(
                "config_parse_unsigned",
                "Backlog",
                "abc",
                "Failed to parse unsigned value, ignoring: abc",
                false
            ),
            "Failed to parse Backlog=abc, ignoring: Invalid argument"
        );
        assert_eq!(
            say(
                "config_parse_unsigned",
                "Backlog",
                "-1",
                "Failed to parse unsigned value, ignoring: -1",
                false
            ),
            "Failed to parse Backlog=-1, ignoring: Numerical result out of range"
        );
        assert_eq!(
            say(
                "config_parse_bool",
                "DynamicUser",
                "maybe",
                "Failed to parse boolean value: maybe",
                true
            ),
            "Failed to parse DynamicUser=maybe: Invalid argument"
        );
        assert_eq!(
            say(
                "config_parse_personality",
                "Personality",
                "x",
                "Failed to parse personality, ignoring: x",
                false
            ),
            "Failed to parse Personality=x, ignoring."
        );
        assert_eq!(
            say(
                "config_parse_rlimit",
                "LimitNOFILE",
                "9:1",
                "Soft resource limit chosen higher than hard limit, ignoring: 9:1",
                false
            ),
            "Soft resource limit chosen higher than hard limit, ignoring: 9:1"
        );
        assert_eq!(
            say(
                "config_parse_mode",
                "UMask",
                "99999",
                "Failed to parse mode value, ignoring: 99999",
                false
            ),
            "Failed to parse UMask=99999, ignoring: Invalid argument"
        );
        assert_eq!(
            say(
                "config_parse_mode",
                "UMask",
                "77777",
                "Failed to parse mode value, ignoring: 77777",
                false
            ),
            "Failed to parse UMask=77777, ignoring: Numerical result out of range"
        );
        // 256 still has 252's form.
        assert_eq!(
            Release::new(256).unwrap().reword(
                "config_parse_unsigned",
                "Backlog",
                "abc",
                "Failed to parse unsigned value, ignoring: abc",
                false
            ),
            "Failed to parse unsigned value, ignoring: abc"
        );
    }

    #[test]
    fn added_values_are_accepted_from_their_release_on() {
        let mut c = Checked::from(Err(ValueError::ignore(
            "Failed to parse service type, ignoring: notify-reload",
        )));
        Release::new(253).unwrap().adjust(
            "config_parse_service_type",
            "Type",
            "notify-reload",
            &mut c,
        );
        assert!(c.warnings.is_empty());
        let mut c = Checked::from(Err(ValueError::ignore(
            "Failed to parse service type, ignoring: notify-reload",
        )));
        Release::V252.adjust("config_parse_service_type", "Type", "notify-reload", &mut c);
        assert_eq!(c.warnings.len(), 1);
    }
}
