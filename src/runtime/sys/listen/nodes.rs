//! File-system nodes and non-socket ports: parent directories, umask windows, FIFOs, special
//! files, POSIX message queues, the USB FunctionFS `ep0` and symlinks (systemd 252
//! `fifo_address_create()`, `special_address_create()`, `mq_address_create()`,
//! `usbffs_address_create()`, `mkdir_parents()`, `symlink_idempotent()`).
//!
//! Contract: every fd is opened `O_CLOEXEC|O_NONBLOCK`; errors are the errno systemd would
//! return (`EEXIST` for a node of the wrong kind, mode or owner). Every umask change goes
//! through [`create_under_umask`], which holds one process-wide lock so two threads of this
//! module never interleave their save/restore.

use std::ffi::CString;
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::fs::DirBuilderExt;
use std::sync::{Mutex, PoisonError};

use nix::errno::Errno;
use nix::fcntl::{OFlag, open};
use nix::sys::stat::{FileStat, Mode, SFlag, fstat, umask};
use nix::unistd::{getgid, getuid, mkfifo};

/// Serializes umask windows (the umask is per process, not per thread).
static UMASK_LOCK: Mutex<()> = Mutex::new(());

/// Flags systemd opens FIFOs, special files and USB endpoints with, besides the access mode.
fn open_flags() -> OFlag {
    OFlag::O_CLOEXEC | OFlag::O_NOCTTY | OFlag::O_NONBLOCK | OFlag::O_NOFOLLOW
}

/// A permission mode as a [`Mode`] (bits outside 07777 dropped).
pub(super) fn mode(bits: u32) -> Mode {
    Mode::from_bits_truncate(bits & 0o7777)
}

/// `mkdir_parents()`: creates the missing directories above `path` with `dir_mode` (under the
/// process umask, outside any window of ours). Callers ignore the result, as systemd does.
pub(super) fn mkdir_parents(path: &str, dir_mode: u32) -> std::io::Result<()> {
    let _guard = UMASK_LOCK.lock().unwrap_or_else(PoisonError::into_inner);
    mkdir_parents_unlocked(path, dir_mode)
}

/// [`mkdir_parents`] for a caller holding the umask lock.
fn mkdir_parents_unlocked(path: &str, dir_mode: u32) -> std::io::Result<()> {
    let Some(parent) = std::path::Path::new(path).parent() else {
        return Ok(());
    };
    if parent.as_os_str().is_empty() || parent.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(dir_mode & 0o7777)
        .create(parent)
}

/// Under the umask lock: creates `parents` (path, directory mode) if given, sets the umask to
/// `mask(old)`, runs `create(old)` and restores the old umask.
pub(super) fn create_under_umask<T>(
    parents: Option<(&str, u32)>,
    mask: impl FnOnce(Mode) -> Mode,
    create: impl FnOnce(Mode) -> T,
) -> T {
    let _guard = UMASK_LOCK.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((path, dir_mode)) = parents {
        let _ = mkdir_parents_unlocked(path, dir_mode);
    }
    let old = umask(Mode::from_bits_truncate(0o077));
    umask(mask(old));
    let r = create(old);
    umask(old);
    r
}

/// The umask systemd uses to create a node with exactly `socket_mode`, still honouring the
/// process umask (`~mode | old`).
fn combined_mask(socket_mode: u32) -> impl FnOnce(Mode) -> Mode {
    move |old| !mode(socket_mode) | old
}

/// True if the node is not what we create: wrong mode (after the umask) or owner.
fn foreign(st: &FileStat, socket_mode: u32, old_umask: Mode) -> bool {
    let want = mode(socket_mode) & !old_umask;
    (st.st_mode & 0o777) != (want.bits() & 0o777)
        || st.st_uid != getuid().as_raw()
        || st.st_gid != getgid().as_raw()
}

/// `fifo_address_create()`: `mkfifo` (an existing node is reused), open read-write, and refuse
/// anything that is not a FIFO of ours with the expected mode.
pub(super) fn open_fifo(path: &str, dir_mode: u32, socket_mode: u32) -> Result<OwnedFd, Errno> {
    let (made, old) =
        create_under_umask(Some((path, dir_mode)), combined_mask(socket_mode), |old| {
            (mkfifo(path, mode(socket_mode)), old)
        });
    match made {
        Err(e) if e != Errno::EEXIST => return Err(e),
        _ => {}
    }
    let fd = open(path, OFlag::O_RDWR | open_flags(), Mode::empty())?;
    let st = fstat(&fd)?;
    if !is_kind(&st, SFlag::S_IFIFO) || foreign(&st, socket_mode, old) {
        return Err(Errno::EEXIST);
    }
    Ok(fd)
}

/// True if the node's type is `kind`.
fn is_kind(st: &FileStat, kind: SFlag) -> bool {
    st.st_mode & SFlag::S_IFMT.bits() == kind.bits()
}

/// `special_address_create()`: open read-only (read-write with `Writable=`); only regular files
/// and character devices qualify.
pub(super) fn open_special(path: &str, writable: bool) -> Result<OwnedFd, Errno> {
    let access = if writable {
        OFlag::O_RDWR
    } else {
        OFlag::O_RDONLY
    };
    let fd = open(path, access | open_flags(), Mode::empty())?;
    let st = fstat(&fd)?;
    if !is_kind(&st, SFlag::S_IFREG) && !is_kind(&st, SFlag::S_IFCHR) {
        return Err(Errno::EEXIST);
    }
    Ok(fd)
}

/// `usbffs_address_create()` for `ep0`: open read-write; it must be a regular file.
pub(super) fn open_usb_endpoint(path: &str) -> Result<OwnedFd, Errno> {
    let fd = open(path, OFlag::O_RDWR | open_flags(), Mode::empty())?;
    if !is_kind(&fstat(&fd)?, SFlag::S_IFREG) {
        return Err(Errno::EEXIST);
    }
    Ok(fd)
}

/// `mq_address_create()`: `mq_open(O_RDONLY|O_CREAT)` with `SocketMode=`, and the queue
/// attributes when both sizes are set; an existing queue must have our mode and owner.
///
/// libc's `mq_open` is called directly: nix's passes no mode when there are no attributes.
pub(super) fn open_mqueue(
    path: &str,
    socket_mode: u32,
    max_messages: i64,
    message_size: i64,
) -> Result<OwnedFd, Errno> {
    let name = CString::new(path).map_err(|_| Errno::EINVAL)?;
    let attr = (max_messages > 0 && message_size > 0).then(|| {
        // SAFETY: `mq_attr` is plain integers (and padding); all-zero is a valid value.
        let mut a: libc::mq_attr = unsafe { std::mem::zeroed() };
        a.mq_flags = libc::c_long::from(libc::O_NONBLOCK);
        a.mq_maxmsg = max_messages as libc::c_long;
        a.mq_msgsize = message_size as libc::c_long;
        a
    });
    let attr_ptr = attr
        .as_ref()
        .map_or(std::ptr::null(), |a| a as *const libc::mq_attr);
    let flags = libc::O_RDONLY | libc::O_CLOEXEC | libc::O_NONBLOCK | libc::O_CREAT;
    let (raw, old) = create_under_umask(None, combined_mask(socket_mode), |old| {
        // SAFETY: `name` is a valid C string, `attr_ptr` is null or points at `attr`, which
        // outlives the call; with O_CREAT mq_open reads exactly these two extra arguments.
        let raw = unsafe { libc::mq_open(name.as_ptr(), flags, socket_mode & 0o7777, attr_ptr) };
        (raw, old)
    });
    if raw < 0 {
        return Err(Errno::last());
    }
    // SAFETY: on Linux a message queue descriptor is a file descriptor, just returned to us
    // and owned by nothing else.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    if foreign(&fstat(&fd)?, socket_mode, old) {
        return Err(Errno::EEXIST);
    }
    Ok(fd)
}

/// `symlink_idempotent()`: creates `link` → `target`; an existing symlink with that target is
/// fine, anything else at `link` is `EEXIST`.
pub(super) fn symlink_idempotent(target: &str, link: &str) -> Result<(), Errno> {
    let err = match std::os::unix::fs::symlink(target, link) {
        Ok(()) => return Ok(()),
        Err(e) => e,
    };
    let errno = Errno::from_raw(err.raw_os_error().unwrap_or(libc::EIO));
    if errno != Errno::EEXIST {
        return Err(errno);
    }
    match std::fs::read_link(link) {
        Ok(t) if t.as_os_str() == target => Ok(()),
        Ok(_) => Err(Errno::EEXIST),
        Err(e) if e.raw_os_error() == Some(libc::EINVAL) => Err(Errno::EEXIST),
        Err(e) => Err(Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO))),
    }
}
