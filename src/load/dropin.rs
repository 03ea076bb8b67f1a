//! Drop-in discovery (systemd's `unit_file_find_dropin_paths()`): `name.d/`, the template's
//! `.d/`, the dash-prefix chain, every alias, then the type-level `socket.d/`, in every search
//! directory; `*.conf` files deduplicated by file name (first directory wins), sorted by name.
//! The same candidate logic finds `.wants/` and `.requires/` directories.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use super::name::{self, NameKind, UnitName};
use super::paths::SearchPath;

/// The candidate names whose directories apply to `name`, most specific first
/// (systemd's `unit_file_find_dirs()` recursion for one name).
pub fn candidate_names(name: &UnitName) -> Vec<String> {
    let mut out = Vec::new();
    push_candidates(name, &mut out);
    out
}

fn push_candidates(name: &UnitName, out: &mut Vec<String>) {
    out.push(name.as_str().to_owned());
    if let Some(template) = name.template() {
        push_candidates(&template, out);
    }
    let mut prefix = name.prefix().to_owned();
    let mut chopped = false;
    loop {
        let Some(dash) = prefix.rfind('-') else {
            return;
        };
        if dash == 0 {
            return;
        }
        if dash + 1 < prefix.len() || chopped {
            prefix.truncate(dash + 1);
            break;
        }
        prefix.truncate(dash);
        chopped = true;
    }
    if !name::prefix_is_valid(&prefix) {
        return;
    }
    let built = match name.kind() {
        NameKind::Instance => format!(
            "{prefix}@{}.{}",
            name.instance().unwrap_or_default(),
            name.unit_type()
        ),
        _ => format!("{prefix}.{}", name.unit_type()),
    };
    if let Some(b) = UnitName::parse(&built) {
        push_candidates(&b, out);
    }
}

/// A directory that could not be used (e.g. a symlink loop), with the reason.
pub type DirProblem = (PathBuf, String);

/// Every existing `<candidate><suffix>` directory (suffix `.d`, `.wants`, `.requires`), in
/// systemd's order: per search dir for the unit's names, then the type-level directory.
pub fn find_dirs(
    search: &SearchPath,
    names: &[UnitName],
    suffix: &str,
    existing: (&HashSet<PathBuf>, &HashSet<String>),
    problems: &mut Vec<DirProblem>,
) -> Vec<PathBuf> {
    let (existing, existing_names) = existing;
    let mut dirs = Vec::new();
    let mut add = |path: PathBuf, dirs: &mut Vec<PathBuf>| {
        if !existing.contains(&path) {
            return;
        }
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => {
                if !dirs.contains(&path) {
                    dirs.push(path);
                }
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => problems.push((
                path.clone(),
                format!("Failed to canonicalize path '{}': {e}", path.display()),
            )),
        }
    };
    for name in names {
        let candidates: Vec<String> = candidate_names(name)
            .into_iter()
            .map(|c| format!("{c}{suffix}"))
            .filter(|c| existing_names.contains(c))
            .collect();
        if candidates.is_empty() {
            continue;
        }
        for dir in &search.dirs {
            for c in &candidates {
                add(dir.join(c), &mut dirs);
            }
        }
    }
    if let Some(first) = names.first() {
        let type_dir = format!("{}{suffix}", first.unit_type());
        if existing_names.contains(&type_dir) {
            for dir in &search.dirs {
                add(dir.join(&type_dir), &mut dirs);
            }
        }
    }

    dirs
}

/// systemd's `conf_files_list_strv(".conf")` over `dirs`: first directory wins per file name,
/// result sorted by file name. Hidden files and non-`.conf` names are skipped. Each file is
/// named under its directory with symlinks resolved (`chase_symlinks_and_opendir()`), so a
/// drop-in found through `/lib/systemd/system` on a merged-`/usr` system is reported as
/// `/usr/lib/systemd/system/…`, as systemd does. Under `--root` directories are kept as found
/// (systemd resolves their symlinks inside the root).
pub fn conf_files(
    dirs: &[PathBuf],
    root: Option<&std::path::Path>,
    problems: &mut Vec<DirProblem>,
) -> Vec<PathBuf> {
    let mut by_name: BTreeMap<String, PathBuf> = BTreeMap::new();
    for dir in dirs {
        let chased = match root {
            None => std::fs::canonicalize(dir).unwrap_or_else(|_| dir.clone()),
            Some(_) => dir.clone(),
        };
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                problems.push((dir.clone(), format!("Failed to read directory: {e}")));
                continue;
            }
        };
        for entry in entries.flatten() {
            let Some(fname) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if fname.starts_with('.') || !fname.ends_with(".conf") || by_name.contains_key(&fname) {
                continue;
            }
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if !is_dir {
                by_name.insert(fname.clone(), chased.join(&fname));
            }
        }
    }
    by_name.into_values().collect()
}

/// Entries of `.wants/`/`.requires/` directories: (dependency name, entry path, is a symlink).
pub fn dependency_entries(dirs: &[PathBuf]) -> Vec<(String, PathBuf, bool)> {
    let mut out = Vec::new();
    for dir in dirs {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let Some(fname) = e.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if fname.starts_with('.') || UnitName::parse(&fname).is_none() {
                continue;
            }
            let is_link = e.file_type().is_ok_and(|t| t.is_symlink());
            out.push((fname, e.path(), is_link));
        }
    }
    out
}

/// Whether `path` is inside `dir` (used to attribute files to search dirs in messages).
pub fn is_within(path: &Path, dir: &Path) -> bool {
    path.starts_with(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: &str) -> Vec<String> {
        candidate_names(&UnitName::parse(n).unwrap())
    }

    #[test]
    fn dash_chain() {
        assert_eq!(
            names("foo-bar-baz.socket"),
            ["foo-bar-baz.socket", "foo-bar-.socket", "foo-.socket"]
        );
        assert_eq!(names("foo-.socket"), ["foo-.socket"]);
        assert_eq!(names("-foo.socket"), ["-foo.socket"]);
        assert_eq!(names("t.socket"), ["t.socket"]);
    }

    #[test]
    fn instances_include_template_chain() {
        assert_eq!(
            names("a-b@x.socket"),
            [
                "a-b@x.socket",
                "a-b@.socket",
                "a-.socket",
                "a-@x.socket",
                "a-@.socket"
            ]
        );
    }
}
