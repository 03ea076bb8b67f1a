//! The parent-side half of spawning: turns a [`SpawnSpec`] into a [`ChildPlan`] of C strings,
//! pointer arrays, preallocated buffers and scratch space, so that the forked child (`child.rs`)
//! never allocates. Also resolves systemd's stdio inheritance rules into one plain action per
//! standard fd.

use std::ffi::CString;
use std::os::fd::RawFd;
use std::os::raw::c_char;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::spawn::{FileMode, SpawnError, SpawnSpec, Stdio};

/// `LISTEN_PID=` plus room for any pid's digits and the NUL.
const LISTEN_PID_PREFIX: &[u8] = b"LISTEN_PID=";
const PID_DIGITS: usize = 20;

/// What the child does for one of fds 0, 1, 2.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum StdioPlan {
    /// Leave the inherited fd (its `FD_CLOEXEC` is cleared).
    Keep,
    /// `open()` this path and move the result into place.
    Open {
        path: CString,
        flags: libc::c_int,
        mode: libc::mode_t,
    },
    /// A copy of the caller's fd (rescued above `3 + n` first, then `O_NONBLOCK` cleared).
    Fd(RawFd),
    /// `dup2()` of an already set up standard fd (0 or 1).
    Copy(RawFd),
}

/// Credentials to apply (only built when running as root).
#[derive(Debug)]
pub(super) struct Creds {
    pub uid: Option<libc::uid_t>,
    pub gid: Option<libc::gid_t>,
    pub groups: Vec<libc::gid_t>,
}

/// The environment block: the strings, the `LISTEN_PID=` buffer and the pointer array.
#[derive(Debug)]
pub(super) struct Envp {
    _strings: Vec<CString>,
    /// Backing store of the `LISTEN_PID=` entry (a `Vec` so the pointer survives moves).
    _listen_pid: Vec<u8>,
    /// Where the child writes its pid's digits (into `_listen_pid`), or null.
    pub listen_pid_digits: *mut u8,
    /// Null-terminated, `LISTEN_PID=` first when present.
    pub pointers: Vec<*const c_char>,
}

impl Envp {
    fn build(spec: &SpawnSpec) -> Result<Envp, SpawnError> {
        let listen = spec.listen_env && !spec.fds.is_empty();
        let strings = environment(spec, listen)?;
        let mut pointers = pointers(&strings);
        let mut listen_pid = Vec::new();
        let mut listen_pid_digits = std::ptr::null_mut();
        if listen {
            listen_pid.extend_from_slice(LISTEN_PID_PREFIX);
            listen_pid.resize(LISTEN_PID_PREFIX.len() + PID_DIGITS + 1, 0);
            let base = listen_pid.as_mut_ptr();
            // The terminating null stays last.
            pointers.insert(0, base.cast_const().cast());
            // SAFETY: the prefix length is within the buffer just allocated.
            listen_pid_digits = unsafe { base.add(LISTEN_PID_PREFIX.len()) };
        }
        Ok(Envp {
            _strings: strings,
            _listen_pid: listen_pid,
            listen_pid_digits,
            pointers,
        })
    }
}

/// Everything the child needs, prepared before `fork()`.
#[derive(Debug)]
pub(super) struct ChildPlan {
    pub path: CString,
    _argv: Vec<CString>,
    pub argv_ptrs: Vec<*const c_char>,
    pub env: Envp,
    pub fds: Vec<RawFd>,
    /// Scratch: the rescued copies of `fds`.
    pub rescued: Vec<RawFd>,
    pub stdio: [StdioPlan; 3],
    /// Scratch: the rescued copies of `StdioPlan::Fd` sources.
    pub stdio_rescued: [RawFd; 3],
    /// The lowest fd a rescued copy may use: `3 + n + 1` (slot `3 + n` is for the error pipe).
    pub rescue_base: RawFd,
    pub cwd: Option<(CString, bool)>,
    pub umask: libc::mode_t,
    pub nice: Option<i32>,
    pub rlimits: Vec<(libc::c_int, libc::rlimit)>,
    pub creds: Option<Creds>,
    pub non_blocking: bool,
    pub ignore_sigpipe: bool,
    pub new_process_group: bool,
    /// `RootDirectory=` (chroot, root only).
    pub root: Option<CString>,
    /// `NoNewPrivileges=`.
    pub no_new_privileges: bool,
}

fn cstring(what: &str, bytes: &[u8]) -> Result<CString, SpawnError> {
    CString::new(bytes).map_err(|_| SpawnError::InvalidSpec(format!("{what} contains a NUL byte")))
}

fn cpath(what: &str, path: &Path) -> Result<CString, SpawnError> {
    cstring(what, path.as_os_str().as_bytes())
}

/// A null-terminated array of pointers into `strings`.
fn pointers(strings: &[CString]) -> Vec<*const c_char> {
    strings
        .iter()
        .map(|s| s.as_ptr())
        .chain(std::iter::once(std::ptr::null()))
        .collect()
}

impl ChildPlan {
    /// Builds the plan; fails only on interior NULs or an absurd number of fds.
    pub(super) fn prepare(spec: &SpawnSpec) -> Result<ChildPlan, SpawnError> {
        let n = i32::try_from(spec.fds.len())
            .ok()
            .filter(|n| *n < i32::MAX - 4)
            .ok_or_else(|| SpawnError::InvalidSpec("too many file descriptors".into()))?;
        let argv = spec
            .argv
            .iter()
            .map(|a| cstring("argv", a.as_bytes()))
            .collect::<Result<Vec<_>, _>>()?;
        let cwd = match &spec.working_directory {
            Some((dir, missing_ok)) => Some((cpath("WorkingDirectory", dir)?, *missing_ok)),
            None => None,
        };
        Ok(ChildPlan {
            path: cpath("path", &spec.path)?,
            argv_ptrs: pointers(&argv),
            _argv: argv,
            env: Envp::build(spec)?,
            fds: spec.fds.clone(),
            rescued: vec![-1; spec.fds.len()],
            stdio: stdio_plans(spec)?,
            stdio_rescued: [-1; 3],
            rescue_base: n + 4,
            cwd,
            umask: spec.umask & 0o7777,
            nice: spec.nice,
            rlimits: spec
                .rlimits
                .iter()
                .map(|&(r, soft, hard)| (r as libc::c_int, rlimit(soft, hard)))
                .collect(),
            creds: creds(spec),
            non_blocking: spec.non_blocking,
            ignore_sigpipe: spec.ignore_sigpipe,
            new_process_group: spec.new_process_group,
            root: match &spec.root_directory {
                Some(r) => Some(cpath("RootDirectory", r)?),
                None => None,
            },
            no_new_privileges: spec.no_new_privileges,
        })
    }
}

/// `u64::MAX` is `RLIM_INFINITY` on Linux, so values pass through unchanged.
fn rlimit(soft: u64, hard: u64) -> libc::rlimit {
    libc::rlimit {
        rlim_cur: soft,
        rlim_max: hard,
    }
}

fn creds(spec: &SpawnSpec) -> Option<Creds> {
    let wanted = spec.uid.is_some() || spec.gid.is_some();
    if !wanted || !nix::unistd::geteuid().is_root() {
        return None;
    }
    Some(Creds {
        uid: spec.uid,
        gid: spec.gid,
        groups: spec.supplementary_groups.clone(),
    })
}

/// The caller's environment, minus the `LISTEN_*` entries when we set them, plus
/// `LISTEN_FDS` and `LISTEN_FDNAMES` (`LISTEN_PID` is added by the caller of this).
fn environment(spec: &SpawnSpec, listen: bool) -> Result<Vec<CString>, SpawnError> {
    const OURS: [&str; 3] = ["LISTEN_PID=", "LISTEN_FDS=", "LISTEN_FDNAMES="];
    let mut env = Vec::with_capacity(spec.env.len() + 2);
    if listen {
        let names: Vec<&str> = (0..spec.fds.len())
            .map(|i| spec.fd_names.get(i).map_or("unknown", String::as_str))
            .collect();
        env.push(cstring(
            "LISTEN_FDS",
            format!("LISTEN_FDS={}", spec.fds.len()).as_bytes(),
        )?);
        env.push(cstring(
            "LISTEN_FDNAMES",
            format!("LISTEN_FDNAMES={}", names.join(":")).as_bytes(),
        )?);
    }
    for entry in &spec.env {
        if listen && OURS.iter().any(|p| entry.starts_with(p)) {
            continue;
        }
        env.push(cstring("environment", entry.as_bytes())?);
    }
    Ok(env)
}

/// Resolves systemd's `setup_input()`/`setup_output()` rules for the three standard fds.
fn stdio_plans(spec: &SpawnSpec) -> Result<[StdioPlan; 3], SpawnError> {
    let (i, o, e) = (&spec.stdin, &spec.stdout, &spec.stderr);
    let umask = spec.umask & 0o777;
    let same_file = |a: &Stdio, b: &Stdio| match (a, b) {
        (Stdio::File { path: p, .. }, Stdio::File { path: q, .. }) => p == q,
        _ => false,
    };
    let stdin = match i {
        Stdio::File { path, .. } => {
            let rw = same_file(i, o) || same_file(i, e);
            let flags = if rw { libc::O_RDWR } else { libc::O_RDONLY };
            open_plan(path, flags, umask)?
        }
        other => plain(other, libc::O_RDONLY),
    };
    let stdin_is_real = matches!(i, Stdio::Fd(_) | Stdio::File { .. });
    let stdout = match o {
        Stdio::Inherit if stdin_is_real => StdioPlan::Copy(0),
        Stdio::File { .. } if same_file(o, i) => StdioPlan::Copy(0),
        other => output_plan(other, umask)?,
    };
    let stderr = match e {
        Stdio::Inherit if matches!(o, Stdio::Inherit) && !stdin_is_real => StdioPlan::Keep,
        Stdio::Inherit => StdioPlan::Copy(1),
        Stdio::Fd(fd) if *o == Stdio::Fd(*fd) => StdioPlan::Copy(1),
        Stdio::File { .. } if e == o => StdioPlan::Copy(1),
        Stdio::File { .. } if same_file(e, i) => StdioPlan::Copy(0),
        other => output_plan(other, umask)?,
    };
    Ok([stdin, stdout, stderr])
}

/// `Null`, `Inherit` and `Fd` (files are handled by the callers).
fn plain(stdio: &Stdio, null_flags: libc::c_int) -> StdioPlan {
    match stdio {
        Stdio::Inherit => StdioPlan::Keep,
        Stdio::Fd(fd) => StdioPlan::Fd(*fd),
        Stdio::Null | Stdio::File { .. } => StdioPlan::Open {
            path: c"/dev/null".to_owned(),
            flags: null_flags,
            mode: 0,
        },
    }
}

fn output_plan(stdio: &Stdio, umask: libc::mode_t) -> Result<StdioPlan, SpawnError> {
    let Stdio::File { path, mode } = stdio else {
        return Ok(plain(stdio, libc::O_WRONLY));
    };
    let extra = match mode {
        FileMode::Append => libc::O_APPEND,
        FileMode::Truncate => libc::O_TRUNC,
        FileMode::Read | FileMode::Write => 0,
    };
    open_plan(path, libc::O_WRONLY | extra, umask)
}

/// systemd's `acquire_path()`: anything opened for writing is created when missing.
fn open_plan(
    path: &Path,
    flags: libc::c_int,
    umask: libc::mode_t,
) -> Result<StdioPlan, SpawnError> {
    let flags = if flags & libc::O_ACCMODE == libc::O_RDONLY {
        flags
    } else {
        flags | libc::O_CREAT
    };
    Ok(StdioPlan::Open {
        path: cpath("stdio path", path)?,
        flags,
        mode: 0o666 & !umask,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plans(i: Stdio, o: Stdio, e: Stdio) -> [StdioPlan; 3] {
        let mut spec = SpawnSpec::new("/bin/true", vec![]);
        (spec.stdin, spec.stdout, spec.stderr) = (i, o, e);
        stdio_plans(&spec).unwrap()
    }

    fn file(p: &str, mode: FileMode) -> Stdio {
        Stdio::File {
            path: p.into(),
            mode,
        }
    }

    #[test]
    fn inherit_follows_systemd() {
        let [_, o, e] = plans(Stdio::Null, Stdio::Inherit, Stdio::Inherit);
        assert_eq!((o, e), (StdioPlan::Keep, StdioPlan::Keep));
        let [i, o, e] = plans(Stdio::Fd(9), Stdio::Inherit, Stdio::Inherit);
        assert_eq!(
            (i, o, e),
            (StdioPlan::Fd(9), StdioPlan::Copy(0), StdioPlan::Copy(1))
        );
        let [_, _, e] = plans(Stdio::Null, Stdio::Null, Stdio::Inherit);
        assert_eq!(e, StdioPlan::Copy(1));
        let [_, o, e] = plans(Stdio::Fd(9), Stdio::Fd(9), Stdio::Fd(9));
        assert_eq!((o, e), (StdioPlan::Fd(9), StdioPlan::Copy(1)));
    }

    #[test]
    fn files_open_with_systemds_flags() {
        let [i, o, e] = plans(
            file("/a", FileMode::Read),
            file("/a", FileMode::Write),
            file("/b", FileMode::Append),
        );
        assert!(
            matches!(i, StdioPlan::Open { flags, .. } if flags == libc::O_RDWR | libc::O_CREAT)
        );
        assert_eq!(o, StdioPlan::Copy(0));
        let StdioPlan::Open { flags, mode, .. } = e else {
            panic!("{e:?}")
        };
        assert_eq!(flags, libc::O_WRONLY | libc::O_CREAT | libc::O_APPEND);
        assert_eq!(mode, 0o644);
        let [_, o, e] = plans(
            Stdio::Null,
            file("/c", FileMode::Truncate),
            file("/c", FileMode::Truncate),
        );
        assert!(
            matches!(o, StdioPlan::Open { flags, .. } if flags == libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC)
        );
        assert_eq!(e, StdioPlan::Copy(1));
    }

    #[test]
    fn listen_env_replaces_callers_entries_and_pads_names() {
        let mut spec = SpawnSpec::new("/bin/true", vec!["true".into()]);
        spec.env = vec!["A=1".into(), "LISTEN_FDS=9".into()];
        spec.fds = vec![5, 6];
        spec.fd_names = vec!["web".into()];
        spec.listen_env = true;
        let env = environment(&spec, true).unwrap();
        let env: Vec<_> = env.iter().map(|c| c.to_str().unwrap()).collect();
        assert_eq!(env, ["LISTEN_FDS=2", "LISTEN_FDNAMES=web:unknown", "A=1"]);
        let plan = ChildPlan::prepare(&spec).unwrap();
        assert_eq!(plan.env.pointers.len(), 5);
        assert!(plan.env.pointers.last().unwrap().is_null());
        assert!(!plan.env.listen_pid_digits.is_null());
        assert_eq!(plan.rescue_base, 6);
    }

    #[test]
    fn nul_bytes_are_rejected_not_panicked_on() {
        let spec = SpawnSpec::new("/bin/true", vec!["a\0b".into()]);
        assert!(matches!(
            ChildPlan::prepare(&spec),
            Err(SpawnError::InvalidSpec(_))
        ));
    }
}
