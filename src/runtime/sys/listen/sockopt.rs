//! Socket and FIFO options: systemd 252's `socket_apply_socket_options()`,
//! `socket_apply_fifo_options()` (`src/core/socket.c`), the pre-bind options of
//! `socket_address_listen()`, and `fd_set_rcvbuf()`/`fd_set_sndbuf()`.
//!
//! Contract: each option is set only when configured; a failure is not an error but one
//! warning text in systemd's wording (`SO_KEEPALIVE failed: Operation not permitted`), in
//! systemd's order. Values are passed as C `int`s, converted as systemd's implicit C
//! conversions do. The same options are applied to listening sockets and, for `Accept=yes`,
//! to each accepted connection.
//!
//! nix's typed options are used for the boolean, buffer and string options; [`set_int`]
//! (libc `setsockopt`, systemd's `setsockopt_int()`) sets the `int` ones: those nix lacks
//! (`SO_PASSSEC`, `TCP_DEFER_ACCEPT`, `IPV6_FREEBIND`, `IPV6_TRANSPARENT`, `SCTP_NODELAY`,
//! `NETLINK_PKTINFO`), those nix types as unsigned (keep-alive, `SO_MARK`), and the IPv4/IPv6
//! pairs chosen by family (`IP_TTL`/`IPV6_UNICAST_HOPS`, free-bind, transparent).

use std::ffi::OsString;
use std::os::fd::{AsRawFd, OwnedFd};

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, fcntl};
use nix::sys::socket::{getsockopt, setsockopt, sockopt};

use super::bind::family;
use super::strerror;
use crate::config::listen::Address;
use crate::config::typed::SocketConfig;

/// Collects systemd's `TEXT failed: %m` warnings.
struct Warnings<'a>(&'a mut Vec<String>);

impl Warnings<'_> {
    /// Records `r`'s error, if any, as `"{what}: {strerror}"`.
    fn check(&mut self, what: &str, r: Result<(), Errno>) {
        if let Err(e) = r {
            self.0.push(format!("{what}: {}", strerror(e)));
        }
    }
}

/// systemd's `setsockopt_int()`.
fn set_int(
    fd: &OwnedFd,
    level: libc::c_int,
    name: libc::c_int,
    value: libc::c_int,
) -> Result<(), Errno> {
    let len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    let ptr = (&value as *const libc::c_int).cast::<libc::c_void>();
    // SAFETY: `ptr` points at a live c_int of `len` bytes for the duration of the call.
    Errno::result(unsafe { libc::setsockopt(fd.as_raw_fd(), level, name, ptr, len) }).map(drop)
}

/// A µs setting as whole seconds, converted to `int` as C does.
fn secs(usec: u64) -> libc::c_int {
    (usec / 1_000_000) as libc::c_int
}

/// `socket_set_option()`: the IPv4 or IPv6 variant by family; other families are
/// `EAFNOSUPPORT`.
fn set_ip_option(
    fd: &OwnedFd,
    family: libc::c_int,
    v4: libc::c_int,
    v6: libc::c_int,
    value: libc::c_int,
) -> Result<(), Errno> {
    match family {
        libc::AF_INET => set_int(fd, libc::IPPROTO_IP, v4, value),
        libc::AF_INET6 => set_int(fd, libc::IPPROTO_IPV6, v6, value),
        _ => Err(Errno::EAFNOSUPPORT),
    }
}

/// The IP options `socket_address_listen()` sets before `bind()`. `BindToDevice=` failing is
/// an error; `ReusePort=`, `FreeBind=`, `Transparent=` failing are warnings.
pub(super) fn apply_pre_bind_options(
    fd: &OwnedFd,
    family: libc::c_int,
    cfg: &SocketConfig,
    warnings: &mut Vec<String>,
) -> Result<(), Errno> {
    if let Some(dev) = &cfg.bind_to_device {
        setsockopt(fd, sockopt::BindToDevice, &OsString::from(dev))?;
    }
    let mut w = Warnings(warnings);
    if cfg.reuse_port {
        w.check(
            "SO_REUSEPORT failed",
            setsockopt(fd, sockopt::ReusePort, &true),
        );
    }
    if cfg.free_bind {
        let r = set_ip_option(fd, family, libc::IP_FREEBIND, libc::IPV6_FREEBIND, 1);
        w.check("IP_FREEBIND/IPV6_FREEBIND failed", r);
    }
    if cfg.transparent {
        let r = set_ip_option(fd, family, libc::IP_TRANSPARENT, libc::IPV6_TRANSPARENT, 1);
        w.check("IP_TRANSPARENT/IPV6_TRANSPARENT failed", r);
    }
    Ok(())
}

/// `socket_apply_socket_options()`: every configured option on a listening or connection
/// socket of a port with `address`; returns the warnings.
pub(super) fn apply_socket_options(
    fd: &OwnedFd,
    address: &Address,
    cfg: &SocketConfig,
) -> Vec<String> {
    let mut warnings = Vec::new();
    let mut w = Warnings(&mut warnings);
    tcp_options(fd, cfg, &mut w);
    socket_options(fd, family(address), cfg, &mut w);
    ip_options(fd, family(address), cfg, &mut w);
    warnings
}

/// Keep-alive, `DeferAcceptSec=`, `NoDelay=` (SCTP's with `SocketProtocol=sctp`).
fn tcp_options(fd: &OwnedFd, cfg: &SocketConfig, w: &mut Warnings<'_>) {
    let tcp = libc::IPPROTO_TCP;
    if cfg.keep_alive {
        w.check(
            "SO_KEEPALIVE failed",
            setsockopt(fd, sockopt::KeepAlive, &true),
        );
    }
    let timed = [
        (
            cfg.keep_alive_time_usec,
            libc::TCP_KEEPIDLE,
            "TCP_KEEPIDLE failed",
        ),
        (
            cfg.keep_alive_interval_usec,
            libc::TCP_KEEPINTVL,
            "TCP_KEEPINTVL failed",
        ),
    ];
    for (usec, name, what) in timed {
        if usec > 0 {
            w.check(what, set_int(fd, tcp, name, secs(usec)));
        }
    }
    if cfg.keep_alive_probes > 0 {
        let n = cfg.keep_alive_probes as libc::c_int;
        w.check("TCP_KEEPCNT failed", set_int(fd, tcp, libc::TCP_KEEPCNT, n));
    }
    if cfg.defer_accept_usec > 0 {
        let s = secs(cfg.defer_accept_usec);
        w.check(
            "TCP_DEFER_ACCEPT failed",
            set_int(fd, tcp, libc::TCP_DEFER_ACCEPT, s),
        );
    }
    if cfg.no_delay {
        if cfg.socket_protocol == Some(i64::from(libc::IPPROTO_SCTP)) {
            // SOL_SCTP is IPPROTO_SCTP.
            let r = set_int(fd, libc::IPPROTO_SCTP, libc::SCTP_NODELAY, 1);
            w.check("SCTP_NODELAY failed", r);
        } else {
            w.check(
                "TCP_NODELAY failed",
                setsockopt(fd, sockopt::TcpNoDelay, &true),
            );
        }
    }
}

/// `SOL_SOCKET` options: broadcast, credentials, security, packet info, timestamps,
/// priority, buffers, mark.
fn socket_options(fd: &OwnedFd, family: libc::c_int, cfg: &SocketConfig, w: &mut Warnings<'_>) {
    let sol = libc::SOL_SOCKET;
    if cfg.broadcast {
        w.check(
            "SO_BROADCAST failed",
            setsockopt(fd, sockopt::Broadcast, &true),
        );
    }
    if cfg.pass_credentials {
        w.check(
            "SO_PASSCRED failed",
            setsockopt(fd, sockopt::PassCred, &true),
        );
    }
    if cfg.pass_security {
        w.check("SO_PASSSEC failed", set_int(fd, sol, libc::SO_PASSSEC, 1));
    }
    if cfg.pass_packet_info {
        let what = "Failed to enable packet info socket option";
        w.check(what, set_recv_pktinfo(fd, family));
    }
    if cfg.timestamping != "off" {
        let r = if cfg.timestamping == "ns" {
            setsockopt(fd, sockopt::ReceiveTimestampns, &true)
        } else {
            setsockopt(fd, sockopt::ReceiveTimestamp, &true)
        };
        w.check("Failed to enable timestamping socket option, ignoring", r);
    }
    if cfg.priority >= 0 {
        let p = cfg.priority as libc::c_int;
        w.check("SO_PRIORITY failed", setsockopt(fd, sockopt::Priority, &p));
    }
    let buffers = [
        (
            cfg.receive_buffer,
            Buffer::Receive,
            "SO_RCVBUF/SO_RCVBUFFORCE failed",
        ),
        (
            cfg.send_buffer,
            Buffer::Send,
            "SO_SNDBUF/SO_SNDBUFFORCE failed",
        ),
    ];
    for (size, which, what) in buffers {
        if size > 0 {
            // systemd logs lack of privilege at debug level only.
            match set_buffer(fd, which, size) {
                Err(Errno::EPERM | Errno::EACCES) => {}
                r => w.check(what, r),
            }
        }
    }
    if cfg.mark >= 0 {
        w.check(
            "SO_MARK failed",
            set_int(fd, sol, libc::SO_MARK, cfg.mark as libc::c_int),
        );
    }
}

/// `IPTOS=`, `IPTTL=`, `TCPCongestion=`.
fn ip_options(fd: &OwnedFd, family: libc::c_int, cfg: &SocketConfig, w: &mut Warnings<'_>) {
    if cfg.ip_tos >= 0 {
        let tos = cfg.ip_tos as libc::c_int;
        w.check(
            "IP_TOS failed",
            set_int(fd, libc::IPPROTO_IP, libc::IP_TOS, tos),
        );
    }
    if cfg.ip_ttl >= 0 {
        let ttl = cfg.ip_ttl as libc::c_int;
        let r = set_ip_option(fd, family, libc::IP_TTL, libc::IPV6_UNICAST_HOPS, ttl);
        w.check("IP_TTL/IPV6_UNICAST_HOPS failed", r);
    }
    if let Some(algo) = &cfg.tcp_congestion {
        let r = setsockopt(fd, sockopt::TcpCongestion, &OsString::from(algo));
        w.check("TCP_CONGESTION failed", r);
    }
}

/// `socket_set_recvpktinfo()` by family.
fn set_recv_pktinfo(fd: &OwnedFd, family: libc::c_int) -> Result<(), Errno> {
    match family {
        libc::AF_INET => setsockopt(fd, sockopt::Ipv4PacketInfo, &true),
        libc::AF_INET6 => setsockopt(fd, sockopt::Ipv6RecvPacketInfo, &true),
        libc::AF_NETLINK => set_int(fd, libc::SOL_NETLINK, libc::NETLINK_PKTINFO, 1),
        _ => Err(Errno::EAFNOSUPPORT),
    }
}

/// Which socket buffer.
#[derive(Clone, Copy)]
enum Buffer {
    Receive,
    Send,
}

/// `fd_set_rcvbuf()`/`fd_set_sndbuf()` without `increase`: nothing if the kernel already
/// reports twice `size`; else the plain option, and if the kernel clamped it, the `*FORCE`
/// variant (needs `CAP_NET_ADMIN`).
fn set_buffer(fd: &OwnedFd, which: Buffer, size: u64) -> Result<(), Errno> {
    let n = usize::try_from(size)
        .ok()
        .filter(|&n| n <= libc::c_int::MAX as usize)
        .ok_or(Errno::ERANGE)?;
    let current = || match which {
        Buffer::Receive => getsockopt(fd, sockopt::RcvBuf),
        Buffer::Send => getsockopt(fd, sockopt::SndBuf),
    };
    if current().is_ok_and(|v| v == n * 2) {
        return Ok(());
    }
    match which {
        Buffer::Receive => setsockopt(fd, sockopt::RcvBuf, &n)?,
        Buffer::Send => setsockopt(fd, sockopt::SndBuf, &n)?,
    }
    if current().is_ok_and(|v| v == n * 2) {
        return Ok(());
    }
    match which {
        Buffer::Receive => setsockopt(fd, sockopt::RcvBufForce, &n),
        Buffer::Send => setsockopt(fd, sockopt::SndBufForce, &n),
    }
}

/// `socket_apply_fifo_options()`: `PipeSize=` via `F_SETPIPE_SZ`.
pub(super) fn apply_fifo_options(fd: &OwnedFd, cfg: &SocketConfig) -> Vec<String> {
    let mut warnings = Vec::new();
    if cfg.pipe_size > 0 {
        let size = cfg.pipe_size as libc::c_int;
        let r = fcntl(fd, FcntlArg::F_SETPIPE_SZ(size)).map(drop);
        Warnings(&mut warnings).check("Setting pipe size failed, ignoring", r);
    }
    warnings
}
