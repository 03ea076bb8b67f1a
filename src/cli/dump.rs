//! `sockunit dump`: systemd 252's `unit_dump` for each unit, as `systemd-analyze verify`
//! prints it at debug level. The type block (`Socket State:` … / `Service State:` …) is
//! complete up to the cgroup context; the `-> Unit NAME:` header carries the description,
//! instance, load and active state, the static fields of a unit that never ran, fragment and
//! drop-in paths, the dependencies with their origin/destination masks, `RequiresMountsFor:` and
//! the unit flags (see `tests/dump_header.rs`).
//! A unit that failed to load (error, bad setting) still gets the type block of what could be
//! read — systemd prints none — with its load state in the header; nothing to read (not found,
//! masked) means no type block. Either way the exit status is 1.
//!
//! `--format seed` prints the 2010 seed's dump instead ([`crate::dump::seed`]); `--format json`
//! the typed configuration with every value's origin ([`crate::dump::json`],
//! `docs/dump-json.md`; `--type-only` does not apply).

use std::process::ExitCode;

use super::args::{DumpArgs, DumpFormat};
use super::{Target, build_loader, output, resolve_targets};
use crate::config;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::dump::{self, DumpOptions, Extras};
use crate::load::name::UnitName;
use crate::load::{LoadState, Loader};
use crate::verify::Verifier;

/// A unit's dump and whether it loaded.
#[derive(Debug, Clone)]
pub struct DumpedUnit {
    /// The unit id.
    pub id: String,
    /// The `-> Unit NAME:` header block (prefix `\t`, fields `\t\t`).
    pub header: Vec<String>,
    /// The type block (prefix `\t\t`), empty when the unit has no fragment to read.
    pub block: Vec<String>,
    /// False when the unit is not found, masked, unreadable or has a bad setting.
    pub loaded: bool,
    /// Whether `verify` refuses it (also when its triggered service does not load).
    pub refused: bool,
}

/// The loader and unit names for dump arguments (files, directories, names), as `verify`
/// resolves them; diagnostics for arguments that name nothing go to `diags`.
pub fn loader_for(
    units: &[String],
    root: Option<&std::path::Path>,
    user: bool,
    diags: &mut Vec<Diagnostic>,
) -> (Loader, Vec<UnitName>, bool) {
    let mut failed = false;
    let targets = resolve_targets(units, diags, &mut failed);
    let loader = build_loader(&targets, root, user, diags);
    let names = targets
        .into_iter()
        .map(|t| match t {
            Target::File(_, n) | Target::Name(n) => n,
        })
        .collect();
    (loader, names, failed)
}

/// The kernel's highest capability (`/proc/sys/kernel/cap_last_cap`), 40 if unreadable.
fn cap_last_cap() -> u32 {
    std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(40)
}

/// A unit loaded and interpreted for dumping, in any format.
struct Prepared {
    unit: crate::load::LoadedUnit,
    basics: config::Basics,
    /// systemd's load state, `bad-setting` included.
    state: &'static str,
    /// Whether `verify` refuses it.
    refused: bool,
}

/// Loads and interprets `name`, with its load state as systemd's dump shows it.
/// `verifier` (on the same loader, executable check off) is shared across the units of one
/// run, so the dependency closure is loaded once.
fn prepare(
    loader: &Loader,
    verifier: &mut Verifier<'_>,
    name: &UnitName,
    diags: &mut Vec<Diagnostic>,
) -> Prepared {
    let unit = loader.load(name, diags);
    let spec = loader.specifiers(&unit);
    let release = verifier.release;
    let basics = config::interpret_as(&unit, &spec, &loader.host, loader.scope, release, diags);
    let id = unit.id.as_str().to_owned();
    // socket_verify()/service_verify() refusals also make the load state bad-setting.
    let mut vdiags = Vec::new();
    let verdict = verifier.verify(name, &mut vdiags);
    let refused_at_load = vdiags
        .iter()
        .any(|d| d.code == Code::BadSetting && d.unit.as_deref() == Some(id.as_str()));
    let state = match unit.state {
        LoadState::Loaded if basics.fatal.is_some() || refused_at_load => "bad-setting",
        LoadState::Loaded => "loaded",
        LoadState::NotFound => "not-found",
        LoadState::Masked => "masked",
        LoadState::Error(_) => "error",
    };
    Prepared {
        unit,
        basics,
        state,
        refused: verdict.refused,
    }
}

/// The last value of a `[Unit]` setting in the unit's files (an empty assignment resets).
fn unit_setting(unit: &crate::load::LoadedUnit, key: &str) -> Option<String> {
    let mut out = None;
    for file in &unit.files {
        for a in &file.syntax.assignments {
            if a.section.as_deref() == Some("Unit") && a.key == key {
                let v = a.value.text.trim();
                out = (!v.is_empty()).then(|| v.to_owned());
            }
        }
    }
    out
}

/// `unit_need_daemon_reload()` of a unit just loaded: systemd remembers the newest mtime of
/// the drop-ins it parsed successfully (`dropin_mtime`), so a drop-in whose parse failed (a
/// whole-file failure: invalid UTF-8, an overlong line) and is newer than that makes the
/// unit look changed on disk. Files under `/proc` and `/sys` never count.
fn need_daemon_reload(unit: &crate::load::LoadedUnit) -> bool {
    let mtime = |p: &std::path::Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let parsed_ok = |p: &std::path::Path| match unit.files.iter().find(|f| f.source.path() == p) {
        Some(f) => f.syntax.failure.is_none(),
        // Empty and /dev/null drop-ins are not kept, but systemd parses them fine.
        None => mtime(p).is_some(),
    };
    let newest = unit
        .dropin_paths
        .iter()
        .filter(|p| parsed_ok(p))
        .filter_map(|p| mtime(p))
        .max();
    unit.dropin_paths.iter().any(|p| {
        if p.starts_with("/proc") || p.starts_with("/sys") {
            return false;
        }
        match (mtime(p), newest) {
            (None, _) => true,
            (Some(t), Some(n)) => t > n,
            (Some(_), None) => true,
        }
    })
}

/// What the dependency walk needs: the manager as `systemd-analyze verify` runs it (only the
/// root file system has a mount unit).
fn show_options(loader: &Loader) -> crate::show::ShowOptions {
    crate::show::ShowOptions {
        scope: loader.scope,
        home: Some(loader.host.home.clone()),
        mount_points: vec!["/".to_owned()],
        interfaces: loader.host.interfaces.clone(),
        directory_prefixes: [
            loader.host.runtime_dir.clone(),
            loader.host.state_dir.clone(),
            loader.host.cache_dir.clone(),
            loader.host.logs_dir.clone(),
            loader.host.config_dir.clone(),
        ],
        default_std_output: "inherit",
    }
}

/// Loads and interprets `name` and formats its dump; diagnostics go to `diags`.
pub fn dump_unit(
    loader: &Loader,
    verifier: &mut Verifier<'_>,
    name: &UnitName,
    diags: &mut Vec<Diagnostic>,
) -> DumpedUnit {
    let Prepared {
        unit,
        basics,
        state,
        refused,
    } = prepare(loader, verifier, name, diags);
    let spec = loader.specifiers(&unit);
    let extras = Extras::collect(&unit, &spec, &loader.host, loader.scope);
    let opts = DumpOptions {
        scope: loader.scope,
        home: Some(loader.host.home.clone()),
        interfaces: loader.host.interfaces.clone(),
        cap_last_cap: cap_last_cap(),
        ..DumpOptions::default()
    };
    let id = unit.id.as_str().to_owned();
    let mut header = vec![format!("\t-> Unit {id}:")];
    let f = "\t\t";
    header.push(format!(
        "{f}Description: {}",
        basics.description.as_deref().unwrap_or(&id)
    ));
    header.push(format!(
        "{f}Instance: {}",
        unit.id.instance().unwrap_or("n/a")
    ));
    header.push(format!("{f}Unit Load State: {state}"));
    header.push(format!("{f}Unit Active State: inactive"));
    for t in [
        "State Change",
        "Inactive Exit",
        "Active Enter",
        "Active Exit",
        "Inactive Enter",
    ] {
        header.push(format!("{f}{t} Timestamp: n/a"));
    }
    let show_opts = show_options(loader);
    let loaded = state == "loaded";
    let view = crate::show::UnitView {
        unit: &unit,
        basics: &basics,
        extras: &extras,
        load_state: state,
    };
    header.push(format!("{f}May GC: yes"));
    header.push(format!(
        "{f}Need Daemon Reload: {}",
        if need_daemon_reload(&unit) {
            "yes"
        } else {
            "no"
        }
    ));
    header.push(format!("{f}Transient: no"));
    header.push(format!("{f}Perpetual: no"));
    header.push(format!(
        "{f}Garbage Collection Mode: {}",
        unit_setting(&unit, "CollectMode")
            .filter(|m| m == "inactive-or-failed")
            .unwrap_or_else(|| "inactive".into())
    ));
    if matches!(unit.id.unit_type(), "socket" | "service") && loaded {
        header.push(format!(
            "{f}Slice: {}",
            crate::show::slice_name(view, &show_opts)
        ));
        header.push(format!("{f}CGroup: n/a"));
        header.push(format!("{f}CGroup realized: no"));
    }
    if let Some(p) = &unit.fragment {
        header.push(format!("{f}Fragment Path: {}", p.display()));
    }
    for p in &unit.dropin_paths {
        header.push(format!("{f}DropIn Path: {}", p.display()));
    }
    for (kind, other, origin, dest) in super::show::dump_dependencies(loader, name, &show_opts) {
        header.push(format!(
            "{f}{kind}: {other} ({})",
            crate::show::mask::describe(origin, dest)
        ));
    }
    if loaded {
        for p in crate::show::requires_mounts_for(view, &show_opts) {
            header.push(format!("{f}RequiresMountsFor: {p} (origin-file)"));
        }
        let flag = |key: &str| {
            let b = unit_setting(&unit, key)
                .and_then(|v| crate::config::value::parse_bool(&v).ok())
                .unwrap_or(false);
            if b { "yes" } else { "no" }
        };
        header.push(format!("{f}StopWhenUnneeded: {}", flag("StopWhenUnneeded")));
        header.push(format!(
            "{f}RefuseManualStart: {}",
            flag("RefuseManualStart")
        ));
        header.push(format!("{f}RefuseManualStop: {}", flag("RefuseManualStop")));
        header.push(format!(
            "{f}DefaultDependencies: {}",
            if basics.default_dependencies {
                "yes"
            } else {
                "no"
            }
        ));
        header.push(format!(
            "{f}OnSuccessJobMode: {}",
            unit_setting(&unit, "OnSuccessJobMode").unwrap_or_else(|| "fail".into())
        ));
        let on_failure = unit_setting(&unit, "OnFailureJobMode").unwrap_or_else(|| {
            if flag("OnFailureIsolate") == "yes" {
                "isolate".into()
            } else {
                "replace".into()
            }
        });
        header.push(format!("{f}OnFailureJobMode: {on_failure}"));
        header.push(format!("{f}IgnoreOnIsolate: {}", flag("IgnoreOnIsolate")));
    }
    // systemd dumps the type block only for loaded units; sockunit also dumps whatever could
    // be read of a unit that failed to load (its header shows the load state), so the user
    // sees what systemd made of the file up to the problem.
    let block = if !unit.files.is_empty() {
        match (basics.socket.as_deref(), basics.service.as_deref()) {
            (Some(socket), _) => dump::socket_block(socket, &id, &extras, &opts),
            (None, Some(service)) => dump::service_block(service, &id, &extras, &opts),
            (None, None) => Vec::new(),
        }
    } else {
        Vec::new()
    };
    DumpedUnit {
        id,
        header,
        block,
        loaded: state == "loaded",
        refused,
    }
}

/// The 2010 seed's dump of `name` (header, then the socket block for a loaded socket).
pub fn dump_unit_seed(
    loader: &Loader,
    verifier: &mut Verifier<'_>,
    name: &UnitName,
    diags: &mut Vec<Diagnostic>,
) -> DumpedUnit {
    let p = prepare(loader, verifier, name, diags);
    let id = p.unit.id.as_str().to_owned();
    let header = dump::seed::header_lines(
        &id,
        &p.unit.names,
        p.state,
        p.unit.fragment.as_deref(),
        &p.basics,
    );
    let block = match (p.state, p.basics.socket.as_deref()) {
        ("loaded", Some(s)) => dump::seed::socket_lines(s, &loader.host.interfaces),
        _ => Vec::new(),
    };
    DumpedUnit {
        id,
        header,
        block,
        loaded: p.state == "loaded",
        refused: p.refused,
    }
}

/// The JSON object of `name` (see `docs/dump-json.md`) and whether it loaded and is refused.
pub fn dump_unit_json(
    loader: &Loader,
    verifier: &mut Verifier<'_>,
    name: &UnitName,
    diags: &mut Vec<Diagnostic>,
) -> (serde_json::Value, bool, bool) {
    let p = prepare(loader, verifier, name, diags);
    let spec = loader.specifiers(&p.unit);
    let ctx = config::dispatch::Ctx {
        spec: &spec,
        host: &loader.host,
        user: loader.scope == crate::load::paths::Scope::User,
    };
    let provenance = config::provenance::Provenance::build(&p.unit, &ctx);
    let extras = Extras::collect(&p.unit, &spec, &loader.host, loader.scope);
    let view = crate::show::UnitView {
        unit: &p.unit,
        basics: &p.basics,
        extras: &extras,
        load_state: p.state,
    };
    let opts = show_options(loader);
    let deps = crate::show::forward_deps_masked(view, &opts);
    let mounts = if p.state == "loaded" {
        crate::show::requires_mounts_for_sources(view, &opts)
    } else {
        Vec::new()
    };
    let value = dump::json::unit_json(&dump::json::JsonUnit {
        id: &p.unit.id,
        names: &p.unit.names,
        load_state: p.state,
        fragment: p.unit.fragment.as_deref(),
        dropins: &p.unit.dropin_paths,
        basics: &p.basics,
        provenance: &provenance,
        deps: &deps,
        mounts: &mounts,
    });
    (value, p.state == "loaded", p.refused)
}

/// Runs `sockunit dump`.
pub(super) fn run(args: &DumpArgs) -> ExitCode {
    let chosen = super::version::resolve(args.systemd_version);
    if args.verbose {
        eprintln!(
            "sockunit: reading units as systemd {} ({})",
            chosen.release, chosen.why
        );
    }
    let mut diags = Vec::new();
    let (loader, names, mut failed) =
        loader_for(&args.units, args.root.as_deref(), args.user, &mut diags);
    let mut verifier = Verifier::new(&loader);
    verifier.exec_check = false;
    verifier.release = chosen.release;
    let mut text = String::new();
    let mut json_units = Vec::new();
    for name in &names {
        let mut local = Vec::new();
        match args.format {
            DumpFormat::Json => {
                let (v, loaded, refused) = dump_unit_json(&loader, &mut verifier, name, &mut local);
                failed |= !loaded || refused;
                json_units.push(v);
            }
            DumpFormat::Systemd | DumpFormat::Seed => {
                let d = if args.format == DumpFormat::Seed {
                    dump_unit_seed(&loader, &mut verifier, name, &mut local)
                } else {
                    dump_unit(&loader, &mut verifier, name, &mut local)
                };
                failed |= !d.loaded || d.refused;
                if !args.type_only {
                    text.push_str(&dump::to_text(&d.header));
                }
                text.push_str(&dump::to_text(&d.block));
            }
        }
        diags.extend(
            local
                .into_iter()
                .filter(|d| d.severity >= Severity::Warning),
        );
    }
    if args.format == DumpFormat::Json {
        let doc = dump::json::document(json_units);
        text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        text.push('\n');
    }
    use std::io::Write as _;
    // A closed pipe (e.g. `| head`) is not an error worth reporting.
    drop(std::io::stdout().write_all(text.as_bytes()));
    for d in &mut diags {
        d.message = chosen.release.reword_other(&d.message);
    }
    let rendered = output::render(&diags, super::Format::Short, false);
    drop(std::io::stderr().write_all(rendered.as_bytes()));
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
