//! The dependencies systemd 252 gives a socket or service unit at load time: explicit
//! `[Unit]` ones, `.wants/`/`.requires/` entries, default dependencies, the slice, the
//! socket's triggered service, `Sockets=`, the D-Bus socket of `Type=dbus`, the network device
//! of `BindToDevice=`, and `After=` on the mount units of `RequiresMountsFor=` paths.

use super::{ShowOptions, UnitView};
use crate::config::deps::{DepKind, default_deps};
use crate::config::listen::{Address, ListenKind};
use crate::config::value::path_simplify;
use crate::load::name::UnitName;
use crate::load::paths::Scope;

fn kind_name(k: DepKind) -> Option<&'static str> {
    Some(match k {
        DepKind::Requires => "Requires",
        DepKind::Requisite => "Requisite",
        DepKind::Wants => "Wants",
        DepKind::BindsTo => "BindsTo",
        DepKind::PartOf => "PartOf",
        DepKind::Upholds => "Upholds",
        DepKind::Conflicts => "Conflicts",
        DepKind::Before => "Before",
        DepKind::After => "After",
        DepKind::OnSuccess => "OnSuccess",
        DepKind::OnFailure => "OnFailure",
        DepKind::Triggers => "Triggers",
        DepKind::Other => return None,
    })
}

/// `unit_name_from_path(path, ".mount")` (also for `.device`): `/` becomes `-`, other
/// characters outside `[A-Za-z0-9:_.]` (and a leading `.`) become `\xNN`.
pub fn mount_unit_name(path: &str, suffix: &str) -> String {
    let p = path_simplify(path);
    let trimmed = p.trim_matches('/');
    if trimmed.is_empty() {
        return format!("-{suffix}");
    }
    let mut out = String::new();
    for (i, b) in trimmed.bytes().enumerate() {
        match b {
            b'/' => out.push('-'),
            b'.' if i == 0 => out.push_str("\\x2e"),
            b if b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'.') => {
                out.push(b as char)
            }
            b => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push_str(suffix);
    out
}

/// The slice a socket or service is placed in.
pub fn slice_name(view: UnitView<'_>, opts: &ShowOptions) -> String {
    if let Some(s) = view.extras.string("Slice") {
        return s;
    }
    let base = match opts.scope {
        Scope::System => "system",
        Scope::User => "app",
    };
    // Instances go to a per-template sub-slice (`app-getty.slice`).
    match view.unit.id.instance() {
        Some(_) => {
            let escaped = mount_unit_name(&format!("/{}", view.unit.id.prefix()), "");
            format!("{base}-{escaped}.slice")
        }
        None => format!("{base}.slice"),
    }
}

/// Where a `RequiresMountsFor=` path came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MountSource {
    /// A `RequiresMountsFor=` assignment in `[Unit]`.
    Assignment(crate::config::provenance::Origin),
    /// Derived by systemd: the rule (see [`rule`]).
    Rule(&'static str),
}

/// Raw values of `key` in `[section]` across the unit's files, in the order they apply.
fn section_values<'a>(view: UnitView<'a>, section: &'a str, key: &'a str) -> Vec<&'a str> {
    view.unit
        .files
        .iter()
        .flat_map(|f| f.syntax.assignments.iter())
        .filter(|a| a.section.as_deref() == Some(section) && a.key == key)
        .map(|a| a.value.text.as_str())
        .collect()
}

/// `socket_has_exec()`: whether a socket has any `Exec*=` command (only then does systemd add
/// its exec context's dependencies).
fn socket_has_exec(s: &crate::config::SocketConfig) -> bool {
    !(s.exec_start_pre.is_empty()
        && s.exec_start_post.is_empty()
        && s.exec_stop_pre.is_empty()
        && s.exec_stop_post.is_empty())
}

/// The exec context whose dependencies systemd adds (`unit_add_exec_dependencies()`): a
/// service's always, a socket's only when it has commands.
fn exec_context_with_deps<'a>(view: UnitView<'a>) -> Option<&'a crate::config::ExecContext> {
    if let Some(s) = view.basics.socket.as_deref() {
        return socket_has_exec(s).then_some(&s.exec);
    }
    view.basics.service.as_deref().map(|s| &s.exec)
}

/// Whether the exec context has a private `/tmp` (`PrivateTmp=`, implied by `DynamicUser=`).
fn private_tmp(view: UnitView<'_>) -> bool {
    view.extras.flag("DynamicUser", false) || view.extras.flag("PrivateTmp", false)
}

/// `RequiresMountsFor=` with where each path came from: the explicit paths, the socket's
/// file-system ports, a timer's `Persistent=` stamp directory, a path unit's watched paths,
/// and the exec context's (`unit_add_exec_dependencies()`) `WorkingDirectory=` (unless
/// missing-ok or `~`), `RootDirectory=`, `RootImage=`, `*Directory=` paths and, in the system
/// manager, `/var/tmp` for `PrivateTmp=`. Duplicates keep their first source.
pub fn requires_mounts_for_sources(
    view: UnitView<'_>,
    opts: &ShowOptions,
) -> Vec<(String, MountSource)> {
    let mut paths: Vec<(String, MountSource)> = Vec::new();
    let mut push = |p: &str, src: MountSource| {
        let p = path_simplify(p);
        if p.starts_with('/') && !paths.iter().any(|(q, _)| *q == p) {
            paths.push((p, src));
        }
    };
    for file in &view.unit.files {
        for a in &file.syntax.assignments {
            if a.section.as_deref() == Some("Unit") && a.key == "RequiresMountsFor" {
                let origin = crate::config::provenance::origin_of(file, a);
                for w in a.value.text.split_whitespace() {
                    push(w, MountSource::Assignment(origin.clone()));
                }
            }
        }
    }
    if let Some(s) = view.basics.socket.as_deref() {
        for l in &s.listens {
            match (&l.kind, &l.address) {
                (_, Address::Unix(p)) => push(p, MountSource::Rule(rule::SOCKET_PATHS)),
                (ListenKind::Fifo | ListenKind::Special | ListenKind::UsbFunction, a) => {
                    if let Address::Path(p) = a {
                        push(p, MountSource::Rule(rule::SOCKET_PATHS));
                    }
                }
                _ => {}
            }
        }
    }
    match view.unit.id.unit_type() {
        "timer" if opts.scope == Scope::System => {
            let persistent = section_values(view, "Timer", "Persistent")
                .last()
                .and_then(|v| crate::config::value::parse_bool(v).ok())
                .unwrap_or(false);
            if persistent {
                push(
                    "/var/lib/systemd/timers",
                    MountSource::Rule(rule::TIMER_PERSISTENT),
                );
            }
        }
        "path" => {
            for key in PATH_SPEC_KEYS {
                for v in section_values(view, "Path", key) {
                    push(v.trim(), MountSource::Rule(rule::PATH_SPECS));
                }
            }
        }
        _ => {}
    }
    if let Some(c) = exec_context_with_deps(view) {
        let src = || MountSource::Rule(rule::EXEC_PATHS);
        if let Some(w) = c.working_directory.as_deref()
            && !w.starts_with('-')
            && w != "~"
            && !w.is_empty()
        {
            push(w, src());
        }
        if let Some(r) = c.root_directory.as_deref().filter(|r| !r.is_empty()) {
            push(r, src());
        }
        if let Some(i) = view.extras.string("RootImage") {
            push(&i, src());
        }
        for (key, prefix) in crate::config::typed::EXEC_DIRECTORIES
            .iter()
            .zip(&opts.directory_prefixes)
        {
            if prefix.is_empty() {
                continue;
            }
            for word in view.extras.words(key) {
                let path = word.split(':').next().unwrap_or_default();
                push(&format!("{prefix}/{path}"), src());
            }
        }
        if opts.scope == Scope::System && private_tmp(view) {
            push("/var/tmp", MountSource::Rule(rule::EXEC_PRIVATE_TMP));
        }
    }
    paths
}

/// `RequiresMountsFor=`: the paths of [`requires_mounts_for_sources`].
pub fn requires_mounts_for(view: UnitView<'_>, opts: &ShowOptions) -> Vec<String> {
    requires_mounts_for_sources(view, opts)
        .into_iter()
        .map(|(p, _)| p)
        .collect()
}

/// The `[Path]` keys whose paths a path unit watches (`path_add_mount_dependencies()`).
const PATH_SPEC_KEYS: [&str; 5] = [
    "PathExists",
    "PathExistsGlob",
    "PathChanged",
    "PathModified",
    "DirectoryNotEmpty",
];

/// The unit's own dependencies, (property, unit name), in the order systemd adds them.
pub fn forward_deps(view: UnitView<'_>, opts: &ShowOptions) -> Vec<(&'static str, String)> {
    forward_deps_masked(view, opts)
        .into_iter()
        .filter(|d| d.kind != "InSlice")
        .map(|d| (d.kind, d.name))
        .collect()
}

/// `UnitDependencyMask` bits, in the order `unit_dump` prints them.
pub mod mask {
    /// `origin-file`: a setting in a unit file.
    pub const FILE: u16 = 1;
    /// `origin-implicit`: implied by another setting (socket → service).
    pub const IMPLICIT: u16 = 1 << 1;
    /// `origin-default`: `DefaultDependencies=yes`.
    pub const DEFAULT: u16 = 1 << 2;
    /// `origin-udev`.
    pub const UDEV: u16 = 1 << 3;
    /// `origin-path`: the mount units of `RequiresMountsFor=` paths.
    pub const PATH: u16 = 1 << 4;
    /// `origin-mount-file`.
    pub const MOUNT_FILE: u16 = 1 << 5;
    /// `origin-mountinfo`.
    pub const MOUNTINFO: u16 = 1 << 6;
    /// `origin-proc-swap`.
    pub const PROC_SWAP: u16 = 1 << 7;
    /// `origin-slice-property`: `InSlice=`.
    pub const SLICE_PROPERTY: u16 = 1 << 8;
    /// The names, bit by bit.
    pub const NAMES: [&str; 9] = [
        "file",
        "implicit",
        "default",
        "udev",
        "path",
        "mount-file",
        "mountinfo",
        "proc-swap",
        "slice-property",
    ];

    /// `print_unit_dependency_mask`: `origin-file origin-implicit destination-default`.
    pub fn describe(origin: u16, destination: u16) -> String {
        let mut words = Vec::new();
        for (kind, m) in [("origin", origin), ("destination", destination)] {
            for (i, name) in NAMES.iter().enumerate() {
                if m & (1 << i) != 0 {
                    words.push(format!("{kind}-{name}"));
                }
            }
        }
        words.join(" ")
    }
}

/// The rules by which systemd 252 adds a dependency (or a `RequiresMountsFor=` path) that no
/// `[Unit]` dependency setting names; each names the systemd function that applies it. The JSON
/// dump shows them as origins (`docs/dump-json.md`).
pub mod rule {
    /// `.wants/` directory entries (`unit_load_dropin()`).
    pub const WANTS_DIRECTORY: &str = "wants-directory";
    /// `.requires/` directory entries (`unit_load_dropin()`).
    pub const REQUIRES_DIRECTORY: &str = "requires-directory";
    /// `DefaultDependencies=yes` of a socket, service, timer, path or target
    /// (`socket_add_default_dependencies()`, `service_add_default_dependencies()`, …).
    pub const DEFAULT_DEPENDENCIES: &str = "default-dependencies";
    /// The unit's slice, `Slice=` or the default one (`unit_set_default_slice()`).
    pub const SLICE: &str = "slice";
    /// A socket's `Before=`/`Triggers=` on its service (`socket_add_extras()`).
    pub const SOCKET_TRIGGERS_SERVICE: &str = "socket-triggers-service";
    /// `BindToDevice=`'s device unit (`socket_add_device_dependencies()`).
    pub const SOCKET_BIND_TO_DEVICE: &str = "socket-bind-to-device";
    /// A socket's file-system ports (`socket_add_mount_dependencies()`).
    pub const SOCKET_PATHS: &str = "socket-paths";
    /// A service's `Sockets=` (`config_parse_service_sockets()`).
    pub const SERVICE_SOCKETS: &str = "service-sockets";
    /// `Type=dbus`'s `dbus.socket` (`service_setup_bus_name()`).
    pub const SERVICE_DBUS: &str = "service-type-dbus";
    /// A timer's `Unit=` or same-name service (`timer_add_trigger_dependencies()`).
    pub const TIMER_TRIGGERS: &str = "timer-triggers-unit";
    /// A persistent timer's stamp directory (`timer_setup_persistent()`).
    pub const TIMER_PERSISTENT: &str = "timer-persistent";
    /// A path unit's `Unit=` or same-name service (`path_add_trigger_dependencies()`).
    pub const PATH_TRIGGERS: &str = "path-triggers-unit";
    /// A path unit's watched paths (`path_add_mount_dependencies()`).
    pub const PATH_SPECS: &str = "path-specs";
    /// The exec context's `WorkingDirectory=`, `RootDirectory=`, `RootImage=` and
    /// `*Directory=` paths (`unit_add_exec_dependencies()`).
    pub const EXEC_PATHS: &str = "exec-paths";
    /// `StateDirectory=`, `CacheDirectory=`, `LogsDirectory=` order after
    /// `systemd-remount-fs.service` (`unit_add_exec_dependencies()`, system manager).
    pub const EXEC_WRITABLE_DIRECTORIES: &str = "exec-writable-directories";
    /// `PrivateTmp=`: `tmp.mount`, `systemd-tmpfiles-setup.service`, `/var/tmp`
    /// (`unit_add_exec_dependencies()`, system manager).
    pub const EXEC_PRIVATE_TMP: &str = "exec-private-tmp";
    /// `RootImage=` waits for `systemd-udevd.service` (`unit_add_exec_dependencies()`).
    pub const EXEC_ROOT_IMAGE: &str = "exec-root-image";
    /// Output to the journal or kmsg orders after `systemd-journald.socket`
    /// (`unit_add_exec_dependencies()`, system manager).
    pub const EXEC_JOURNAL: &str = "exec-journal-output";
    /// `LogNamespace=`'s journald sockets (`unit_add_exec_dependencies()`).
    pub const EXEC_LOG_NAMESPACE: &str = "exec-log-namespace";
    /// The mount units of `RequiresMountsFor=` paths (`unit_add_mount_dependencies()`).
    pub const REQUIRES_MOUNTS_FOR: &str = "requires-mounts-for";
    /// Every rule, for the documentation test.
    pub const ALL: [&str; 20] = [
        WANTS_DIRECTORY,
        REQUIRES_DIRECTORY,
        DEFAULT_DEPENDENCIES,
        SLICE,
        SOCKET_TRIGGERS_SERVICE,
        SOCKET_BIND_TO_DEVICE,
        SOCKET_PATHS,
        SERVICE_SOCKETS,
        SERVICE_DBUS,
        TIMER_TRIGGERS,
        TIMER_PERSISTENT,
        PATH_TRIGGERS,
        PATH_SPECS,
        EXEC_PATHS,
        EXEC_WRITABLE_DIRECTORIES,
        EXEC_PRIVATE_TMP,
        EXEC_ROOT_IMAGE,
        EXEC_JOURNAL,
        EXEC_LOG_NAMESPACE,
        REQUIRES_MOUNTS_FOR,
    ];
}

/// One dependency a unit adds at load time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dep {
    /// The property (`Requires`, `Before`, …).
    pub kind: &'static str,
    /// The unit named (not resolved to its id).
    pub name: String,
    /// Its origin ([`mask`]).
    pub mask: u16,
    /// Whether systemd also adds `References=` (`add_reference`).
    pub reference: bool,
    /// The [`rule`] that added it; `None` for a `[Unit]` dependency setting.
    pub rule: Option<&'static str>,
}

/// Through which dependencies a target pulls in the units it is then ordered after
/// (`UNIT_ATOM_ADD_DEFAULT_TARGET_DEPENDENCY_QUEUE`).
pub const TARGET_PULL_KINDS: [&str; 6] = [
    "Requires",
    "Requisite",
    "Wants",
    "BindsTo",
    "PartOf",
    "Upholds",
];

/// `unit_add_default_target_dependency(unit, target)`: whether `target`, which pulls `unit`
/// in ([`TARGET_PULL_KINDS`]), gets `After=unit` (origin default): both are loaded with
/// default dependencies and the target is not already ordered before the unit
/// (`target_before_unit`: its own `Before=` or the unit's `After=`).
pub fn target_orders_after(
    target: UnitView<'_>,
    unit: UnitView<'_>,
    target_before_unit: bool,
) -> bool {
    target.unit.id.unit_type() == "target"
        && target.load_state == "loaded"
        && unit.load_state == "loaded"
        && target.basics.default_dependencies
        && unit.basics.default_dependencies
        && !target_before_unit
}

/// [`forward_deps`] with each dependency's origin mask and rule; `InSlice=` included (dump
/// only).
pub fn forward_deps_masked(view: UnitView<'_>, opts: &ShowOptions) -> Vec<Dep> {
    let mut out: Vec<Dep> = Vec::new();
    let file = mask::FILE;
    let u = view.unit;
    let id = u.id.as_str();
    for d in &view.basics.deps {
        if let Some(k) = kind_name(d.kind) {
            out.push(dep(k, d.name.as_str(), file, None));
        }
    }
    for w in &u.wants {
        out.push(dep("Wants", w, file, Some(rule::WANTS_DIRECTORY)));
    }
    for r in &u.requires {
        out.push(dep("Requires", r, file, Some(rule::REQUIRES_DIRECTORY)));
    }
    let ty = u.id.unit_type();
    if view.load_state != "loaded" {
        out.retain(|d| d.name != id);
        return out;
    }
    let default = |k: DepKind, t: &str| {
        kind_name(k).map(|k| dep(k, t, mask::DEFAULT, Some(rule::DEFAULT_DEPENDENCIES)))
    };
    match ty {
        "socket" | "service" => {
            if let Some(s) = view.basics.socket.as_deref() {
                socket_extras(view, s, opts, &mut out);
            }
            exec_deps(view, opts, &mut out);
            let slice = slice_name(view, opts);
            let r = Some(rule::SLICE);
            out.push(dep("Requires", &slice, file, r));
            out.push(dep("After", &slice, file, r));
            out.push(dep("InSlice", &slice, mask::SLICE_PROPERTY, r));
            if view.basics.default_dependencies {
                out.extend(
                    default_deps(ty, opts.scope)
                        .into_iter()
                        .filter_map(|(k, t)| default(k, t)),
                );
                if ty == "service" && opts.scope == Scope::User {
                    out.extend(default(DepKind::Requires, "basic.target"));
                }
            }
            if let Some(s) = view.basics.service.as_deref() {
                let r = Some(rule::SERVICE_SOCKETS);
                for sock in &s.sockets {
                    out.push(dep("Wants", sock, file, r));
                    out.push(dep("After", sock, file, r));
                    out.push(dep("TriggeredBy", sock, file, r));
                }
                if super::service_type(s, view.extras) == "dbus" {
                    let r = Some(rule::SERVICE_DBUS);
                    out.push(dep("Requires", "dbus.socket", file, r));
                    out.push(dep("After", "dbus.socket", file, r));
                }
            }
        }
        "timer" | "path" => {
            let (section, r) = if ty == "timer" {
                ("Timer", rule::TIMER_TRIGGERS)
            } else {
                ("Path", rule::PATH_TRIGGERS)
            };
            // `Unit=` (origin file; the first valid one wins), else the same-name service.
            let explicit = section_values(view, section, "Unit")
                .into_iter()
                .map(str::trim)
                .find(|v| UnitName::parse(v).is_some_and(|n| n.as_str() != id));
            match explicit {
                Some(t) => {
                    out.push(dep("Before", t, file, Some(r)));
                    out.push(dep("Triggers", t, file, Some(r)));
                }
                None => {
                    if let Some(svc) = u.id.with_type("service") {
                        out.push(dep("Before", svc.as_str(), mask::IMPLICIT, Some(r)));
                        out.push(dep("Triggers", svc.as_str(), mask::IMPLICIT, Some(r)));
                    }
                }
            }
            if view.basics.default_dependencies {
                out.extend(
                    default_deps(ty, opts.scope)
                        .into_iter()
                        .filter_map(|(k, t)| default(k, t)),
                );
                let calendar = !section_values(view, "Timer", "OnCalendar").is_empty();
                if ty == "timer" && opts.scope == Scope::System && calendar {
                    for t in ["time-sync.target", "time-set.target"] {
                        out.extend(default(DepKind::After, t));
                    }
                }
            }
        }
        "target" if view.basics.default_dependencies && id != "shutdown.target" => {
            out.extend(
                default_deps(ty, opts.scope)
                    .into_iter()
                    .filter_map(|(k, t)| default(k, t)),
            );
        }
        _ => {}
    }
    for path in requires_mounts_for(view, opts) {
        let mut prefixes = vec![path.clone()];
        let mut p = path.as_str();
        while let Some((head, _)) = p.rsplit_once('/') {
            prefixes.push(if head.is_empty() {
                "/".into()
            } else {
                head.into()
            });
            if head.is_empty() {
                break;
            }
            p = head;
        }
        for pre in prefixes {
            if opts.mount_points.contains(&pre) {
                out.push(dep(
                    "After",
                    &mount_unit_name(&pre, ".mount"),
                    mask::PATH,
                    Some(rule::REQUIRES_MOUNTS_FOR),
                ));
            }
        }
    }
    out.retain(|d| d.name != id);
    out
}

/// `socket_add_extras()`: the triggered service and the `BindToDevice=` device.
fn socket_extras(
    view: UnitView<'_>,
    s: &crate::config::SocketConfig,
    opts: &ShowOptions,
    out: &mut Vec<Dep>,
) {
    let non_accept = !s.accept || s.listens.iter().any(|l| !crate::config::can_accept(l));
    if non_accept {
        let service = s.service.clone().or_else(|| {
            view.unit
                .id
                .with_type("service")
                .map(|n| n.as_str().to_owned())
        });
        if let Some(svc) = service {
            let r = Some(rule::SOCKET_TRIGGERS_SERVICE);
            out.push(dep("Before", &svc, mask::IMPLICIT, r));
            out.push(dep("Triggers", &svc, mask::IMPLICIT, r));
        }
    }
    if let Some(dev) = s.bind_to_device.as_deref().filter(|d| *d != "lo") {
        let unit = mount_unit_name(&format!("/sys/subsystem/net/devices/{dev}"), ".device");
        let r = Some(rule::SOCKET_BIND_TO_DEVICE);
        out.push(dep("After", &unit, mask::FILE, r));
        let kind = if opts.scope == Scope::System {
            "BindsTo"
        } else {
            "Wants"
        };
        out.push(dep(kind, &unit, mask::FILE, r));
    }
}

/// `unit_add_exec_dependencies()`'s unit dependencies (its paths are in
/// [`requires_mounts_for_sources`]), added only by the system manager.
fn exec_deps(view: UnitView<'_>, opts: &ShowOptions, out: &mut Vec<Dep>) {
    let Some(c) = exec_context_with_deps(view) else {
        return;
    };
    if opts.scope != Scope::System {
        return;
    }
    let x = view.extras;
    let f = mask::FILE;
    if ["StateDirectory", "CacheDirectory", "LogsDirectory"]
        .iter()
        .any(|k| !x.words(k).is_empty())
    {
        let r = Some(rule::EXEC_WRITABLE_DIRECTORIES);
        out.push(dep("After", "systemd-remount-fs.service", f, r));
    }
    if private_tmp(view) {
        let r = Some(rule::EXEC_PRIVATE_TMP);
        out.push(dep("After", "tmp.mount", f, r));
        out.push(dep("Wants", "tmp.mount", f, r));
        out.push(dep("After", "systemd-tmpfiles-setup.service", f, r));
    }
    if x.string("RootImage").is_some() {
        let r = Some(rule::EXEC_ROOT_IMAGE);
        out.push(dep("After", "systemd-udevd.service", f, r));
    }
    let is_service = view.basics.service.is_some();
    let output = super::std_output_in_effect(c, x, is_service, opts);
    let error = super::std_output(&c.standard_error);
    let to_journal = |o: &str| matches!(o, "journal" | "journal+console" | "kmsg" | "kmsg+console");
    let namespace = x.string("LogNamespace");
    if let Some(ns) = namespace {
        let r = Some(rule::EXEC_LOG_NAMESPACE);
        for base in ["systemd-journald", "systemd-journald-varlink"] {
            let unit = format!("{base}@{ns}.socket");
            out.push(dep("After", &unit, f, r));
            out.push(dep("Requires", &unit, f, r));
        }
    } else if to_journal(output) || to_journal(error) {
        let r = Some(rule::EXEC_JOURNAL);
        out.push(dep("After", "systemd-journald.socket", f, r));
    }
}

fn dep(kind: &'static str, name: &str, mask: u16, rule: Option<&'static str>) -> Dep {
    Dep {
        kind,
        name: name.to_owned(),
        mask,
        reference: true,
        rule,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_names_from_paths() {
        assert_eq!(mount_unit_name("/", ".mount"), "-.mount");
        assert_eq!(mount_unit_name("/run/user", ".mount"), "run-user.mount");
        assert_eq!(mount_unit_name("/a-b/", ".mount"), "a\\x2db.mount");
        assert_eq!(
            mount_unit_name("/sys/subsystem/net/devices/eth0", ".device"),
            "sys-subsystem-net-devices-eth0.device"
        );
    }
}
