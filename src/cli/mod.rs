//! Command line: the only code that prints or chooses an exit code.
//!
//! Exit status: 0 when every unit would load (warnings allowed), 1 when any unit is refused,
//! masked, not found or fails to load, or a named file is missing (and, with `--strict`, on
//! any warning), 2 for usage errors (clap's own).

mod args;
mod cat;
mod dump;
mod output;
mod run;
mod sarif;
mod shell;
pub mod show;
pub mod version;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::load::Loader;
use crate::load::name::{NameKind, UnitName};
use crate::load::paths::{Environment, Scope, SearchPath};
use crate::verify::Verifier;

pub use args::{
    CatArgs, Cli, ColorWhen, Command, DumpArgs, DumpFormat, Format, SystemdVersion, VerifyArgs,
};
pub use dump::{dump_unit, dump_unit_json, dump_unit_seed, loader_for};
pub use shell::man_page;

/// Parses the process arguments and runs the command.
pub fn run() -> ExitCode {
    let cli = parse_args();
    match cli.command {
        Command::Verify(args) => verify(&args),
        Command::Completions(args) => shell::completions(&args),
        Command::Man(args) => shell::man(&args),
        Command::Dump(args) => dump::run(&args),
        Command::Cat(args) => cat::run(&args),
        Command::Show(args) => show::run(&args),
        Command::Run(args) => run::run(&args),
        Command::Status(args) => run::status(&args),
        Command::Start(args) => run::control_unit(&args, run::Verb::Start),
        Command::Stop(args) => run::control_unit(&args, run::Verb::Stop),
        Command::Reload(args) => run::control_unit(&args, run::Verb::Reload),
        Command::Restart(args) => run::control_unit(&args, run::Verb::Restart),
    }
}

/// clap's parse, with `--help` saying which release `--systemd-version auto` picks here (the
/// installed systemd is looked up only when help is asked for, or when `auto` is used).
fn parse_args() -> Cli {
    let mut cmd = Cli::command();
    let wants_help = std::env::args_os()
        .skip(1)
        .any(|a| a == "-h" || a == "--help" || a == "help");
    if wants_help {
        for sub in ["verify", "dump"] {
            cmd = cmd.mut_subcommand(sub, |c| {
                c.mut_arg("systemd_version", |a| {
                    let base = a.get_help().map(|h| h.to_string()).unwrap_or_default();
                    a.help(version::help_with_auto(&base))
                })
            });
        }
    }
    let matches = cmd.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// What one command-line argument names.
enum Target {
    /// A unit file (absolute path) and the name it is verified as.
    File(PathBuf, UnitName),
    /// A unit name to look up on the search path.
    Name(UnitName),
}

fn verify(args: &VerifyArgs) -> ExitCode {
    let chosen = version::resolve(args.systemd_version);
    if args.verbose {
        eprintln!(
            "sockunit: checking as systemd {} ({})",
            chosen.release, chosen.why
        );
    }
    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut failed = false;
    let mut unit_failures = 0;
    let targets = resolve_targets(&args.units, &mut diags, &mut failed);
    // Each argument that names no unit (missing file, bad name) has one error.
    let bad_arguments = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let loader = build_loader(&targets, args.root.as_deref(), args.user, &mut diags);
    let mut verifier = Verifier::new(&loader);
    verifier.exec_check = !args.no_exec_check;
    verifier.release = chosen.release;

    for t in &targets {
        let name = match t {
            Target::File(_, n) | Target::Name(n) => n,
        };
        let refused = verifier.verify(name, &mut diags).refused;
        unit_failures += usize::from(refused);
        failed |= refused;
    }
    if args.strict && diags.iter().any(|d| d.severity >= Severity::Warning) {
        failed = true;
    }
    for d in &mut diags {
        d.message = chosen.release.reword_other(&d.message);
    }
    let color = output::color_for(args.color);
    let summary = output::Summary {
        units: targets.len() + bad_arguments,
        refused: unit_failures + bad_arguments,
        warnings: diags
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count(),
    };
    if args.quiet {
        output::print_summary(&summary, color);
    } else {
        output::print_with(&diags, args.format, color);
        if args.format == Format::Human {
            output::print_summary(&summary, color);
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The loader verify and dump use: the search path for the scope (under `root`), with the
/// directories of named files in front, as `systemd-analyze verify` does.
fn build_loader(
    targets: &[Target],
    root: Option<&Path>,
    user: bool,
    diags: &mut Vec<Diagnostic>,
) -> Loader {
    let env = Environment::from_process();
    let scope = if user { Scope::User } else { Scope::System };
    let mut search = SearchPath::new(scope, root, &env);
    let mut front: Vec<PathBuf> = Vec::new();
    for t in targets {
        if let Target::File(path, _) = t
            && let Some(dir) = path.parent()
            && !front.iter().any(|f| f == dir)
        {
            front.push(dir.to_path_buf());
        }
    }
    search.prepend(&front);
    let loader = Loader::new(search, scope, &env);
    for (path, message) in loader.scan_problems() {
        let msg = format!("{}: {message}", path.display());
        diags.push(Diagnostic::new(
            Code::UnreadableFile,
            Severity::Warning,
            msg,
        ));
    }
    loader
}

/// Sorts arguments into files (walking directories) and unit names.
fn resolve_targets(args: &[String], diags: &mut Vec<Diagnostic>, failed: &mut bool) -> Vec<Target> {
    let mut targets = Vec::new();
    for arg in args {
        let path = Path::new(arg);
        let unit_named = path
            .file_name()
            .and_then(|b| b.to_str())
            .and_then(UnitName::parse)
            .is_some();
        // A directory named like a unit (`x.socket/`) is what systemd is asked for: a unit
        // whose fragment is not a file, hence "not found". Other directories are walked.
        if path.is_dir() && !unit_named {
            for file in walk_units(path, diags) {
                push_file(&file, &mut targets, diags, failed);
            }
        } else if let Some(units) = dropin_units(path) {
            for unit in units {
                push_file(&unit, &mut targets, diags, failed);
            }
        } else if path.exists() || path.is_symlink() {
            push_file(path, &mut targets, diags, failed);
        } else if let (false, Some(name)) = (arg.contains('/'), UnitName::parse(arg)) {
            targets.push(Target::Name(prepare(name)));
        } else {
            let msg = format!("Failed to prepare filename {arg}: No such file or directory");
            diags.push(Diagnostic::new(Code::UnreadableFile, Severity::Error, msg));
            *failed = true;
        }
    }
    // The same unit file named twice (a unit and its drop-in, as pre-commit passes them) is
    // verified once.
    let mut seen = std::collections::HashSet::new();
    targets.retain(|t| match t {
        Target::File(path, name) => seen.insert((path.clone(), name.as_str().to_owned())),
        Target::Name(_) => true,
    });
    targets
}

/// For a drop-in file (`DIR/NAME.d/*.conf`, or `DIR/TYPE.d/*.conf` and `DIR/PREFIX-.TYPE.d/*.conf`
/// which apply to every unit of the type, or with the prefix), the unit files in `DIR` it
/// belongs to: verifying them reads the drop-in, `DIR` being searched first. `NAME` need not
/// be in `DIR` (a drop-in for a unit installed elsewhere is looked up on the search path).
/// `None` when `path` is not a `.conf` file in a unit's drop-in directory.
fn dropin_units(path: &Path) -> Option<Vec<PathBuf>> {
    if !path.is_file() || path.extension().is_none_or(|e| e != "conf") {
        return None;
    }
    let d_dir = path.parent()?;
    let dir_name = d_dir.file_name()?.to_str()?;
    let owner = dir_name.strip_suffix(".d")?;
    let base = match d_dir.parent()? {
        p if p.as_os_str().is_empty() => Path::new("."),
        p => p,
    };
    let base = std::path::absolute(base).ok()?;
    // Type-wide (`socket.d`) or prefix (`foo-.socket.d`) drop-ins, else one unit's.
    let (prefix, unit_type) = match owner.rsplit_once('.') {
        Some((p, t)) if p.ends_with('-') => (p, t),
        None => ("", owner),
        _ if UnitName::parse(owner).is_some() => return Some(vec![base.join(owner)]),
        _ => return None,
    };
    if !matches!(
        unit_type,
        "service"
            | "socket"
            | "target"
            | "device"
            | "mount"
            | "automount"
            | "swap"
            | "timer"
            | "path"
            | "slice"
            | "scope"
    ) {
        return None;
    }
    let mut units: Vec<PathBuf> = std::fs::read_dir(&base)
        .ok()?
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            UnitName::parse(&name).is_some_and(|n| {
                n.unit_type() == unit_type && n.without_suffix().starts_with(prefix)
            }) && !e.path().is_dir()
        })
        .map(|e| e.path())
        .collect();
    units.sort();
    Some(units)
}

fn push_file(
    path: &Path,
    targets: &mut Vec<Target>,
    diags: &mut Vec<Diagnostic>,
    failed: &mut bool,
) {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let base = absolute
        .file_name()
        .and_then(|b| b.to_str())
        .unwrap_or_default();
    match UnitName::parse(base) {
        Some(name) => targets.push(Target::File(absolute.clone(), prepare(name))),
        None => {
            let msg = format!(
                "Failed to prepare filename {}: Invalid argument",
                path.display()
            );
            diags.push(Diagnostic::new(Code::InvalidUnitName, Severity::Error, msg));
            *failed = true;
        }
    }
}

/// `systemd-analyze verify` checks a bare template as the instance `i` (systemd 252).
fn prepare(name: UnitName) -> UnitName {
    if name.kind() == NameKind::Template {
        name.with_instance("i").unwrap_or(name)
    } else {
        name
    }
}

/// Unit files under a directory, sorted; drop-in and `.wants/` directories are skipped.
fn walk_units(dir: &Path, diags: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || !(e.file_type().is_dir()
                    && (name.ends_with(".d")
                        || name.contains(".wants")
                        || name.contains(".requires")))
        });
    for entry in walker {
        match entry {
            Ok(e) if !e.file_type().is_dir() => {
                let name = e.file_name().to_string_lossy();
                if UnitName::parse(&name)
                    .is_some_and(|n| matches!(n.unit_type(), "socket" | "service"))
                {
                    files.push(e.into_path());
                }
            }
            Ok(_) => {}
            Err(e) => {
                let where_ = e
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                let msg = format!("{where_}: {e}");
                diags.push(Diagnostic::new(
                    Code::UnreadableFile,
                    Severity::Warning,
                    msg,
                ));
            }
        }
    }
    files
}
