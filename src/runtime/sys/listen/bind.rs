//! Creating one listening socket: systemd 252's `socket_address_listen()`
//! (`src/shared/socket-label.c`) as `socket_open_fds()` calls it.
//!
//! Contract: [`listen_socket`] returns a bound (and, for stream/seqpacket, listening)
//! `SOCK_CLOEXEC|SOCK_NONBLOCK` socket, or the errno systemd would report. In order:
//! `socket()`; `IPV6_V6ONLY` unless `BindIPv6Only=default`; for IP, `BindToDevice=` (fatal)
//! and `ReusePort=`/`FreeBind=`/`Transparent=` (warnings); `SO_REUSEADDR` (fatal); `bind()`
//! (an AF_UNIX path gets its parent directories, is bound under `umask(~SocketMode)`, and a
//! node already at the path is unlinked on `EADDRINUSE` and the bind retried); `listen()`; a
//! timestamp touch of the AF_UNIX node.
//!
//! `socket()` and `listen()` are libc calls: nix's take only the protocols it names and cap
//! the backlog at `SOMAXCONN`, while systemd passes any protocol and `Backlog=` up to
//! `INT_MAX` (the kernel caps it at `net.core.somaxconn`).

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use nix::errno::Errno;
use nix::sys::socket::{
    NetlinkAddr, SockaddrIn, SockaddrIn6, SockaddrLike, UnixAddr, VsockAddr, bind, setsockopt,
    sockopt,
};
use nix::sys::stat::{UtimensatFlags, utimensat};
use nix::sys::time::TimeSpec;

use super::{nodes, sockopt as opts};
use crate::config::listen::{Address, Listen, ListenKind};
use crate::config::typed::SocketConfig;

/// What `socket()` is called with.
struct Spec {
    family: libc::c_int,
    ty: libc::c_int,
    protocol: libc::c_int,
}

/// The address family of a listen address (`AF_UNSPEC` for paths, which are not sockets).
pub(super) fn family(address: &Address) -> libc::c_int {
    match address {
        Address::Inet(_) => libc::AF_INET,
        Address::Inet6 { .. } => libc::AF_INET6,
        Address::Unix(_) | Address::Abstract(_) => libc::AF_UNIX,
        Address::Vsock { .. } => libc::AF_VSOCK,
        Address::Netlink { .. } => libc::AF_NETLINK,
        Address::Path(_) => libc::AF_UNSPEC,
    }
}

/// Family, type and protocol for a `Listen*=`, with `SocketProtocol=` applied as
/// `socket_open_fds()` does (sctp for stream/seqpacket, udplite for datagram), and
/// `socket_address_verify()`'s type checks.
fn spec(l: &Listen, cfg: &SocketConfig) -> Result<Spec, Errno> {
    let family = family(&l.address);
    let proto = cfg.socket_protocol.unwrap_or(0);
    let (ty, protocol) = match (l.kind, &l.address) {
        (ListenKind::Netlink, Address::Netlink { protocol, .. }) => {
            let p = libc::c_int::try_from(*protocol).map_err(|_| Errno::EINVAL)?;
            (libc::SOCK_RAW, p)
        }
        (ListenKind::Stream, _) => (libc::SOCK_STREAM, pick(proto, libc::IPPROTO_SCTP)),
        (ListenKind::SequentialPacket, _) => {
            (libc::SOCK_SEQPACKET, pick(proto, libc::IPPROTO_SCTP))
        }
        (ListenKind::Datagram, _) => (libc::SOCK_DGRAM, pick(proto, libc::IPPROTO_UDPLITE)),
        _ => return Err(Errno::EINVAL),
    };
    let seqpacket_ok = family == libc::AF_UNIX;
    if family == libc::AF_UNSPEC || (ty == libc::SOCK_SEQPACKET && !seqpacket_ok) {
        return Err(Errno::EINVAL);
    }
    Ok(Spec {
        family,
        ty,
        protocol,
    })
}

/// `SocketProtocol=` if it is the one protocol that applies to this socket type, else 0.
fn pick(configured: i64, applies: libc::c_int) -> libc::c_int {
    if configured == i64::from(applies) {
        applies
    } else {
        0
    }
}

/// `socket_ipv6_is_supported()`: `/proc/net/if_inet6` exists.
fn ipv6_supported() -> bool {
    std::path::Path::new("/proc/net/if_inet6").exists()
}

/// `socket_address_listen()` for one port; option warnings are appended to `warnings`.
pub(super) fn listen_socket(
    l: &Listen,
    cfg: &SocketConfig,
    warnings: &mut Vec<String>,
) -> Result<OwnedFd, Errno> {
    let spec = spec(l, cfg)?;
    if spec.family == libc::AF_INET6 && !ipv6_supported() {
        return Err(Errno::EAFNOSUPPORT);
    }
    let fd = new_socket(&spec)?;
    if spec.family == libc::AF_INET6 && cfg.bind_ipv6_only != "default" {
        let only = cfg.bind_ipv6_only == "ipv6-only";
        setsockopt(&fd, sockopt::Ipv6V6Only, &only)?;
    }
    if matches!(spec.family, libc::AF_INET | libc::AF_INET6) {
        opts::apply_pre_bind_options(&fd, spec.family, cfg, warnings)?;
    }
    setsockopt(&fd, sockopt::ReuseAddr, &true)?;
    bind_address(&fd, &l.address, cfg)?;
    if matches!(spec.ty, libc::SOCK_STREAM | libc::SOCK_SEQPACKET) {
        let backlog = libc::c_int::try_from(cfg.backlog).unwrap_or(libc::c_int::MAX);
        // SAFETY: plain syscall on a socket we own; no pointers.
        Errno::result(unsafe { libc::listen(fd.as_raw_fd(), backlog) })?;
    }
    if let Address::Unix(path) = &l.address {
        let now = TimeSpec::UTIME_NOW;
        let _ = utimensat(
            nix::fcntl::AT_FDCWD,
            path.as_str(),
            &now,
            &now,
            UtimensatFlags::NoFollowSymlink,
        );
    }
    Ok(fd)
}

/// `socket(family, type|SOCK_CLOEXEC|SOCK_NONBLOCK, protocol)`.
fn new_socket(spec: &Spec) -> Result<OwnedFd, Errno> {
    let ty = spec.ty | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK;
    // SAFETY: plain syscall with integer arguments.
    let raw = Errno::result(unsafe { libc::socket(spec.family, ty, spec.protocol) })?;
    // SAFETY: `socket()` just returned this descriptor; nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

/// Binds `fd` to the address.
fn bind_address(fd: &OwnedFd, address: &Address, cfg: &SocketConfig) -> Result<(), Errno> {
    let raw = fd.as_raw_fd();
    match address {
        Address::Inet(a) => bind(raw, &SockaddrIn::from(*a)),
        Address::Inet6 { addr, .. } => bind(raw, &SockaddrIn6::from(*addr)),
        Address::Abstract(name) => bind(raw, &UnixAddr::new_abstract(name.as_bytes())?),
        Address::Unix(path) => bind_unix_path(fd, path, cfg),
        Address::Vsock { cid, port } => bind(raw, &VsockAddr::new(*cid, *port)),
        Address::Netlink { group, .. } => bind(raw, &NetlinkAddr::new(0, *group)),
        Address::Path(_) => Err(Errno::EINVAL),
    }
}

/// Binds to a file-system path: parents with `DirectoryMode=`, the node with exactly
/// `SocketMode=` (umask `~mode`), replacing whatever is at the path on `EADDRINUSE`.
fn bind_unix_path(fd: &OwnedFd, path: &str, cfg: &SocketConfig) -> Result<(), Errno> {
    let addr = UnixAddr::new(path)?;
    let bind_once = |a: &dyn SockaddrLike| bind(fd.as_raw_fd(), a);
    nodes::create_under_umask(
        Some((path, cfg.directory_mode)),
        |_| !nodes::mode(cfg.socket_mode),
        |_| match bind_once(&addr) {
            Err(Errno::EADDRINUSE) => {
                if std::fs::remove_file(path).is_err() {
                    return Err(Errno::EADDRINUSE);
                }
                bind_once(&addr)
            }
            r => r,
        },
    )
}
