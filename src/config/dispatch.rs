//! The directive table's parsers: for each systemd parser name, the value check systemd 252
//! performs, its messages and whether a failure only ignores the setting or refuses the unit.
//!
//! Pure: the specifier context and host facts come in through [`Ctx`]. Parsers systemd has
//! that sockunit does not check yet (cgroup, sandboxing and other keys a socket-activated unit
//! rarely needs) accept their value silently; [`is_checked`] says which, and the directive
//! support table in `docs/` lists them.

use super::ValueError;
use super::checks;
use super::deps::{DepKind, Dependency, parse_deps};
use super::exec::{self, ExecParse};
use super::listen::{self, Listen};
use super::value::{self, PathCheck};
use crate::load::host::HostInfo;
use crate::load::specifier::{SpecifierError, Specifiers, Table};

/// systemd's `PATH_MAX - 1`, the limit for expanded paths.
const PATH_MAX: usize = 4095;

/// What a parser needs besides the value.
pub struct Ctx<'a> {
    /// Specifier expansion for this unit.
    pub spec: &'a Specifiers<'a>,
    /// Host facts (IPv6 support, interfaces).
    pub host: &'a HostInfo,
    /// Whether this is the per-user manager.
    pub user: bool,
}

/// A value a later stage needs, as the parser produced it.
#[derive(Debug, Clone)]
pub enum Parsed {
    /// A boolean.
    Bool(bool),
    /// An unsigned number.
    Unsigned(u64),
    /// A signed number.
    Int(i64),
    /// A time span in microseconds (`u64::MAX` is infinity).
    Usec(u64),
    /// A string (after specifier expansion), or an enum's canonical name.
    Str(String),
    /// An empty value that resets the setting.
    Reset,
    /// A `Listen*=` address.
    Listen(Box<Listen>),
    /// `Exec*=` commands.
    Exec(ExecParse),
    /// Dependencies.
    Deps(Vec<Dependency>),
    /// A list of strings.
    List(Vec<String>),
    /// A soft and a hard limit.
    Pair(u64, u64),
}

/// The outcome of checking one value.
#[derive(Debug, Default)]
pub struct Checked {
    /// The parsed value, when the setting takes effect.
    pub value: Option<Parsed>,
    /// Messages systemd logs with the file and line.
    pub warnings: Vec<ValueError>,
    /// Messages systemd logs without a file and line (e.g. relaxed user names).
    pub notices: Vec<String>,
    /// Set when systemd refuses the unit (`-ENOEXEC`) and stops reading the file.
    pub fatal: Option<ValueError>,
}

impl Checked {
    pub(super) fn ok(value: Parsed) -> Checked {
        Checked {
            value: Some(value),
            ..Checked::default()
        }
    }

    pub(super) fn from(result: Result<Parsed, ValueError>) -> Checked {
        match result {
            Ok(v) => Checked::ok(v),
            Err(e) if e.fatal => Checked {
                fatal: Some(e),
                ..Checked::default()
            },
            Err(e) => Checked {
                warnings: vec![e],
                ..Checked::default()
            },
        }
    }

    fn accept() -> Checked {
        Checked::default()
    }
}

/// Whether sockunit checks values of keys read by this systemd parser.
pub fn is_checked(parser: &str) -> bool {
    !matches!(dispatch_kind(parser), Kind::Unchecked)
}

enum Kind {
    Checked,
    Unchecked,
}

fn dispatch_kind(parser: &str) -> Kind {
    match parser {
        "config_parse_bool"
        | "config_parse_unsigned"
        | "config_parse_int"
        | "config_parse_long"
        | "config_parse_iec_size"
        | "config_parse_mode"
        | "config_parse_sec"
        | "config_parse_sec_fix_0"
        | "config_parse_nsec"
        | "config_parse_sec_def_infinity"
        | "config_parse_signal"
        | "config_parse_kill_mode"
        | "config_parse_exec"
        | "config_parse_socket_listen"
        | "config_parse_socket_protocol"
        | "config_parse_socket_bind"
        | "config_parse_socket_bindtodevice"
        | "config_parse_ip_tos"
        | "config_parse_socket_timestamping"
        | "config_parse_fdname"
        | "config_parse_socket_service"
        | "config_parse_user_group_compat"
        | "config_parse_user_group_strv_compat"
        | "config_parse_rlimit"
        | "config_parse_service_type"
        | "config_parse_service_restart"
        | "config_parse_notify_access"
        | "config_parse_service_exit_type"
        | "config_parse_service_timeout"
        | "config_parse_service_timeout_abort"
        | "config_parse_service_timeout_failure_mode"
        | "config_parse_set_status"
        | "config_parse_emergency_action"
        | "config_parse_job_mode"
        | "config_parse_collect_mode"
        | "config_parse_oom_policy"
        | "config_parse_exec_input"
        | "config_parse_exec_output"
        | "config_parse_exec_utmp_mode"
        | "config_parse_exec_keyring_mode"
        | "config_parse_protect_system"
        | "config_parse_protect_home"
        | "config_parse_protect_proc"
        | "config_parse_proc_subset"
        | "config_parse_runtime_preserve_mode"
        | "config_parse_personality"
        | "config_parse_exec_io_class"
        | "config_parse_exec_cpu_sched_policy"
        | "config_parse_device_policy"
        | "config_parse_managed_oom_mode"
        | "config_parse_managed_oom_preference"
        | "config_parse_delegate"
        | "config_parse_working_directory"
        | "config_parse_unit_path_printf"
        | "config_parse_unit_string_printf"
        | "config_parse_unit_path_strv_printf"
        | "config_parse_pid_file"
        | "config_parse_environ"
        | "config_parse_unit_deps"
        | "config_parse_warn_compat"
        | "NULL"
        | "config_parse_string"
        | "config_parse_documentation"
        | "config_parse_service_sockets"
        | "config_parse_job_timeout_sec"
        | "config_parse_job_running_timeout_sec"
        | "config_parse_memory_limit"
        | "config_parse_cpu_shares"
        | "config_parse_blockio_weight"
        | "config_parse_blockio_device_weight"
        | "config_parse_blockio_bandwidth"
        | "config_parse_exec_nice"
        | "config_parse_cpu_quota"
        | "config_parse_unit_slice"
        | "config_parse_unit_condition_path"
        | "config_parse_unit_requires_mounts_for"
        | "config_parse_unit_env_file"
        | "config_parse_bus_name"
        | "config_parse_unit_condition_string"
        | "config_parse_namespace_path_strv" => Kind::Checked,
        _ => Kind::Unchecked,
    }
}

fn expand(ctx: &Ctx<'_>, raw: &str, table: Table, max: usize) -> Result<String, SpecifierError> {
    ctx.spec.expand(raw, table, max)
}

fn spec_warning(raw: &str, e: SpecifierError) -> ValueError {
    ValueError::ignore(format!(
        "Failed to resolve unit specifiers in '{raw}', ignoring: {}",
        e.strerror()
    ))
}

fn map<T>(r: Result<T, ValueError>, f: impl FnOnce(T) -> Parsed) -> Checked {
    Checked::from(r.map(f))
}

/// Checks `raw` (the value of `section.key`) with systemd parser `parser` and its `ltype`.
pub fn check(parser: &str, ltype: &str, key: &str, raw: &str, ctx: &Ctx<'_>) -> Checked {
    let str_enum = |r: Result<&'static str, ValueError>| map(r, |s| Parsed::Str(s.to_owned()));
    match parser {
        "NULL" => Checked::accept(),
        "config_parse_bool" if ltype == "true" => map(value::parse_bool_fatal(raw), Parsed::Bool),
        "config_parse_bool" => map(value::parse_bool(raw), Parsed::Bool),
        "config_parse_unsigned" => map(value::parse_unsigned(raw), |v| Parsed::Unsigned(v.into())),
        "config_parse_int" => map(value::parse_int(raw), |v| Parsed::Int(v.into())),
        "config_parse_exec_nice" => checks::nice(raw),
        "config_parse_cpu_quota" => checks::cpu_quota(raw),
        "config_parse_memory_limit" => checks::memory_limit(key, raw),
        "config_parse_unit_slice" => checks::slice(raw, ctx),
        "config_parse_unit_condition_path" => checks::condition_path(key, raw, ctx),
        "config_parse_unit_requires_mounts_for" => checks::requires_mounts_for(key, raw, ctx),
        "config_parse_unit_env_file" => checks::env_file(key, raw, ctx),
        "config_parse_bus_name" => checks::bus_name(raw, ctx),
        "config_parse_unit_condition_string" => checks::condition_string(raw, ctx),
        "config_parse_namespace_path_strv" => checks::namespace_paths(key, raw, ctx),
        "config_parse_long" => map(value::parse_long(raw), Parsed::Int),
        "config_parse_iec_size" => map(value::parse_iec_size(raw), Parsed::Unsigned),
        "config_parse_mode" => map(value::parse_mode(raw), |v| Parsed::Unsigned(v.into())),
        "config_parse_sec" => map(value::parse_sec(raw), Parsed::Usec),
        "config_parse_sec_fix_0" => map(value::parse_sec_fix_0(raw), Parsed::Usec),
        "config_parse_nsec" => map(value::parse_nsec(raw), Parsed::Usec),
        "config_parse_sec_def_infinity" => map(value::parse_sec_def_infinity(raw), Parsed::Usec),
        "config_parse_service_timeout"
        | "config_parse_service_timeout_abort"
        | "config_parse_job_timeout_sec"
        | "config_parse_job_running_timeout_sec" => {
            if raw.is_empty() && parser == "config_parse_service_timeout_abort" {
                return Checked::ok(Parsed::Reset);
            }
            map(value::parse_timeout_sec(key, raw), Parsed::Usec)
        }
        "config_parse_signal" => map(value::parse_signal(raw), |v| Parsed::Int(v.into())),
        "config_parse_kill_mode" => kill_mode(raw),
        "config_parse_socket_protocol" => map(value::parse_socket_protocol(raw), |p| {
            Parsed::Int(p.number().into())
        }),
        "config_parse_socket_bind" => {
            str_enum(value::parse_bind_ipv6_only(raw).map(|v| v.as_str()))
        }
        "config_parse_ip_tos" => map(value::parse_ip_tos(raw), |v| Parsed::Int(v.into())),
        "config_parse_socket_timestamping" => {
            str_enum(value::parse_timestamping(raw).map(|v| v.as_str()))
        }
        "config_parse_service_type" => str_enum(value::parse_service_type(raw).map(|v| v.as_str())),
        "config_parse_service_restart" => {
            str_enum(value::parse_service_restart(raw).map(|v| v.as_str()))
        }
        "config_parse_notify_access" => {
            str_enum(value::parse_notify_access(raw).map(|v| v.as_str()))
        }
        "config_parse_service_exit_type" => {
            str_enum(value::parse_exit_type(raw).map(|v| v.as_str()))
        }
        "config_parse_service_timeout_failure_mode" => {
            str_enum(value::parse_timeout_failure_mode(raw).map(|v| v.as_str()))
        }
        "config_parse_job_mode" => str_enum(value::parse_job_mode(raw).map(|v| v.as_str())),
        "config_parse_collect_mode" => str_enum(value::parse_collect_mode(raw).map(|v| v.as_str())),
        "config_parse_oom_policy" => str_enum(value::parse_oom_policy(raw).map(|v| v.as_str())),
        "config_parse_exec_utmp_mode" => str_enum(value::parse_utmp_mode(raw).map(|v| v.as_str())),
        "config_parse_exec_keyring_mode" => {
            str_enum(value::parse_keyring_mode(raw).map(|v| v.as_str()))
        }
        "config_parse_protect_system" => {
            str_enum(value::parse_protect_system(raw).map(|v| v.as_str()))
        }
        "config_parse_protect_home" => str_enum(value::parse_protect_home(raw).map(|v| v.as_str())),
        "config_parse_protect_proc" => str_enum(value::parse_protect_proc(raw).map(|v| v.as_str())),
        "config_parse_proc_subset" => str_enum(value::parse_proc_subset(raw).map(|v| v.as_str())),
        "config_parse_runtime_preserve_mode" => {
            str_enum(value::parse_runtime_directory_preserve(raw).map(|v| v.as_str()))
        }
        "config_parse_device_policy" => {
            str_enum(value::parse_device_policy(raw).map(|v| v.as_str()))
        }
        "config_parse_managed_oom_mode" => {
            str_enum(value::parse_managed_oom_mode(raw).map(|v| v.as_str()))
        }
        "config_parse_managed_oom_preference" => {
            str_enum(value::parse_managed_oom_preference(raw).map(|v| v.as_str()))
        }
        "config_parse_personality" => map(value::parse_personality(raw), |v| {
            v.map_or(Parsed::Reset, |s| Parsed::Str(s.to_owned()))
        }),
        "config_parse_exec_io_class" => map(value::parse_io_scheduling_class(raw), |v| {
            v.map_or(Parsed::Reset, |c| Parsed::Int(c.into()))
        }),
        "config_parse_exec_cpu_sched_policy" => map(value::parse_cpu_scheduling_policy(raw), |v| {
            v.map_or(Parsed::Reset, |c| Parsed::Int(c.into()))
        }),
        "config_parse_delegate" => map(value::parse_delegate(raw), |_| Parsed::Bool(true)),
        "config_parse_emergency_action" => {
            match value::parse_emergency_action(key, raw, ctx.user) {
                Ok((action, info)) => Checked {
                    value: Some(Parsed::Str(action.as_str().to_owned())),
                    notices: info.into_iter().collect(),
                    ..Checked::default()
                },
                Err(e) => Checked::from(Err(e)),
            }
        }
        "config_parse_rlimit" => map(value::parse_rlimit(key, raw), |(soft, hard)| {
            Parsed::Pair(soft, hard)
        }),
        "config_parse_set_status" => set_status(key, raw),
        "config_parse_exec_input" => map(value::parse_exec_input(raw), |_| {
            Parsed::Str(raw.to_owned())
        }),
        "config_parse_exec_output" => match value::parse_exec_output(key, raw) {
            Ok((_, notice)) => Checked {
                value: Some(Parsed::Str(raw.to_owned())),
                warnings: notice.into_iter().map(ValueError::ignore).collect(),
                ..Checked::default()
            },
            Err(e) => Checked::from(Err(e)),
        },
        "config_parse_user_group_compat" => user_group(key, raw, ctx),
        "config_parse_user_group_strv_compat" => user_group_list(key, raw, ctx),
        "config_parse_exec" => exec_lines(key, raw, ctx),
        "config_parse_socket_listen" => listen_value(key, raw, ctx),
        "config_parse_socket_bindtodevice" => {
            if raw.is_empty() || raw == "*" {
                Checked::ok(Parsed::Reset)
            } else if value::ifname_valid(raw) {
                Checked::ok(Parsed::Str(raw.to_owned()))
            } else {
                Checked::from(Err(ValueError::ignore(format!(
                    "Invalid interface name, ignoring: {raw}"
                ))))
            }
        }
        "config_parse_fdname" => fdname(raw, ctx),
        "config_parse_socket_service" => socket_service(raw, ctx),
        "config_parse_unit_string_printf" => match expand(ctx, raw, Table::Full, usize::MAX) {
            Ok(v) => Checked::ok(Parsed::Str(v)),
            Err(e) => Checked::from(Err(spec_warning(raw, e))),
        },
        "config_parse_string" => Checked::ok(Parsed::Str(raw.to_owned())),
        "config_parse_unit_path_printf" => unit_path(key, raw, ltype == "true", ctx),
        "config_parse_unit_path_strv_printf" => path_list(key, raw, ctx),
        "config_parse_working_directory" => working_directory(key, raw, ctx),
        "config_parse_pid_file" => pid_file(key, raw, ctx),
        "config_parse_environ" => environ(raw, ctx),
        "config_parse_unit_deps" => {
            let (deps, warnings) = parse_deps(raw, DepKind::from_ltype(ltype), ctx.spec);
            Checked {
                value: Some(Parsed::Deps(deps)),
                warnings,
                ..Checked::default()
            }
        }
        "config_parse_service_sockets" => service_sockets(raw, ctx),
        "config_parse_documentation" => documentation(raw),
        "config_parse_warn_compat" => {
            let why = match ltype {
                "DISABLED_CONFIGURATION" => "has been disabled at compile time",
                "DISABLED_EXPERIMENTAL" => "has not yet been enabled",
                _ => "has been removed",
            };
            Checked::from(Err(ValueError::ignore(format!(
                "Support for option {key}= {why} and it is ignored"
            ))))
        }
        "config_parse_cpu_shares" if !raw.is_empty() => deprecated(key, "CPUWeight"),
        "config_parse_blockio_weight"
        | "config_parse_blockio_device_weight"
        | "config_parse_blockio_bandwidth"
            if !raw.is_empty() =>
        {
            let new = match key {
                "BlockIOWeight" => "IOWeight",
                "StartupBlockIOWeight" => "StartupIOWeight",
                "BlockIODeviceWeight" => "IODeviceWeight",
                "BlockIOReadBandwidth" => "IOReadBandwidthMax",
                _ => "IOWriteBandwidthMax",
            };
            deprecated(key, new)
        }
        _ => Checked::accept(),
    }
}

/// The notices systemd 252 logs for cgroup-v1 era keys (the value itself is not checked here).
fn deprecated(key: &str, new: &str) -> Checked {
    Checked {
        warnings: vec![ValueError::ignore(format!(
            "Unit uses {key}=; please use {new}= instead. Support for {key}= will be removed soon."
        ))],
        ..Checked::default()
    }
}

fn kill_mode(raw: &str) -> Checked {
    match value::parse_kill_mode(raw) {
        Ok(mode) => {
            let mut c = Checked::ok(Parsed::Str(mode.as_str().to_owned()));
            if mode.as_str() == "none" {
                c.warnings
                    .push(ValueError::ignore(value::KILL_MODE_NONE_WARNING));
            }
            c
        }
        Err(e) => Checked::from(Err(e)),
    }
}

fn set_status(key: &str, raw: &str) -> Checked {
    match value::parse_exit_status_list(key, raw) {
        Ok(list) => Checked {
            value: Some(Parsed::Str(raw.to_owned())),
            warnings: list.warnings.clone(),
            ..Checked::default()
        },
        Err(e) => Checked::from(Err(e)),
    }
}

fn user_group(key: &str, raw: &str, ctx: &Ctx<'_>) -> Checked {
    if raw.is_empty() {
        return Checked::ok(Parsed::Reset);
    }
    let expanded = match expand(ctx, raw, Table::Full, usize::MAX) {
        Ok(v) => v,
        Err(e) => {
            return Checked::from(Err(ValueError::fatal(format!(
                "Failed to resolve user/group name specifiers in '{raw}': {}",
                e.strerror()
            ))));
        }
    };
    match value::parse_user_group(key, &expanded) {
        Ok(name) => Checked {
            value: Some(Parsed::Str(name.name)),
            notices: name.relaxed_warning.into_iter().collect(),
            ..Checked::default()
        },
        Err(e) => Checked::from(Err(e)),
    }
}

fn user_group_list(key: &str, raw: &str, ctx: &Ctx<'_>) -> Checked {
    if raw.is_empty() {
        return Checked::ok(Parsed::Reset);
    }
    let mut names = Vec::new();
    let mut out = Checked::default();
    for word in raw.split_ascii_whitespace() {
        let c = user_group(key, word, ctx);
        if c.fatal.is_some() {
            return c;
        }
        out.notices.extend(c.notices);
        if let Some(Parsed::Str(n)) = c.value {
            names.push(n);
        }
    }
    out.value = Some(Parsed::List(names));
    out
}

fn exec_lines(key: &str, raw: &str, ctx: &Ctx<'_>) -> Checked {
    let expand = |s: &str| {
        ctx.spec
            .expand(s, Table::Full, crate::syntax::LONG_LINE_MAX)
    };
    match exec::parse_exec(raw, key, &expand) {
        Ok(parsed) => {
            let warnings = parsed.warnings.clone();
            Checked {
                value: Some(Parsed::Exec(parsed)),
                warnings,
                ..Checked::default()
            }
        }
        Err(fatal) => Checked {
            warnings: fatal.warnings,
            fatal: Some(fatal.error),
            ..Checked::default()
        },
    }
}

fn listen_value(key: &str, raw: &str, ctx: &Ctx<'_>) -> Checked {
    if raw.is_empty() {
        return Checked::ok(Parsed::Reset);
    }
    let expanded = match expand(ctx, raw, Table::Full, PATH_MAX) {
        Ok(v) => v,
        Err(e) => return Checked::from(Err(spec_warning(raw, e))),
    };
    let ifindex = |name: &str| {
        ctx.host
            .interfaces
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, i)| *i)
    };
    match listen::parse_listen_raw(key, raw, &expanded, ctx.host.ipv6, &ifindex) {
        Ok(l) => Checked::ok(Parsed::Listen(Box::new(l))),
        Err(e) => Checked::from(Err(e)),
    }
}

fn fdname(raw: &str, ctx: &Ctx<'_>) -> Checked {
    if raw.is_empty() {
        return Checked::ok(Parsed::Reset);
    }
    match expand(ctx, raw, Table::Full, 255) {
        Ok(p) if value::fdname_is_valid(&p) => Checked::ok(Parsed::Str(p)),
        Ok(p) => Checked::from(Err(ValueError::ignore(format!(
            "Invalid file descriptor name, ignoring: {p}"
        )))),
        Err(e) => Checked::from(Err(spec_warning(raw, e))),
    }
}

fn socket_service(raw: &str, ctx: &Ctx<'_>) -> Checked {
    let p = match expand(ctx, raw, Table::Name, usize::MAX) {
        Ok(p) => p,
        Err(e) => {
            return Checked::from(Err(ValueError::ignore(format!(
                "Failed to resolve unit specifiers in {raw}, ignoring: {}",
                e.strerror()
            ))));
        }
    };
    if !p.ends_with(".service") {
        return Checked::from(Err(ValueError::ignore(format!(
            "Unit must be of type service, ignoring: {raw}"
        ))));
    }
    if crate::load::name::UnitName::parse(&p).is_none() {
        return Checked::from(Err(ValueError::ignore(format!(
            "Failed to load unit {raw}, ignoring: Invalid argument"
        ))));
    }
    Checked::ok(Parsed::Str(p))
}

fn unit_path(key: &str, raw: &str, fatal: bool, ctx: &Ctx<'_>) -> Checked {
    let k = match expand(ctx, raw, Table::Full, PATH_MAX) {
        Ok(k) => k,
        Err(e) => {
            let ign = if fatal { "" } else { ", ignoring" };
            let msg = format!(
                "Failed to resolve unit specifiers in '{raw}'{ign}: {}",
                e.strerror()
            );
            let err = if fatal {
                ValueError::fatal(msg)
            } else {
                ValueError::ignore(msg)
            };
            return Checked::from(Err(err));
        }
    };
    if k.is_empty() {
        return Checked::ok(Parsed::Reset);
    }
    let check = PathCheck {
        absolute: true,
        fatal,
        ..PathCheck::default()
    };
    map(value::path_check(key, &k, check), Parsed::Str)
}

fn path_list(key: &str, raw: &str, ctx: &Ctx<'_>) -> Checked {
    if raw.is_empty() {
        return Checked::ok(Parsed::Reset);
    }
    let Some(words) = exec::split_words(raw) else {
        return Checked::from(Err(ValueError::ignore(format!(
            "Invalid syntax, ignoring: {raw}"
        ))));
    };
    let mut paths = Vec::new();
    for (word, _) in words {
        let k = match expand(ctx, &word, Table::Full, PATH_MAX) {
            Ok(k) => k,
            Err(e) => {
                let c = Checked::from(Err(spec_warning(&word, e)));
                return Checked {
                    value: Some(Parsed::List(paths)),
                    ..c
                };
            }
        };
        let check = PathCheck {
            absolute: true,
            ..PathCheck::default()
        };
        match value::path_check(key, &k, check) {
            Ok(p) => paths.push(p),
            Err(e) => {
                return Checked {
                    value: Some(Parsed::List(paths)),
                    warnings: vec![e],
                    ..Checked::default()
                };
            }
        }
    }
    Checked::ok(Parsed::List(paths))
}

fn working_directory(key: &str, raw: &str, ctx: &Ctx<'_>) -> Checked {
    if raw.is_empty() {
        return Checked::ok(Parsed::Reset);
    }
    let (missing_ok, rest) = match raw.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, raw),
    };
    if rest == "~" {
        return Checked::ok(Parsed::Str("~".to_owned()));
    }
    let k = match expand(ctx, rest, Table::Full, PATH_MAX) {
        Ok(k) => k,
        Err(e) => {
            let ign = if missing_ok { ", ignoring" } else { "" };
            let msg = format!(
                "Failed to resolve unit specifiers in working directory path '{rest}'{ign}: {}",
                e.strerror()
            );
            let err = if missing_ok {
                ValueError::ignore(msg)
            } else {
                ValueError::fatal(msg)
            };
            return Checked::from(Err(err));
        }
    };
    let check = PathCheck {
        absolute: true,
        fatal: !missing_ok,
        ..PathCheck::default()
    };
    let dash = if missing_ok { "-" } else { "" };
    map(value::path_check(key, &k, check), |p| {
        Parsed::Str(format!("{dash}{p}"))
    })
}

fn pid_file(key: &str, raw: &str, ctx: &Ctx<'_>) -> Checked {
    if raw.is_empty() {
        return Checked::ok(Parsed::Reset);
    }
    let k = match expand(ctx, raw, Table::Full, PATH_MAX) {
        Ok(k) => k,
        Err(e) => return Checked::from(Err(spec_warning(raw, e))),
    };
    let n = if k.starts_with('/') {
        k
    } else {
        format!("{}/{k}", ctx.host.runtime_dir)
    };
    let check = PathCheck {
        absolute: true,
        ..PathCheck::default()
    };
    map(value::path_check(key, &n, check), Parsed::Str)
}

fn environ(raw: &str, ctx: &Ctx<'_>) -> Checked {
    if raw.is_empty() {
        return Checked::ok(Parsed::Reset);
    }
    let Some(words) = exec::split_words(raw) else {
        return Checked::from(Err(ValueError::ignore(format!(
            "Invalid syntax, ignoring: {raw}"
        ))));
    };
    let mut out = Checked::default();
    let mut vars = Vec::new();
    for (word, range) in words {
        let resolved = match expand(ctx, &word, Table::Full, usize::MAX) {
            Ok(r) => r,
            Err(e) => {
                out.warnings.push(
                    ValueError::ignore(format!(
                        "Failed to resolve unit specifiers in {word}, ignoring: {}",
                        e.strerror()
                    ))
                    .at(range),
                );
                continue;
            }
        };
        if env_assignment_is_valid(&resolved) {
            vars.push(resolved);
        } else {
            out.warnings.push(
                ValueError::ignore(format!(
                    "Invalid environment assignment, ignoring: {resolved}"
                ))
                .at(range),
            );
        }
    }
    out.value = Some(Parsed::List(vars));
    out
}

/// systemd's `env_assignment_is_valid()`: `NAME=value` with a valid name and a value that is
/// valid UTF-8 without control characters other than tab and newline.
fn env_assignment_is_valid(s: &str) -> bool {
    let Some((name, value)) = s.split_once('=') else {
        return false;
    };
    let name_ok = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    name_ok
        && !value
            .chars()
            .any(|c| c.is_control() && c != '\t' && c != '\n')
}

fn service_sockets(raw: &str, ctx: &Ctx<'_>) -> Checked {
    let mut out = Checked::default();
    let mut names = Vec::new();
    let Some(words) = exec::split_words(raw) else {
        return Checked::from(Err(ValueError::ignore(format!(
            "Invalid syntax, ignoring: {raw}"
        ))));
    };
    for (word, range) in words {
        match expand(ctx, &word, Table::Name, usize::MAX) {
            Ok(k) if k.ends_with(".socket") && crate::load::name::UnitName::parse(&k).is_some() => {
                names.push(k);
            }
            Ok(k) if !k.ends_with(".socket") => out.warnings.push(
                ValueError::ignore(format!("Unit must be of type socket, ignoring: {k}")).at(range),
            ),
            Ok(k) => {
                for _ in 0..2 {
                    out.warnings.push(
                        ValueError::ignore(format!(
                            "Failed to add dependency on {k}, ignoring: Invalid argument"
                        ))
                        .at(range.clone()),
                    );
                }
            }
            Err(e) => out.warnings.push(spec_warning(&word, e).at(range)),
        }
    }
    out.value = Some(Parsed::List(names));
    out
}

fn documentation(raw: &str) -> Checked {
    if raw.is_empty() {
        return Checked::ok(Parsed::Reset);
    }
    let mut out = Checked::default();
    let mut urls = Vec::new();
    for (start, word) in raw
        .split_ascii_whitespace()
        .map(|w| (w.as_ptr() as usize - raw.as_ptr() as usize, w))
    {
        if documentation_url_is_valid(word) {
            urls.push(word.to_owned());
        } else {
            out.warnings.push(
                ValueError::ignore(format!("Invalid URL, ignoring: {word}"))
                    .at(start..start + word.len()),
            );
        }
    }
    out.value = Some(Parsed::List(urls));
    out
}

/// systemd's `documentation_url_is_valid()`: an http(s)/file/info/man URL.
fn documentation_url_is_valid(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once(':') else {
        return false;
    };
    let known = matches!(scheme, "http" | "https" | "file" | "info" | "man");
    known && !rest.is_empty() && url.chars().all(|c| c.is_ascii_graphic())
}

/// The directive support table for `docs/directives.md`: every key systemd 252 accepts in
/// `[Unit]`, `[Install]`, `[Socket]` and `[Service]`, its systemd parser, what sockunit does
/// with it and the release that added it; then the keys later releases added, and how many
/// keys each release knows.
pub fn support_table() -> String {
    use super::release::{self, Release};
    let mut out = String::from(
        "# Directive support\n\n\
         GENERATED from the directive table (`src/config/directive_table.rs`) by\n\
         `SOCKUNIT_UPDATE_DOCS=1 cargo test --test docs`; a test fails when it is stale.\n\n\
         Every key systemd 252 accepts in these sections is known to sockunit (others warn\n\
         `Unknown key`, as systemd does). *checked*: the value is parsed with systemd's rules and\n\
         bad values get systemd's warning or refusal. *accepted*: the key is known but its value\n\
         is not checked yet (mostly cgroup and sandboxing settings). *ignored*: systemd itself\n\
         ignores the key (`[Install]`) or warns that it was removed.\n\n\
         *since*: the systemd release that added the key, from systemd's directive lists for\n\
         releases after 250 and from the man pages' \"Added in version N\" for older keys where\n\
         they say (`≤250` where they do not). *later*: the release from which the key goes to\n\
         another parser (sockunit accepts the key's values there unless it checks that parser\n\
         too), or is removed (systemd then warns that it is ignored). With `--systemd-version N`\n\
         sockunit knows exactly the keys systemd N knows (see the last two tables).\n\n",
    );
    let since = |section: &str, key: &str| match release::key_added(section, key) {
        Some(0) | None => format!("≤{}", Release::FIRST),
        Some(n) => n.to_string(),
    };
    let later = |section: &str, key: &str| {
        let mut parts = Vec::new();
        let mut prev = Release::V252.lookup(section, key);
        for n in Release::V252.number() + 1..=Release::LATEST.number() {
            let r = Release::new(n).unwrap_or(Release::LATEST);
            let now = r.lookup(section, key);
            if now != prev {
                parts.push(match now {
                    Some(("config_parse_warn_compat", _)) => format!("{n}: removed"),
                    Some((p, _)) => format!("{n}: `{p}`"),
                    None => format!("{n}: unknown"),
                });
            }
            prev = now;
        }
        parts.join(", ")
    };
    let label = |parser: &str| match parser {
        "NULL" | "config_parse_warn_compat" => 2,
        p if is_checked(p) => 0,
        _ => 1,
    };
    const LABELS: [&str; 3] = ["checked", "accepted", "ignored"];
    let mut counts = [0usize; 3];
    let mut rows = String::from(
        "| section | key | systemd parser | sockunit | since | later |\n|---|---|---|---|---|---|\n",
    );
    for (section, key, parser, _) in super::DIRECTIVE_TABLE {
        let status = label(parser);
        counts[status] += 1;
        rows.push_str(&format!(
            "| {section} | `{key}=` | `{parser}` | {} | {} | {} |\n",
            LABELS[status],
            since(section, key),
            later(section, key)
        ));
    }
    out.push_str(&format!(
        "{} keys: {} checked, {} accepted, {} ignored.\n\n",
        super::DIRECTIVE_TABLE.len(),
        counts[0],
        counts[1],
        counts[2]
    ));
    out.push_str(&rows);

    let newer: Vec<(&str, &str)> = release::all_keys()
        .filter(|(s, k)| !Release::V252.is_known(s, k))
        .collect();
    out.push_str(&format!(
        "\n## Keys newer than systemd 252\n\n\
         {} keys systemd 252 does not know (it warns `Unknown key`, and so does sockunit unless\n\
         `--systemd-version` is at least the key's release). *sockunit*: what it does with the\n\
         value from that release on.\n\n\
         | section | key | since | systemd parser (newest) | sockunit |\n|---|---|---|---|---|\n",
        newer.len()
    ));
    for (section, key) in &newer {
        let (parser, _) = Release::LATEST.lookup(section, key).unwrap_or(("", ""));
        let first = release::first_known(section, key).unwrap_or(Release::LATEST);
        out.push_str(&format!(
            "| {section} | `{key}=` | {first} | `{parser}` | {} |\n",
            LABELS[label(parser)]
        ));
    }

    out.push_str(
        "\n## Keys per release\n\n\
         | release | keys known | not in 252 | known to 252 with another parser |\n\
         |---|---|---|---|\n",
    );
    for n in Release::FIRST.number()..=Release::LATEST.number() {
        let r = Release::new(n).unwrap_or(Release::LATEST);
        let (mut known, mut added, mut changed) = (0, 0, 0);
        for (s, k) in release::all_keys() {
            let Some(now) = r.lookup(s, k) else { continue };
            known += 1;
            match Release::V252.lookup(s, k) {
                None => added += 1,
                Some(old) if old != now => changed += 1,
                Some(_) => {}
            }
        }
        out.push_str(&format!("| {n} | {known} | {added} | {changed} |\n"));
    }
    out
}
