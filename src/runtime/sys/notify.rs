//! The `$NOTIFY_SOCKET` the runtime owns (systemd 252 `manager_setup_notify()` and the receive
//! half of `manager_dispatch_notify_fd()`).
//!
//! # Contract
//!
//! - [`NotifySocket::bind`] creates an `AF_UNIX` `SOCK_DGRAM` socket (`SOCK_CLOEXEC |
//!   SOCK_NONBLOCK`) at the path the caller chooses (parents created with mode 0755, a stale
//!   node replaced), with `SO_PASSCRED` on, so the kernel attaches the sender's pid, uid and gid
//!   to every datagram, and an 8 MiB receive buffer where allowed. The node is removed when the
//!   socket is dropped. Errors carry systemd's messages.
//! - [`NotifySocket::recv`] reads one datagram without blocking, closes every fd passed with it
//!   (the runtime keeps no fd store) and applies systemd's checks with its warnings: no
//!   credentials, larger than `PIPE_BUF` (4096) bytes, embedded NUL bytes.
//! - The payload is not interpreted here: [`crate::runtime::notify_msg`] does that.
//! - Register [`NotifySocket::as_fd`] for `EPOLLIN` and call [`NotifySocket::recv`] until it
//!   returns [`Received::Empty`]. systemd handles notifications before `SIGCHLD`, so that the
//!   last words of a dying process are still attributed to its unit; do the same.
//!
//! Control data truncated by the kernel (`MSG_CTRUNC`; cannot happen with credentials plus at
//! most `SCM_MAX_FD` fds, for which space is reserved) is reported with systemd's warning; fds
//! in such a message could not be closed.

use std::io::IoSliceMut;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::sys::socket::{
    AddressFamily, ControlMessageOwned, MsgFlags, SockFlag, SockType, UnixAddr, UnixCredentials,
    bind, recvmsg, setsockopt, socket, sockopt,
};

/// systemd's `NOTIFY_BUFFER_MAX` (`PIPE_BUF`).
pub const NOTIFY_BUFFER_MAX: usize = 4096;
/// systemd's `NOTIFY_FD_MAX`: fds one message may carry.
const NOTIFY_FD_MAX: usize = 768;
/// systemd's `NOTIFY_RCVBUF_SIZE`.
const NOTIFY_RCVBUF_SIZE: usize = 8 * 1024 * 1024;

/// One accepted datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datagram {
    /// Sender pid (from `SCM_CREDENTIALS`).
    pub pid: i32,
    /// Sender uid (`MAINPID=` from uid 0 may name a process outside the unit).
    pub uid: u32,
    /// Sender gid.
    pub gid: u32,
    /// The payload (at most one trailing NUL byte, no other NUL).
    pub data: Vec<u8>,
    /// How many fds came with it (already closed).
    pub n_fds: usize,
}

/// What one [`NotifySocket::recv`] call found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// A datagram that passed the checks.
    Message(Datagram),
    /// A datagram systemd ignores, with its warning (passed fds are closed).
    Rejected {
        /// systemd's warning.
        warning: &'static str,
        /// How many fds came with it.
        n_fds: usize,
    },
    /// Nothing queued.
    Empty,
}

/// The bound notification socket.
#[derive(Debug)]
pub struct NotifySocket {
    fd: OwnedFd,
    path: PathBuf,
}

fn with_errno(what: &str, e: Errno) -> String {
    format!("{what}: {}", e.desc())
}

/// `fd_increase_rxbuf()`: `SO_RCVBUF`, then `SO_RCVBUFFORCE` if that was not enough. Best effort.
fn increase_rxbuf(fd: &OwnedFd, size: usize) {
    let have = nix::sys::socket::getsockopt(fd, sockopt::RcvBuf).unwrap_or(0);
    // The kernel reports twice the value set.
    if have >= size * 2 {
        return;
    }
    let _ = setsockopt(fd, sockopt::RcvBuf, &size);
    let now = nix::sys::socket::getsockopt(fd, sockopt::RcvBuf).unwrap_or(0);
    if now < size * 2 {
        let _ = setsockopt(fd, sockopt::RcvBufForce, &size);
    }
}

impl NotifySocket {
    /// Binds the socket at `path` (see the module docs). Errors are systemd's texts:
    /// `Failed to allocate notification socket: %m`, `Notify socket 'P' not valid for AF_UNIX
    /// socket address, refusing.`, `bind(P) failed: %m`, `SO_PASSCRED failed: %m`.
    pub fn bind(path: impl AsRef<Path>) -> Result<NotifySocket, String> {
        let path = path.as_ref().to_path_buf();
        let shown = path.display();
        let fd = socket(
            AddressFamily::Unix,
            SockType::Datagram,
            SockFlag::SOCK_CLOEXEC | SockFlag::SOCK_NONBLOCK,
            None,
        )
        .map_err(|e| with_errno("Failed to allocate notification socket", e))?;
        increase_rxbuf(&fd, NOTIFY_RCVBUF_SIZE);
        let addr = UnixAddr::new(&path).map_err(|_| {
            format!("Notify socket '{shown}' not valid for AF_UNIX socket address, refusing.")
        })?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o755)
                .create(dir);
        }
        let _ = std::fs::remove_file(&path);
        bind(fd.as_raw_fd(), &addr).map_err(|e| with_errno(&format!("bind({shown}) failed"), e))?;
        setsockopt(&fd, sockopt::PassCred, &true)
            .map_err(|e| with_errno("SO_PASSCRED failed", e))?;
        Ok(NotifySocket { fd, path })
    }

    /// The path to put in `$NOTIFY_SOCKET`.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads one datagram (see the module docs). `Err` is a real receive error, for systemd's
    /// `Failed to receive notification message: %m`.
    pub fn recv(&self) -> Result<Received, Errno> {
        let mut buf = vec![0u8; NOTIFY_BUFFER_MAX + 1];
        let mut cmsg = nix::cmsg_space!(UnixCredentials, [RawFd; NOTIFY_FD_MAX]);
        let flags = MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_CMSG_CLOEXEC | MsgFlags::MSG_TRUNC;
        let (n, msg_flags, creds, n_fds, truncated) = {
            let mut iov = [IoSliceMut::new(&mut buf)];
            let msg = match recvmsg::<()>(self.fd.as_raw_fd(), &mut iov, Some(&mut cmsg), flags) {
                Ok(m) => m,
                Err(Errno::EAGAIN | Errno::EINTR) => return Ok(Received::Empty),
                Err(e) => return Err(e),
            };
            let (mut creds, mut n_fds, mut truncated) = (None, 0, false);
            match msg.cmsgs() {
                Ok(cmsgs) => {
                    for c in cmsgs {
                        match c {
                            ControlMessageOwned::ScmRights(fds) => {
                                n_fds += fds.len();
                                for fd in fds {
                                    let _ = nix::unistd::close(fd);
                                }
                            }
                            ControlMessageOwned::ScmCredentials(c) => creds = Some(c),
                            _ => {}
                        }
                    }
                }
                Err(_) => truncated = true,
            }
            (msg.bytes, msg.flags, creds, n_fds, truncated)
        };
        let reject = |warning: &'static str| Ok(Received::Rejected { warning, n_fds });
        if truncated {
            return reject(
                "Got message with truncated control data (too many fds sent?), ignoring.",
            );
        }
        let Some(creds) = creds.filter(|c| c.pid() > 0) else {
            return reject("Received notify message without valid credentials. Ignoring.");
        };
        if n >= buf.len() || msg_flags.contains(MsgFlags::MSG_TRUNC) {
            return reject("Received notify message exceeded maximum size. Ignoring.");
        }
        if n > 1 && buf[..n - 1].contains(&0) {
            return reject("Received notify message with embedded NUL bytes. Ignoring.");
        }
        buf.truncate(n);
        Ok(Received::Message(Datagram {
            pid: creds.pid(),
            uid: creds.uid(),
            gid: creds.gid(),
            data: buf,
            n_fds,
        }))
    }

    /// The next datagram that passes the checks, as (sender pid, payload); rejected ones are
    /// skipped silently. `None` when nothing is queued or on a receive error. Use
    /// [`NotifySocket::recv`] to log systemd's warnings.
    pub fn receive(&self) -> Option<(i32, Vec<u8>)> {
        loop {
            match self.recv() {
                Ok(Received::Message(d)) => return Some((d.pid, d.data)),
                Ok(Received::Rejected { .. }) => continue,
                Ok(Received::Empty) | Err(_) => return None,
            }
        }
    }
}

impl AsFd for NotifySocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for NotifySocket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl Drop for NotifySocket {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
#[path = "notify_tests.rs"]
mod tests;
