//! Value checks for the smaller systemd parsers (exec context, cgroup, conditions, slices,
//! bus names), each with systemd 252's messages. Called from [`super::dispatch`].

use super::ValueError;
use super::dispatch::{Checked, Ctx, Parsed};
use super::exec;
use super::value::{self, PathCheck};
use crate::load::specifier::Table;

/// systemd's `PATH_MAX - 1`.
const PATH_MAX: usize = 4095;

fn warn(msg: String) -> Checked {
    Checked {
        warnings: vec![ValueError::ignore(msg)],
        ..Checked::default()
    }
}

/// Expands specifiers, or returns systemd's warning for the value. systemd words it two ways:
/// with the value in quotes (`quoted`) or bare, depending on the parser.
fn expand_or_warn(
    ctx: &Ctx<'_>,
    raw: &str,
    table: Table,
    max: usize,
    quoted: bool,
) -> Result<String, Box<Checked>> {
    ctx.spec.expand(raw, table, max).map_err(|e| {
        let shown = if quoted {
            format!("'{raw}'")
        } else {
            raw.to_owned()
        };
        Box::new(warn(format!(
            "Failed to resolve unit specifiers in {shown}, ignoring: {}",
            e.strerror()
        )))
    })
}

/// `config_parse_exec_nice`: an integer from -20 to 19.
pub fn nice(raw: &str) -> Checked {
    if raw.is_empty() {
        return Checked::ok(Parsed::Reset);
    }
    match value::parse_long(raw) {
        Ok(n) if (-20..=19).contains(&n) => Checked::ok(Parsed::Int(n)),
        Ok(_) => warn(format!("Nice priority out of range, ignoring: {raw}")),
        Err(_) => warn(format!(
            "Failed to parse nice priority '{raw}', ignoring: Invalid argument"
        )),
    }
}

/// systemd's `parse_permyriad_unbounded()`/`parse_permyriad()`: `N%` (up to two decimals),
/// `N‰` or `N‱`, as 1/10000 units.
fn permyriad(raw: &str, bounded: bool) -> Option<u64> {
    let (num, scale) = if let Some(n) = raw.strip_suffix('%') {
        (n, 100u64)
    } else if let Some(n) = raw.strip_suffix('‰') {
        (n, 10)
    } else {
        (raw.strip_suffix('‱')?, 1)
    };
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    let max_frac = match scale {
        100 => 2,
        10 => 1,
        _ => 0,
    };
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || frac.len() > max_frac {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) || (num.contains('.') && frac.is_empty()) {
        return None;
    }
    let whole: u64 = int.parse().ok()?;
    let frac_val: u64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<width$}", width = max_frac).parse().ok()?
    };
    let v = whole
        .checked_mul(scale)?
        .checked_add(frac_val * (scale / 10u64.pow(max_frac as u32)))?;
    (!bounded || v <= 10_000).then_some(v)
}

/// `config_parse_cpu_quota`.
pub fn cpu_quota(raw: &str) -> Checked {
    if raw.is_empty() {
        return Checked::ok(Parsed::Reset);
    }
    match permyriad(raw, false) {
        Some(0) => warn(format!("CPU quota '{raw}' invalid, ignoring.")),
        Some(v) => Checked::ok(Parsed::Unsigned(v)),
        None => warn(format!("Invalid CPU quota '{raw}', ignoring.")),
    }
}

/// `config_parse_memory_limit` (`MemoryMax=`, `MemoryHigh=`, `MemoryLimit=`, …).
pub fn memory_limit(key: &str, raw: &str) -> Checked {
    if raw.is_empty() || raw == "infinity" {
        return Checked::ok(Parsed::Reset);
    }
    let zero_ok = matches!(
        key,
        "MemorySwapMax" | "MemoryLow" | "MemoryMin" | "DefaultMemoryLow" | "DefaultMemoryMin"
    );
    let bytes = match permyriad(raw, true) {
        Some(p) if p == 0 && !zero_ok => {
            return warn(format!("Memory limit '{raw}' out of range, ignoring."));
        }
        Some(p) => p.max(1),
        None => match value::parse_iec_size(raw) {
            Ok(b) => b,
            Err(e) => {
                let errno = e
                    .message
                    .rsplit(": ")
                    .next()
                    .unwrap_or("Invalid argument")
                    .to_owned();
                return warn(format!("Invalid memory limit '{raw}', ignoring: {errno}"));
            }
        },
    };
    if bytes == 0 && !zero_ok {
        return warn(format!("Memory limit '{raw}' out of range, ignoring."));
    }
    let mut c = Checked::ok(Parsed::Unsigned(bytes));
    if key == "MemoryLimit" {
        c.warnings.push(ValueError::ignore(
            "Unit uses MemoryLimit=; please use MemoryMax= instead. Support for MemoryLimit= will be removed soon.",
        ));
    }
    c
}

/// `config_parse_unit_slice`: a valid slice unit name.
pub fn slice(raw: &str, ctx: &Ctx<'_>) -> Checked {
    let k = match expand_or_warn(ctx, raw, Table::Name, usize::MAX, false) {
        Ok(v) => v,
        Err(c) => return *c,
    };
    let Some(name) = crate::load::name::UnitName::parse(&k) else {
        return warn(format!(
            "Failed to load slice unit {k}, ignoring: Unit name {k} is not valid."
        ));
    };
    if name.unit_type() != "slice" {
        let id = ctx.spec.id.as_str();
        return warn(format!(
            "Failed to assign slice {k} to unit {id}, ignoring: Invalid argument"
        ));
    }
    Checked::ok(Parsed::Str(k))
}

/// `config_parse_unit_condition_path`: optional `|` and `!`, then an absolute path.
pub fn condition_path(key: &str, raw: &str, ctx: &Ctx<'_>) -> Checked {
    if raw.is_empty() {
        return Checked::ok(Parsed::Reset);
    }
    let mut rest = raw;
    for prefix in ['|', '!'] {
        if let Some(r) = rest.strip_prefix(prefix) {
            rest = r.trim_start_matches([' ', '\t', '\n', '\r']);
        }
    }
    let p = match expand_or_warn(ctx, rest, Table::Full, PATH_MAX, false) {
        Ok(v) => v,
        Err(c) => return *c,
    };
    let check = PathCheck {
        absolute: true,
        ..PathCheck::default()
    };
    Checked::from(value::path_check(key, &p, check).map(Parsed::Str))
}

/// `config_parse_unit_requires_mounts_for`: quoted absolute paths.
pub fn requires_mounts_for(key: &str, raw: &str, ctx: &Ctx<'_>) -> Checked {
    let Some(words) = exec::split_words(raw) else {
        return warn(format!("Invalid syntax, ignoring: {raw}"));
    };
    let mut out = Checked::default();
    let mut paths = Vec::new();
    for (word, range) in words {
        match ctx.spec.expand(&word, Table::Full, PATH_MAX) {
            Ok(p) => {
                let check = PathCheck {
                    absolute: true,
                    ..PathCheck::default()
                };
                match value::path_check(key, &p, check) {
                    Ok(p) => paths.push(p),
                    Err(e) => out.warnings.push(e.at(range)),
                }
            }
            Err(e) => out.warnings.push(
                ValueError::ignore(format!(
                    "Failed to resolve unit specifiers in '{word}', ignoring: {}",
                    e.strerror()
                ))
                .at(range),
            ),
        }
    }
    out.value = Some(Parsed::List(paths));
    out
}

/// `config_parse_unit_env_file`: an absolute path, optionally `-`-prefixed.
pub fn env_file(key: &str, raw: &str, ctx: &Ctx<'_>) -> Checked {
    if raw.is_empty() {
        return Checked::ok(Parsed::Reset);
    }
    let n = match expand_or_warn(ctx, raw, Table::Full, PATH_MAX, true) {
        Ok(v) => v,
        Err(c) => return *c,
    };
    let path = n.strip_prefix('-').unwrap_or(&n);
    let check = PathCheck {
        absolute: true,
        ..PathCheck::default()
    };
    Checked::from(value::path_check(key, path, check).map(|_| Parsed::Str(n.clone())))
}

/// `config_parse_bus_name`: a well-known D-Bus name.
pub fn bus_name(raw: &str, ctx: &Ctx<'_>) -> Checked {
    let k = match expand_or_warn(ctx, raw, Table::Full, usize::MAX, false) {
        Ok(v) => v,
        Err(c) => return *c,
    };
    if !service_name_is_valid(&k) {
        return warn(format!("Invalid bus name, ignoring: {k}"));
    }
    Checked::ok(Parsed::Str(k))
}

/// sd-bus's `service_name_is_valid()`: a unique (`:1.42`) or well-known (`org.example.Foo`)
/// name of at most 255 bytes, at least two dot-separated elements.
fn service_name_is_valid(s: &str) -> bool {
    if s.is_empty() || s.len() > 255 {
        return false;
    }
    let (unique, body) = match s.strip_prefix(':') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let elements: Vec<&str> = body.split('.').collect();
    elements.len() >= 2
        && elements.iter().all(|e| {
            !e.is_empty()
                && e.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                && (unique || !e.starts_with(|c: char| c.is_ascii_digit()))
        })
}

/// `config_parse_unit_condition_string`: optional `|` and `!`, then specifiers; systemd 252
/// checks nothing else at load time.
pub fn condition_string(raw: &str, ctx: &Ctx<'_>) -> Checked {
    if raw.is_empty() {
        return Checked::ok(Parsed::Reset);
    }
    let mut rest = raw;
    for prefix in ['|', '!'] {
        if let Some(r) = rest.strip_prefix(prefix) {
            rest = r.trim_start_matches([' ', '\t', '\n', '\r']);
        }
    }
    match ctx.spec.expand(rest, Table::Full, usize::MAX) {
        Ok(s) => Checked::ok(Parsed::Str(s)),
        Err(e) => warn(format!(
            "Failed to resolve unit specifiers in '{rest}', ignoring: {}",
            e.strerror()
        )),
    }
}

/// `config_parse_namespace_path_strv` (`ReadWritePaths=`, `InaccessiblePaths=`, …): quoted
/// absolute paths, each optionally prefixed by `-` and/or `+`.
pub fn namespace_paths(key: &str, raw: &str, ctx: &Ctx<'_>) -> Checked {
    if raw.is_empty() {
        return Checked::ok(Parsed::Reset);
    }
    let Some(words) = exec::split_words(raw) else {
        return warn(format!("Failed to extract first word, ignoring: {raw}"));
    };
    let mut out = Checked::default();
    let mut paths = Vec::new();
    for (word, range) in words {
        let mut w = word.as_str();
        w = w.strip_prefix('-').unwrap_or(w);
        w = w.strip_prefix('+').unwrap_or(w);
        let resolved = match ctx.spec.expand(w, Table::Full, PATH_MAX) {
            Ok(r) => r,
            Err(e) => {
                let msg = format!("Failed to resolve unit specifiers in {w}: {}", e.strerror());
                out.warnings.push(ValueError::ignore(msg).at(range));
                continue;
            }
        };
        let check = PathCheck {
            absolute: true,
            ..PathCheck::default()
        };
        match value::path_check(key, &resolved, check) {
            Ok(p) => paths.push(p),
            Err(e) => out.warnings.push(e.at(range)),
        }
    }
    out.value = Some(Parsed::List(paths));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permyriad_forms() {
        assert_eq!(permyriad("50%", true), Some(5000));
        assert_eq!(permyriad("12.5%", true), Some(1250));
        assert_eq!(permyriad("150%", true), None);
        assert_eq!(permyriad("150%", false), Some(15000));
        assert_eq!(permyriad("5‰", true), Some(50));
        assert_eq!(permyriad("abc", false), None);
        assert_eq!(permyriad("1.234%", false), None);
    }

    #[test]
    fn bus_names() {
        assert!(service_name_is_valid("org.freedesktop.PolicyKit1"));
        assert!(service_name_is_valid(":1.42"));
        assert!(!service_name_is_valid("nodots"));
        assert!(!service_name_is_valid("org..x"));
        assert!(!service_name_is_valid("org.1x"));
    }
}
