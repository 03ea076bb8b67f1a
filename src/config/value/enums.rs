//! Enumerated settings. Each `parse_*` accepts exactly systemd 252's strings (case-sensitive
//! unless noted) and fails with systemd's message `<text>, ignoring: <value>`; for most of them an
//! empty value is *not* special and fails the same way (systemd's `DEFINE_CONFIG_PARSE_ENUM`).

use super::num::boolean;
use super::{cnum, ignoring};
use crate::config::ValueError;

/// Defines a string-backed enum with `ALL`, `as_str` and `from_name`.
macro_rules! string_enum {
    (
        $(#[$doc:meta])* $name:ident,
        { $($var:ident = $s:literal),+ $(,)? }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $(#[doc = concat!("`", $s, "`")] $var,)+
        }

        impl $name {
            /// Every value, in systemd's table order.
            pub const ALL: &'static [$name] = &[$($name::$var),+];

            /// systemd's spelling (as dumps and `systemctl show` print it).
            pub fn as_str(self) -> &'static str {
                match self { $($name::$var => $s,)+ }
            }

            /// Exact (case-sensitive) table lookup, no booleans or aliases.
            pub fn from_name(s: &str) -> Option<$name> {
                match s { $($s => Some($name::$var),)+ _ => None }
            }
        }
    };
}

/// A `DEFINE_CONFIG_PARSE_ENUM` parser: exact table lookup, `<msg>, ignoring: X` otherwise.
macro_rules! enum_parser {
    ($parse:ident, $name:ident, $msg:literal) => {
        #[doc = concat!("Parses `", stringify!($name), "`; msg `", $msg, ", ignoring: X`.")]
        pub fn $parse(value: &str) -> Result<$name, ValueError> {
            $name::from_name(value).ok_or_else(|| ignoring($msg, value))
        }
    };
}

/// A `..._LOOKUP_WITH_BOOLEAN` parser: `parse_boolean` first (yes → `$yes`, no → `$no`), then
/// the table.
macro_rules! bool_enum_parser {
    ($parse:ident, $name:ident, $msg:literal, $yes:ident, $no:ident) => {
        #[doc = concat!("Parses `", stringify!($name), "` (a boolean or a name); msg `", $msg, ", ignoring: X`.")]
        pub fn $parse(value: &str) -> Result<$name, ValueError> {
            match boolean(value) {
                Some(true) => Ok($name::$yes),
                Some(false) => Ok($name::$no),
                None => $name::from_name(value).ok_or_else(|| ignoring($msg, value)),
            }
        }
    };
}

string_enum!(
    /// `Type=` of services (v252: no `notify-reload`).
    ServiceType,
    { Simple = "simple", Forking = "forking", Oneshot = "oneshot", Dbus = "dbus", Notify = "notify", Idle = "idle", Exec = "exec" }
);
enum_parser!(
    parse_service_type,
    ServiceType,
    "Failed to parse service type"
);

string_enum!(
    /// `Restart=`.
    ServiceRestart,
    { No = "no", OnSuccess = "on-success", OnFailure = "on-failure", OnAbnormal = "on-abnormal",
      OnWatchdog = "on-watchdog", OnAbort = "on-abort", Always = "always" }
);
enum_parser!(
    parse_service_restart,
    ServiceRestart,
    "Failed to parse service restart specifier"
);

string_enum!(
    /// `NotifyAccess=`.
    NotifyAccess,
    { None = "none", Main = "main", Exec = "exec", All = "all" }
);
enum_parser!(
    parse_notify_access,
    NotifyAccess,
    "Failed to parse notify access specifier"
);

string_enum!(
    /// `ExitType=`.
    ExitType,
    { Main = "main", Cgroup = "cgroup" }
);
enum_parser!(
    parse_exit_type,
    ExitType,
    "Failed to parse service exit type"
);

string_enum!(
    /// `TimeoutStartFailureMode=` / `TimeoutStopFailureMode=`.
    TimeoutFailureMode,
    { Terminate = "terminate", Abort = "abort", Kill = "kill" }
);
enum_parser!(
    parse_timeout_failure_mode,
    TimeoutFailureMode,
    "Failed to parse timeout failure mode"
);

string_enum!(
    /// `OOMPolicy=`.
    OomPolicy,
    { Continue = "continue", Stop = "stop", Kill = "kill" }
);
enum_parser!(parse_oom_policy, OomPolicy, "Failed to parse OOM policy");

string_enum!(
    /// `CollectMode=` (`[Unit]`).
    CollectMode,
    { Inactive = "inactive", InactiveOrFailed = "inactive-or-failed" }
);
enum_parser!(
    parse_collect_mode,
    CollectMode,
    "Failed to parse garbage collection mode"
);

string_enum!(
    /// `JobMode=`-style values (`OnSuccessJobMode=`, `OnFailureJobMode=`).
    JobMode,
    { Fail = "fail", Replace = "replace", ReplaceIrreversibly = "replace-irreversibly",
      Isolate = "isolate", Flush = "flush", IgnoreDependencies = "ignore-dependencies",
      IgnoreRequirements = "ignore-requirements", Triggering = "triggering" }
);
enum_parser!(parse_job_mode, JobMode, "Failed to parse job mode");

string_enum!(
    /// `UtmpMode=`.
    UtmpMode,
    { Init = "init", Login = "login", User = "user" }
);
enum_parser!(parse_utmp_mode, UtmpMode, "Failed to parse utmp mode");

string_enum!(
    /// `KeyringMode=`.
    KeyringMode,
    { Inherit = "inherit", Private = "private", Shared = "shared" }
);
enum_parser!(
    parse_keyring_mode,
    KeyringMode,
    "Failed to parse keyring mode"
);

string_enum!(
    /// `ProtectProc=`.
    ProtectProc,
    { Default = "default", Noaccess = "noaccess", Invisible = "invisible", Ptraceable = "ptraceable" }
);
enum_parser!(
    parse_protect_proc,
    ProtectProc,
    "Failed to parse /proc/ protection mode"
);

string_enum!(
    /// `ProcSubset=`.
    ProcSubset,
    { All = "all", Pid = "pid" }
);
enum_parser!(
    parse_proc_subset,
    ProcSubset,
    "Failed to parse /proc/ subset mode"
);

string_enum!(
    /// `DevicePolicy=`.
    DevicePolicy,
    { Auto = "auto", Closed = "closed", Strict = "strict" }
);
enum_parser!(
    parse_device_policy,
    DevicePolicy,
    "Failed to parse device policy"
);

string_enum!(
    /// `ManagedOOMPreference=`.
    ManagedOomPreference,
    { None = "none", Avoid = "avoid", Omit = "omit" }
);
enum_parser!(
    parse_managed_oom_preference,
    ManagedOomPreference,
    "Failed to parse ManagedOOMPreference="
);

string_enum!(
    /// `KillMode=`. Use [`parse_kill_mode`] (empty resets; `none` warns).
    KillMode,
    { ControlGroup = "control-group", Process = "process", Mixed = "mixed", None = "none" }
);

/// The warning systemd 252 logs (and still accepts) for `KillMode=none`.
pub const KILL_MODE_NONE_WARNING: &str = "Unit uses KillMode=none. This is unsafe, as it disables systemd's process lifecycle management for the service. Please update the service to use a safer KillMode=, such as 'mixed' or 'control-group'. Support for KillMode=none is deprecated and will eventually be removed.";

/// `config_parse_kill_mode`: empty → `control-group`; msg `Failed to parse kill mode
/// specification, ignoring: X`. For `none` the caller also logs [`KILL_MODE_NONE_WARNING`].
pub fn parse_kill_mode(value: &str) -> Result<KillMode, ValueError> {
    if value.is_empty() {
        return Ok(KillMode::ControlGroup);
    }
    KillMode::from_name(value)
        .ok_or_else(|| ignoring("Failed to parse kill mode specification", value))
}

string_enum!(
    /// `ManagedOOMSwap=` / `ManagedOOMMemoryPressure=`. Use [`parse_managed_oom_mode`].
    ManagedOomMode,
    { Auto = "auto", Kill = "kill" }
);

/// `config_parse_managed_oom_mode`: empty → `auto`; msg `Invalid syntax, ignoring: X`.
/// (For unit types without cgroups systemd instead warns `KEY= is not supported for this unit
/// type, ignoring.`; that is the caller's check.)
pub fn parse_managed_oom_mode(value: &str) -> Result<ManagedOomMode, ValueError> {
    if value.is_empty() {
        return Ok(ManagedOomMode::Auto);
    }
    ManagedOomMode::from_name(value).ok_or_else(|| ignoring("Invalid syntax", value))
}

string_enum!(
    /// `BindIPv6Only=`: `default`, `both`, `ipv6-only`, or a boolean (yes → ipv6-only, no → both).
    BindIpv6Only,
    { Default = "default", Both = "both", Ipv6Only = "ipv6-only" }
);
bool_enum_parser!(
    parse_bind_ipv6_only,
    BindIpv6Only,
    "Failed to parse bind IPv6 only value",
    Ipv6Only,
    Both
);

string_enum!(
    /// `ProtectSystem=`: boolean or `full`/`strict`.
    ProtectSystem,
    { No = "no", Yes = "yes", Full = "full", Strict = "strict" }
);
bool_enum_parser!(
    parse_protect_system,
    ProtectSystem,
    "Failed to parse protect system value",
    Yes,
    No
);

string_enum!(
    /// `ProtectHome=`: boolean or `read-only`/`tmpfs`.
    ProtectHome,
    { No = "no", Yes = "yes", ReadOnly = "read-only", Tmpfs = "tmpfs" }
);
bool_enum_parser!(
    parse_protect_home,
    ProtectHome,
    "Failed to parse protect home value",
    Yes,
    No
);

string_enum!(
    /// `RuntimeDirectoryPreserve=`: boolean or `restart`.
    PreserveMode,
    { No = "no", Yes = "yes", Restart = "restart" }
);
bool_enum_parser!(
    parse_runtime_directory_preserve,
    PreserveMode,
    "Failed to parse runtime directory preserve mode",
    Yes,
    No
);

string_enum!(
    /// `Timestamping=` canonical values; use [`parse_timestamping`] (aliases and booleans).
    Timestamping,
    { Off = "off", Us = "us", Ns = "ns" }
);

/// `Timestamping=` (`socket_timestamping_from_string_harder`): `off us ns`, aliases `nsec`,
/// `usec`, `µs` (and `μs`, Debian backport), or a boolean (yes → `ns`). Empty fails.
/// Msg `Failed to parse timestamping precision, ignoring: X`.
pub fn parse_timestamping(value: &str) -> Result<Timestamping, ValueError> {
    match value {
        "nsec" => Ok(Timestamping::Ns),
        "usec" | "\u{b5}s" | "\u{3bc}s" => Ok(Timestamping::Us),
        _ => match boolean(value) {
            Some(true) => Ok(Timestamping::Ns),
            Some(false) => Ok(Timestamping::Off),
            None => Timestamping::from_name(value)
                .ok_or_else(|| ignoring("Failed to parse timestamping precision", value)),
        },
    }
}

/// `SocketProtocol=` values systemd 252 accepts (no `mptcp` before v254).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SocketProtocol {
    /// `udplite` (IPPROTO_UDPLITE = 136)
    Udplite,
    /// `sctp` (IPPROTO_SCTP = 132)
    Sctp,
}

impl SocketProtocol {
    /// The IP protocol number.
    pub fn number(self) -> i32 {
        match self {
            SocketProtocol::Udplite => 136,
            SocketProtocol::Sctp => 132,
        }
    }
}

/// `config_parse_socket_protocol` (`parse_ip_protocol` then restricted): names are matched
/// case-insensitively (`SCTP`), numbers `132`/`136` also work; anything else — including an
/// empty value and other real protocols like `tcp` — fails with
/// `Failed to parse socket protocol, ignoring: X`.
pub fn parse_socket_protocol(value: &str) -> Result<SocketProtocol, ValueError> {
    let lower = value.to_ascii_lowercase();
    let by_number = cnum::safe_atoi(value).ok();
    match (lower.as_str(), by_number) {
        ("udplite", _) | (_, Some(136)) => Ok(SocketProtocol::Udplite),
        ("sctp", _) | (_, Some(132)) => Ok(SocketProtocol::Sctp),
        _ => Err(ignoring("Failed to parse socket protocol", value)),
    }
}

/// `config_parse_ip_tos`: empty → `-1` (unset); `low-delay` 0x10, `throughput` 0x08,
/// `reliability` 0x04, `low-cost` 0x02, or a number `0..=255` (`safe_atou`, so `0x10` works).
/// Msg `Failed to parse IP TOS value, ignoring: X`.
pub fn parse_ip_tos(value: &str) -> Result<i32, ValueError> {
    match value {
        "" => Ok(-1),
        "low-delay" => Ok(0x10),
        "throughput" => Ok(0x08),
        "reliability" => Ok(0x04),
        "low-cost" => Ok(0x02),
        _ => cnum::safe_atou(value)
            .ok()
            .filter(|&u| u <= 0xff)
            .map(|u| u as i32)
            .ok_or_else(|| ignoring("Failed to parse IP TOS value", value)),
    }
}

/// A table-with-numeric-fallback lookup (systemd's `..._LOOKUP_WITH_FALLBACK`): a name, or
/// `safe_atou` ≤ `max`.
fn name_or_number(table: &[(&str, i32)], value: &str, max: u32) -> Option<i32> {
    if let Some(&(_, n)) = table.iter().find(|(s, _)| *s == value) {
        return Some(n);
    }
    cnum::safe_atou(value)
        .ok()
        .filter(|&u| u <= max)
        .map(|u| u as i32)
}

/// IO scheduling class names and numbers.
pub const IO_CLASSES: [(&str, i32); 4] = [
    ("none", 0),
    ("realtime", 1),
    ("best-effort", 2),
    ("idle", 3),
];

/// `IOSchedulingClass=`: empty → `None` (unset); a name from [`IO_CLASSES`] or a number
/// `0..=8` (sic: the fallback bound is `IOPRIO_N_CLASSES`, 8).
/// Msg `Failed to parse IO scheduling class, ignoring: X`.
pub fn parse_io_scheduling_class(value: &str) -> Result<Option<i32>, ValueError> {
    if value.is_empty() {
        return Ok(None);
    }
    name_or_number(&IO_CLASSES, value, 8)
        .map(Some)
        .ok_or_else(|| ignoring("Failed to parse IO scheduling class", value))
}

/// CPU scheduling policy names and their `SCHED_*` numbers.
pub const CPU_POLICIES: [(&str, i32); 5] = [
    ("other", 0),
    ("batch", 3),
    ("idle", 5),
    ("fifo", 1),
    ("rr", 2),
];

/// `CPUSchedulingPolicy=`: empty → `None`; a name from [`CPU_POLICIES`] or any number up to
/// `INT_MAX`. Msg `Failed to parse CPU scheduling policy, ignoring: X`.
pub fn parse_cpu_scheduling_policy(value: &str) -> Result<Option<i32>, ValueError> {
    if value.is_empty() {
        return Ok(None);
    }
    name_or_number(&CPU_POLICIES, value, i32::MAX as u32)
        .map(Some)
        .ok_or_else(|| ignoring("Failed to parse CPU scheduling policy", value))
}

/// The architecture names `Personality=` accepts on this build: the native one (`PER_LINUX`) and
/// the secondary one (`PER_LINUX32`), as systemd's `personality_from_string` does.
pub fn personality_names() -> &'static [&'static str] {
    if cfg!(target_arch = "x86_64") {
        &["x86-64", "x86"]
    } else if cfg!(target_arch = "aarch64") {
        &["arm64", "arm"]
    } else {
        &[]
    }
}

/// `Personality=`: empty → `None` (unset); else one of [`personality_names`], returned as given.
/// Msg `Failed to parse personality, ignoring: X`.
pub fn parse_personality(value: &str) -> Result<Option<&'static str>, ValueError> {
    if value.is_empty() {
        return Ok(None);
    }
    personality_names()
        .iter()
        .find(|n| **n == value)
        .map(|n| Some(*n))
        .ok_or_else(|| ignoring("Failed to parse personality", value))
}

string_enum!(
    /// Emergency actions (`SuccessAction=`, `FailureAction=`, `StartLimitAction=`, …); v252 has
    /// no `soft-reboot`. Use [`parse_emergency_action`].
    EmergencyAction,
    { None = "none", Reboot = "reboot", RebootForce = "reboot-force",
      RebootImmediate = "reboot-immediate", Poweroff = "poweroff", PoweroffForce = "poweroff-force",
      PoweroffImmediate = "poweroff-immediate", Exit = "exit", ExitForce = "exit-force" }
);

/// `config_parse_emergency_action` for key `key`. Msg `Failed to parse KEY=, ignoring: X`
/// (empty values fail too). In the user manager (`user = true`), system-only actions
/// (`reboot*`, `poweroff*`) are accepted as `exit-force` with the INFO message
/// `KEY= in user mode specified as "X", using "exit-force" instead.` returned alongside.
pub fn parse_emergency_action(
    key: &str,
    value: &str,
    user: bool,
) -> Result<(EmergencyAction, Option<String>), ValueError> {
    let action = EmergencyAction::from_name(value)
        .ok_or_else(|| ValueError::ignore(format!("Failed to parse {key}=, ignoring: {value}")))?;
    let system_only = !matches!(
        action,
        EmergencyAction::None | EmergencyAction::Exit | EmergencyAction::ExitForce
    );
    if user && system_only {
        let info =
            format!("{key}= in user mode specified as \"{value}\", using \"exit-force\" instead.");
        return Ok((EmergencyAction::ExitForce, Some(info)));
    }
    Ok((action, None))
}
