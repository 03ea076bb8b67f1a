//! `Condition*=` and `Assert*=` (systemd 252 `src/shared/condition.c`): collected from a unit's
//! files with their `|` (trigger) and `!` (negate) prefixes and specifiers expanded, and tested
//! when a start request runs (`unit_test_condition`, `unit_test_assert`).
//!
//! Every condition is true unless its test says otherwise; tests that need facts the runtime
//! does not model (`ConditionSecurity=`, `ConditionVirtualization=`, firmware, credentials,
//! pressure) are counted as met, which `docs/runtime.md` says. The list semantics are
//! systemd's: all plain conditions must hold, and when trigger conditions exist at least one of
//! them must hold; an empty assignment clears the list.

use std::path::Path;

use crate::load::LoadedUnit;
use crate::load::specifier::{Specifiers, Table};

/// One condition or assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// `Assert*=` rather than `Condition*=`.
    pub assert: bool,
    /// The type without the prefix (`PathExists`).
    pub kind: String,
    /// `|`.
    pub trigger: bool,
    /// `!`.
    pub negate: bool,
    /// The parameter after expansion.
    pub parameter: String,
}

impl Condition {
    /// `ConditionPathExists=!/x` as systemd prints it in its skip message.
    pub fn describe(&self) -> String {
        let prefix = if self.assert { "Assert" } else { "Condition" };
        let neg = if self.negate { "!" } else { "" };
        format!("{prefix}{}={neg}{}", self.kind, self.parameter)
    }
}

/// The unit's conditions and assertions, in file order, after resets.
pub fn collect(unit: &LoadedUnit, spec: &Specifiers<'_>) -> Vec<Condition> {
    let mut out: Vec<Condition> = Vec::new();
    for file in &unit.files {
        for a in &file.syntax.assignments {
            if a.section.as_deref() != Some("Unit") {
                continue;
            }
            let (assert, kind) = if let Some(k) = a.key.strip_prefix("Condition") {
                (false, k)
            } else if let Some(k) = a.key.strip_prefix("Assert") {
                (true, k)
            } else {
                continue;
            };
            if !crate::config::is_known("Unit", &a.key) {
                continue;
            }
            let raw = a.value.text.trim();
            if raw.is_empty() {
                out.retain(|c| c.assert != assert);
                continue;
            }
            let mut rest = raw;
            let mut trigger = false;
            let mut negate = false;
            if let Some(r) = rest.strip_prefix('|') {
                trigger = true;
                rest = r.trim_start();
            }
            if let Some(r) = rest.strip_prefix('!') {
                negate = true;
                rest = r.trim_start();
            }
            let Ok(parameter) = spec.expand(rest, Table::Full, usize::MAX) else {
                continue;
            };
            out.push(Condition {
                assert,
                kind: kind.to_owned(),
                trigger,
                negate,
                parameter,
            });
        }
    }
    out
}

/// The first condition (or assertion) that made the list fail, or `None` when it holds.
/// A trigger-only failure is reported as the first trigger condition.
pub fn first_failure<'c>(
    list: &'c [Condition],
    assert: bool,
    env: &[(String, String)],
) -> Option<&'c Condition> {
    let mut triggered: Option<bool> = None;
    let mut first_trigger = None;
    for c in list.iter().filter(|c| c.assert == assert) {
        let ok = test(c, env) != c.negate;
        if c.trigger {
            first_trigger.get_or_insert(c);
            triggered = Some(triggered.unwrap_or(false) || ok);
        } else if !ok {
            return Some(c);
        }
    }
    match triggered {
        Some(false) => first_trigger,
        _ => None,
    }
}

/// One test, before negation.
fn test(c: &Condition, env: &[(String, String)]) -> bool {
    let p = Path::new(&c.parameter);
    match c.kind.as_str() {
        "PathExists" => p.symlink_metadata().is_ok() && p.exists(),
        "PathExistsGlob" => glob_matches(&c.parameter),
        "PathIsDirectory" => p.is_dir(),
        "PathIsSymbolicLink" => p
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink()),
        "PathIsMountPoint" => is_mount_point(&c.parameter),
        "PathIsReadWrite" => path_is_read_write(p),
        "DirectoryNotEmpty" => std::fs::read_dir(p).is_ok_and(|mut d| {
            d.any(|e| e.is_ok_and(|e| !e.file_name().to_string_lossy().starts_with('.')))
        }),
        "FileNotEmpty" => p.metadata().is_ok_and(|m| m.is_file() && m.len() > 0),
        "FileIsExecutable" => is_executable(p),
        "Environment" => environment(&c.parameter, env),
        "User" => user(&c.parameter),
        "Group" => group(&c.parameter),
        "Host" => host(&c.parameter),
        "KernelCommandLine" => kernel_command_line(&c.parameter),
        "FirstBoot" => {
            let first = Path::new("/run/systemd/first-boot").exists();
            crate::config::value::parse_bool(&c.parameter).map_or(true, |b| b == first)
        }
        "ACPower" => true,
        _ => true,
    }
}

fn glob_matches(pattern: &str) -> bool {
    super::envfile::glob::glob(pattern).is_ok()
}

fn is_mount_point(path: &str) -> bool {
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let want = std::fs::canonicalize(path).unwrap_or_else(|_| path.into());
    mounts
        .lines()
        .filter_map(|l| l.split_whitespace().nth(4))
        .any(|m| Path::new(m) == want)
}

fn path_is_read_write(p: &Path) -> bool {
    let Ok(c) = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()) else {
        return false;
    };
    nix::sys::statvfs::statvfs(c.as_c_str())
        .is_ok_and(|s| !s.flags().contains(nix::sys::statvfs::FsFlags::ST_RDONLY))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.is_absolute()
        && p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// `VAR` (set) or `VAR=value` (set to exactly that), against the manager's environment.
fn environment(param: &str, env: &[(String, String)]) -> bool {
    match param.split_once('=') {
        Some((k, v)) => env.iter().any(|(ek, ev)| ek == k && ev == v),
        None => env.iter().any(|(ek, _)| ek == param),
    }
}

fn user(param: &str) -> bool {
    let uid = nix::unistd::getuid();
    if param == "@system" {
        return uid.as_raw() < 1000;
    }
    if let Ok(n) = param.parse::<u32>() {
        return n == uid.as_raw();
    }
    nix::unistd::User::from_uid(uid)
        .ok()
        .flatten()
        .is_some_and(|u| u.name == param)
}

fn group(param: &str) -> bool {
    let mut gids = nix::unistd::getgroups().unwrap_or_default();
    gids.push(nix::unistd::getgid());
    gids.iter().any(|g| {
        param.parse::<u32>().map_or_else(
            |_| {
                nix::unistd::Group::from_gid(*g)
                    .ok()
                    .flatten()
                    .is_some_and(|gr| gr.name == param)
            },
            |n| n == g.as_raw(),
        )
    })
}

fn host(param: &str) -> bool {
    let name = nix::unistd::gethostname()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_default();
    let machine_id = std::fs::read_to_string("/etc/machine-id").unwrap_or_default();
    name.eq_ignore_ascii_case(param) || machine_id.trim().eq_ignore_ascii_case(param)
}

/// A word of `/proc/cmdline` equal to the parameter, or (for `KEY` without `=`) starting
/// `KEY=`.
fn kernel_command_line(param: &str) -> bool {
    let cmdline = std::fs::read_to_string("/proc/cmdline").unwrap_or_default();
    cmdline.split_whitespace().any(|w| {
        w == param || (!param.contains('=') && w.split_once('=').is_some_and(|(k, _)| k == param))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(kind: &str, trigger: bool, negate: bool, p: &str) -> Condition {
        Condition {
            assert: false,
            kind: kind.into(),
            trigger,
            negate,
            parameter: p.into(),
        }
    }

    #[test]
    fn list_semantics_follow_condition_test_list() {
        let env = vec![("A".to_owned(), "1".to_owned())];
        assert!(first_failure(&[], false, &env).is_none());
        let ok = [
            c("PathExists", false, false, "/"),
            c("Environment", false, false, "A=1"),
        ];
        assert!(first_failure(&ok, false, &env).is_none());
        let bad = [
            c("PathExists", false, false, "/nonexistent"),
            c("PathIsDirectory", false, false, "/"),
        ];
        assert_eq!(
            first_failure(&bad, false, &env).map(|c| c.kind.as_str()),
            Some("PathExists")
        );
        let negated = [c("PathExists", false, true, "/nonexistent")];
        assert!(first_failure(&negated, false, &env).is_none());
        let triggers = [
            c("PathExists", true, false, "/nonexistent"),
            c("PathExists", true, false, "/"),
        ];
        assert!(first_failure(&triggers, false, &env).is_none());
        let none = [
            c("PathExists", true, false, "/nonexistent"),
            c("Environment", true, false, "B"),
        ];
        assert_eq!(
            first_failure(&none, false, &env).map(|c| c.parameter.as_str()),
            Some("/nonexistent")
        );
        assert_eq!(
            c("PathExists", false, true, "/x").describe(),
            "ConditionPathExists=!/x"
        );
    }
}
