//! Show: `systemctl show`'s `Name=value` properties of a unit that is loaded but not running,
//! as systemd 252's D-Bus objects (`dbus-socket.c`, `dbus-service.c`, `dbus-execute.c`,
//! `dbus-kill.c`, `dbus-unit.c`) expose them and `systemctl` prints them.
//!
//! Pure: everything comes in through [`UnitView`] (the loaded unit, its interpreted
//! configuration and the settings the typed layer does not model) and [`ShowOptions`] (scope,
//! home directory, mount points, interfaces); dependencies of other units (the inverse ones,
//! `TriggeredBy=`, `After=` from another unit's `Before=`, …) are passed in by the caller, which
//! loads the units systemd's load queue would.
//!
//! Properties come in systemd's order: the type's own (socket or service), `Slice`, the exec
//! context, the kill context, then the generic unit properties. Runtime fields show a unit
//! that never ran (`inactive`, `dead`, `success`, PIDs 0, `[not set]`).

mod deps;

pub use deps::{
    Dep, MountSource, TARGET_PULL_KINDS, forward_deps, forward_deps_masked, mask, mount_unit_name,
    requires_mounts_for, requires_mounts_for_sources, rule, slice_name, target_orders_after,
};

use crate::config::exec::ExecCommand;
use crate::config::listen::{Address, ListenKind, format_address_with};
use crate::config::value::{USEC_INFINITY, format_timespan};
use crate::config::{Basics, ExecContext, KillContext, ServiceConfig, SocketConfig};
use crate::dump::Extras;
use crate::load::LoadedUnit;
use crate::load::paths::Scope;

/// What show needs besides the unit.
#[derive(Debug, Clone)]
pub struct ShowOptions {
    /// System or user manager.
    pub scope: Scope,
    /// The user's home directory (a user manager's default `WorkingDirectory=`).
    pub home: Option<String>,
    /// Mount points of the host (`/proc/self/mountinfo`): `After=` on their `.mount` units.
    pub mount_points: Vec<String>,
    /// Network interfaces (name, index): IPv6 scope ids print as the interface's name.
    pub interfaces: Vec<(String, u32)>,
    /// The manager's prefixes of `RuntimeDirectory=`, `StateDirectory=`, `CacheDirectory=`,
    /// `LogsDirectory=`, `ConfigurationDirectory=` (their paths are `RequiresMountsFor=`).
    pub directory_prefixes: [String; 5],
    /// The manager's `DefaultStandardOutput=`: `journal` for a running manager, `inherit` for
    /// the test manager of `systemd-analyze verify` (whose dump the header follows).
    pub default_std_output: &'static str,
}

impl Default for ShowOptions {
    fn default() -> Self {
        ShowOptions {
            scope: Scope::System,
            home: None,
            mount_points: vec!["/".to_owned()],
            interfaces: Vec::new(),
            directory_prefixes: [
                "/run".into(),
                "/var/lib".into(),
                "/var/cache".into(),
                "/var/log".into(),
                "/etc".into(),
            ],
            default_std_output: "journal",
        }
    }
}

/// One loaded, interpreted unit.
#[derive(Debug, Clone, Copy)]
pub struct UnitView<'a> {
    /// The loaded unit (names, paths, files).
    pub unit: &'a LoadedUnit,
    /// The interpreted configuration.
    pub basics: &'a Basics,
    /// The type section's settings the typed layer does not model.
    pub extras: &'a Extras,
    /// `loaded`, `not-found`, `bad-setting`, `error` or `masked`.
    pub load_state: &'a str,
}

/// A property value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// One `Name=value` line; an empty value is printed only when asked for by `-p`.
    One(String),
    /// One `Name=value` line per item (`Listen=`, `Exec*=`, `EnvironmentFiles=`); none when
    /// empty, even with `-p`.
    Each(Vec<String>),
}

/// Every dependency kind in systemd's `UnitDependency` order (the order `unit_dump` prints
/// them in). The D-Bus properties are the same list without the three kinds systemd does not
/// export ([`is_dependency_property`]).
pub const UNIT_DEPENDENCIES: [&str; 31] = [
    "Requires",
    "Requisite",
    "Wants",
    "BindsTo",
    "PartOf",
    "Upholds",
    "RequiredBy",
    "RequisiteOf",
    "WantedBy",
    "BoundBy",
    "UpheldBy",
    "ConsistsOf",
    "Conflicts",
    "ConflictedBy",
    "Before",
    "After",
    "OnSuccess",
    "OnSuccessOf",
    "OnFailure",
    "OnFailureOf",
    "Triggers",
    "TriggeredBy",
    "PropagatesReloadTo",
    "ReloadPropagatedFrom",
    "PropagatesStopTo",
    "StopPropagatedFrom",
    "JoinsNamespaceOf",
    "References",
    "ReferencedBy",
    "InSlice",
    "SliceOf",
];

/// Whether a dependency kind is a `systemctl show` property (all but References,
/// ReferencedBy and InSlice).
pub fn is_dependency_property(kind: &str) -> bool {
    !matches!(kind, "References" | "ReferencedBy" | "InSlice")
}

/// The inverse of a dependency property (`Before` ↔ `After`, `Requires` → `RequiredBy`, …).
pub fn inverse(kind: &str) -> Option<&'static str> {
    const PAIRS: [(&str, &str); 14] = [
        ("Requires", "RequiredBy"),
        ("Requisite", "RequisiteOf"),
        ("Wants", "WantedBy"),
        ("BindsTo", "BoundBy"),
        ("Upholds", "UpheldBy"),
        ("PartOf", "ConsistsOf"),
        ("Conflicts", "ConflictedBy"),
        ("Before", "After"),
        ("OnSuccess", "OnSuccessOf"),
        ("OnFailure", "OnFailureOf"),
        ("Triggers", "TriggeredBy"),
        ("PropagatesReloadTo", "ReloadPropagatedFrom"),
        ("PropagatesStopTo", "StopPropagatedFrom"),
        ("JoinsNamespaceOf", "JoinsNamespaceOf"),
    ];
    PAIRS.iter().find_map(|(a, b)| {
        if *a == kind {
            Some(*b)
        } else if *b == kind {
            Some(*a)
        } else {
            None
        }
    })
}

/// A unit's dependencies by property, each list in the order first added, without
/// duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepSet {
    entries: Vec<(&'static str, Vec<String>)>,
}

impl DepSet {
    /// Adds `target` under `kind` (ignored when already there).
    pub fn add(&mut self, kind: &'static str, target: &str) {
        match self.entries.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, list)) => {
                if !list.iter().any(|t| t == target) {
                    list.push(target.to_owned());
                }
            }
            None => self.entries.push((kind, vec![target.to_owned()])),
        }
    }

    /// The targets of `kind`.
    pub fn get(&self, kind: &str) -> &[String] {
        self.entries
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(&[], |(_, l)| l.as_slice())
    }

    /// Every (kind, target) pair.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        self.entries
            .iter()
            .flat_map(|(k, l)| l.iter().map(move |t| (*k, t.as_str())))
    }
}

/// Every property of `view`, in systemd's order. `deps` are all of the unit's dependencies
/// (forward and inverse, already resolved to unit ids).
pub fn properties(view: UnitView<'_>, deps: &DepSet, opts: &ShowOptions) -> Vec<(String, Value)> {
    let mut p = Props::default();
    let id = view.unit.id.as_str();
    match (
        view.basics.socket.as_deref(),
        view.basics.service.as_deref(),
    ) {
        (Some(s), _) => {
            socket_props(&mut p, s, id, view.extras, opts);
            p.one("Slice", slice_of(view, opts));
            exec_props(&mut p, &s.exec, view.extras, opts);
            kill_props(&mut p, &s.kill);
        }
        (None, Some(s)) => {
            service_props(&mut p, s, view.extras);
            p.one("Slice", slice_of(view, opts));
            exec_props(&mut p, &s.exec, view.extras, opts);
            kill_props(&mut p, &s.kill);
        }
        (None, None) => {}
    }
    unit_props(&mut p, view, deps, opts);
    p.0
}

/// `systemctl show` text: `Name=value` lines. With `filter` (`-p`), only those properties,
/// empty ones included; without, empty single values are skipped.
pub fn render(props: &[(String, Value)], filter: Option<&[String]>) -> String {
    let mut out = String::new();
    for (name, value) in props {
        let wanted = filter.is_none_or(|f| f.iter().any(|w| w == name));
        if !wanted {
            continue;
        }
        match value {
            Value::One(v) => {
                if v.is_empty() && filter.is_none() {
                    continue;
                }
                out.push_str(&format!("{name}={v}\n"));
            }
            Value::Each(items) => {
                for v in items {
                    out.push_str(&format!("{name}={v}\n"));
                }
            }
        }
    }
    out
}

#[derive(Default)]
struct Props(Vec<(String, Value)>);

impl Props {
    fn one(&mut self, name: &str, v: impl ToString) {
        self.0.push((name.to_owned(), Value::One(v.to_string())));
    }
    fn yn(&mut self, name: &str, b: bool) {
        self.one(name, if b { "yes" } else { "no" });
    }
    fn span(&mut self, name: &str, usec: u64) {
        self.one(name, span(usec));
    }
    fn strv(&mut self, name: &str, items: &[String]) {
        self.one(name, strv(items));
    }
    fn each(&mut self, name: &str, items: Vec<String>) {
        self.0.push((name.to_owned(), Value::Each(items)));
    }
}

/// `FORMAT_TIMESPAN(u, 0)`.
fn span(usec: u64) -> String {
    format_timespan(usec, 1)
}

/// A string array as `bus_print_property` prints it: each element `shell_maybe_quote`d,
/// space-separated.
fn strv(items: &[String]) -> String {
    items
        .iter()
        .map(|s| crate::config::exec::quote_command_line(std::slice::from_ref(s)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `Listen=` port type (`socket_port_type_to_string`).
fn port_type(kind: ListenKind, address: &Address) -> &'static str {
    if matches!(address, Address::Netlink { .. }) {
        return "Netlink";
    }
    match kind {
        ListenKind::Stream => "Stream",
        ListenKind::Datagram => "Datagram",
        ListenKind::SequentialPacket => "SequentialPacket",
        ListenKind::Netlink => "Netlink",
        ListenKind::Fifo => "FIFO",
        ListenKind::Special => "Special",
        ListenKind::MessageQueue => "MessageQueue",
        ListenKind::UsbFunction => "USBFunction",
    }
}

/// One `Exec*=` command as systemctl prints it (`{ path=… ; argv[]=… ; … }`); `ex` for the
/// `Exec*Ex=` form with `flags=`.
fn exec_line(c: &ExecCommand, ex: bool) -> String {
    let middle = if ex {
        let f = &c.flags;
        let names: Vec<&str> = [
            (f.ignore_failure, "ignore-failure"),
            (f.full_privileges, "privileged"),
            (f.no_setuid, "no-setuid"),
            (f.ambient, "ambient"),
            (f.no_env_expand, "no-env-expand"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, n)| *n)
        .collect();
        format!("flags={}", names.join(" "))
    } else {
        format!(
            "ignore_errors={}",
            if c.flags.ignore_failure { "yes" } else { "no" }
        )
    };
    format!(
        "{{ path={} ; argv[]={} ; {middle} ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }}",
        c.path,
        c.argv.join(" ")
    )
}

fn exec_lines(commands: &[ExecCommand], ex: bool) -> Vec<String> {
    commands.iter().map(|c| exec_line(c, ex)).collect()
}

/// `dbus-socket.c`.
fn socket_props(p: &mut Props, s: &SocketConfig, id: &str, x: &Extras, opts: &ShowOptions) {
    p.one("BindIPv6Only", &s.bind_ipv6_only);
    p.one("Backlog", s.backlog);
    p.span("TimeoutUSec", s.timeout_usec);
    p.one("BindToDevice", s.bind_to_device.as_deref().unwrap_or(""));
    p.one("SocketUser", s.socket_user.as_deref().unwrap_or(""));
    p.one("SocketGroup", s.socket_group.as_deref().unwrap_or(""));
    p.one("SocketMode", format!("{:04o}", s.socket_mode));
    p.one("DirectoryMode", format!("{:04o}", s.directory_mode));
    p.yn("Accept", s.accept);
    p.yn("FlushPending", s.flush_pending);
    p.yn("Writable", s.writable);
    p.yn("KeepAlive", s.keep_alive);
    p.span("KeepAliveTimeUSec", s.keep_alive_time_usec);
    p.span("KeepAliveIntervalUSec", s.keep_alive_interval_usec);
    p.one("KeepAliveProbes", s.keep_alive_probes);
    p.span("DeferAcceptUSec", s.defer_accept_usec);
    p.yn("NoDelay", s.no_delay);
    p.one("Priority", s.priority);
    p.one("ReceiveBuffer", s.receive_buffer);
    p.one("SendBuffer", s.send_buffer);
    p.one("IPTOS", s.ip_tos);
    p.one("IPTTL", s.ip_ttl);
    p.one("PipeSize", s.pipe_size);
    p.yn("FreeBind", s.free_bind);
    p.yn("Transparent", s.transparent);
    p.yn("Broadcast", s.broadcast);
    p.yn("PassCredentials", s.pass_credentials);
    p.yn("PassSecurity", s.pass_security);
    p.yn("PassPacketInfo", s.pass_packet_info);
    p.one("Timestamping", &s.timestamping);
    p.yn("RemoveOnStop", s.remove_on_stop);
    let ifname_of = |index: u32| {
        opts.interfaces
            .iter()
            .find(|(_, i)| *i == index)
            .map(|(n, _)| n.clone())
    };
    let listens = s
        .listens
        .iter()
        .map(|l| {
            format!(
                "{} ({})",
                format_address_with(l, &ifname_of),
                port_type(l.kind, &l.address)
            )
        })
        .collect();
    p.each("Listen", listens);
    p.strv("Symlinks", &s.symlinks);
    p.one("Mark", s.mark);
    p.one("MaxConnections", s.max_connections);
    p.one("MaxConnectionsPerSource", s.max_connections_per_source);
    p.one("MessageQueueMaxMessages", s.mq_max_messages);
    p.one("MessageQueueMessageSize", s.mq_message_size);
    p.one("TCPCongestion", s.tcp_congestion.as_deref().unwrap_or(""));
    p.yn("ReusePort", s.reuse_port);
    for key in ["SmackLabel", "SmackLabelIPIn", "SmackLabelIPOut"] {
        p.one(key, x.string(key).unwrap_or_default());
    }
    p.one("ControlPID", 0);
    p.one("Result", "success");
    p.one("NConnections", 0);
    p.one("NAccepted", 0);
    p.one("NRefused", 0);
    // The D-Bus property falls back to the unit name, also with `Accept=yes`.
    p.one("FileDescriptorName", s.fd_name.as_deref().unwrap_or(id));
    p.one("SocketProtocol", s.socket_protocol.unwrap_or(0));
    let (interval, burst) = s.trigger_limit();
    p.span("TriggerLimitIntervalUSec", interval);
    p.one("TriggerLimitBurst", burst);
    p.one("UID", "[not set]");
    p.one("GID", "[not set]");
    p.each("ExecStartPre", exec_lines(&s.exec_start_pre, false));
    p.each("ExecStartPost", exec_lines(&s.exec_start_post, false));
    p.each("ExecStopPre", exec_lines(&s.exec_stop_pre, false));
    p.each("ExecStopPost", exec_lines(&s.exec_stop_post, false));
}

/// The service type after `service_add_extras` (automatic `Type=`).
pub fn service_type(s: &ServiceConfig, x: &Extras) -> String {
    if x.is_set("Type") {
        s.service_type.clone()
    } else if s.bus_name.is_some() {
        "dbus".to_owned()
    } else if !s.commands("ExecStart").is_empty() {
        "simple".to_owned()
    } else {
        "oneshot".to_owned()
    }
}

/// `dbus-service.c`.
fn service_props(p: &mut Props, s: &ServiceConfig, x: &Extras) {
    let ty = service_type(s, x);
    let start_timeout_defined = x.is_set("TimeoutStartSec") || x.is_set("TimeoutSec");
    let timeout_start = if ty == "oneshot" && !start_timeout_defined {
        USEC_INFINITY
    } else {
        s.timeout_start_usec
    };
    let watchdog = x.usec("WatchdogSec");
    let fd_store_max = x.unsigned("FileDescriptorStoreMax").unwrap_or(0);
    let notify_access = match s.notify_access.as_deref() {
        Some(n) if n != "none" => n.to_owned(),
        _ if ty == "notify" || watchdog.unwrap_or(0) > 0 || fd_store_max > 0 => "main".to_owned(),
        _ => "none".to_owned(),
    };
    let oom_policy = x.string("OOMPolicy").unwrap_or_else(|| {
        if x.bool("Delegate").unwrap_or(false) {
            "continue".into()
        } else {
            "stop".into()
        }
    });
    p.one("Type", &ty);
    p.one("ExitType", &s.exit_type);
    p.one("Restart", &s.restart);
    p.one("PIDFile", s.pid_file.as_deref().unwrap_or(""));
    p.one("NotifyAccess", notify_access);
    p.span("RestartUSec", s.restart_usec);
    p.span("TimeoutStartUSec", timeout_start);
    p.span("TimeoutStopUSec", s.timeout_stop_usec);
    p.span(
        "TimeoutAbortUSec",
        x.usec("TimeoutAbortSec").unwrap_or(s.timeout_stop_usec),
    );
    p.one("TimeoutStartFailureMode", &s.timeout_start_failure_mode);
    p.one("TimeoutStopFailureMode", &s.timeout_stop_failure_mode);
    p.span("RuntimeMaxUSec", s.runtime_max_usec);
    p.span(
        "RuntimeRandomizedExtraUSec",
        x.usec("RuntimeRandomizedExtraSec").unwrap_or(0),
    );
    // The runtime watchdog: armed only once the service runs.
    p.span("WatchdogUSec", USEC_INFINITY);
    p.yn(
        "RootDirectoryStartOnly",
        x.flag("RootDirectoryStartOnly", false),
    );
    p.yn("RemainAfterExit", s.remain_after_exit);
    p.yn("GuessMainPID", s.guess_main_pid);
    p.one("MainPID", 0);
    p.one("ControlPID", 0);
    p.one("BusName", s.bus_name.as_deref().unwrap_or(""));
    p.one("FileDescriptorStoreMax", fd_store_max);
    p.one("NFileDescriptorStore", 0);
    p.one("StatusErrno", 0);
    p.one("Result", "success");
    p.one("ReloadResult", "success");
    p.one("CleanResult", "success");
    p.one("UID", "[not set]");
    p.one("GID", "[not set]");
    p.one("NRestarts", 0);
    p.one("OOMPolicy", oom_policy);
    p.one("ExecMainPID", 0);
    p.one("ExecMainCode", 0);
    p.one("ExecMainStatus", 0);
    for key in crate::config::typed::SERVICE_COMMANDS {
        p.each(key, exec_lines(s.commands(key), false));
        p.each(&format!("{key}Ex"), exec_lines(s.commands(key), true));
    }
}

/// `Slice=`: the configured slice, else the manager's default for services and sockets.
fn slice_of(view: UnitView<'_>, opts: &ShowOptions) -> String {
    deps::slice_name(view, opts)
}

/// `strv_env_replace`: a later assignment of a variable replaces the earlier one in place.
fn environment(list: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in list {
        let name = e.split_once('=').map_or(e.as_str(), |(n, _)| n);
        match out
            .iter_mut()
            .find(|o| o.split_once('=').map_or(o.as_str(), |(n, _)| n) == name)
        {
            Some(o) => *o = e.clone(),
            None => out.push(e.clone()),
        }
    }
    out
}

fn uniq(list: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in list {
        if !out.contains(e) {
            out.push(e.clone());
        }
    }
    out
}

/// `exec_input_to_string` of a `StandardInput=` value.
fn std_input(raw: &str) -> &str {
    if raw.starts_with("fd:") || raw == "fd" {
        return "fd";
    }
    if raw.starts_with("file:") {
        return "file";
    }
    match raw {
        "tty" | "tty-force" | "tty-fail" | "socket" | "data" => raw,
        _ => "null",
    }
}

/// `exec_output_to_string` of a `StandardOutput=`/`StandardError=` value.
fn std_output(raw: &str) -> &str {
    for kind in ["file", "append", "truncate", "fd"] {
        if raw == kind || raw.starts_with(&format!("{kind}:")) {
            return kind;
        }
    }
    match raw {
        "null" | "tty" | "kmsg" | "kmsg+console" | "journal" | "journal+console" | "socket" => raw,
        "syslog" => "journal",
        "syslog+console" => "journal+console",
        _ => "inherit",
    }
}

/// The `StandardOutput=` in effect: as set, else the manager's default
/// ([`ShowOptions::default_std_output`]), except that a service whose input is a terminal or
/// socket keeps `inherit` (`service_fix_stdio()`; `fix_stdio` is false for sockets).
fn std_output_in_effect<'a>(
    c: &'a ExecContext,
    x: &Extras,
    fix_stdio: bool,
    opts: &ShowOptions,
) -> &'a str {
    let tty_in = matches!(
        std_input(&c.standard_input),
        "tty" | "tty-force" | "tty-fail" | "socket"
    );
    if x.is_set("StandardOutput") {
        std_output(&c.standard_output)
    } else if fix_stdio && tty_in {
        "inherit"
    } else {
        opts.default_std_output
    }
}

/// `WorkingDirectory=` as `property_get_working_directory` shows it: `!` marks
/// missing-ok, `~` the home directory; a user manager defaults to the home directory.
fn working_directory(c: &ExecContext, opts: &ShowOptions) -> String {
    match c.working_directory.as_deref() {
        None | Some("") => match (opts.scope, &opts.home) {
            (Scope::User, Some(h)) => format!("!{h}"),
            _ => String::new(),
        },
        Some("~" | "-~") => "!~".to_owned(),
        Some(w) => match w.strip_prefix('-') {
            Some(rest) => format!("!{rest}"),
            None => w.to_owned(),
        },
    }
}

/// `dbus-execute.c`, the properties sockunit models.
fn exec_props(p: &mut Props, c: &ExecContext, x: &Extras, opts: &ShowOptions) {
    p.strv("Environment", &environment(&c.environment));
    let files = c
        .environment_files
        .iter()
        .map(|f| match f.strip_prefix('-') {
            Some(path) => format!("{path} (ignore_errors=yes)"),
            None => format!("{f} (ignore_errors=no)"),
        })
        .collect();
    p.each("EnvironmentFiles", files);
    // `PassEnvironment=`/`UnsetEnvironment=` are not typed yet: read them from the extras.
    p.strv("PassEnvironment", &uniq(&x.words("PassEnvironment")));
    p.strv("UnsetEnvironment", &uniq(&x.words("UnsetEnvironment")));
    p.one("UMask", format!("{:04o}", c.umask));
    p.one("WorkingDirectory", working_directory(c, opts));
    p.one("RootDirectory", c.root_directory.as_deref().unwrap_or(""));
    p.one("Nice", c.nice.unwrap_or(0));
    p.yn("NonBlocking", x.flag("NonBlocking", false));
    p.one("StandardInput", std_input(&c.standard_input));
    p.one("StandardOutput", std_output_in_effect(c, x, true, opts));
    p.one("StandardError", std_output(&c.standard_error));
    p.one(
        "SyslogIdentifier",
        c.syslog_identifier.as_deref().unwrap_or(""),
    );
    p.one("User", c.user.as_deref().unwrap_or(""));
    p.one("Group", c.group.as_deref().unwrap_or(""));
    p.strv("SupplementaryGroups", &c.supplementary_groups);
    p.one("PAMName", c.pam_name.as_deref().unwrap_or(""));
    p.yn("IgnoreSIGPIPE", c.ignore_sigpipe);
    p.yn("NoNewPrivileges", c.no_new_privileges);
}

/// `dbus-kill.c`.
fn kill_props(p: &mut Props, k: &KillContext) {
    p.one("KillMode", &k.kill_mode);
    p.one("KillSignal", k.kill_signal);
    let restart = if k.restart_kill_signal != 0 {
        k.restart_kill_signal
    } else {
        k.kill_signal
    };
    p.one("RestartKillSignal", restart);
    p.one("FinalKillSignal", k.final_kill_signal);
    p.yn("SendSIGKILL", k.send_sigkill);
    p.yn("SendSIGHUP", k.send_sighup);
    p.one("WatchdogSignal", k.watchdog_signal);
}

/// `dbus-unit.c`, the properties of a unit that never ran.
fn unit_props(p: &mut Props, view: UnitView<'_>, deps: &DepSet, opts: &ShowOptions) {
    let u = view.unit;
    let id = u.id.as_str();
    p.one("Id", id);
    p.strv("Names", &u.names);
    for kind in UNIT_DEPENDENCIES
        .into_iter()
        .filter(|k| is_dependency_property(k))
    {
        p.strv(kind, deps.get(kind));
    }
    p.strv("RequiresMountsFor", &requires_mounts_for(view, opts));
    p.one(
        "Description",
        view.basics.description.as_deref().unwrap_or(id),
    );
    p.one("LoadState", view.load_state);
    p.one("ActiveState", "inactive");
    p.one("FreezerState", "running");
    p.one("SubState", "dead");
    p.one(
        "FragmentPath",
        u.fragment
            .as_ref()
            .map(|f| f.display().to_string())
            .unwrap_or_default(),
    );
    let dropins: Vec<String> = u
        .dropin_paths
        .iter()
        .map(|d| d.display().to_string())
        .collect();
    p.strv("DropInPaths", &dropins);
    p.yn("DefaultDependencies", view.basics.default_dependencies);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_filters_and_hides_empty() {
        let props = vec![
            ("A".to_owned(), Value::One(String::new())),
            ("B".to_owned(), Value::One("x".into())),
            ("C".to_owned(), Value::Each(vec!["1".into(), "2".into()])),
            ("D".to_owned(), Value::Each(Vec::new())),
        ];
        assert_eq!(render(&props, None), "B=x\nC=1\nC=2\n");
        let f = ["D".to_owned(), "A".to_owned(), "Z".to_owned()];
        assert_eq!(render(&props, Some(&f)), "A=\n");
    }

    #[test]
    fn environment_replaces_in_place() {
        let l: Vec<String> = ["A=1", "B=2", "A=3"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(environment(&l), ["A=3", "B=2"]);
        assert_eq!(strv(&["A=1".into(), "B=2 3".into()]), "A=1 \"B=2 3\"");
    }

    #[test]
    fn inverse_pairs() {
        assert_eq!(inverse("Before"), Some("After"));
        assert_eq!(inverse("TriggeredBy"), Some("Triggers"));
        assert_eq!(inverse("Requires"), Some("RequiredBy"));
    }
}
