//! Unit dependencies: `Requires=`, `Wants=`, `After=`, … values (systemd's
//! `config_parse_unit_deps()`), and the implicit and default dependencies systemd adds.

use crate::config::ValueError;
use crate::load::name::{NameKind, UnitName};
use crate::load::paths::Scope;
use crate::load::specifier::{Specifiers, Table};

/// A dependency kind, by systemd's `UnitDependency` name (`UNIT_REQUIRES` → `Requires`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DepKind {
    /// `Requires=` (and `.requires/`).
    Requires,
    /// `Requisite=`.
    Requisite,
    /// `Wants=` (and `.wants/`).
    Wants,
    /// `BindsTo=`.
    BindsTo,
    /// `PartOf=`.
    PartOf,
    /// `Upholds=`.
    Upholds,
    /// `Conflicts=`.
    Conflicts,
    /// `Before=`.
    Before,
    /// `After=`.
    After,
    /// `OnSuccess=`.
    OnSuccess,
    /// `OnFailure=`.
    OnFailure,
    /// `Triggers=` (implicit only).
    Triggers,
    /// Any other kind (propagation, namespaces): loaded, never checked.
    Other,
}

impl DepKind {
    /// From the `ltype` column of the directive table.
    pub fn from_ltype(ltype: &str) -> DepKind {
        match ltype {
            "UNIT_REQUIRES" => DepKind::Requires,
            "UNIT_REQUISITE" => DepKind::Requisite,
            "UNIT_WANTS" => DepKind::Wants,
            "UNIT_BINDS_TO" => DepKind::BindsTo,
            "UNIT_PART_OF" => DepKind::PartOf,
            "UNIT_UPHOLDS" => DepKind::Upholds,
            "UNIT_CONFLICTS" => DepKind::Conflicts,
            "UNIT_BEFORE" => DepKind::Before,
            "UNIT_AFTER" => DepKind::After,
            "UNIT_ON_SUCCESS" => DepKind::OnSuccess,
            "UNIT_ON_FAILURE" => DepKind::OnFailure,
            _ => DepKind::Other,
        }
    }

    /// Whether a start job fails when this dependency cannot be loaded.
    pub fn is_required(self) -> bool {
        matches!(
            self,
            DepKind::Requires | DepKind::Requisite | DepKind::BindsTo
        )
    }
}

/// One dependency of a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// What kind.
    pub kind: DepKind,
    /// The unit depended on (templates already given an instance).
    pub name: UnitName,
}

/// Parses a dependency list value. Returns the dependencies and the warnings systemd logs.
pub fn parse_deps(
    value: &str,
    kind: DepKind,
    spec: &Specifiers<'_>,
) -> (Vec<Dependency>, Vec<ValueError>) {
    let mut deps = Vec::new();
    let mut warnings = Vec::new();
    let words = match split_retaining_escapes(value) {
        Some(w) => w,
        None => {
            warnings.push(ValueError::ignore(format!(
                "Invalid syntax, ignoring: {value}"
            )));
            return (deps, warnings);
        }
    };
    for (range, word) in words {
        let expanded = match spec.expand(word, Table::Name, usize::MAX) {
            Ok(k) => k,
            Err(e) => {
                let msg = format!(
                    "Failed to resolve unit specifiers in '{word}', ignoring: {}",
                    e.strerror()
                );
                warnings.push(ValueError::ignore(msg).at(range));
                continue;
            }
        };
        match UnitName::parse(&expanded).and_then(|n| resolve_template(n, spec.id)) {
            Some(name) => deps.push(Dependency { kind, name }),
            None => {
                let msg =
                    format!("Failed to add dependency on {expanded}, ignoring: Invalid argument");
                warnings.push(ValueError::ignore(msg).at(range));
            }
        }
    }
    (deps, warnings)
}

/// systemd's `resolve_template()`: a template dependency takes the unit's instance, or its
/// prefix when the unit has none.
pub fn resolve_template(name: UnitName, unit: &UnitName) -> Option<UnitName> {
    if name.kind() != NameKind::Template {
        return Some(name);
    }
    let instance = match unit.instance() {
        Some(i) if !i.is_empty() => i,
        _ => unit.prefix(),
    };
    name.with_instance(instance)
}

/// `extract_first_word(…, EXTRACT_RETAIN_ESCAPE)`: whitespace-separated words, quotes kept
/// literally, a backslash kept together with the character after it. `None` when the value
/// ends in a lone backslash.
fn split_retaining_escapes(value: &str) -> Option<Vec<(std::ops::Range<usize>, &str)>> {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r') {
            if bytes[i] == b'\\' {
                if i + 1 >= bytes.len() {
                    return None;
                }
                i += 1;
            }
            i += 1;
        }
        if i > start {
            out.push((start..i, &value[start..i]));
        }
    }
    Some(out)
}

/// The dependencies systemd adds to a unit of `unit_type` without `DefaultDependencies=no`
/// (`socket_add_default_dependencies()`, `service_add_default_dependencies()`,
/// `timer_add_default_dependencies()` (less the calendar timers' `After=time-sync.target
/// time-set.target`), `path_add_default_dependencies()`, `target_add_default_dependencies()`
/// (less the ordering after the units a target pulls in; none for `shutdown.target` itself)).
pub fn default_deps(unit_type: &str, scope: Scope) -> Vec<(DepKind, &'static str)> {
    use DepKind::*;
    let mut v = Vec::new();
    match unit_type {
        "timer" | "path" => {
            v.push((
                Before,
                if unit_type == "timer" {
                    "timers.target"
                } else {
                    "paths.target"
                },
            ));
            if scope == Scope::System {
                v.extend([(After, "sysinit.target"), (Requires, "sysinit.target")]);
            }
        }
        "target" => {}
        "socket" => {
            v.push((Before, "sockets.target"));
            if scope == Scope::System {
                v.extend([(Requires, "sysinit.target"), (After, "sysinit.target")]);
            }
        }
        "service" => {
            if scope == Scope::System {
                v.extend([(Requires, "sysinit.target"), (After, "sysinit.target")]);
            }
            v.push((After, "basic.target"));
        }
        _ => return v,
    }
    v.extend([(Conflicts, "shutdown.target"), (Before, "shutdown.target")]);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::host::HostInfo;

    fn parse(value: &str, unit: &str) -> (Vec<String>, Vec<String>) {
        let host = HostInfo::default();
        let id = UnitName::parse(unit).unwrap();
        let spec = Specifiers {
            host: &host,
            id: &id,
            fragment: None,
        };
        let (deps, warnings) = parse_deps(value, DepKind::Requires, &spec);
        (
            deps.into_iter()
                .map(|d| d.name.as_str().to_owned())
                .collect(),
            warnings.into_iter().map(|w| w.message).collect(),
        )
    }

    #[test]
    fn words_templates_and_errors_match_systemd() {
        assert_eq!(
            parse(" a.service\tb.socket ", "t.socket").0,
            ["a.service", "b.socket"]
        );
        assert_eq!(parse("foo@.service", "t.socket").0, ["foo@t.service"]);
        assert_eq!(parse("foo@.service", "t@x.socket").0, ["foo@x.service"]);
        assert_eq!(parse("%p-x.service", "t.socket").0, ["t-x.service"]);
        let (deps, w) = parse("bad%name ok.service", "t.socket");
        assert_eq!(deps, ["ok.service"]);
        assert_eq!(
            w,
            ["Failed to add dependency on badt.socketame, ignoring: Invalid argument"]
        );
        assert_eq!(
            parse("a.service\\", "t.socket").1,
            ["Invalid syntax, ignoring: a.service\\"]
        );
        assert_eq!(
            parse("%z.service", "t.socket").1,
            ["Failed to resolve unit specifiers in '%z.service', ignoring: Invalid slot"]
        );
    }
}
