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
//! lists and scratch arrays; `spawn_plan.rs`), and the child (`child.rs`, `child_fds.rs`) only
//! makes system calls: no allocation, no locks, no Rust std I/O, no panics. That is also what
//! makes forking from a multi-threaded process (the test harness) sound.
//!
//! # Child-side order (systemd's `exec_child()` order, trimmed)
//!
//! 1. reset every signal disposition to `SIG_DFL` (raw `rt_sigaction`, so libc's reserved 32
//!    and 33 are reset too), then `SIG_IGN` for SIGPIPE when [`SpawnSpec::ignore_sigpipe`]
//!    (systemd's `IgnoreSIGPIPE=yes` default); empty the signal mask (`SIGNAL_MASK`);
//! 2. `setpgid(0, 0)` when [`SpawnSpec::new_process_group`] (`SETSID`);
//! 3. `umask()`;
//! 4. copy every passed fd, every `Stdio::Fd` source and the error pipe above `3 + n` (`FDS`), so that no later `dup2()`
//!    can clobber a source: this solves "a source fd already sits in a target slot";
//! 5. stdin, stdout, stderr (`STDIN`, `STDOUT`, `STDERR`);
//! 6. nice (`NICE`), rlimits (`LIMITS`), both "closest allowed value" like systemd;
//! 7. groups (`GROUP`) and uid (`USER`), only when the runtime runs as root;
//! 8. `chroot()` for [`SpawnSpec::root_directory`] (`CHROOT`), then `chdir()` (`CHDIR`;
//!    ignored with the `-` prefix), then `PR_SET_NO_NEW_PRIVS` for
//!    [`SpawnSpec::no_new_privileges`] (`NO_NEW_PRIVILEGES`);
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
//!
//! # Differences from systemd 252
//!
//! - `LISTEN_*` always win over same-named [`SpawnSpec::env`] entries (systemd lets
//!   `Environment=` override them).
//! - No `tty*`, `journal`, `kmsg`, `data` stdio; `file:` naming an `AF_UNIX` socket (systemd's
//!   `ENXIO` → `connect()` fallback) is not supported.
//! - `setpgid()` instead of `setsid()`: the unit gets its own process group but stays in the
//!   runtime's session.
//! - The executable is checked and exec'd by path (`access()` + `execve()`), not through an
//!   `O_PATH` fd with `fexecve()`.

use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::PathBuf;

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::resource::Resource;
use nix::unistd::{ForkResult, Pid};

use super::child;
pub use super::spawn_failure::{ChildError, ChildStep, rlimit_name};
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
    /// `RootDirectory=`: `chroot()` before `chdir()` (needs root; a failure is `CHROOT`).
    pub root_directory: Option<PathBuf>,
    /// `NoNewPrivileges=`: `prctl(PR_SET_NO_NEW_PRIVS)` before exec.
    pub no_new_privileges: bool,
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
            root_directory: None,
            no_new_privileges: false,
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
