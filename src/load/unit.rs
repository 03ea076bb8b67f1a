//! [`Loader`]: one unit name → [`LoadedUnit`] (load state, fragment and drop-ins, parsed), the
//! way systemd 252's `unit_load_fragment_and_dropin()` does it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::dropin;
use super::fragment::{NameMap, is_null_or_empty};
use super::host::HostInfo;
use super::name::UnitName;
use super::paths::{Environment, Scope, SearchPath};
use super::specifier::Specifiers;
use crate::diagnostic::{Code, Diagnostic, Severity, Sink};
use crate::source::Source;
use crate::syntax::{self, SyntaxFile};

/// systemd's unit load states (the ones loading can produce).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadState {
    /// Fragment read and parsed.
    Loaded,
    /// No fragment anywhere on the search path.
    NotFound,
    /// Empty fragment or symlink to `/dev/null`.
    Masked,
    /// The fragment could not be read or parsed; carries `strerror()` of the errno.
    Error(&'static str),
}

/// One parsed file of a unit.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    /// The file.
    pub source: Arc<Source>,
    /// What the syntax layer made of it.
    pub syntax: SyntaxFile,
}

/// A unit as loaded from disk, before any value is interpreted.
#[derive(Debug, Clone)]
pub struct LoadedUnit {
    /// The unit's id (the fragment's name when loaded through an alias).
    pub id: UnitName,
    /// Every name the unit has, id first.
    pub names: Vec<String>,
    /// Load state.
    pub state: LoadState,
    /// The fragment path, if one was found.
    pub fragment: Option<PathBuf>,
    /// The fragment (if readable) and then every drop-in, in the order they apply.
    pub files: Vec<ParsedFile>,
    /// Drop-in paths in application order (including empty and `/dev/null` ones).
    pub dropin_paths: Vec<PathBuf>,
    /// Units named in `.wants/` directories.
    pub wants: Vec<String>,
    /// Units named in `.requires/` directories.
    pub requires: Vec<String>,
}

/// Loads units from one search path.
#[derive(Debug)]
pub struct Loader {
    /// The search path.
    pub search: SearchPath,
    /// System or user.
    pub scope: Scope,
    /// Host facts for specifiers.
    pub host: HostInfo,
    map: NameMap,
}

/// Adds the unit name to every diagnostic passing through.
struct UnitSink<'a> {
    unit: &'a str,
    inner: &'a mut dyn Sink,
}

impl Sink for UnitSink<'_> {
    fn push(&mut self, d: Diagnostic) {
        self.inner.push(d.in_unit(self.unit));
    }
}

/// Section names valid for a unit type (systemd's vtable `.sections`).
pub fn sections_for(unit_type: &str) -> &'static [&'static str] {
    match unit_type {
        "service" => &["Unit", "Service", "Install"],
        "socket" => &["Unit", "Socket", "Install"],
        "mount" => &["Unit", "Mount", "Install"],
        "automount" => &["Unit", "Automount", "Install"],
        "swap" => &["Unit", "Swap", "Install"],
        "timer" => &["Unit", "Timer", "Install"],
        "path" => &["Unit", "Path", "Install"],
        "slice" => &["Unit", "Slice", "Install"],
        "scope" => &["Unit", "Scope", "Install"],
        _ => &["Unit", "Install"],
    }
}

impl Loader {
    /// Builds the name map for `search` and gathers host facts.
    pub fn new(search: SearchPath, scope: Scope, env: &Environment) -> Loader {
        let map = NameMap::build(&search);
        let host = HostInfo::gather(scope, env);
        Loader {
            search,
            scope,
            host,
            map,
        }
    }

    /// Problems found while scanning the search path: (path, message).
    pub fn scan_problems(&self) -> &[(PathBuf, String)] {
        &self.map.problems
    }

    /// Specifier context for a loaded unit.
    pub fn specifiers<'a>(&'a self, unit: &'a LoadedUnit) -> Specifiers<'a> {
        Specifiers {
            host: &self.host,
            id: &unit.id,
            fragment: unit.fragment.as_deref(),
        }
    }

    /// Loads one unit. Diagnostics (syntax warnings, unreadable drop-ins) go to `sink`.
    pub fn load(&self, name: &UnitName, sink: &mut dyn Sink) -> LoadedUnit {
        let Some(found) = self.map.find_fragment(name) else {
            return LoadedUnit {
                id: name.clone(),
                names: vec![name.as_str().to_owned()],
                state: LoadState::NotFound,
                fragment: None,
                files: Vec::new(),
                dropin_paths: Vec::new(),
                wants: Vec::new(),
                requires: Vec::new(),
            };
        };
        let id = fragment_id(name, &found.path);
        let mut names = vec![id.as_str().to_owned()];
        names.extend(found.names.iter().filter(|n| **n != id.as_str()).cloned());
        let mut unit = LoadedUnit {
            id,
            names,
            state: LoadState::Loaded,
            fragment: Some(found.path.clone()),
            files: Vec::new(),
            dropin_paths: Vec::new(),
            wants: Vec::new(),
            requires: Vec::new(),
        };
        let unit_id = unit.id.as_str().to_owned();
        let mut sink = UnitSink {
            unit: &unit_id,
            inner: sink,
        };
        let sections = sections_for(unit.id.unit_type());
        if is_null_or_empty(&found.path) {
            unit.state = LoadState::Masked;
        } else {
            match read(&found.path) {
                Ok(source) => {
                    let syntax = syntax::parse(&source, Some(sections), &mut sink);
                    if let Some(f) = syntax.failure {
                        unit.state = LoadState::Error(f.kind.strerror());
                    }
                    unit.files.push(ParsedFile { source, syntax });
                }
                // systemd: a fragment that vanished (e.g. a dangling linked-unit symlink)
                // fails with ENOENT while the unit is still a stub, which is "not found".
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    unit.state = LoadState::NotFound
                }
                Err(e) => unit.state = LoadState::Error(strerror(&e)),
            }
            if matches!(unit.state, LoadState::Error(_) | LoadState::NotFound) {
                return unit;
            }
        }
        self.load_dropins(&mut unit, sections, &mut sink);
        unit
    }

    fn load_dropins(&self, unit: &mut LoadedUnit, sections: &[&str], sink: &mut dyn Sink) {
        let names: Vec<UnitName> = unit
            .names
            .iter()
            .filter_map(|n| UnitName::parse(n))
            .collect();
        let mut problems = Vec::new();
        let dirs = dropin::find_dirs(
            &self.search,
            &names,
            ".d",
            (&self.map.entries, &self.map.entry_names),
            &mut problems,
        );
        unit.dropin_paths = dropin::conf_files(&dirs, self.search.root.as_deref(), &mut problems);
        for path in unit.dropin_paths.clone() {
            if is_null_or_empty(&path) {
                continue;
            }
            match read(&path) {
                Ok(source) => {
                    let syntax = syntax::parse(&source, Some(sections), sink);
                    unit.files.push(ParsedFile { source, syntax });
                }
                Err(e) => problems.push((
                    path.clone(),
                    format!("Failed to read drop-in: {}", strerror(&e)),
                )),
            }
        }
        for (suffix, list) in [
            (".wants", &mut unit.wants),
            (".requires", &mut unit.requires),
        ] {
            let dirs = dropin::find_dirs(
                &self.search,
                &names,
                suffix,
                (&self.map.entries, &self.map.entry_names),
                &mut problems,
            );
            for (dep, path, is_link) in dropin::dependency_entries(&dirs) {
                if is_link {
                    if !list.contains(&dep) {
                        list.push(dep);
                    }
                } else {
                    let kind = if suffix == ".wants" {
                        "Wants"
                    } else {
                        "Requires"
                    };
                    let msg = format!(
                        "{kind} dependency dropin {} is not a symlink, ignoring.",
                        path.display()
                    );
                    sink.push(Diagnostic::new(
                        Code::BadDependencyDropin,
                        Severity::Warning,
                        msg,
                    ));
                }
            }
        }
        for (path, message) in problems {
            let d = Diagnostic::new(
                Code::UnreadableFile,
                Severity::Warning,
                format!("{}: {message}", path.display()),
            );
            sink.push(d);
        }
    }
}

/// The id a unit gets from its fragment (systemd merges a unit loaded through an alias into
/// the unit named after the fragment file; a template fragment keeps the instance).
fn fragment_id(requested: &UnitName, fragment: &Path) -> UnitName {
    let base = fragment
        .file_name()
        .and_then(|b| b.to_str())
        .and_then(UnitName::parse);
    match base {
        Some(b) if b.kind() == super::name::NameKind::Template => b
            .with_instance(requested.instance().unwrap_or_default())
            .unwrap_or_else(|| requested.clone()),
        Some(b) if b.unit_type() == requested.unit_type() => b,
        _ => requested.clone(),
    }
}

/// Reads a unit file. Only regular files are read: a FIFO or device behind a symlink would
/// block or never end, so it is refused (EINVAL) instead of hanging the whole run.
fn read(path: &Path) -> std::io::Result<Arc<Source>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        let errno = if meta.is_dir() {
            nix::errno::Errno::EISDIR
        } else {
            nix::errno::Errno::EINVAL
        };
        return Err(std::io::Error::from_raw_os_error(errno as i32));
    }
    let bytes = std::fs::read(path)?;
    Ok(Source::new(path, bytes))
}

/// `strerror()` for the errors reading a unit file can give.
pub fn strerror(e: &std::io::Error) -> &'static str {
    match e.raw_os_error().map(nix::errno::Errno::from_raw) {
        Some(nix::errno::Errno::EACCES) => "Permission denied",
        Some(nix::errno::Errno::ENOENT) => "No such file or directory",
        Some(nix::errno::Errno::EISDIR) => "Is a directory",
        Some(nix::errno::Errno::ELOOP) => "Too many levels of symbolic links",
        Some(nix::errno::Errno::ENAMETOOLONG) => "File name too long",
        Some(errno) => errno.desc(),
        None => "Input/output error",
    }
}
