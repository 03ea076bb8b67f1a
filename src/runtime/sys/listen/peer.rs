//! Accepting and naming connections, and flushing ports: systemd 252's `socket_accept_do()`,
//! `instance_from_socket()`, `socket_acquire_peer()`, `getpeername_pretty()`,
//! `sockaddr_pretty()` (`src/core/socket.c`, `src/basic/socket-util.c`), the
//! `REMOTE_ADDR`/`REMOTE_PORT` environment of `service_spawn()` (`src/core/service.c`), and
//! `flush_accept()`/`flush_fd()`.
//!
//! Contract: [`accept_connection`] accepts one connection (`accept4(NONBLOCK|CLOEXEC)`),
//! applies the unit's socket options to it and describes its peer. Errors systemd treats as
//! "try again later" ([`AcceptError::is_spurious`]) must be ignored by the caller. Peer
//! details are read at accept time (systemd reads `REMOTE_*` again at spawn time).

use std::net::{Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::socket::{
    SockFlag, SockaddrLike, SockaddrStorage, accept4, getpeername, getsockname, getsockopt, sockopt,
};

use super::sockopt::apply_socket_options;
use super::{Port, strerror};
use crate::config::exec::cescape_byte;
use crate::config::listen::inet_ntop6;
use crate::config::typed::SocketConfig;

/// An accepted connection and what systemd derives from it.
#[derive(Debug)]
pub struct Connection {
    /// The connection socket (`O_NONBLOCK|O_CLOEXEC`).
    pub fd: OwnedFd,
    /// systemd 252's `instance_from_socket()` text without the leading `NR-`:
    /// `1.2.3.4:80-5.6.7.8:4321`, `::1:80-::1:4321`, `PID-UID` (or `unknown`),
    /// `cid:port-cid:port`.
    pub instance: String,
    /// The `MaxConnectionsPerSource=` key and its printed form: the peer's IP address (IPv4
    /// for v4-mapped peers) or `vsock:CID`. `None` for AF_UNIX, which systemd 252 does not
    /// limit per source.
    pub source: Option<String>,
    /// `$REMOTE_ADDR` for the instance (IP and vsock peers only).
    pub remote_addr: Option<String>,
    /// `$REMOTE_PORT` (a vsock port is 32-bit).
    pub remote_port: Option<u32>,
    /// `getpeername_pretty()`: `1.2.3.4:4321`, `[::1]:4321`, `PID 42/UID 1000`; the instance's
    /// description becomes `"<Description> (<peer>)"`, or just `<peer>` without one.
    pub peer: Option<String>,
    /// Socket-option warnings for the connection, as from [`super::open_ports`].
    pub warnings: Vec<String>,
}

/// Why [`accept_connection`] gave no connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AcceptError {
    /// `ERRNO_IS_ACCEPT_AGAIN`: nothing pending or a transient network error; ignore silently.
    #[error("spurious accept(): {}", strerror(*.0))]
    Spurious(Errno),
    /// The peer went away before it could be named; systemd logs this at debug and ignores it.
    #[error("Got {0:?} on incoming socket, assuming aborted connection attempt, ignoring.")]
    Aborted(Errno),
    /// `accept4()` failed for good (the socket goes to `stop-pre` with `resources`).
    #[error("Failed to accept connection socket: {}", strerror(*.0))]
    Failed(Errno),
    /// Naming the connection failed; systemd then fails the socket with `resources`, logging
    /// this text of `socket_enter_running()`.
    #[error(
        "Failed to queue service startup job (Maybe the service file is missing or not a \
         template unit?): {}",
        strerror(*.0)
    )]
    Peer(Errno),
}

impl AcceptError {
    /// True if the caller should just keep listening (systemd's `-EAGAIN` and aborted peers).
    pub fn is_spurious(&self) -> bool {
        matches!(self, AcceptError::Spurious(_) | AcceptError::Aborted(_))
    }
}

/// `ERRNO_IS_DISCONNECT()`.
fn is_disconnect(e: Errno) -> bool {
    use Errno::*;
    matches!(
        e,
        ECONNABORTED
            | ECONNREFUSED
            | ECONNRESET
            | EHOSTDOWN
            | EHOSTUNREACH
            | ENETDOWN
            | ENETRESET
            | ENETUNREACH
            | ENONET
            | ENOPROTOOPT
            | ENOTCONN
            | EPIPE
            | EPROTO
            | ESHUTDOWN
            | ETIMEDOUT
    )
}

/// `ERRNO_IS_ACCEPT_AGAIN()`.
fn is_accept_again(e: Errno) -> bool {
    is_disconnect(e) || matches!(e, Errno::EAGAIN | Errno::EINTR | Errno::EOPNOTSUPP)
}

/// Accepts one pending connection on an accepting port and applies `cfg`'s socket options to
/// it (`socket_dispatch_io()` for `Accept=yes`). A port that cannot accept gives `Failed`.
pub fn accept_connection(port: &Port, cfg: &SocketConfig) -> Result<Connection, AcceptError> {
    if !port.can_accept {
        return Err(AcceptError::Failed(Errno::EOPNOTSUPP));
    }
    let fd = accept_fd(&port.fd).map_err(|e| {
        if is_accept_again(e) {
            AcceptError::Spurious(e)
        } else {
            AcceptError::Failed(e)
        }
    })?;
    let warnings = apply_socket_options(&fd, &port.listen.address, cfg);
    let peer_error = |e| {
        if is_disconnect(e) {
            AcceptError::Aborted(e)
        } else {
            AcceptError::Peer(e)
        }
    };
    let local: SockaddrStorage = getsockname(fd.as_raw_fd()).map_err(peer_error)?;
    let remote: SockaddrStorage = getpeername(fd.as_raw_fd()).map_err(peer_error)?;
    let instance = instance_text(&fd, &local, &remote).map_err(peer_error)?;
    let named = matches!(
        family(&remote),
        libc::AF_INET | libc::AF_INET6 | libc::AF_VSOCK
    );
    let source = named.then(|| pretty(&remote, false));
    let peer = if family(&remote) == libc::AF_UNIX {
        peer_cred(&fd)
            .ok()
            .map(|(pid, uid)| format!("PID {pid}/UID {uid}"))
    } else {
        Some(pretty(&remote, true))
    };
    Ok(Connection {
        fd,
        instance,
        remote_addr: source.clone(),
        remote_port: named.then(|| port_of(&remote)).flatten(),
        source,
        peer,
        warnings,
    })
}

/// `accept4(fd, NULL, NULL, SOCK_NONBLOCK|SOCK_CLOEXEC)`.
fn accept_fd(listener: &OwnedFd) -> Result<OwnedFd, Errno> {
    let flags = SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC;
    let raw = accept4(listener.as_raw_fd(), flags)?;
    // SAFETY: `accept4()` just returned this descriptor; nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

/// The instance name of connection `nr` (systemd's `n_accepted` before the increment):
/// `PREFIX@NR-INSTANCE.service`.
pub fn instance_name(prefix: &str, nr: u64, c: &Connection) -> String {
    format!("{prefix}@{nr}-{}.service", c.instance)
}

/// The address family of a socket address (`AF_UNSPEC` if unknown).
fn family(sa: &SockaddrStorage) -> libc::c_int {
    sa.family().map_or(libc::AF_UNSPEC, |f| f as libc::c_int)
}

/// The IPv4 address inside a v4-mapped IPv6 address.
fn v4_mapped(a: &Ipv6Addr) -> Option<Ipv4Addr> {
    let o = a.octets();
    (o[..10] == [0; 10] && o[10..12] == [0xff, 0xff])
        .then(|| Ipv4Addr::new(o[12], o[13], o[14], o[15]))
}

/// One end of an IP connection as `instance_from_socket()` prints it (`ADDR:PORT`).
fn inet_end(sa: &SockaddrStorage, mapped: bool) -> Option<String> {
    if let Some(v4) = sa.as_sockaddr_in() {
        return Some(format!("{}:{}", v4.ip(), v4.port()));
    }
    let v6 = sa.as_sockaddr_in6()?;
    Some(match v4_mapped(&v6.ip()).filter(|_| mapped) {
        Some(v4) => format!("{v4}:{}", v6.port()),
        None => format!("{}:{}", inet_ntop6(&v6.ip()), v6.port()),
    })
}

/// `instance_from_socket()` without the `NR-` prefix.
fn instance_text(
    fd: &OwnedFd,
    local: &SockaddrStorage,
    remote: &SockaddrStorage,
) -> Result<String, Errno> {
    match family(local) {
        libc::AF_INET | libc::AF_INET6 => {
            let both_mapped = [local, remote].iter().all(|sa| {
                sa.as_sockaddr_in6()
                    .is_some_and(|a| v4_mapped(&a.ip()).is_some())
            });
            let mapped = family(local) == libc::AF_INET || both_mapped;
            let l = inet_end(local, mapped).ok_or(Errno::EINVAL)?;
            let r = inet_end(remote, mapped).ok_or(Errno::EINVAL)?;
            Ok(format!("{l}-{r}"))
        }
        libc::AF_UNIX => match peer_cred(fd) {
            Ok((pid, uid)) => Ok(format!("{pid}-{uid}")),
            Err(Errno::ENODATA) => Ok("unknown".to_owned()),
            Err(e) => Err(e),
        },
        libc::AF_VSOCK => {
            let (l, r) = (local.as_vsock_addr(), remote.as_vsock_addr());
            let (l, r) = l.zip(r).ok_or(Errno::EINVAL)?;
            Ok(format!("{}:{}-{}:{}", l.cid(), l.port(), r.cid(), r.port()))
        }
        _ => Err(Errno::EAFNOSUPPORT),
    }
}

/// `getpeercred()`: the peer's (pid, uid); `ENODATA` when the pid is hidden (another
/// namespace).
fn peer_cred(fd: &OwnedFd) -> Result<(i32, u32), Errno> {
    let c = getsockopt(fd, sockopt::PeerCredentials)?;
    if c.pid() <= 0 {
        return Err(Errno::ENODATA);
    }
    Ok((c.pid(), c.uid()))
}

/// `sockaddr_pretty(sa, translate_ipv6=true, include_port)` for IP, AF_UNIX and vsock.
fn pretty(sa: &SockaddrStorage, include_port: bool) -> String {
    if let Some(v4) = sa.as_sockaddr_in() {
        return with_port(v4.ip().to_string(), include_port.then_some(v4.port()));
    }
    if let Some(v6) = sa.as_sockaddr_in6() {
        let port = include_port.then_some(v6.port());
        if let Some(v4) = v4_mapped(&v6.ip()) {
            return with_port(v4.to_string(), port);
        }
        let scope = match v6.scope_id() {
            0 => String::new(),
            i => format!("%{}", ifname(i)),
        };
        let ip = inet_ntop6(&v6.ip());
        return match port {
            Some(p) => format!("[{ip}]:{p}{scope}"),
            None => format!("{ip}{scope}"),
        };
    }
    if let Some(vm) = sa.as_vsock_addr() {
        return pretty_vsock(vm.cid(), vm.port(), include_port);
    }
    sa.as_unix_addr().map_or_else(String::new, pretty_unix)
}

/// A vsock address: `vsock:CID:PORT`, `vsock::PORT` for any CID, `vsock:CID` without port.
fn pretty_vsock(cid: u32, port: u32, include_port: bool) -> String {
    match (include_port, cid) {
        (false, cid) => format!("vsock:{cid}"),
        (true, u32::MAX) => format!("vsock::{port}"),
        (true, cid) => format!("vsock:{cid}:{port}"),
    }
}

/// `ADDR` or `ADDR:PORT`.
fn with_port(addr: String, port: Option<u16>) -> String {
    match port {
        Some(p) => format!("{addr}:{p}"),
        None => addr,
    }
}

/// An interface index as `FORMAT_IFNAME_FULL(…, FORMAT_IFNAME_IFINDEX)`: the name, or the
/// number when it has none.
fn ifname(index: u32) -> String {
    nix::net::if_::if_indextoname(index)
        .ok()
        .and_then(|n| n.into_string().ok())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| index.to_string())
}

/// An AF_UNIX address as `sockaddr_pretty()` prints it.
fn pretty_unix(u: &nix::sys::socket::UnixAddr) -> String {
    let escape = |b: &[u8]| b.iter().map(|&c| cescape_byte(c)).collect::<String>();
    if let Some(name) = u.as_abstract() {
        return format!("@{}", escape(name));
    }
    match u.path() {
        Some(p) => escape(p.as_os_str().as_encoded_bytes()),
        None => "<unnamed>".to_owned(),
    }
}

/// `sockaddr_port()`: the port of an IP or vsock address.
fn port_of(sa: &SockaddrStorage) -> Option<u32> {
    if let Some(v4) = sa.as_sockaddr_in() {
        return Some(u32::from(v4.port()));
    }
    if let Some(v6) = sa.as_sockaddr_in6() {
        return Some(u32::from(v6.port()));
    }
    sa.as_vsock_addr().map(|vm| vm.port())
}

/// systemd's `flush_ports()` for one port: accept and close every pending connection
/// (`flush_accept()`), then read and discard pending data (`flush_fd()`). Errors are ignored,
/// as systemd ignores them.
pub fn flush_port(port: &Port) {
    let _ = flush_accept(&port.fd);
    let _ = flush_fd(&port.fd);
}

/// Waits zero time for `POLLIN`.
fn readable(fd: &OwnedFd) -> Result<bool, Errno> {
    let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
    Ok(poll(&mut fds, PollTimeout::ZERO)? > 0)
}

/// `flush_accept()`: only on listening sockets (`ENOTTY` otherwise), at most 1024 rounds.
fn flush_accept(fd: &OwnedFd) -> Result<(), Errno> {
    if !getsockopt(fd, sockopt::AcceptConn)? {
        return Err(Errno::ENOTTY);
    }
    for iteration in 0.. {
        match readable(fd) {
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
            Ok(false) => return Ok(()),
            Ok(true) if iteration >= 1024 => return Err(Errno::EBUSY),
            Ok(true) => {}
        }
        match accept_fd(fd) {
            Ok(conn) => drop(conn),
            Err(Errno::EAGAIN) => return Ok(()),
            Err(e) if is_accept_again(e) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// `flush_fd()`: reads and discards while `POLLIN` is set; returns the bytes discarded.
fn flush_fd(fd: &OwnedFd) -> Result<usize, Errno> {
    let mut count = 0;
    let mut buf = [0u8; 2048];
    loop {
        match readable(fd) {
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
            Ok(false) => return Ok(count),
            Ok(true) => {}
        }
        match nix::unistd::read(fd, &mut buf) {
            Err(Errno::EINTR) => continue,
            Err(Errno::EAGAIN) | Ok(0) => return Ok(count),
            Err(e) => return Err(e),
            Ok(n) => count += n,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::{SocketAddrV4, SocketAddrV6};

    use nix::sys::socket::UnixAddr;

    use super::*;

    #[test]
    fn pretty_addresses_as_sockaddr_pretty() {
        let v4 = SockaddrStorage::from(SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), 80));
        assert_eq!(
            (pretty(&v4, true), pretty(&v4, false)),
            ("10.0.0.1:80".into(), "10.0.0.1".into())
        );
        let mapped: Ipv6Addr = "::ffff:10.0.0.1".parse().unwrap();
        let v6 = SockaddrStorage::from(SocketAddrV6::new(mapped, 80, 0, 0));
        assert_eq!(pretty(&v6, true), "10.0.0.1:80");
        let ll: Ipv6Addr = "fe80::1".parse().unwrap();
        let scoped = SockaddrStorage::from(SocketAddrV6::new(ll, 80, 0, 999_999));
        assert_eq!(pretty(&scoped, true), "[fe80::1]:80%999999");
        assert_eq!(pretty(&scoped, false), "fe80::1%999999");
    }

    #[test]
    fn pretty_vsock_and_unix() {
        assert_eq!(pretty_vsock(3, 5, true), "vsock:3:5");
        assert_eq!(pretty_vsock(u32::MAX, 5, true), "vsock::5");
        assert_eq!(pretty_vsock(3, 5, false), "vsock:3");
        let abs = UnixAddr::new_abstract(b"a\nb").unwrap();
        assert_eq!(pretty_unix(&abs), "@a\\nb");
        assert_eq!(
            pretty_unix(&UnixAddr::new("/run/x\tz").unwrap()),
            "/run/x\\tz"
        );
        assert_eq!(pretty_unix(&UnixAddr::new_unnamed()), "<unnamed>");
    }

    #[test]
    fn accept_again_errors() {
        for e in [
            Errno::EAGAIN,
            Errno::EINTR,
            Errno::ECONNABORTED,
            Errno::EOPNOTSUPP,
        ] {
            assert!(is_accept_again(e), "{e}");
        }
        for e in [Errno::EMFILE, Errno::EBADF, Errno::EINVAL] {
            assert!(!is_accept_again(e), "{e}");
        }
        assert!(AcceptError::Aborted(Errno::ENOTCONN).is_spurious());
        assert!(!AcceptError::Failed(Errno::EMFILE).is_spurious());
        let text = AcceptError::Aborted(Errno::ENOTCONN).to_string();
        assert_eq!(
            text,
            "Got ENOTCONN on incoming socket, assuming aborted connection attempt, ignoring."
        );
        let text = AcceptError::Failed(Errno::EMFILE).to_string();
        assert_eq!(
            text,
            "Failed to accept connection socket: Too many open files"
        );
    }
}
