//! Whether a command's executable exists and is executable, as `systemd-analyze verify` checks
//! it (`find_executable_full()` with systemd's built-in search path, not `$PATH`).

use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::unistd::AccessFlags;

/// systemd 252's `DEFAULT_PATH` as Debian builds it (split-usr).
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Finds `name` (an absolute path, or a plain name looked up in [`DEFAULT_PATH`]) under `root`.
/// `Err` carries the errno systemd would report (the last one for a PATH search, ignoring
/// `EACCES` there as systemd does).
pub fn find_executable(name: &str, root: Option<&Path>) -> Result<PathBuf, Errno> {
    if name.contains('/') {
        return check(name, root);
    }
    let mut last = Errno::ENOENT;
    for dir in DEFAULT_PATH.split(':').filter(|d| d.starts_with('/')) {
        match check(&format!("{dir}/{name}"), root) {
            Ok(p) => return Ok(p),
            Err(Errno::EACCES) => {}
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// systemd's `check_x_access()`: a regular file the caller may execute.
fn check(path: &str, root: Option<&Path>) -> Result<PathBuf, Errno> {
    let full = match root {
        Some(r) => r.join(path.trim_start_matches('/')),
        None => PathBuf::from(path),
    };
    let meta =
        std::fs::metadata(&full).map_err(|e| Errno::from_raw(e.raw_os_error().unwrap_or(0)))?;
    if meta.is_dir() {
        return Err(Errno::EISDIR);
    }
    if !meta.is_file() {
        return Err(Errno::EBADFD);
    }
    nix::unistd::access(&full, AccessFlags::X_OK)?;
    Ok(full)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_absolute_and_searched_names_and_reports_errnos() {
        assert!(find_executable("/bin/sh", None).is_ok());
        assert!(find_executable("sh", None).is_ok());
        assert_eq!(
            find_executable("nonexistent-binary-xyz", None),
            Err(Errno::ENOENT)
        );
        assert_eq!(find_executable("/tmp", None), Err(Errno::EISDIR));
        assert_eq!(find_executable("/dev/null", None), Err(Errno::EBADFD));
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("plain");
        std::fs::write(&f, "x").unwrap();
        // Without any x bit, access(X_OK) fails even for root.
        assert_eq!(
            find_executable(f.to_str().unwrap(), None),
            Err(Errno::EACCES)
        );
    }
}
