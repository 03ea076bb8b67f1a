//! The unit-name map (systemd's `unit_file_build_name_map()` and `unit_file_find_fragment()`):
//! which file each name loads from, which names are aliases of which, and what is masked.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use super::name::{NameKind, UnitName};
use super::paths::SearchPath;

/// What a name in the map points at.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// A file to read (a regular file, or a symlink leading out of the search path).
    File(PathBuf),
    /// Another unit name (an alias symlink inside the search path).
    Alias(String),
}

/// The name map for one search path.
#[derive(Debug, Default)]
pub struct NameMap {
    ids: HashMap<String, Target>,
    aliases: HashMap<String, Vec<String>>,
    /// Problems found while scanning (unreadable dirs, bad alias symlinks): (path, message).
    pub problems: Vec<(PathBuf, String)>,
    /// Every `*.d`, `*.wants`, `*.requires`, `*.upholds` entry of every search directory (the
    /// part of systemd's `unit_path_cache` that matters): drop-in and dependency directories
    /// are only probed when listed here, which saves thousands of failing `stat()` calls.
    pub entries: HashSet<PathBuf>,
    /// File names of those entries, for a cheap first test before building paths.
    pub entry_names: HashSet<String>,
}

/// Where a unit's fragment is, as [`NameMap::find_fragment`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The file to read.
    pub path: PathBuf,
    /// All names of the unit (requested name, aliases, the fragment's own name).
    pub names: Vec<String>,
}

const FOLLOW_MAX: usize = 32;

impl NameMap {
    /// Scans every directory of the search path.
    pub fn build(search: &SearchPath) -> NameMap {
        let mut map = NameMap::default();
        let expanded: Vec<PathBuf> = search
            .dirs
            .iter()
            .flat_map(|d| [Some(d.clone()), std::fs::canonicalize(d).ok()])
            .flatten()
            .collect();
        for dir in &search.dirs {
            let entries = match std::fs::read_dir(dir) {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    map.problems.push((
                        dir.clone(),
                        format!("Failed to open \"{}\", ignoring: {e}", dir.display()),
                    ));
                    continue;
                }
            };
            // Names are unique within one directory and the first directory wins across them,
            // so the order of entries inside a directory does not matter.
            let names = entries.flatten();
            for entry in names {
                // Only drop-in and dependency directories are ever probed through the cache.
                if let Some(n) = entry.file_name().to_str()
                    && [".d", ".wants", ".requires", ".upholds"]
                        .iter()
                        .any(|s| n.ends_with(s))
                {
                    map.entries.insert(entry.path());
                    if !map.entry_names.contains(n) {
                        map.entry_names.insert(n.to_owned());
                    }
                }
                let Some(fname) = entry.file_name().to_str().map(str::to_owned) else {
                    continue;
                };
                if UnitName::parse(&fname).is_none() || map.ids.contains_key(&fname) {
                    continue;
                }
                let Ok(ft) = entry.file_type() else { continue };
                let path = dir.join(&fname);
                let target = if ft.is_file() {
                    Target::File(path)
                } else if ft.is_symlink() {
                    match map.resolve_symlink(search, &expanded, dir, &fname) {
                        Some(t) => t,
                        None => continue,
                    }
                } else {
                    continue;
                };
                map.ids.insert(fname, target);
            }
        }
        map.build_aliases();
        map
    }

    /// systemd's `unit_file_resolve_symlink()` for an entry of the name map.
    fn resolve_symlink(
        &mut self,
        search: &SearchPath,
        expanded: &[PathBuf],
        dir: &Path,
        fname: &str,
    ) -> Option<Target> {
        let link = dir.join(fname);
        let target = match std::fs::read_link(&link) {
            Ok(t) => t,
            Err(e) => {
                self.problems
                    .push((link, format!("Failed to read symlink: {e}")));
                return None;
            }
        };
        let absolute = match (&search.root, target.is_absolute()) {
            (Some(root), true) => root.join(target.strip_prefix("/").unwrap_or(&target)),
            (None, true) => target,
            (_, false) => dir.join(target),
        };
        let simplified = simplify(&absolute);
        if expanded
            .iter()
            .any(|d| simplified.parent() == Some(d.as_path()))
        {
            let target_name = simplified.file_name()?.to_str()?.to_owned();
            if let Err(why) = validate_alias(fname, &target_name) {
                self.problems.push((link, why));
                return None;
            }
            return Some(Target::Alias(target_name));
        }
        Some(Target::File(link))
    }

    fn build_aliases(&mut self) {
        let mut aliases: HashMap<String, Vec<String>> = HashMap::new();
        let mut srcs: Vec<&String> = self.ids.keys().collect();
        srcs.sort();
        for src in srcs {
            let Some(fragment) = self.resolve(src) else {
                continue;
            };
            if is_null_or_empty(&fragment) {
                continue;
            }
            let Some(mut dst) = fragment
                .file_name()
                .and_then(|f| f.to_str())
                .map(str::to_owned)
            else {
                continue;
            };
            let src_name = UnitName::parse(src);
            if let (Some(d), Some(s)) = (UnitName::parse(&dst), &src_name)
                && d.kind() == NameKind::Template
                && s.kind() == NameKind::Instance
            {
                match d.with_instance(s.instance().unwrap_or_default()) {
                    Some(n) => dst = n.as_str().to_owned(),
                    None => continue,
                }
            }
            aliases.entry(dst).or_default().push(src.clone());
        }
        self.aliases = aliases;
    }

    /// systemd's `unit_ids_map_get()`: follows alias chains to a file.
    fn resolve(&self, name: &str) -> Option<PathBuf> {
        let mut id = name.to_owned();
        for hop in 0..FOLLOW_MAX {
            let t = match self.ids.get(&id) {
                Some(t) => t,
                None if hop == 0 => return None,
                None => self.ids.get(UnitName::parse(&id)?.template()?.as_str())?,
            };
            match t {
                Target::File(p) => return Some(p.clone()),
                Target::Alias(n) => id = n.clone(),
            }
        }
        None
    }

    /// systemd's `unit_file_find_fragment()`: the file for `name` (falling back to its
    /// template) and every name the unit has.
    pub fn find_fragment(&self, name: &UnitName) -> Option<Found> {
        let mut names = Vec::new();
        self.add_names(name, None, name.as_str(), &mut names);
        let path = self
            .resolve(name.as_str())
            .or_else(|| self.resolve(name.template()?.as_str()))?;
        if let Some(base) = path.file_name().and_then(|b| b.to_str())
            && base != name.as_str()
        {
            self.add_names(name, Some(base), base, &mut names);
        }
        Some(Found { path, names })
    }

    fn add_names(
        &self,
        unit: &UnitName,
        fragment_base: Option<&str>,
        name: &str,
        out: &mut Vec<String>,
    ) {
        let push = |out: &mut Vec<String>, n: String| {
            if !out.contains(&n) {
                out.push(n);
            }
        };
        if UnitName::parse(name).is_some_and(|n| n.kind() != NameKind::Template) {
            push(out, name.to_owned());
        }
        for alias in self.aliases.get(name).into_iter().flatten() {
            let alias_name = UnitName::parse(alias);
            match (unit.kind(), alias_name) {
                (NameKind::Instance, Some(a)) if a.kind() == NameKind::Template => {
                    let Some(inst) = a.with_instance(unit.instance().unwrap_or_default()) else {
                        continue;
                    };
                    let inst_fragment = self.resolve(inst.as_str());
                    let base = inst_fragment
                        .as_ref()
                        .and_then(|p| p.file_name())
                        .and_then(|b| b.to_str());
                    if let (Some(b), Some(f)) = (base, fragment_base)
                        && b != f
                    {
                        continue;
                    }
                    push(out, inst.as_str().to_owned());
                }
                _ => push(out, alias.clone()),
            }
        }
    }
}

/// systemd's `null_or_empty_path()`: an empty regular file or `/dev/null` (through links).
pub fn is_null_or_empty(path: &Path) -> bool {
    match std::fs::metadata(path) {
        Ok(m) => {
            use std::os::unix::fs::{FileTypeExt, MetadataExt};
            (m.is_file() && m.len() == 0)
                || (m.file_type().is_char_device() && m.rdev() == nix::sys::stat::makedev(1, 3))
        }
        Err(_) => false,
    }
}

/// Lexically normalizes `.` and `..` (systemd resolves the target without following its last
/// component; for names in unit directories that is the same).
fn simplify(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// systemd's `unit_validate_alias_symlink_or_warn()`.
pub fn validate_alias(src: &str, dst: &str) -> Result<(), String> {
    let (Some(s), Some(d)) = (UnitName::parse(src), UnitName::parse(dst)) else {
        return Err(format!(
            "{src}: invalid unit name or alias target {dst}, ignoring"
        ));
    };
    if s.unit_type() != d.unit_type() {
        return Err(format!(
            "{src}: symlink target name type \"{dst}\" does not match source, rejecting."
        ));
    }
    if s.unit_type() == "slice" {
        return Err(format!(
            "{src}: unit type slice does not support aliases, rejecting."
        ));
    }
    let ok = match (s.kind(), d.kind()) {
        (NameKind::Plain, NameKind::Plain) | (NameKind::Template, NameKind::Template) => true,
        (NameKind::Instance, NameKind::Template) => true,
        (NameKind::Instance, NameKind::Instance) => s.instance() == d.instance(),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{src}: symlink target \"{dst}\" is not a valid alias (template/instance mismatch), rejecting."
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_rules_match_test_unit_file() {
        for (s, d) in [
            ("a.socket", "b.socket"),
            ("a@.socket", "b@.socket"),
            ("a@x.socket", "b@x.socket"),
            ("a@x.socket", "b@.socket"),
        ] {
            assert!(validate_alias(s, d).is_ok(), "{s} -> {d}");
        }
        for (s, d) in [
            ("a.socket", "b.service"),
            ("a@x.socket", "b@y.socket"),
            ("a.socket", "b@.socket"),
            ("a@.socket", "b.socket"),
            ("a.slice", "b.slice"),
        ] {
            assert!(validate_alias(s, d).is_err(), "{s} -> {d}");
        }
    }
}
