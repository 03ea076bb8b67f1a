//! The post-`fork()` half of spawning: runs in the child, turns it into the unit process and
//! `execve()`s (see `spawn.rs` for the contract and the order of steps; the fd steps live in
//! `child_fds.rs`).
//!
//! Everything here must be async-signal-safe: plain system calls on memory the parent prepared
//! ([`ChildPlan`]); no allocation, no locks, no Rust std I/O, no formatting, no panics (no
//! indexing that could fail, no overflowing arithmetic). A failed step writes one
//! `[step, errno, detail]` record of native-endian `i32`s into the `O_CLOEXEC` error pipe and
//! `_exit()`s with the step's systemd `EXIT_*` code.

use std::convert::Infallible;
use std::ffi::CStr;
use std::os::fd::RawFd;

use nix::errno::Errno;

use super::child_fds::{pack_fds, rescue_fds, setup_stdio};
use super::spawn::ChildStep;
use super::spawn_plan::{ChildPlan, Creds};

/// Length of the error record in bytes: three `i32`s.
pub(super) const RECORD_LEN: usize = 12;

/// Highest signal number on Linux (`_NSIG - 1`).
const LAST_SIGNAL: libc::c_int = 64;

/// A failed step: what, `errno`, and a step-specific detail.
pub(super) struct Failure {
    pub step: ChildStep,
    pub errno: i32,
    pub detail: i32,
}

impl Failure {
    /// The failure of `step` with the current `errno`.
    pub(super) fn now(step: ChildStep) -> Failure {
        Failure::with(step, Errno::last_raw())
    }

    pub(super) fn with(step: ChildStep, errno: i32) -> Failure {
        Failure {
            step,
            errno,
            detail: 0,
        }
    }
}

/// Decodes the parent's copy of a record.
pub(super) fn decode_record(record: &[u8; RECORD_LEN]) -> [i32; 3] {
    let mut words = [0i32; 3];
    for (word, bytes) in words.iter_mut().zip(record.chunks_exact(4)) {
        let mut raw = [0u8; 4];
        raw.copy_from_slice(bytes);
        *word = i32::from_ne_bytes(raw);
    }
    words
}

/// `ret` as a result: negative means the step failed with the current `errno`.
pub(super) fn check(ret: libc::c_int, step: ChildStep) -> Result<libc::c_int, Failure> {
    if ret < 0 {
        Err(Failure::now(step))
    } else {
        Ok(ret)
    }
}

/// Runs in the forked child: sets the process up and execs, or reports and exits.
pub(super) fn run(plan: &mut ChildPlan, pipe: RawFd) -> ! {
    let mut pipe = pipe;
    let failure = match steps(plan, &mut pipe) {
        Ok(never) => match never {},
        Err(failure) => failure,
    };
    let record = [failure.step as i32, failure.errno, failure.detail];
    // SAFETY: `record` is a live 12-byte array; a failed write cannot be reported anyway, the
    // exit code still tells the step. `_exit` skips atexit handlers and destructors, which must
    // not run in a forked child.
    unsafe {
        libc::write(pipe, record.as_ptr().cast(), RECORD_LEN);
        libc::_exit(failure.step.exit_code())
    }
}

fn steps(plan: &mut ChildPlan, pipe: &mut RawFd) -> Result<Infallible, Failure> {
    reset_signals(plan.ignore_sigpipe)?;
    if plan.new_process_group {
        // SAFETY: plain system call on our own process.
        check(unsafe { libc::setpgid(0, 0) }, ChildStep::ProcessGroup)?;
    }
    // SAFETY: plain system call; cannot fail.
    unsafe { libc::umask(plan.umask) };
    rescue_fds(plan, pipe)?;
    setup_stdio(plan)?;
    if let Some(nice) = plan.nice {
        set_nice(nice)?;
    }
    set_rlimits(&plan.rlimits)?;
    if let Some(creds) = &plan.creds {
        set_creds(creds)?;
    }
    if let Some(root) = &plan.root {
        // SAFETY: `root` is a NUL-terminated string owned by the plan.
        check(unsafe { libc::chroot(root.as_ptr()) }, ChildStep::Chroot)?;
        if plan.cwd.is_none() {
            // SAFETY: a static NUL-terminated string.
            check(unsafe { libc::chdir(c"/".as_ptr()) }, ChildStep::Chroot)?;
        }
    }
    if let Some((dir, missing_ok)) = &plan.cwd {
        // SAFETY: `dir` is a NUL-terminated string owned by the plan.
        if unsafe { libc::chdir(dir.as_ptr()) } < 0 && !missing_ok {
            return Err(Failure::now(ChildStep::Chdir));
        }
    }
    if plan.no_new_privileges {
        // SAFETY: plain system call on our own process.
        let ret = unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) };
        check(ret, ChildStep::NoNewPrivileges)?;
    }
    locate_executable(&plan.path)?;
    pack_fds(plan, pipe)?;
    write_listen_pid(plan.env.listen_pid_digits);
    // SAFETY: path, argv and envp are NUL-terminated strings and null-terminated pointer arrays
    // owned by the plan, which outlives this call.
    unsafe {
        libc::execve(
            plan.path.as_ptr(),
            plan.argv_ptrs.as_ptr(),
            plan.env.pointers.as_ptr(),
        )
    };
    Err(Failure::now(ChildStep::Exec))
}

/// Every disposition to `SIG_DFL` (SIGPIPE to `SIG_IGN` if asked), then an empty signal mask.
///
/// The dispositions are reset with the raw `rt_sigaction` system call: libc's `sigaction()`
/// refuses its reserved signals (32, 33), and an ignored one would survive `execve()`.
fn reset_signals(ignore_sigpipe: bool) -> Result<(), Failure> {
    // The kernel's `struct sigaction` all zero, on every architecture: handler 0 (`SIG_DFL`),
    // no flags, no restorer, empty mask. 32 bytes cover its size on 64-bit and 32-bit ABIs.
    let default = [0u64; 4];
    let sigset_size: libc::size_t = 8;
    for signal in 1..=LAST_SIGNAL {
        // SAFETY: `default` is readable for the kernel struct's size; no old action is
        // requested. SIGKILL and SIGSTOP fail with EINVAL, which is ignored on purpose.
        unsafe {
            libc::syscall(
                libc::SYS_rt_sigaction,
                signal,
                default.as_ptr(),
                std::ptr::null_mut::<u64>(),
                sigset_size,
            )
        };
    }
    if ignore_sigpipe {
        // SAFETY: an all-zero libc `sigaction` is valid: no flags, empty mask.
        let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
        action.sa_sigaction = libc::SIG_IGN;
        // SAFETY: `action` is valid; the old action is not requested.
        unsafe { libc::sigaction(libc::SIGPIPE, &action, std::ptr::null_mut()) };
    }
    // SAFETY: an all-zero `sigset_t` is a valid (empty) set; sigemptyset makes it so formally.
    let mut empty: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: `empty` is a valid, writable sigset_t; the old mask is not requested.
    let ret = unsafe {
        libc::sigemptyset(&mut empty);
        libc::sigprocmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut())
    };
    check(ret, ChildStep::SignalMask).map(drop)
}

/// systemd's `rlimit_to_nice()`.
fn rlimit_to_nice(limit: libc::rlim_t) -> libc::c_int {
    match limit {
        0 | 1 => 19,
        40.. => -20,
        // 2..=39 fits.
        n => 20 - n as libc::c_int,
    }
}

/// systemd's `setpriority_closest()`: the requested nice level, or the closest allowed one.
fn set_nice(nice: libc::c_int) -> Result<(), Failure> {
    // SAFETY: plain system call on our own process.
    if unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, nice) } == 0 {
        return Ok(());
    }
    let denied = Errno::last_raw();
    if denied != libc::EPERM && denied != libc::EACCES {
        return Err(Failure::with(ChildStep::Nice, denied));
    }
    Errno::clear();
    // SAFETY: plain system call; -1 is a valid priority, so errno tells failure.
    let current = unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
    if Errno::last_raw() != 0 {
        return Err(Failure::now(ChildStep::Nice));
    }
    if nice == current {
        return Ok(());
    }
    if nice > current {
        return Err(Failure::with(ChildStep::Nice, denied));
    }
    // SAFETY: an all-zero rlimit is valid storage for getrlimit to fill.
    let mut highest: libc::rlimit = unsafe { std::mem::zeroed() };
    // SAFETY: `highest` is valid, writable storage.
    check(
        unsafe { libc::getrlimit(libc::RLIMIT_NICE, &mut highest) },
        ChildStep::Nice,
    )?;
    let limit = rlimit_to_nice(highest.rlim_cur);
    if current < limit {
        return Ok(());
    }
    // SAFETY: plain system call on our own process.
    check(
        unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, limit) },
        ChildStep::Nice,
    )
    .map(drop)
}

/// systemd's `setrlimit_closest_all()`; the failing index goes into the detail.
fn set_rlimits(rlimits: &[(libc::c_int, libc::rlimit)]) -> Result<(), Failure> {
    for (index, (resource, wanted)) in rlimits.iter().enumerate() {
        set_rlimit_closest(*resource, wanted).map_err(|errno| Failure {
            step: ChildStep::Limits,
            errno,
            detail: i32::try_from(index).unwrap_or(i32::MAX),
        })?;
    }
    Ok(())
}

fn set_rlimit_closest(resource: libc::c_int, wanted: &libc::rlimit) -> Result<(), i32> {
    let resource = resource as _;
    // SAFETY: `wanted` is a valid rlimit.
    if unsafe { libc::setrlimit(resource, wanted) } == 0 {
        return Ok(());
    }
    let errno = Errno::last_raw();
    if errno != libc::EPERM {
        return Err(errno);
    }
    // SAFETY: an all-zero rlimit is valid storage for getrlimit to fill.
    let mut highest: libc::rlimit = unsafe { std::mem::zeroed() };
    // SAFETY: `highest` is valid, writable storage.
    if unsafe { libc::getrlimit(resource, &mut highest) } < 0 {
        return Err(Errno::last_raw());
    }
    if highest.rlim_max == libc::RLIM_INFINITY {
        return Err(libc::EPERM);
    }
    let fixed = libc::rlimit {
        rlim_cur: wanted.rlim_cur.min(highest.rlim_max),
        rlim_max: wanted.rlim_max.min(highest.rlim_max),
    };
    if fixed.rlim_cur == highest.rlim_cur && fixed.rlim_max == highest.rlim_max {
        return Ok(());
    }
    // SAFETY: `fixed` is a valid rlimit.
    if unsafe { libc::setrlimit(resource, &fixed) } < 0 {
        return Err(Errno::last_raw());
    }
    Ok(())
}

/// `setgroups()`, `setresgid()`, then `setresuid()` (systemd's `enforce_groups()`/`enforce_user()`).
fn set_creds(creds: &Creds) -> Result<(), Failure> {
    // SAFETY: the pointer and length describe the plan's group vector.
    let ret = unsafe { libc::setgroups(creds.groups.len(), creds.groups.as_ptr()) };
    check(ret, ChildStep::Group)?;
    if let Some(gid) = creds.gid {
        // SAFETY: plain system call on our own process.
        check(unsafe { libc::setresgid(gid, gid, gid) }, ChildStep::Group)?;
    }
    if let Some(uid) = creds.uid {
        // SAFETY: plain system call on our own process.
        check(unsafe { libc::setresuid(uid, uid, uid) }, ChildStep::User)?;
    }
    Ok(())
}

/// systemd's `check_x_access()`: exists, is a regular file, is executable.
fn locate_executable(path: &CStr) -> Result<(), Failure> {
    let step = ChildStep::LocateExecutable;
    // SAFETY: `path` is NUL-terminated.
    let fd = check(
        unsafe { libc::open(path.as_ptr(), libc::O_PATH | libc::O_CLOEXEC) },
        step,
    )?;
    // SAFETY: an all-zero stat is valid storage for fstat to fill.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `fd` is ours, `st` is writable; the fd is closed right after.
    let ret = unsafe { libc::fstat(fd, &mut st) };
    let stat_errno = Errno::last_raw();
    // SAFETY: `fd` was opened above and is not used again.
    unsafe { libc::close(fd) };
    if ret < 0 {
        return Err(Failure::with(step, stat_errno));
    }
    match st.st_mode & libc::S_IFMT {
        libc::S_IFREG => {}
        libc::S_IFDIR => return Err(Failure::with(step, libc::EISDIR)),
        libc::S_IFLNK => return Err(Failure::with(step, libc::ELOOP)),
        _ => return Err(Failure::with(step, libc::EBADFD)),
    }
    // SAFETY: `path` is NUL-terminated.
    check(unsafe { libc::access(path.as_ptr(), libc::X_OK) }, step).map(drop)
}

/// Writes our pid's decimal digits and a NUL after `LISTEN_PID=`.
fn write_listen_pid(digits: *mut u8) {
    if digits.is_null() {
        return;
    }
    // SAFETY: plain system call.
    let mut pid = unsafe { libc::getpid() }.unsigned_abs();
    let mut reversed = [0u8; 10];
    let mut len = 0;
    for slot in reversed.iter_mut() {
        *slot = b'0' + (pid % 10) as u8;
        pid /= 10;
        len += 1;
        if pid == 0 {
            break;
        }
    }
    for (i, digit) in reversed.iter().take(len).rev().enumerate() {
        // SAFETY: the buffer behind `digits` has 20 digit bytes and a NUL; a u32 has ≤ 10.
        unsafe { digits.add(i).write(*digit) };
    }
    // SAFETY: as above, `len` ≤ 10 < 21.
    unsafe { digits.add(len).write(0) };
}
