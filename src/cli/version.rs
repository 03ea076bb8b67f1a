//! `--systemd-version`: which systemd release units are checked as, and, for `auto`, the
//! release of the systemd installed here, read without talking to a running manager
//! (`systemctl --version`, else the version in the name of systemd's shared library).

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use super::args::SystemdVersion;
use crate::config::Release;

/// The release chosen and why, for `--verbose` and `--help`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    /// The release units are checked as.
    pub release: Release,
    /// How it was chosen, e.g. `auto: systemd 252 is installed (systemctl --version)`.
    pub why: String,
}

/// The release `arg` asks for.
pub fn resolve(arg: SystemdVersion) -> Chosen {
    match arg {
        SystemdVersion::Release(release) => Chosen {
            release,
            why: "--systemd-version or $SOCKUNIT_SYSTEMD_VERSION".to_owned(),
        },
        SystemdVersion::Latest => Chosen {
            release: Release::LATEST,
            why: "latest: the newest release the directive table knows".to_owned(),
        },
        SystemdVersion::Auto => auto(),
    }
}

/// What `auto` picks on this machine.
pub fn auto() -> Chosen {
    match installed() {
        Some((n, from)) => {
            let release = Release::clamped(n);
            let why = if release.number() == n {
                format!("auto: systemd {n} is installed ({from})")
            } else {
                format!(
                    "auto: systemd {n} is installed ({from}); the nearest release the directive table knows"
                )
            };
            Chosen { release, why }
        }
        None => Chosen {
            release: Release::LATEST,
            why: "auto: no systemd found here, so latest".to_owned(),
        },
    }
}

/// The installed systemd's release and where it was read, looked up once per process.
pub fn installed() -> Option<(u16, &'static str)> {
    static INSTALLED: OnceLock<Option<(u16, &'static str)>> = OnceLock::new();
    *INSTALLED.get_or_init(|| {
        // The system's own systemctl links systemd's shared library, whose file name carries
        // the same release: reading a directory is far cheaper than running systemctl (which
        // would double the CPU time of verifying one unit). Another systemctl first on PATH
        // is asked directly.
        if systemctl_on_path().is_some_and(|p| is_system_binary(&p))
            && let Some(n) = from_shared_library()
        {
            return Some((n, "libsystemd-shared"));
        }
        from_systemctl()
            .map(|n| (n, "systemctl --version"))
            .or_else(|| from_shared_library().map(|n| (n, "libsystemd-shared")))
    })
}

/// The first `systemctl` on `$PATH`, with symlinks resolved.
fn systemctl_on_path() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("systemctl"))
        .find(|p| p.is_file())
        .and_then(|p| std::fs::canonicalize(p).ok())
}

/// Installed by the distribution (not a wrapper in a user's or test's directory).
fn is_system_binary(p: &Path) -> bool {
    ["/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/"]
        .iter()
        .any(|d| p.starts_with(d))
}

/// `systemctl --version` prints `systemd 252 (252.38-1~deb12u1)` first; it needs no manager.
fn from_systemctl() -> Option<u16> {
    let out = Command::new("systemctl")
        .arg("--version")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    parse_version_line(String::from_utf8_lossy(&out.stdout).lines().next()?)
}

/// The release in `systemd 252 (252.38-1~deb12u1)`.
pub fn parse_version_line(line: &str) -> Option<u16> {
    let rest = line.trim().strip_prefix("systemd ")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// `libsystemd-shared-252.so` (or `-252.38-1.so`) in systemd's private library directory.
fn from_shared_library() -> Option<u16> {
    let mut dirs = vec![
        Path::new("/usr/lib/systemd").to_path_buf(),
        Path::new("/lib/systemd").to_path_buf(),
        Path::new("/usr/lib64/systemd").to_path_buf(),
    ];
    for base in ["/usr/lib", "/lib"] {
        if let Ok(rd) = std::fs::read_dir(base) {
            for e in rd.flatten() {
                dirs.push(e.path().join("systemd"));
            }
        }
    }
    dirs.iter().find_map(|dir| {
        std::fs::read_dir(dir).ok()?.flatten().find_map(|e| {
            let name = e.file_name();
            let rest = name.to_str()?.strip_prefix("libsystemd-shared-")?;
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
    })
}

/// `--systemd-version`'s help `base` with what `auto` means on this machine.
pub fn help_with_auto(base: &str) -> String {
    let chosen = auto();
    format!(
        "{base} [here auto = {}: {}] [releases {}-{}]",
        chosen.release,
        chosen.why.trim_start_matches("auto: "),
        Release::FIRST,
        Release::LATEST,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_lines() {
        assert_eq!(
            parse_version_line("systemd 252 (252.38-1~deb12u1)"),
            Some(252)
        );
        assert_eq!(parse_version_line("systemd 259 (259)"), Some(259));
        assert_eq!(parse_version_line("something else"), None);
    }

    #[test]
    fn explicit_and_latest() {
        let r = Release::new(255).unwrap();
        assert_eq!(resolve(SystemdVersion::Release(r)).release, r);
        assert_eq!(resolve(SystemdVersion::Latest).release, Release::LATEST);
        assert!(SystemdVersion::parse("249").is_err());
        assert!(SystemdVersion::parse("abc").is_err());
        assert_eq!(
            SystemdVersion::parse("v255"),
            Ok(SystemdVersion::Release(r))
        );
    }
}
