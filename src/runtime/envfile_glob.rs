//! The glob expansion `EnvironmentFile=` uses: systemd's `safe_glob(path, 0, …)`, i.e. glibc
//! `glob()` without `GLOB_BRACE`/`GLOB_NOSORT`, with `.` and `..` never listed.
//!
//! - `*`, `?` and `[…]` (with `!`/`^` negation, ranges and classes: `fnmatch()` itself) match
//!   within one path component; a leading `.` must be matched literally (`FNM_PERIOD`).
//! - A backslash quotes the next character; a `[` without a closing `]` is literal.
//! - A pattern without wildcards yields itself if it exists (`lstat()`, so a dangling symlink
//!   counts and fails later when read).
//! - Results are sorted bytewise (glibc sorts with `strcoll()`; identical under the C locale).
//! - No match: `ENOENT`. Unreadable directories are skipped, as glibc does without `GLOB_ERR`.

use std::ffi::{CString, OsStr};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use nix::errno::Errno;

/// Whether a component has an unquoted wildcard (glibc's `__glob_pattern_p` with escapes).
fn is_magic(component: &str) -> bool {
    let mut open = false;
    let mut chars = component.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '*' | '?' => return true,
            '[' => open = true,
            ']' if open => return true,
            _ => {}
        }
    }
    false
}

/// Removes quoting backslashes (a trailing lone backslash stays).
fn unescape(component: &str) -> String {
    let mut out = String::new();
    let mut chars = component.chars();
    while let Some(c) = chars.next() {
        match (c, chars.clone().next()) {
            ('\\', Some(next)) => {
                out.push(next);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// `fnmatch(pattern, name, FNM_PERIOD) == 0`.
fn fnmatch(pattern: &CString, name: &OsStr) -> bool {
    let Ok(name) = CString::new(name.as_bytes()) else {
        return false;
    };
    // SAFETY: both pointers are valid NUL-terminated strings that outlive the call; fnmatch
    // only reads them.
    unsafe { libc::fnmatch(pattern.as_ptr(), name.as_ptr(), libc::FNM_PERIOD) == 0 }
}

/// Entries of `dir` matching `pattern`, `.` and `..` excluded (`readdir_no_dot`).
fn matches_in(dir: &std::path::Path, pattern: &CString) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| fnmatch(pattern, &e.file_name()))
        .map(|e| dir.join(e.file_name()))
        .collect()
}

/// Expands an absolute glob pattern; `Err(ENOENT)` when nothing matches.
pub fn glob(pattern: &str) -> Result<Vec<PathBuf>, Errno> {
    let components: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    if !components.iter().any(|c| is_magic(c)) {
        let path = PathBuf::from(unescape(pattern));
        return match std::fs::symlink_metadata(&path) {
            Ok(_) => Ok(vec![path]),
            Err(_) => Err(Errno::ENOENT),
        };
    }
    let mut found = vec![PathBuf::from("/")];
    for component in components {
        if is_magic(component) {
            let Ok(pat) = CString::new(component) else {
                return Err(Errno::ENOENT);
            };
            found = found.iter().flat_map(|d| matches_in(d, &pat)).collect();
        } else {
            let literal = unescape(component);
            found = found
                .iter()
                .map(|d| d.join(&literal))
                .filter(|p| std::fs::symlink_metadata(p).is_ok())
                .collect();
        }
        if found.is_empty() {
            return Err(Errno::ENOENT);
        }
    }
    found.sort_by(|a, b| a.as_os_str().as_bytes().cmp(b.as_os_str().as_bytes()));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_and_unescape() {
        assert!(is_magic("*.env"));
        assert!(is_magic("a?"));
        assert!(is_magic("[ab]"));
        assert!(!is_magic("a[b"));
        assert!(!is_magic(r"a\*b"));
        assert!(!is_magic("plain"));
        assert_eq!(unescape(r"a\*b\\c\"), r"a*b\c\");
    }

    #[test]
    fn expands_sorted_skips_dotfiles_and_reports_enoent() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for f in ["b.env", "a.env", ".hidden.env", "c.txt"] {
            std::fs::write(d.join(f), "").unwrap();
        }
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("sub/x.env"), "").unwrap();
        let names = |v: Vec<PathBuf>| -> Vec<String> {
            v.iter()
                .map(|p| p.strip_prefix(d).unwrap().display().to_string())
                .collect()
        };
        let base = d.display().to_string();
        assert_eq!(
            names(glob(&format!("{base}/*.env")).unwrap()),
            ["a.env", "b.env"]
        );
        assert_eq!(
            names(glob(&format!("{base}/.*.env")).unwrap()),
            [".hidden.env"]
        );
        assert_eq!(
            names(glob(&format!("{base}/s*/x.env")).unwrap()),
            ["sub/x.env"]
        );
        assert_eq!(
            names(glob(&format!("{base}/[ab].env")).unwrap()),
            ["a.env", "b.env"]
        );
        assert_eq!(names(glob(&format!("{base}/c.txt")).unwrap()), ["c.txt"]);
        assert_eq!(glob(&format!("{base}/*.none")), Err(Errno::ENOENT));
        assert_eq!(glob(&format!("{base}/missing")), Err(Errno::ENOENT));
        assert_eq!(glob(&format!("{base}/*/nothing")), Err(Errno::ENOENT));
    }
}
