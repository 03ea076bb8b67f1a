//! `User=`, `Group=`, `SupplementaryGroups=` and `Limit*=` turned into what
//! [`super::sys::spawn::SpawnSpec`] takes (systemd 252 `exec_child()`: `get_fixed_user()`,
//! `get_fixed_group()`, `get_supplementary_groups()`, `build_environment()`; user lookups as
//! `get_user_creds()`/`get_group_creds()` in `src/basic/user-util.c`).
//!
//! # Contract
//!
//! - [`resolve_credentials`] looks users and groups up (NSS, through nix) in the parent, before
//!   `fork()`; systemd does the same lookups in the child, so its failures are child-side
//!   failures there (`216/GROUP`, `217/USER`). [`CredentialsError`] carries that step, the
//!   errno and systemd's message; the caller reports it like a failed spawn step.
//! - The identity the runtime runs as is a parameter ([`RunningAs`]), so the unprivileged path
//!   is testable as root.
//! - [`rlimits`] maps the typed `Limit*=` values to `setrlimit()` resources; the values are
//!   already in the kernel's units (the config layer stores `LimitCPU=` in seconds,
//!   `LimitRTTIME=` in µs, `LimitNICE=` as the raw 0..=40 rlimit value, `infinity` as
//!   `u64::MAX`, i.e. `RLIM_INFINITY`).
//!
//! # Rules (v252)
//!
//! - `root`/`0` and `nobody`/`65534` are synthesized without NSS (root: home `/root`, shell
//!   `/bin/bash` if it exists, else `/bin/sh`; nobody: no home, no shell). Numeric ids are
//!   looked up by id and the record's name is used; a missing user or group is `ESRCH`
//!   (`No such process`).
//! - `User=` sets the uid and, unless `Group=` is set, the user's primary gid.
//! - With `User=` and a gid other than 0 the groups start as the user's groups
//!   (`initgroups()`: `getgrouplist()` of the user and gid); `SupplementaryGroups=` are appended
//!   (more than `NGROUPS_MAX`: `E2BIG`). Without `User=`, or with gid 0, and without
//!   `SupplementaryGroups=`, the groups are the runtime's own (systemd leaves them untouched).
//! - `User=` adds `HOME`, `LOGNAME`, `USER`, `SHELL` to the environment, after the manager's
//!   own variables and before `Environment=`. `HOME` is left out when the record's home is
//!   empty, `/`, or not an absolute path; `SHELL` when it is empty, not absolute, or a
//!   nologin/`false`/`true` shell (systemd's `USER_CREDS_CLEAN`).
//!
//! # Not running as root
//!
//! systemd's user manager cannot change credentials: `User=` fails in `initgroups()` with
//! `Failed to determine supplementary groups: Operation not permitted` (216/GROUP), and a
//! different `Group=` or any `SupplementaryGroups=` at `Changing group credentials failed:
//! Operation not permitted`. The runtime gives the same texts, with a [`CredentialsError::hint`]
//! naming the setting. One difference: settings that resolve to the runtime's own uid and gid
//! (and no `SupplementaryGroups=`) are accepted and change nothing, where systemd 252 would
//! still fail in `initgroups()`.

use std::ffi::CString;
use std::path::Path;

use nix::errno::Errno;
use nix::sys::resource::Resource;
use nix::unistd::{Gid, Group, Uid, User};

use crate::config::ExecContext;
use crate::config::value::path_simplify;
use crate::runtime::sys::spawn::ChildStep;

/// The identity the runtime runs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunningAs {
    /// Effective uid.
    pub uid: u32,
    /// Effective gid.
    pub gid: u32,
}

impl RunningAs {
    /// The calling process's effective ids.
    pub fn current() -> RunningAs {
        RunningAs {
            uid: nix::unistd::geteuid().as_raw(),
            gid: nix::unistd::getegid().as_raw(),
        }
    }

    fn privileged(self) -> bool {
        self.uid == 0
    }
}

/// Resolved credentials, ready for `SpawnSpec::{uid, gid, supplementary_groups}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    /// `User=` as a uid (`None`: keep the runtime's).
    pub uid: Option<u32>,
    /// `Group=`, or the user's primary group (`None`: keep the runtime's).
    pub gid: Option<u32>,
    /// The complete group list to `setgroups()` (only meaningful when `uid` or `gid` is set,
    /// which is when the spawner applies it).
    pub supplementary_groups: Vec<u32>,
    /// `HOME`, `LOGNAME`, `USER`, `SHELL` from the user record (empty without `User=`).
    pub env: Vec<(String, String)>,
}

/// Why credentials cannot be applied: systemd's child-side failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsError {
    /// The step (`User` → 217/USER, `Group` → 216/GROUP).
    pub step: ChildStep,
    /// The errno.
    pub errno: Errno,
    /// systemd's first log line, e.g. `Failed to determine user credentials: No such process`.
    pub message: String,
    /// An explanation for the unprivileged case (not a systemd text).
    pub hint: Option<String>,
}

impl CredentialsError {
    fn new(step: ChildStep, errno: Errno, what: &str) -> CredentialsError {
        CredentialsError {
            step,
            errno,
            message: format!("{what}: {}", errno.desc()),
            hint: None,
        }
    }

    /// systemd's second line: `Failed at step GROUP spawning /bin/x: Operation not permitted`.
    pub fn step_message(&self, path: &str) -> String {
        format!(
            "Failed at step {} spawning {path}: {}",
            self.step.name(),
            self.errno.desc()
        )
    }
}

/// A user record after `get_user_creds(…, USER_CREDS_CLEAN)`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct UserRecord {
    name: String,
    uid: u32,
    gid: u32,
    home: Option<String>,
    shell: Option<String>,
}

/// systemd's `parse_uid()`: decimal, no sign, no leading zero or whitespace, not `-1`/65535.
fn parse_id(s: &str) -> Option<u32> {
    let b = s.as_bytes();
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) || (b[0] == b'0' && b.len() > 1) {
        return None;
    }
    s.parse::<u32>()
        .ok()
        .filter(|&id| id != u32::MAX && id != 0xFFFF)
}

fn is_nologin_shell(shell: &str) -> bool {
    let s = path_simplify(shell);
    [
        "/bin/nologin",
        "/sbin/nologin",
        "/usr/bin/nologin",
        "/usr/sbin/nologin",
        "/bin/false",
        "/usr/bin/false",
        "/bin/true",
        "/usr/bin/true",
    ]
    .contains(&s.as_str())
}

/// `get_user_creds()` with `USER_CREDS_CLEAN`.
fn user_record(name: &str) -> Result<UserRecord, Errno> {
    match name {
        "root" | "0" => {
            let shell = if Path::new("/bin/bash").exists() {
                "/bin/bash"
            } else {
                "/bin/sh"
            };
            return Ok(UserRecord {
                name: "root".into(),
                uid: 0,
                gid: 0,
                home: Some("/root".into()),
                shell: Some(shell.into()),
            });
        }
        "nobody" | "65534" => {
            return Ok(UserRecord {
                name: "nobody".into(),
                uid: 65534,
                gid: 65534,
                home: None,
                shell: None,
            });
        }
        _ => {}
    }
    let user = match parse_id(name) {
        Some(id) => User::from_uid(Uid::from_raw(id))?,
        None => User::from_name(name)?,
    }
    .ok_or(Errno::ESRCH)?;
    Ok(clean_record(
        user.name,
        user.uid.as_raw(),
        user.gid.as_raw(),
        &user.dir.to_string_lossy(),
        &user.shell.to_string_lossy(),
    ))
}

/// `USER_CREDS_CLEAN`: drops a home that is empty, `/` or relative, and a shell that is empty,
/// relative or a nologin shell (systemd also drops the shell when the *home* is not a valid
/// path, a quirk kept here).
fn clean_record(name: String, uid: u32, gid: u32, dir: &str, shell: &str) -> UserRecord {
    // `path_is_valid()`: not empty, at most PATH_MAX, no component longer than NAME_MAX.
    let dir_valid = !dir.is_empty() && dir.len() < 4096 && dir.split('/').all(|c| c.len() <= 255);
    let home = (dir_valid && dir.starts_with('/') && path_simplify(dir) != "/").then(|| dir.into());
    let shell_ok =
        !shell.is_empty() && dir_valid && shell.starts_with('/') && !is_nologin_shell(shell);
    UserRecord {
        name,
        uid,
        gid,
        home,
        shell: shell_ok.then(|| shell.into()),
    }
}

/// `get_group_creds()`.
fn group_id(name: &str) -> Result<u32, Errno> {
    match name {
        "root" | "0" => return Ok(0),
        "nobody" | "65534" => return Ok(65534),
        _ => {}
    }
    let group = match parse_id(name) {
        Some(id) => Group::from_gid(Gid::from_raw(id))?,
        None => Group::from_name(name)?,
    };
    group.map(|g| g.gid.as_raw()).ok_or(Errno::ESRCH)
}

/// `initgroups()`'s list: the user's groups from the group database plus `gid`.
fn user_groups(user: &str, gid: u32) -> Result<Vec<u32>, Errno> {
    let name = CString::new(user).map_err(|_| Errno::EINVAL)?;
    let groups = nix::unistd::getgrouplist(&name, Gid::from_raw(gid)).map_err(|_| Errno::EINVAL)?;
    Ok(groups.into_iter().map(Gid::as_raw).collect())
}

fn ngroups_max() -> usize {
    nix::unistd::sysconf(nix::unistd::SysconfVar::NGROUPS_MAX)
        .ok()
        .flatten()
        .and_then(|v| usize::try_from(v).ok())
        .unwrap_or(65536)
}

/// Resolves `User=`, `Group=`, `SupplementaryGroups=` of `exec` for a process the runtime
/// (running as `running`) is about to spawn. See the module docs for the rules.
pub fn resolve_credentials(
    exec: &ExecContext,
    running: RunningAs,
) -> Result<Credentials, CredentialsError> {
    use ChildStep::{Group as G, User as U};
    let mut creds = Credentials::default();
    let user = match exec.user.as_deref() {
        Some(name) => Some(
            user_record(name)
                .map_err(|e| CredentialsError::new(U, e, "Failed to determine user credentials"))?,
        ),
        None => None,
    };
    if let Some(u) = &user {
        creds.uid = Some(u.uid);
        creds.gid = Some(u.gid);
        let fields = [
            ("HOME", u.home.as_deref().map(path_simplify)),
            ("LOGNAME", Some(u.name.clone())),
            ("USER", Some(u.name.clone())),
            ("SHELL", u.shell.as_deref().map(path_simplify)),
        ];
        creds.env = fields
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_owned(), v?)))
            .collect();
    }
    if let Some(name) = exec.group.as_deref() {
        let gid = group_id(name)
            .map_err(|e| CredentialsError::new(G, e, "Failed to determine group credentials"))?;
        creds.gid = Some(gid);
    }
    if !running.privileged() {
        return unprivileged(exec, running, user.as_ref(), creds);
    }
    let supp = "Failed to determine supplementary groups";
    let init = match (&user, creds.gid) {
        (Some(u), Some(gid)) if gid != 0 => {
            Some(user_groups(&u.name, gid).map_err(|e| CredentialsError::new(G, e, supp))?)
        }
        _ => None,
    };
    let mut groups = match &init {
        Some(g) => g.clone(),
        None => Vec::new(),
    };
    for name in &exec.supplementary_groups {
        if groups.len() >= ngroups_max() {
            return Err(CredentialsError::new(G, Errno::E2BIG, supp));
        }
        groups.push(group_id(name).map_err(|e| CredentialsError::new(G, e, supp))?);
    }
    if init.is_none() && exec.supplementary_groups.is_empty() {
        // systemd leaves the groups alone; the spawner always calls setgroups(), so pass the
        // runtime's own.
        groups = nix::unistd::getgroups()
            .map(|g| g.into_iter().map(Gid::as_raw).collect())
            .unwrap_or_default();
    }
    if creds.uid.is_none() && creds.gid.is_none() && !exec.supplementary_groups.is_empty() {
        // The spawner applies groups only with a uid or gid: keep the current gid.
        creds.gid = Some(running.gid);
    }
    creds.supplementary_groups = groups;
    Ok(creds)
}

/// The unprivileged case: the runtime's own identity is fine, anything else fails where
/// systemd's user manager fails.
fn unprivileged(
    exec: &ExecContext,
    running: RunningAs,
    user: Option<&UserRecord>,
    mut creds: Credentials,
) -> Result<Credentials, CredentialsError> {
    let same_uid = creds.uid.is_none_or(|u| u == running.uid);
    let same_gid = creds.gid.is_none_or(|g| g == running.gid);
    if same_uid && same_gid && exec.supplementary_groups.is_empty() {
        creds.uid = None;
        creds.gid = None;
        return Ok(creds);
    }
    let setting = match (exec.user.as_deref(), exec.group.as_deref()) {
        (Some(u), _) if !same_uid => format!("User={u}"),
        (_, Some(g)) if !same_gid => format!("Group={g}"),
        (Some(u), _) if !same_gid => format!("User={u}"),
        _ => "SupplementaryGroups=".to_owned(),
    };
    // With User= and a gid other than 0, systemd's first privileged call is initgroups().
    let what = if user.is_some() && creds.gid != Some(0) {
        "Failed to determine supplementary groups"
    } else {
        "Changing group credentials failed"
    };
    let mut err = CredentialsError::new(ChildStep::Group, Errno::EPERM, what);
    err.hint = Some(format!(
        "{setting} needs privileges: sockunit run is running as uid {}, not root",
        running.uid
    ));
    Err(err)
}

/// The `setrlimit()` resource of a `Limit*=` key.
pub fn rlimit_resource(key: &str) -> Option<Resource> {
    use Resource::*;
    Some(match key.strip_prefix("Limit")? {
        "CPU" => RLIMIT_CPU,
        "FSIZE" => RLIMIT_FSIZE,
        "DATA" => RLIMIT_DATA,
        "STACK" => RLIMIT_STACK,
        "CORE" => RLIMIT_CORE,
        "RSS" => RLIMIT_RSS,
        "NOFILE" => RLIMIT_NOFILE,
        "AS" => RLIMIT_AS,
        "NPROC" => RLIMIT_NPROC,
        "MEMLOCK" => RLIMIT_MEMLOCK,
        "LOCKS" => RLIMIT_LOCKS,
        "SIGPENDING" => RLIMIT_SIGPENDING,
        "MSGQUEUE" => RLIMIT_MSGQUEUE,
        "NICE" => RLIMIT_NICE,
        "RTPRIO" => RLIMIT_RTPRIO,
        "RTTIME" => RLIMIT_RTTIME,
        _ => return None,
    })
}

/// `ExecContext::limits` → `SpawnSpec::rlimits`, in order (unknown keys are skipped; the config
/// layer never produces them).
pub fn rlimits(limits: &[(String, u64, u64)]) -> Vec<(Resource, u64, u64)> {
    limits
        .iter()
        .filter_map(|(k, soft, hard)| Some((rlimit_resource(k)?, *soft, *hard)))
        .collect()
}

#[cfg(test)]
#[path = "credentials_tests.rs"]
mod tests;
