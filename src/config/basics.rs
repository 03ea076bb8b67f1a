//! Interpreting a loaded unit: every assignment goes through its systemd parser
//! ([`super::dispatch`]) in file order, with systemd's reset rules, and the settings the
//! verdicts need are recorded in [`Basics`].
//!
//! As in systemd, a fatal value (`-ENOEXEC`) stops reading that file: in the fragment it also
//! means the drop-ins are never read and the unit is refused (`bad-setting`); in a drop-in only
//! the rest of that drop-in is skipped.

use super::deps::Dependency;
use super::dispatch::{Ctx, Parsed};
use super::keys::suggest_as;
use super::listen::{Address, Listen, ListenKind};
use super::release::{self, Release};
use super::typed::{ServiceConfig, SocketConfig};
use super::walk::{Step, walk_as};
use crate::diagnostic::{Code, Diagnostic, Severity, Sink};
use crate::load::host::HostInfo;
use crate::load::paths::Scope;
use crate::load::specifier::Specifiers;
use crate::load::{LoadedUnit, ParsedFile};
use crate::syntax::Assignment;

/// What the verdicts need to know about a unit: the typed configuration plus the `[Unit]`
/// settings they use.
#[derive(Debug, Clone, Default)]
pub struct Basics {
    /// `Description=` after expansion.
    pub description: Option<String>,
    /// `SuccessAction=` other than `none`.
    pub success_action: bool,
    /// Explicit dependencies from `[Unit]`, in file order.
    pub deps: Vec<Dependency>,
    /// `DefaultDependencies=` (default yes).
    pub default_dependencies: bool,
    /// The fragment line of a fatal value: the unit is refused (`bad-setting`) and systemd read
    /// nothing after it (no later lines, no drop-ins).
    pub fatal: Option<u32>,
    /// `[Socket]` settings, for a socket unit.
    pub socket: Option<Box<SocketConfig>>,
    /// `[Service]` settings, for a service unit.
    pub service: Option<Box<ServiceConfig>>,
    /// `StartLimitIntervalSec=` (unset: the manager default, 10 s).
    pub start_limit_interval_usec: Option<u64>,
    /// `StartLimitBurst=` (unset: the manager default, 5).
    pub start_limit_burst: Option<u64>,
}

impl Basics {
    /// The basics of `unit` before any assignment: systemd's defaults, with the typed
    /// configuration of its type.
    pub fn for_unit(unit: &LoadedUnit) -> Basics {
        let mut b = Basics {
            default_dependencies: true,
            ..Basics::default()
        };
        match unit.id.unit_type() {
            "socket" => b.socket = Some(Box::default()),
            "service" => b.service = Some(Box::default()),
            _ => {}
        }
        b
    }
}

/// Walks every assignment of `unit` in order, pushing systemd's warnings (and the fatal error,
/// if any) to `sink`, and records the basics.
pub fn interpret(
    unit: &LoadedUnit,
    spec: &Specifiers<'_>,
    host: &HostInfo,
    scope: Scope,
    sink: &mut dyn Sink,
) -> Basics {
    interpret_as(unit, spec, host, scope, Release::V252, sink)
}

/// [`interpret`] as systemd `release` reads the unit: the keys it knows, its wording.
pub fn interpret_as(
    unit: &LoadedUnit,
    spec: &Specifiers<'_>,
    host: &HostInfo,
    scope: Scope,
    release: Release,
    sink: &mut dyn Sink,
) -> Basics {
    let mut b = Basics::for_unit(unit);
    let ctx = Ctx {
        spec,
        host,
        user: scope == Scope::User,
    };
    for step in walk_as(unit, &ctx, release) {
        let s = match step {
            Step::Unknown {
                file,
                assignment: a,
                section,
            } => {
                if !a.key.starts_with("X-") {
                    warn_unknown(unit, file, a, section, release, sink);
                }
                continue;
            }
            Step::Known(s) => s,
        };
        let (file, a, parser, checked) = (s.file, s.assignment, s.parser, s.checked);
        for w in &checked.warnings {
            let span = w
                .range
                .clone()
                .map_or(a.value.span(), |r| a.value.span_of(r));
            let mut d = Diagnostic::new(code_for(parser, w), Severity::Warning, &w.message)
                .at(&file.source, Some(a.line), span)
                .in_unit(unit.id.as_str())
                .with_label(format!("systemd ignores this {}= setting", a.key));
            if let Some(h) = &w.help {
                d = d.with_help(h);
            }
            sink.push(d);
        }
        for n in &checked.notices {
            sink.push(
                Diagnostic::new(Code::InvalidValue, Severity::Notice, n).in_unit(unit.id.as_str()),
            );
        }
        if let Some(f) = &checked.fatal {
            let span = f
                .range
                .clone()
                .map_or(a.value.span(), |r| a.value.span_of(r));
            let d = Diagnostic::new(Code::FatalValue, Severity::Error, &f.message)
                .at(&file.source, Some(a.line), span)
                .in_unit(unit.id.as_str())
                .with_label("systemd refuses the unit because of this value");
            sink.push(d);
            if s.stops_unit {
                b.fatal = Some(a.line);
                let msg = "Unit configuration has fatal error, unit will not be started.";
                sink.push(
                    Diagnostic::new(Code::FatalValue, Severity::Notice, msg)
                        .in_unit(unit.id.as_str()),
                );
                return b;
            }
            continue;
        }
        if let Some(v) = checked.value {
            apply(&mut b, s.section, &a.key, v);
        }
    }
    b
}

fn code_for(parser: &str, w: &super::ValueError) -> Code {
    if parser == "config_parse_warn_compat" {
        Code::UnsupportedKey
    } else if w.message.starts_with("Failed to resolve unit specifiers") {
        Code::UnknownSpecifier
    } else {
        Code::InvalidValue
    }
}

fn warn_unknown(
    unit: &LoadedUnit,
    file: &ParsedFile,
    a: &Assignment,
    section: &str,
    release: Release,
    sink: &mut dyn Sink,
) {
    let msg = format!("Unknown key '{}' in section [{section}], ignoring.", a.key);
    let mut d = Diagnostic::new(Code::UnknownKey, Severity::Warning, msg)
        .at(&file.source, Some(a.line), a.key_span)
        .in_unit(unit.id.as_str())
        .with_label("unknown key");
    if let Some(first) = release::first_known(section, &a.key) {
        let when = if first > release {
            format!("was added in systemd {first}")
        } else {
            "is not known".to_owned()
        };
        d = d.with_help(format!(
            "`{}=` {when}; checking as systemd {release} (see --systemd-version)",
            a.key
        ));
    } else if let Some(s) = suggest_as(release, section, &a.key) {
        d = d.with_help(format!("did you mean `{s}=`?"));
    }
    sink.push(d);
}

pub(super) fn apply(b: &mut Basics, section: &str, key: &str, v: Parsed) {
    match (section, key, v) {
        ("Unit", "Description", Parsed::Str(s)) => b.description = Some(s),
        ("Unit", "SuccessAction", Parsed::Str(s)) => b.success_action = s != "none",
        ("Unit", "DefaultDependencies", Parsed::Bool(v)) => b.default_dependencies = v,
        ("Unit", _, Parsed::Deps(d)) => b.deps.extend(d),
        ("Unit" | "Service", "StartLimitIntervalSec" | "StartLimitInterval", Parsed::Usec(v)) => {
            b.start_limit_interval_usec = Some(v);
        }
        ("Unit" | "Service", "StartLimitBurst", Parsed::Unsigned(v)) => {
            b.start_limit_burst = Some(v);
        }
        ("Socket", k, v) => {
            if let Some(s) = &mut b.socket {
                s.set(k, v);
            }
        }
        ("Service", k, v) => {
            if let Some(s) = &mut b.service {
                s.set(k, v);
            }
        }
        _ => {}
    }
}

/// systemd's `socket_address_can_accept()` for a port: stream or seqpacket sockets.
pub fn can_accept(l: &Listen) -> bool {
    matches!(l.kind, ListenKind::Stream | ListenKind::SequentialPacket)
        && !matches!(l.address, Address::Path(_) | Address::Netlink { .. })
}

/// systemd's `socket_find_symlink_target()`: the one file-system node among the ports.
pub fn symlink_target(listens: &[Listen]) -> Option<&str> {
    let mut found = None;
    for l in listens {
        let path = match (&l.kind, &l.address) {
            (ListenKind::Fifo, Address::Path(p)) => Some(p.as_str()),
            (
                ListenKind::Stream | ListenKind::Datagram | ListenKind::SequentialPacket,
                Address::Unix(p),
            ) => Some(p.as_str()),
            _ => None,
        };
        if let Some(p) = path {
            if found.is_some() {
                return None;
            }
            found = Some(p);
        }
    }
    found
}
