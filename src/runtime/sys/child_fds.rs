//! The fd half of the child (see `child.rs` for the rules that apply here: async-signal-safe,
//! no allocation, no panics): rescuing sources out of the target slots, standard fds, packing the
//! passed fds at 3, 4, … and closing everything else.

use std::os::fd::RawFd;

use nix::errno::Errno;

use super::child::{Failure, check};
use super::spawn::ChildStep;
use super::spawn_plan::{ChildPlan, StdioPlan};

const STDIO_STEPS: [ChildStep; 3] = [ChildStep::Stdin, ChildStep::Stdout, ChildStep::Stderr];

/// `fcntl(fd, F_DUPFD_CLOEXEC, base)`: a copy at the lowest free fd ≥ `base`.
fn dup_above(fd: RawFd, base: RawFd, step: ChildStep) -> Result<RawFd, Failure> {
    // SAFETY: plain system call on fd numbers; a bad fd is reported as EBADF.
    check(
        unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, base) },
        step,
    )
}

/// Copies every passed fd, every stdio source fd and the error pipe to fds ≥ `3 + n + 1`, so
/// that neither stdio setup nor packing can overwrite a source still needed.
pub(super) fn rescue_fds(plan: &mut ChildPlan, pipe: &mut RawFd) -> Result<(), Failure> {
    let base = plan.rescue_base;
    *pipe = dup_above(*pipe, base, ChildStep::Fds)?;
    for (src, slot) in plan.fds.iter().zip(plan.rescued.iter_mut()) {
        *slot = dup_above(*src, base, ChildStep::Fds)?;
    }
    let sources = plan.stdio.iter().zip(plan.stdio_rescued.iter_mut());
    for ((stdio, slot), step) in sources.zip(STDIO_STEPS) {
        if let StdioPlan::Fd(src) = stdio {
            *slot = dup_above(*src, base, step)?;
        }
    }
    Ok(())
}

fn clear_cloexec(fd: RawFd) -> libc::c_int {
    // SAFETY: plain system call on an fd number.
    unsafe { libc::fcntl(fd, libc::F_SETFD, 0) }
}

/// Sets or clears `O_NONBLOCK` (systemd's `fd_nonblock()`).
fn set_nonblock(fd: RawFd, on: bool) -> libc::c_int {
    // SAFETY: plain system calls on an fd number.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 {
            return flags;
        }
        let wanted = if on {
            flags | libc::O_NONBLOCK
        } else {
            flags & !libc::O_NONBLOCK
        };
        if wanted == flags {
            0
        } else {
            libc::fcntl(fd, libc::F_SETFL, wanted)
        }
    }
}

/// systemd's `move_fd()`: `fd` ends up at `target` without `FD_CLOEXEC`; `fd` is closed.
fn move_fd(fd: RawFd, target: RawFd, step: ChildStep) -> Result<(), Failure> {
    if fd == target {
        // dup2(fd, fd) would keep FD_CLOEXEC.
        return check(clear_cloexec(fd), step).map(drop);
    }
    // SAFETY: plain system calls on fd numbers.
    let ret = unsafe { libc::dup2(fd, target) };
    let failure = (ret < 0).then(|| Failure::now(step));
    // SAFETY: `fd` was opened by us and is not used again.
    unsafe { libc::close(fd) };
    failure.map_or(Ok(()), Err)
}

/// Sets up fds 0, 1, 2 in order per the plan.
pub(super) fn setup_stdio(plan: &ChildPlan) -> Result<(), Failure> {
    let per_fd = plan.stdio.iter().zip(plan.stdio_rescued).zip(STDIO_STEPS);
    for (target, ((stdio, rescued), step)) in (0..).zip(per_fd) {
        match stdio {
            StdioPlan::Keep => {
                // A closed inherited fd stays closed.
                clear_cloexec(target);
            }
            StdioPlan::Open { path, flags, mode } => {
                let flags = flags | libc::O_NOCTTY | libc::O_CLOEXEC;
                // SAFETY: `path` is a NUL-terminated string owned by the plan.
                let fd = check(unsafe { libc::open(path.as_ptr(), flags, *mode) }, step)?;
                move_fd(fd, target, step)?;
            }
            StdioPlan::Fd(_) => {
                // systemd drops O_NONBLOCK from a socket connected to stdio; failure is ignored.
                set_nonblock(rescued, false);
                // SAFETY: plain system call; `rescued` ≥ 3 + n + 1 never equals `target`.
                check(unsafe { libc::dup2(rescued, target) }, step)?;
            }
            StdioPlan::Copy(src) => {
                // SAFETY: plain system call; `src` < `target` by construction.
                check(unsafe { libc::dup2(*src, target) }, step)?;
            }
        }
    }
    Ok(())
}

/// Passed fds to 3, 4, … without `FD_CLOEXEC`, `O_NONBLOCK` per the plan; the error pipe to
/// `3 + n`; everything from `3 + n + 1` up closed.
pub(super) fn pack_fds(plan: &ChildPlan, pipe: &mut RawFd) -> Result<(), Failure> {
    let step = ChildStep::Fds;
    let mut target: RawFd = 3;
    for &src in &plan.rescued {
        // SAFETY: plain system call; `src` ≥ 3 + n + 1 never equals `target`.
        check(unsafe { libc::dup2(src, target) }, step)?;
        // dup2() clears FD_CLOEXEC already; be explicit, as the contract promises.
        check(clear_cloexec(target), step)?;
        check(set_nonblock(target, plan.non_blocking), step)?;
        target = target.wrapping_add(1);
    }
    // SAFETY: plain system call; `*pipe` ≥ 3 + n + 1 never equals `target` (= 3 + n).
    *pipe = check(unsafe { libc::dup3(*pipe, target, libc::O_CLOEXEC) }, step)?;
    close_from(plan.rescue_base).map_err(|errno| Failure::with(step, errno))
}

/// Closes every fd ≥ `first`: `close_range()`, or a loop up to `RLIMIT_NOFILE` where it is
/// missing or forbidden (systemd falls back on "not supported" and privilege errors too).
fn close_from(first: RawFd) -> Result<(), i32> {
    let first = libc::c_uint::try_from(first).unwrap_or(libc::c_uint::MAX);
    // SAFETY: close_range takes (first, last, flags) as unsigned ints.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            first,
            libc::c_uint::MAX,
            0 as libc::c_uint,
        )
    };
    if ret == 0 {
        return Ok(());
    }
    let errno = Errno::last_raw();
    if ![libc::ENOSYS, libc::EOPNOTSUPP, libc::EPERM, libc::EACCES].contains(&errno) {
        return Err(errno);
    }
    // SAFETY: an all-zero rlimit is valid storage for getrlimit to fill.
    let mut limit: libc::rlimit = unsafe { std::mem::zeroed() };
    // SAFETY: `limit` is valid, writable storage.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } < 0 {
        return Err(Errno::last_raw());
    }
    let end = libc::c_uint::try_from(limit.rlim_cur).unwrap_or(libc::c_uint::MAX);
    for fd in first..end {
        // SAFETY: closing fds we inherited and no longer need; EBADF is expected and ignored.
        unsafe { libc::close(fd as RawFd) };
    }
    Ok(())
}
