//! Spawning unit processes: the only place the runtime forks.
//!
//! # Contract
//!
//! - **Input:** a [`SpawnSpec`] the caller builds: executable, argv, the complete environment
//!   (`K=V`; the caller computes it), the fds to pass, stdio, working directory, umask, nice,
//!   rlimits, process group and optional credentials.
//! - **Output:** [`spawn`] returns once the child has either called `execve()` successfully or
//!   failed at some setup step; the failure comes back as [`Spawned::exec_error`] (a
//!   [`ChildError`]: the step and the errno) while the child exits with systemd's `EXIT_*` code
//!   for that step ([`ChildStep::exit_code`], e.g. `203/EXEC`). Either way the caller reaps the
//!   child later through SIGCHLD ([`super::process::reap`]). [`SpawnError`] covers only
//!   problems before or at `fork()`: an unusable spec, `pipe2()` or `fork()` failing.
//! - **Never:** prints (the caller logs [`ChildError::detail_message`] and
//!   [`ChildError::step_message`], systemd's wording); touches the caller's fds in the parent
//!   (they stay owned by the caller; the child works on copies).
//!
//! # Why `fork()` + `execve()` with a prebuilt envp
//!
//! `std::process::Command` cannot be used:
//! - `LISTEN_PID` must be the pid of the process that ends up running the service
//!   (`sd_listen_fds()` checks it), so it is known only inside the child, after `fork()`;
//!   `Command` offers no way to set an environment variable from there (and rebuilds `environ`
//!   after its `pre_exec` hooks).
//! - `Command` inherits the parent's signal mask; our event loop blocks SIGCHLD, SIGTERM, … for
//!   signalfd, and services must start with an empty mask and default dispositions.
//! - Passing fds at exactly 3, 4, … and closing everything else needs code in the child anyway.
//!
//! So everything is prepared in the parent *before* `fork()` (`CString`s, the argv and envp
//! pointer arrays, a preallocated `LISTEN_PID=` buffer whose digits the child fills in, the fd
//! lists and scratch arrays), and the child (`child.rs`) only makes system calls: no allocation,
//! no locks, no Rust std I/O, no panics. That is also what makes forking from a multi-threaded
//! process (the test harness) sound.
//!
//! # Child-side order (systemd's `exec_child()` order, trimmed)
//!
//! 1. reset every signal disposition to `SIG_DFL` (then `SIG_IGN` for SIGPIPE when
//!    [`SpawnSpec::ignore_sigpipe`], systemd's `IgnoreSIGPIPE=yes` default) and empty the signal
//!    mask (`SIGNAL_MASK`);
//! 2. `setpgid(0, 0)` when [`SpawnSpec::new_process_group`] (`SETSID`);
//! 3. `umask()`;
//! 4. copy every passed fd and the error pipe above `3 + n` (`FDS`), so that no later `dup2()`
//!    can clobber a source: this solves "a source fd already sits in a target slot";
//! 5. stdin, stdout, stderr (`STDIN`, `STDOUT`, `STDERR`);
//! 6. nice (`NICE`), rlimits (`LIMITS`), both "closest allowed value" like systemd;
//! 7. groups (`GROUP`) and uid (`USER`), only when the runtime runs as root;
//! 8. `chdir()` (`CHDIR`; ignored with the `-` prefix);
//! 9. locate the executable: regular file, `X_OK` (`EXEC`, "Failed to locate executable");
//! 10. `dup2()` the passed fds to 3, 4, …, clear `FD_CLOEXEC` explicitly, set or clear
//!     `O_NONBLOCK` per [`SpawnSpec::non_blocking`] (systemd's `flag_fds()`; the flag lives in
//!     the open file description, so the parent's copy changes too, as under systemd), then
//!     `close_range(3 + n + 1, ~0)` with a brute-force loop up to `RLIMIT_NOFILE` as fallback
//!     (`FDS`);
//! 11. write the child's pid into `LISTEN_PID=` and `execve()` (`EXEC`, "Failed to execute").
//!
//! A failing step writes `(step, errno, detail)` into a `O_CLOEXEC` pipe and `_exit()`s with the
//! step's code; a successful `execve()` closes the pipe, and the parent sees EOF.
//!
//! `spawn()` blocks until that EOF or record: setup that blocks in the child (opening a FIFO named
//! by `file:`) blocks the caller too.

use std::fmt;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::PathBuf;

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::resource::Resource;
use nix::unistd::{ForkResult, Pid};

use super::child;
use super::process::exit_status_name;
use super::spawn_plan::ChildPlan;

/// Everything needed to start one unit process; see the module docs for what the child does
/// with each field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpawnSpec {
    /// The executable (absolute, or relative to [`SpawnSpec::working_directory`]); not searched
    /// in `$PATH`.
    pub path: PathBuf,
    /// `argv`, including `argv[0]`.
    pub argv: Vec<String>,
    /// The complete environment as `K=V` strings, in order.
    pub env: Vec<String>,
    /// Fds passed at 3, 4, …; the caller keeps owning them (the child works on copies).
    pub fds: Vec<RawFd>,
    /// `LISTEN_FDNAMES` entries, one per fd (missing ones are `unknown`, as `sd_listen_fds_with_names()` reports).
    pub fd_names: Vec<String>,
    /// Set `LISTEN_FDS`, `LISTEN_FDNAMES` and `LISTEN_PID` (only when fds are passed, as systemd).
    /// These replace any same-named entries of [`SpawnSpec::env`].
    pub listen_env: bool,
    /// Standard input.
    pub stdin: Stdio,
    /// Standard output.
    pub stdout: Stdio,
    /// Standard error.
    pub stderr: Stdio,
    /// `WorkingDirectory=`: the path and whether a failure is ignored (the `-` prefix).
    pub working_directory: Option<(PathBuf, bool)>,
    /// `UMask=` (systemd's default 0022).
    pub umask: u32,
    /// `Nice=`.
    pub nice: Option<i32>,
    /// `O_NONBLOCK` on the passed fds (`NonBlocking=`): set if true, cleared if false.
    pub non_blocking: bool,
    /// `Limit*=`: resource, soft, hard (`u64::MAX` is infinity).
    pub rlimits: Vec<(Resource, u64, u64)>,
    /// `setpgid(0, 0)` in the child, so the unit can be signalled as a group.
    pub new_process_group: bool,
    /// `IgnoreSIGPIPE=` (systemd's default yes): SIGPIPE is `SIG_IGN` instead of `SIG_DFL`.
    pub ignore_sigpipe: bool,
    /// `User=` as a uid; applied only when running as root.
    pub uid: Option<u32>,
    /// `Group=` as a gid; applied only when running as root.
    pub gid: Option<u32>,
    /// Supplementary groups (`setgroups()`); applied only when running as root, and only when
    /// [`SpawnSpec::uid`] or [`SpawnSpec::gid`] is set.
    pub supplementary_groups: Vec<u32>,
}

impl SpawnSpec {
    /// A spec with systemd's defaults: no fds, stdin `null`, stdout and stderr inherited,
    /// umask 0022, blocking fds, a new process group, SIGPIPE ignored, no credentials.
    pub fn new(path: impl Into<PathBuf>, argv: Vec<String>) -> SpawnSpec {
        SpawnSpec {
            path: path.into(),
            argv,
            env: Vec::new(),
            fds: Vec::new(),
            fd_names: Vec::new(),
            listen_env: false,
            stdin: Stdio::Null,
            stdout: Stdio::Inherit,
            stderr: Stdio::Inherit,
            working_directory: None,
            umask: 0o022,
            nice: None,
            non_blocking: false,
            rlimits: Vec::new(),
            new_process_group: true,
            ignore_sigpipe: true,
            uid: None,
            gid: None,
            supplementary_groups: Vec::new(),
        }
    }
}

/// Where a standard stream goes (systemd.exec(5) `StandardInput=`/`StandardOutput=`, the parts
/// the runtime supports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stdio {
    /// `/dev/null`.
    Null,
    /// stdin: keep the runtime's fd 0. stdout: systemd's `inherit`, i.e. a copy of stdin when
    /// stdin is an fd or a file, else the runtime's fd 1. stderr: a copy of stdout, except that
    /// with stdout inherited and stdin null/inherited it keeps the runtime's fd 2.
    Inherit,
    /// A copy of this fd (the connection for `socket`, or a named fd); `O_NONBLOCK` is cleared.
    /// The caller keeps owning it.
    Fd(RawFd),
    /// `file:`, `append:`, `truncate:` (output, created with `0666 & ~umask`) or `file:` (input).
    File {
        /// The path.
        path: PathBuf,
        /// How it is opened.
        mode: FileMode,
    },
}

/// How a [`Stdio::File`] is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileMode {
    /// Input `file:` (read-write when an output names the same file).
    Read,
    /// Output `file:`: write from offset 0 without truncating, create if missing.
    Write,
    /// `append:`: `O_APPEND`, create if missing.
    Append,
    /// `truncate:`: `O_TRUNC`, create if missing.
    Truncate,
}

/// A child process that was forked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spawned {
    /// Its pid (also its process group when [`SpawnSpec::new_process_group`]).
    pub pid: Pid,
    /// `None` if `execve()` succeeded; otherwise the failed step (the child exits with that
    /// step's code and must still be reaped).
    pub exec_error: Option<ChildError>,
}

/// Why no child was forked.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SpawnError {
    /// The spec cannot be turned into C strings (an interior NUL) or has too many fds.
    #[error("Invalid spawn request: {0}")]
    InvalidSpec(String),
    /// `pipe2()` failed.
    #[error("Failed to create pipe: {}", .0.desc())]
    Pipe(Errno),
    /// `fork()` failed.
    #[error("Failed to fork: {}", .0.desc())]
    Fork(Errno),
}

/// The child-side step that failed; each maps to one of systemd's `EXIT_*` codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum ChildStep {
    /// Resetting the signal mask (`EXIT_SIGNAL_MASK`, 207).
    SignalMask = 1,
    /// `setpgid()` (`EXIT_SETSID`, 220).
    ProcessGroup,
    /// Moving, flagging or closing fds (`EXIT_FDS`, 202).
    Fds,
    /// Standard input (`EXIT_STDIN`, 208).
    Stdin,
    /// Standard output (`EXIT_STDOUT`, 209).
    Stdout,
    /// Standard error (`EXIT_STDERR`, 222).
    Stderr,
    /// `setpriority()` (`EXIT_NICE`, 201).
    Nice,
    /// `setrlimit()` (`EXIT_LIMITS`, 205).
    Limits,
    /// `setgroups()`/`setresgid()` (`EXIT_GROUP`, 216).
    Group,
    /// `setresuid()` (`EXIT_USER`, 217).
    User,
    /// `chdir()` (`EXIT_CHDIR`, 200).
    Chdir,
    /// Finding the executable: missing, not a regular file, not executable (`EXIT_EXEC`, 203).
    LocateExecutable,
    /// `execve()` itself (`EXIT_EXEC`, 203).
    Exec,
}

impl ChildStep {
    /// Every step, in child order.
    pub const ALL: [ChildStep; 13] = [
        ChildStep::SignalMask,
        ChildStep::ProcessGroup,
        ChildStep::Fds,
        ChildStep::Stdin,
        ChildStep::Stdout,
        ChildStep::Stderr,
        ChildStep::Nice,
        ChildStep::Limits,
        ChildStep::Group,
        ChildStep::User,
        ChildStep::Chdir,
        ChildStep::LocateExecutable,
        ChildStep::Exec,
    ];

    /// systemd's exit code for a failure at this step (`src/shared/exit-status.h`).
    pub fn exit_code(self) -> i32 {
        match self {
            ChildStep::Chdir => 200,
            ChildStep::Nice => 201,
            ChildStep::Fds => 202,
            ChildStep::LocateExecutable | ChildStep::Exec => 203,
            ChildStep::Limits => 205,
            ChildStep::SignalMask => 207,
            ChildStep::Stdin => 208,
            ChildStep::Stdout => 209,
            ChildStep::Group => 216,
            ChildStep::User => 217,
            ChildStep::ProcessGroup => 220,
            ChildStep::Stderr => 222,
        }
    }

    /// The step's name in `Failed at step NAME spawning …` (the exit status name: `EXEC`, …).
    pub fn name(self) -> &'static str {
        exit_status_name(self.exit_code()).unwrap_or("FAILURE")
    }

    /// Decodes the number the child wrote into the pipe.
    pub(super) fn from_raw(raw: i32) -> Option<ChildStep> {
        ChildStep::ALL.into_iter().find(|s| *s as i32 == raw)
    }
}

/// A failure reported by the child before `execve()` succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildError {
    /// The step that failed.
    pub step: ChildStep,
    /// Its errno.
    pub errno: Errno,
    /// Step-specific detail: for [`ChildStep::Limits`], the index into [`SpawnSpec::rlimits`].
    pub detail: i32,
}

impl ChildError {
    /// systemd's first log line, from `exec_child()`, e.g.
    /// `Failed to execute /bin/x: Exec format error`, or for a missing executable
    /// `Failed to locate executable /bin/nonexistent: No such file or directory`.
    pub fn detail_message(&self, spec: &SpawnSpec) -> String {
        let path = spec.path.display();
        let what = match self.step {
            ChildStep::SignalMask => "Failed to set process signal mask".to_string(),
            ChildStep::ProcessGroup => "Failed to create new process group".to_string(),
            ChildStep::Fds => "Failed to adjust passed file descriptors".to_string(),
            ChildStep::Stdin => "Failed to set up standard input".to_string(),
            ChildStep::Stdout => "Failed to set up standard output".to_string(),
            ChildStep::Stderr => "Failed to set up standard error output".to_string(),
            ChildStep::Nice => {
                "Failed to set up process scheduling priority (nice level)".to_string()
            }
            ChildStep::Limits => format!(
                "Failed to adjust resource limit {}",
                self.rlimit_name(spec).unwrap_or("RLIMIT_?")
            ),
            ChildStep::Group => "Changing group credentials failed".to_string(),
            ChildStep::User => format!("Failed to change UID to {}", spec.uid.unwrap_or(0)),
            ChildStep::Chdir => "Changing to the requested working directory failed".to_string(),
            ChildStep::LocateExecutable => format!("Failed to locate executable {path}"),
            ChildStep::Exec => format!("Failed to execute {path}"),
        };
        format!("{what}: {}", self.errno.desc())
    }

    /// systemd's second log line, from `exec_spawn()`:
    /// `Failed at step EXEC spawning /bin/nonexistent: No such file or directory`.
    pub fn step_message(&self, spec: &SpawnSpec) -> String {
        format!(
            "Failed at step {} spawning {}: {}",
            self.step.name(),
            spec.path.display(),
            self.errno.desc()
        )
    }

    fn rlimit_name(&self, spec: &SpawnSpec) -> Option<&'static str> {
        let index = usize::try_from(self.detail).ok()?;
        let (resource, _, _) = spec.rlimits.get(index)?;
        Some(rlimit_name(*resource))
    }
}

impl fmt::Display for ChildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "failed at step {}: {}",
            self.step.name(),
            self.errno.desc()
        )
    }
}

/// `RLIMIT_NOFILE`-style name of a resource, as systemd logs it.
pub fn rlimit_name(resource: Resource) -> &'static str {
    match resource {
        Resource::RLIMIT_AS => "RLIMIT_AS",
        Resource::RLIMIT_CORE => "RLIMIT_CORE",
        Resource::RLIMIT_CPU => "RLIMIT_CPU",
        Resource::RLIMIT_DATA => "RLIMIT_DATA",
        Resource::RLIMIT_FSIZE => "RLIMIT_FSIZE",
        Resource::RLIMIT_LOCKS => "RLIMIT_LOCKS",
        Resource::RLIMIT_MEMLOCK => "RLIMIT_MEMLOCK",
        Resource::RLIMIT_MSGQUEUE => "RLIMIT_MSGQUEUE",
        Resource::RLIMIT_NICE => "RLIMIT_NICE",
        Resource::RLIMIT_NOFILE => "RLIMIT_NOFILE",
        Resource::RLIMIT_NPROC => "RLIMIT_NPROC",
        Resource::RLIMIT_RSS => "RLIMIT_RSS",
        Resource::RLIMIT_RTPRIO => "RLIMIT_RTPRIO",
        Resource::RLIMIT_RTTIME => "RLIMIT_RTTIME",
        Resource::RLIMIT_SIGPENDING => "RLIMIT_SIGPENDING",
        Resource::RLIMIT_STACK => "RLIMIT_STACK",
        _ => "RLIMIT_?",
    }
}

/// Forks and execs `spec`; returns once `execve()` succeeded or the child reported a failed
/// step. The child must be reaped by the caller either way.
pub fn spawn(spec: &SpawnSpec) -> Result<Spawned, SpawnError> {
    let mut plan = ChildPlan::prepare(spec)?;
    let (read_end, write_end) = nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(SpawnError::Pipe)?;
    // SAFETY: the child branch calls only `child::run`, which performs async-signal-safe system
    // calls on memory prepared before the fork (no allocation, no locks) and never returns.
    match unsafe { nix::unistd::fork() } {
        Ok(ForkResult::Child) => child::run(&mut plan, write_end.as_raw_fd()),
        Ok(ForkResult::Parent { child }) => {
            drop(write_end);
            let exec_error = read_child_report(&read_end);
            Ok(Spawned {
                pid: child,
                exec_error,
            })
        }
        Err(errno) => Err(SpawnError::Fork(errno)),
    }
}

/// Reads the error pipe until EOF (exec succeeded) or one complete record.
fn read_child_report(read_end: &OwnedFd) -> Option<ChildError> {
    let mut record = [0u8; child::RECORD_LEN];
    let mut filled = 0;
    while filled < record.len() {
        match nix::unistd::read(read_end, &mut record[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(Errno::EINTR) => continue,
            Err(_) => break,
        }
    }
    if filled < record.len() {
        return None;
    }
    let [step, errno, detail] = child::decode_record(&record);
    Some(ChildError {
        step: ChildStep::from_raw(step).unwrap_or(ChildStep::Exec),
        errno: Errno::from_raw(errno),
        detail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_has_a_named_exit_code() {
        for step in ChildStep::ALL {
            assert!(exit_status_name(step.exit_code()).is_some(), "{step:?}");
            assert_eq!(ChildStep::from_raw(step as i32), Some(step));
        }
        assert_eq!(ChildStep::from_raw(0), None);
        assert_eq!(ChildStep::Exec.name(), "EXEC");
        assert_eq!(ChildStep::Chdir.name(), "CHDIR");
    }

    #[test]
    fn messages_use_systemds_wording() {
        let spec = SpawnSpec::new("/bin/nonexistent", vec!["x".into()]);
        let exec = ChildError {
            step: ChildStep::Exec,
            errno: Errno::ENOENT,
            detail: 0,
        };
        assert_eq!(
            exec.detail_message(&spec),
            "Failed to execute /bin/nonexistent: No such file or directory"
        );
        assert_eq!(
            exec.step_message(&spec),
            "Failed at step EXEC spawning /bin/nonexistent: No such file or directory"
        );
        let locate = ChildError {
            step: ChildStep::LocateExecutable,
            ..exec
        };
        assert_eq!(
            locate.detail_message(&spec),
            "Failed to locate executable /bin/nonexistent: No such file or directory"
        );
        assert_eq!(locate.step_message(&spec), exec.step_message(&spec));
    }

    #[test]
    fn limits_message_names_the_resource() {
        let mut spec = SpawnSpec::new("/bin/true", vec![]);
        spec.rlimits = vec![
            (Resource::RLIMIT_CORE, 0, 0),
            (Resource::RLIMIT_NOFILE, 1, 1),
        ];
        let err = ChildError {
            step: ChildStep::Limits,
            errno: Errno::EPERM,
            detail: 1,
        };
        assert_eq!(
            err.detail_message(&spec),
            "Failed to adjust resource limit RLIMIT_NOFILE: Operation not permitted"
        );
        let bad = ChildError { detail: 7, ..err };
        assert!(bad.detail_message(&spec).contains("RLIMIT_?"));
    }
}
