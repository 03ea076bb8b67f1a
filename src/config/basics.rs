//! The settings load-level verdicts need, applied in file order with systemd's reset rules.

use crate::diagnostic::{Code, Diagnostic, Severity, Sink};
use crate::load::specifier::{Specifiers, Table};
use crate::load::{LoadedUnit, ParsedFile};
use crate::source::Span;
use crate::syntax::Assignment;

use super::deps::{DepKind, Dependency, parse_deps};
use super::keys::{lookup, suggest};

/// systemd's `PATH_MAX - 1`, the limit for expanded paths.
const PATH_MAX: usize = 4095;

/// One `Listen*=` entry that survived resets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenEntry {
    /// The key (`ListenStream`, …).
    pub kind: String,
    /// The value after specifier expansion.
    pub value: String,
    /// Where it was set.
    pub span: Span,
}

/// What the foundation's verdicts need to know about a unit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Basics {
    /// `Description=` after expansion.
    pub description: Option<String>,
    /// Socket: `Listen*=` entries in order.
    pub listens: Vec<ListenEntry>,
    /// Socket: `Accept=`.
    pub accept: bool,
    /// Socket: `Service=`.
    pub service: Option<String>,
    /// Service: number of `ExecStart=` command lines.
    pub exec_start: usize,
    /// Service: number of `ExecStop=` command lines.
    pub exec_stop: usize,
    /// `SuccessAction=` other than `none`.
    pub success_action: bool,
    /// Explicit dependencies from `[Unit]`, in file order.
    pub deps: Vec<Dependency>,
    /// `DefaultDependencies=` (default yes).
    pub default_dependencies: bool,
}

/// Walks every assignment of `unit` in order: warns on unknown keys and unresolvable
/// specifiers (dropping those assignments, as systemd does) and records the basics.
pub fn interpret(unit: &LoadedUnit, spec: &Specifiers<'_>, sink: &mut dyn Sink) -> Basics {
    let mut b = Basics {
        default_dependencies: true,
        ..Basics::default()
    };
    for file in &unit.files {
        for a in &file.syntax.assignments {
            let Some(section) = a.section.as_deref() else {
                continue;
            };
            // Only the sections of unit types sockunit models are checked key by key.
            if !matches!(section, "Unit" | "Install" | "Socket" | "Service") {
                continue;
            }
            let Some((parser, ltype)) = lookup(section, &a.key) else {
                if !a.key.starts_with("X-") {
                    warn_unknown(unit, file, a, section, sink);
                }
                continue;
            };
            match parser {
                // systemd: a NULL parser means "known, ignored" (all of [Install]).
                "NULL" => {}
                "config_parse_warn_compat" => warn_compat(unit, file, a, ltype, sink),
                "config_parse_unit_deps" => {
                    let kind = DepKind::from_ltype(ltype);
                    let (deps, warnings) = parse_deps(&a.value.text, kind, spec);
                    b.deps.extend(deps);
                    for w in warnings {
                        let span = w
                            .range
                            .clone()
                            .map_or(a.value.span(), |r| a.value.span_of(r));
                        let d = Diagnostic::new(Code::InvalidValue, Severity::Warning, w.message)
                            .at(&file.source, Some(a.line), span)
                            .in_unit(unit.id.as_str());
                        sink.push(d);
                    }
                }
                _ => apply(&mut b, unit, file, a, section, spec, sink),
            }
        }
    }
    b
}

fn warn_unknown(
    unit: &LoadedUnit,
    file: &ParsedFile,
    a: &Assignment,
    section: &str,
    sink: &mut dyn Sink,
) {
    let msg = format!("Unknown key '{}' in section [{section}], ignoring.", a.key);
    let mut d = Diagnostic::new(Code::UnknownKey, Severity::Warning, msg)
        .at(&file.source, Some(a.line), a.key_span)
        .in_unit(unit.id.as_str())
        .with_label("unknown key");
    if let Some(s) = suggest(section, &a.key) {
        d = d.with_help(format!("did you mean `{s}=`?"));
    }
    sink.push(d);
}

/// systemd's `config_parse_warn_compat()`: removed or compiled-out options.
fn warn_compat(
    unit: &LoadedUnit,
    file: &ParsedFile,
    a: &Assignment,
    ltype: &str,
    sink: &mut dyn Sink,
) {
    let why = match ltype {
        "DISABLED_CONFIGURATION" => "has been disabled at compile time",
        "DISABLED_EXPERIMENTAL" => "has not yet been enabled",
        _ => "has been removed",
    };
    let msg = format!("Support for option {}= {why} and it is ignored", a.key);
    let d = Diagnostic::new(Code::UnsupportedKey, Severity::Warning, msg)
        .at(&file.source, Some(a.line), a.key_span)
        .in_unit(unit.id.as_str());
    sink.push(d);
}

fn apply(
    b: &mut Basics,
    unit: &LoadedUnit,
    file: &ParsedFile,
    a: &Assignment,
    section: &str,
    spec: &Specifiers<'_>,
    sink: &mut dyn Sink,
) {
    let raw = a.value.text.as_str();
    let mut expand = |table, max| match spec.expand(raw, table, max) {
        Ok(v) => Some(v),
        Err(e) => {
            let msg = format!(
                "Failed to resolve unit specifiers in '{raw}', ignoring: {}",
                e.strerror()
            );
            let d = Diagnostic::new(Code::UnknownSpecifier, Severity::Warning, msg)
                .at(&file.source, Some(a.line), a.value.span())
                .in_unit(unit.id.as_str());
            sink.push(d);
            None
        }
    };
    match (section, a.key.as_str()) {
        ("Unit", "Description") => {
            if let Some(v) = expand(Table::Full, usize::MAX) {
                b.description = Some(v);
            }
        }
        ("Socket", k) if k.starts_with("Listen") => {
            if raw.is_empty() {
                b.listens.clear();
            } else if let Some(v) = expand(Table::Full, PATH_MAX) {
                b.listens.push(ListenEntry {
                    kind: k.to_owned(),
                    value: v,
                    span: a.value.span(),
                });
            }
        }
        ("Socket", "Accept") => {
            if let Some(v) = parse_bool(raw) {
                b.accept = v;
            }
        }
        ("Socket", "Service") => {
            if let Some(v) = expand(Table::Name, usize::MAX) {
                b.service = Some(v);
            }
        }
        ("Service", "ExecStart") => {
            b.exec_start = if raw.is_empty() { 0 } else { b.exec_start + 1 }
        }
        ("Service", "ExecStop") => b.exec_stop = if raw.is_empty() { 0 } else { b.exec_stop + 1 },
        ("Unit", "SuccessAction") => b.success_action = !raw.is_empty() && raw != "none",
        ("Unit", "DefaultDependencies") => {
            if let Some(v) = parse_bool(raw) {
                b.default_dependencies = v;
            }
        }
        _ => {}
    }
}

/// systemd's `parse_boolean()`.
pub fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "yes" | "y" | "true" | "t" | "on" => Some(true),
        "0" | "no" | "n" | "false" | "f" | "off" => Some(false),
        _ => None,
    }
}
