//! The dependencies systemd 252 gives a socket or service unit at load time: explicit
//! `[Unit]` ones, `.wants/`/`.requires/` entries, default dependencies, the slice, the
//! socket's triggered service, `Sockets=`, the D-Bus socket of `Type=dbus`, the network device
//! of `BindToDevice=`, and `After=` on the mount units of `RequiresMountsFor=` paths.

use super::{ShowOptions, UnitView};
use crate::config::deps::{DepKind, default_deps};
use crate::config::listen::{Address, ListenKind};
use crate::config::value::path_simplify;
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

/// `RequiresMountsFor=`: the explicit paths, the socket's file-system ports, and the exec
/// context's `RootDirectory=` and `WorkingDirectory=` (unless missing-ok or `~`).
pub fn requires_mounts_for(view: UnitView<'_>, opts: &ShowOptions) -> Vec<String> {
    let mut paths: Vec<String> = Vec::new();
    let mut push = |p: &str| {
        let p = path_simplify(p);
        if p.starts_with('/') && !paths.contains(&p) {
            paths.push(p);
        }
    };
    for file in &view.unit.files {
        for a in &file.syntax.assignments {
            if a.section.as_deref() == Some("Unit") && a.key == "RequiresMountsFor" {
                for w in a.value.text.split_whitespace() {
                    push(w);
                }
            }
        }
    }
    let exec = if let Some(s) = view.basics.socket.as_deref() {
        for l in &s.listens {
            match (&l.kind, &l.address) {
                (_, Address::Unix(p)) => push(p),
                (ListenKind::Fifo | ListenKind::Special | ListenKind::UsbFunction, a) => {
                    if let Address::Path(p) = a {
                        push(p);
                    }
                }
                _ => {}
            }
        }
        Some(&s.exec)
    } else {
        view.basics.service.as_deref().map(|s| &s.exec)
    };
    if let Some(c) = exec {
        if let Some(r) = c.root_directory.as_deref().filter(|r| !r.is_empty()) {
            push(r);
        }
        if let Some(w) = c.working_directory.as_deref()
            && !w.starts_with('-')
            && w != "~"
            && !w.is_empty()
        {
            push(w);
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
                push(&format!("{prefix}/{path}"));
            }
        }
    }
    paths
}

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
}

/// [`forward_deps`] with each dependency's origin mask; `InSlice=` included (dump only).
pub fn forward_deps_masked(view: UnitView<'_>, opts: &ShowOptions) -> Vec<Dep> {
    let mut out: Vec<Dep> = Vec::new();
    let m = mask::FILE;
    let u = view.unit;
    let id = u.id.as_str();
    for d in &view.basics.deps {
        if let Some(k) = kind_name(d.kind) {
            out.push(dep(k, d.name.as_str().to_owned(), m));
        }
    }
    for w in &u.wants {
        out.push(dep("Wants", w.clone(), m));
    }
    for r in &u.requires {
        out.push(dep("Requires", r.clone(), m));
    }
    let ty = u.id.unit_type();
    let loaded = view.load_state == "loaded";
    if loaded && matches!(ty, "socket" | "service") {
        if view.basics.default_dependencies {
            for (k, t) in default_deps(ty, opts.scope) {
                if let Some(k) = kind_name(k) {
                    out.push(dep(k, t.to_owned(), mask::DEFAULT));
                }
            }
            if ty == "service" && opts.scope == Scope::User {
                out.push(dep("Requires", "basic.target".to_owned(), mask::DEFAULT));
            }
        }
        let slice = slice_name(view, opts);
        out.push(dep("Requires", slice.clone(), m));
        out.push(dep("After", slice.clone(), m));
        out.push(dep("InSlice", slice, mask::SLICE_PROPERTY));
    }
    if loaded && let Some(s) = view.basics.socket.as_deref() {
        let non_accept = !s.accept || s.listens.iter().any(|l| !crate::config::can_accept(l));
        if non_accept {
            let service = s
                .service
                .clone()
                .or_else(|| u.id.with_type("service").map(|n| n.as_str().to_owned()));
            if let Some(svc) = service {
                out.push(dep("Before", svc.clone(), mask::IMPLICIT));
                out.push(dep("Triggers", svc, mask::IMPLICIT));
            }
        }
        if let Some(dev) = s.bind_to_device.as_deref().filter(|d| *d != "lo") {
            let unit = mount_unit_name(&format!("/sys/subsystem/net/devices/{dev}"), ".device");
            out.push(dep("After", unit.clone(), m));
            out.push(dep(
                if opts.scope == Scope::System {
                    "BindsTo"
                } else {
                    "Wants"
                },
                unit,
                m,
            ));
        }
    }
    if loaded && let Some(s) = view.basics.service.as_deref() {
        for sock in &s.sockets {
            out.push(dep("Wants", sock.clone(), m));
            out.push(dep("After", sock.clone(), m));
            out.push(dep("TriggeredBy", sock.clone(), m));
        }
        if super::service_type(s, view.extras) == "dbus" {
            out.push(dep("Requires", "dbus.socket".to_owned(), m));
            out.push(dep("After", "dbus.socket".to_owned(), m));
        }
    }
    if loaded {
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
                    out.push(dep("After", mount_unit_name(&pre, ".mount"), mask::PATH));
                }
            }
        }
    }
    out.retain(|d| d.name != id);
    out
}

fn dep(kind: &'static str, name: impl Into<String>, mask: u16) -> Dep {
    Dep {
        kind,
        name: name.into(),
        mask,
        reference: true,
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
