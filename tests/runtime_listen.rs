//! Opening, accepting on, flushing and closing real ports with `runtime::sys::listen`: TCP and
//! UDP on loopback (IPv4, IPv6, v4-mapped), AF_UNIX paths and abstract names, FIFOs, special
//! files, message queues, netlink, socket options read back with `getsockopt`, symlinks,
//! instance naming and the error texts.
//!
//! The tests share the process umask (which `open_ports` changes briefly) and loopback ports,
//! so each holds [`serial`] for its whole run.

use std::io::Write;
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, FdFlag, OFlag, fcntl};
use nix::sys::socket::{
    AddressFamily, NetlinkAddr, SockFlag, SockType, UnixAddr, connect, getsockname, getsockopt,
    socket, sockopt,
};
use sockunit::config::SocketConfig;
use sockunit::config::listen::{Address, Listen, ListenKind, parse_listen};
use sockunit::runtime::sys::listen::{
    AcceptError, OpenError, OpenedPorts, Port, accept_connection, chown_ports, close_ports,
    flush_port, instance_name, open_ports, resolve_socket_owner,
};

static SERIAL: Mutex<()> = Mutex::new(());

/// Runs tests one at a time (umask windows, loopback ports).
fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A `Listen*=` value as the config parser makes it.
fn listen(key: &str, value: &str) -> Listen {
    parse_listen(key, value, true, &|_| None).unwrap_or_else(|e| panic!("{key}={value}: {e:?}"))
}

/// A config with these ports and otherwise systemd's defaults.
fn config(listens: Vec<Listen>) -> SocketConfig {
    SocketConfig {
        listens,
        ..SocketConfig::default()
    }
}

/// Opens, expecting success.
fn open(cfg: &SocketConfig) -> OpenedPorts {
    open_ports(cfg).unwrap_or_else(|e| panic!("{e} (warnings {:?})", e.warnings))
}

/// A loopback port that was free a moment ago.
fn free_port(v6: bool) -> u16 {
    let addr = if v6 { "[::1]:0" } else { "127.0.0.1:0" };
    TcpListener::bind(addr)
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Opens `make(port)` on a free port, retrying when another process took it meanwhile.
fn open_on_free_port(
    v6: bool,
    make: impl Fn(u16) -> SocketConfig,
) -> (u16, SocketConfig, OpenedPorts) {
    for _ in 0..20 {
        let port = free_port(v6);
        let cfg = make(port);
        match open_ports(&cfg) {
            Ok(opened) => return (port, cfg, opened),
            Err(e) if e.errno == Errno::EADDRINUSE => continue,
            Err(e) => panic!("{e}"),
        }
    }
    panic!("no free port found");
}

fn ipv6() -> bool {
    let ok = Path::new("/proc/net/if_inet6").exists() && TcpListener::bind("[::1]:0").is_ok();
    if !ok {
        eprintln!("skipping: no IPv6 loopback");
    }
    ok
}

/// The process umask, from `/proc/self/status`.
fn current_umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Umask:")).unwrap();
    u32::from_str_radix(line.split_whitespace().nth(1).unwrap(), 8).unwrap()
}

/// True if this process has CAP_NET_ADMIN.
fn has_net_admin() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("CapEff:")).unwrap();
    let caps = u64::from_str_radix(line.split_whitespace().nth(1).unwrap(), 16).unwrap();
    caps & (1 << 12) != 0
}

/// `getsockopt` of an int option nix has no type for.
fn get_int(fd: &OwnedFd, level: i32, name: i32) -> i32 {
    let mut v: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    let ptr = (&mut v as *mut libc::c_int).cast::<libc::c_void>();
    // SAFETY: `ptr`/`len` describe a live c_int for the duration of the call.
    let r = unsafe { libc::getsockopt(fd.as_raw_fd(), level, name, ptr, &mut len) };
    assert_eq!(r, 0, "getsockopt({level}, {name}): {}", Errno::last());
    v
}

/// The fd is close-on-exec and non-blocking.
fn assert_cloexec_nonblock(fd: &OwnedFd) {
    let fd_flags = FdFlag::from_bits_truncate(fcntl(fd, FcntlArg::F_GETFD).unwrap());
    assert!(fd_flags.contains(FdFlag::FD_CLOEXEC));
    let fl = OFlag::from_bits_truncate(fcntl(fd, FcntlArg::F_GETFL).unwrap());
    assert!(fl.contains(OFlag::O_NONBLOCK));
}

fn mode_of(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
}

#[test]
fn tcp_v4_listens_nonblocking_cloexec_with_reuseaddr() {
    let _s = serial();
    let (port, cfg, opened) = open_on_free_port(false, |p| {
        config(vec![listen("ListenStream", &format!("127.0.0.1:{p}"))])
    });
    assert!(opened.warnings.is_empty(), "{:?}", opened.warnings);
    let p = &opened.ports[0];
    assert!(p.can_accept);
    assert_eq!(p.index, 0);
    assert!(getsockopt(&p.fd, sockopt::AcceptConn).unwrap());
    assert!(getsockopt(&p.fd, sockopt::ReuseAddr).unwrap());
    assert_eq!(
        getsockopt(&p.fd, sockopt::SockType).unwrap(),
        SockType::Stream
    );
    assert_cloexec_nonblock(&p.fd);
    TcpStream::connect(("127.0.0.1", port)).unwrap();
    close_ports(opened.ports, &cfg);
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[test]
fn tcp_v6_loopback() {
    let _s = serial();
    if !ipv6() {
        return;
    }
    let (port, cfg, opened) = open_on_free_port(true, |p| {
        config(vec![listen("ListenStream", &format!("[::1]:{p}"))])
    });
    TcpStream::connect(("::1", port)).unwrap();
    close_ports(opened.ports, &cfg);
}

#[test]
fn bind_ipv6_only_sets_v6only() {
    let _s = serial();
    if !ipv6() {
        return;
    }
    for (mode, expect) in [("both", false), ("ipv6-only", true)] {
        let (port, cfg, opened) = open_on_free_port(true, |p| SocketConfig {
            bind_ipv6_only: mode.to_owned(),
            ..config(vec![listen("ListenStream", &format!("[::]:{p}"))])
        });
        let fd = &opened.ports[0].fd;
        assert_eq!(
            getsockopt(fd, sockopt::Ipv6V6Only).unwrap(),
            expect,
            "{mode}"
        );
        // Over IPv4 only the dual-stack socket answers.
        assert_eq!(
            TcpStream::connect(("127.0.0.1", port)).is_ok(),
            !expect,
            "{mode}"
        );
        close_ports(opened.ports, &cfg);
    }
}

#[test]
fn datagram_is_bound_not_listening_and_flushes() {
    let _s = serial();
    let (port, cfg, opened) = open_on_free_port(false, |p| {
        config(vec![listen("ListenDatagram", &format!("127.0.0.1:{p}"))])
    });
    let p = &opened.ports[0];
    assert!(!p.can_accept);
    assert_eq!(
        getsockopt(&p.fd, sockopt::SockType).unwrap(),
        SockType::Datagram
    );
    assert!(!getsockopt(&p.fd, sockopt::AcceptConn).unwrap());
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    client.send_to(b"one", ("127.0.0.1", port)).unwrap();
    client.send_to(b"two", ("127.0.0.1", port)).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    flush_port(p);
    let mut buf = [0u8; 8];
    assert_eq!(nix::unistd::read(&p.fd, &mut buf), Err(Errno::EAGAIN));
    close_ports(opened.ports, &cfg);
}

#[test]
fn socket_protocol_udplite_and_sctp() {
    let _s = serial();
    let (_, cfg, opened) = open_on_free_port(false, |p| SocketConfig {
        socket_protocol: Some(136),
        ..config(vec![listen("ListenDatagram", &format!("127.0.0.1:{p}"))])
    });
    let proto = get_int(&opened.ports[0].fd, libc::SOL_SOCKET, libc::SO_PROTOCOL);
    assert_eq!(proto, libc::IPPROTO_UDPLITE);
    close_ports(opened.ports, &cfg);
    // SCTP may be missing from the kernel: then a clear error.
    let cfg = SocketConfig {
        socket_protocol: Some(132),
        ..config(vec![listen(
            "ListenStream",
            &format!("127.0.0.1:{}", free_port(false)),
        )])
    };
    match open_ports(&cfg) {
        Ok(opened) => {
            let proto = get_int(&opened.ports[0].fd, libc::SOL_SOCKET, libc::SO_PROTOCOL);
            assert_eq!(proto, libc::IPPROTO_SCTP);
            close_ports(opened.ports, &cfg);
        }
        Err(e) => {
            assert_eq!(e.errno, Errno::EPROTONOSUPPORT);
            assert!(
                e.message
                    .starts_with("Failed to create listening socket (127.0.0.1:")
            );
            assert!(e.message.ends_with("): Protocol not supported"), "{e}");
        }
    }
}

#[test]
fn unix_path_gets_socket_mode_and_directory_mode_parents() {
    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/app.sock");
    let cfg = SocketConfig {
        socket_mode: 0o640,
        directory_mode: 0o710,
        remove_on_stop: true,
        ..config(vec![listen("ListenStream", path.to_str().unwrap())])
    };
    let opened = open(&cfg);
    let meta = std::fs::metadata(&path).unwrap();
    assert!(meta.file_type().is_socket());
    assert_eq!(
        mode_of(&path),
        0o640,
        "SocketMode= exactly, whatever the umask"
    );
    let dir_mode = 0o710 & !current_umask();
    assert_eq!(mode_of(&dir.path().join("a")), dir_mode);
    assert_eq!(mode_of(&dir.path().join("a/b")), dir_mode);
    assert!(getsockopt(&opened.ports[0].fd, sockopt::AcceptConn).unwrap());
    UnixStream::connect(&path).unwrap();
    close_ports(opened.ports, &cfg);
    assert!(!path.exists(), "RemoveOnStop= unlinks the socket");
}

#[test]
fn seqpacket_unix_socket() {
    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seq.sock");
    let cfg = config(vec![listen(
        "ListenSequentialPacket",
        path.to_str().unwrap(),
    )]);
    let opened = open(&cfg);
    let fd = &opened.ports[0].fd;
    assert_eq!(
        getsockopt(fd, sockopt::SockType).unwrap(),
        SockType::SeqPacket
    );
    assert!(opened.ports[0].can_accept);
    close_ports(opened.ports, &cfg);
    assert!(path.exists(), "no RemoveOnStop=: the node stays");
}

#[test]
fn stale_socket_node_and_file_are_replaced() {
    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stale.sock");
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    assert!(path.exists());
    let cfg = config(vec![listen("ListenStream", path.to_str().unwrap())]);
    let opened = open(&cfg);
    UnixStream::connect(&path).unwrap();
    close_ports(opened.ports, &cfg);
    // systemd unlinks whatever is there on EADDRINUSE, a regular file too.
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, b"x").unwrap();
    let opened = open(&cfg);
    assert!(std::fs::metadata(&path).unwrap().file_type().is_socket());
    close_ports(opened.ports, &cfg);
}

#[test]
fn abstract_name() {
    let _s = serial();
    let name = format!("sockunit-test-{}-abstract", std::process::id());
    let cfg = config(vec![listen("ListenStream", &format!("@{name}"))]);
    let opened = open(&cfg);
    let client = socket(
        AddressFamily::Unix,
        SockType::Stream,
        SockFlag::empty(),
        None,
    )
    .unwrap();
    let addr = UnixAddr::new_abstract(name.as_bytes()).unwrap();
    connect(client.as_raw_fd(), &addr).unwrap();
    close_ports(opened.ports, &cfg);
}

#[test]
fn fifo_mode_pipe_size_and_refusals() {
    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/fifo");
    let cfg = SocketConfig {
        socket_mode: 0o620,
        pipe_size: 65536,
        remove_on_stop: true,
        ..config(vec![listen("ListenFIFO", path.to_str().unwrap())])
    };
    let opened = open(&cfg);
    assert!(opened.warnings.is_empty(), "{:?}", opened.warnings);
    assert!(std::fs::metadata(&path).unwrap().file_type().is_fifo());
    assert_eq!(mode_of(&path), 0o620 & !current_umask());
    let fd = &opened.ports[0].fd;
    assert_eq!(fcntl(fd, FcntlArg::F_GETPIPE_SZ).unwrap(), 65536);
    let fl = OFlag::from_bits_truncate(fcntl(fd, FcntlArg::F_GETFL).unwrap());
    assert_eq!(fl & OFlag::O_ACCMODE, OFlag::O_RDWR);
    assert_cloexec_nonblock(fd);
    assert!(!opened.ports[0].can_accept);
    // Reopening the same FIFO is fine.
    let again = open(&cfg);
    close_ports(again.ports, &SocketConfig::default());
    close_ports(opened.ports, &cfg);
    assert!(!path.exists());

    // A regular file at the path.
    std::fs::write(&path, b"").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o620)).unwrap();
    let e = open_ports(&cfg).unwrap_err();
    assert_eq!(e.errno, Errno::EEXIST);
    assert_eq!(
        e.message,
        format!("Failed to open FIFO {}: File exists", path.display())
    );
    std::fs::remove_file(&path).unwrap();

    // A symlink to a FIFO: O_NOFOLLOW.
    let real = dir.path().join("real-fifo");
    nix::unistd::mkfifo(&real, nix::sys::stat::Mode::from_bits_truncate(0o620)).unwrap();
    std::os::unix::fs::symlink(&real, &path).unwrap();
    let e = open_ports(&cfg).unwrap_err();
    assert_eq!(e.errno, Errno::ELOOP);
    assert!(
        e.message.ends_with(": Too many levels of symbolic links"),
        "{e}"
    );
    std::fs::remove_file(&path).unwrap();

    // A FIFO with another mode.
    nix::unistd::mkfifo(&path, nix::sys::stat::Mode::from_bits_truncate(0o400)).unwrap();
    assert_eq!(open_ports(&cfg).unwrap_err().errno, Errno::EEXIST);
}

#[test]
fn special_files_read_only_unless_writable() {
    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("special");
    std::fs::write(&file, b"data").unwrap();
    for (writable, access) in [(false, OFlag::O_RDONLY), (true, OFlag::O_RDWR)] {
        let cfg = SocketConfig {
            writable,
            ..config(vec![
                listen("ListenSpecial", file.to_str().unwrap()),
                listen("ListenSpecial", "/dev/null"),
            ])
        };
        let opened = open(&cfg);
        for p in &opened.ports {
            let fl = OFlag::from_bits_truncate(fcntl(&p.fd, FcntlArg::F_GETFL).unwrap());
            assert_eq!(fl & OFlag::O_ACCMODE, access);
            assert_cloexec_nonblock(&p.fd);
        }
        close_ports(opened.ports, &cfg);
    }
    // A directory is neither a regular file nor a character device.
    let cfg = config(vec![listen("ListenSpecial", dir.path().to_str().unwrap())]);
    let e = open_ports(&cfg).unwrap_err();
    let want = format!(
        "Failed to open special file {}: File exists",
        dir.path().display()
    );
    assert_eq!(e.message, want);
    let cfg = config(vec![listen("ListenSpecial", "/nonexistent/special")]);
    let e = open_ports(&cfg).unwrap_err();
    let want = "Failed to open special file /nonexistent/special: No such file or directory";
    assert_eq!(e.message, want);
    assert!(file.exists(), "special files are never removed");
}

#[test]
fn message_queue_with_attributes_and_remove_on_stop() {
    let _s = serial();
    let name = format!("/sockunit-test-{}", std::process::id());
    let cfg = SocketConfig {
        socket_mode: 0o600,
        mq_max_messages: 3,
        mq_message_size: 64,
        remove_on_stop: true,
        ..config(vec![listen("ListenMessageQueue", &name)])
    };
    let opened = match open_ports(&cfg) {
        Err(e) if matches!(e.errno, Errno::ENOSYS | Errno::ENOENT | Errno::EACCES) => {
            eprintln!("skipping: POSIX message queues unavailable: {e}");
            return;
        }
        r => r.unwrap(),
    };
    let fd = &opened.ports[0].fd;
    // SAFETY: zeroed mq_attr is valid; `fd` is a message queue descriptor we own.
    let mut attr: libc::mq_attr = unsafe { std::mem::zeroed() };
    // SAFETY: `attr` is a live mq_attr for the call.
    assert_eq!(unsafe { libc::mq_getattr(fd.as_raw_fd(), &mut attr) }, 0);
    assert_eq!((attr.mq_maxmsg, attr.mq_msgsize), (3, 64));
    assert_ne!(attr.mq_flags & libc::c_long::from(libc::O_NONBLOCK), 0);
    let st = nix::sys::stat::fstat(fd).unwrap();
    assert_eq!(st.st_mode & 0o777, 0o600 & !current_umask());
    close_ports(opened.ports, &cfg);
    let cname = std::ffi::CString::new(name).unwrap();
    // SAFETY: valid C string; no O_CREAT, so no further arguments.
    let r = unsafe { libc::mq_open(cname.as_ptr(), libc::O_RDONLY) };
    assert_eq!(
        (r, Errno::last()),
        (-1, Errno::ENOENT),
        "RemoveOnStop= unlinks the queue"
    );
}

#[test]
fn netlink_route_bound_to_group() {
    let _s = serial();
    let cfg = config(vec![listen("ListenNetlink", "route 1")]);
    let opened = open(&cfg);
    let fd = &opened.ports[0].fd;
    assert_eq!(getsockopt(fd, sockopt::SockType).unwrap(), SockType::Raw);
    assert_eq!(
        get_int(fd, libc::SOL_SOCKET, libc::SO_PROTOCOL),
        libc::NETLINK_ROUTE
    );
    let addr: NetlinkAddr = getsockname(fd.as_raw_fd()).unwrap();
    assert_eq!(addr.groups(), 1);
    assert!(!opened.ports[0].can_accept);
    assert_cloexec_nonblock(fd);
    close_ports(opened.ports, &cfg);
}

#[test]
fn tcp_options_are_observable() {
    let _s = serial();
    let (_, cfg, opened) = open_on_free_port(false, |p| SocketConfig {
        reuse_port: true,
        keep_alive: true,
        keep_alive_time_usec: 60_000_000,
        keep_alive_interval_usec: 10_000_000,
        keep_alive_probes: 3,
        defer_accept_usec: 5_000_000,
        receive_buffer: 65536,
        send_buffer: 65536,
        priority: 3,
        ip_tos: 0x10,
        ip_ttl: 42,
        tcp_congestion: Some("reno".to_owned()),
        free_bind: true,
        mark: 7,
        transparent: true,
        ..config(vec![listen("ListenStream", &format!("127.0.0.1:{p}"))])
    });
    let fd = &opened.ports[0].fd;
    assert!(getsockopt(fd, sockopt::ReusePort).unwrap());
    assert!(getsockopt(fd, sockopt::KeepAlive).unwrap());
    assert_eq!(getsockopt(fd, sockopt::TcpKeepIdle).unwrap(), 60);
    assert_eq!(getsockopt(fd, sockopt::TcpKeepInterval).unwrap(), 10);
    assert_eq!(getsockopt(fd, sockopt::TcpKeepCount).unwrap(), 3);
    assert!(get_int(fd, libc::IPPROTO_TCP, libc::TCP_DEFER_ACCEPT) >= 5);
    assert_eq!(getsockopt(fd, sockopt::RcvBuf).unwrap(), 131072);
    assert_eq!(getsockopt(fd, sockopt::SndBuf).unwrap(), 131072);
    // IP_TOS comes after SO_PRIORITY and the kernel derives the priority from it
    // (low-delay: TC_PRIO_INTERACTIVE), as with systemd's order.
    assert_eq!(getsockopt(fd, sockopt::Priority).unwrap(), 6);
    assert_eq!(get_int(fd, libc::IPPROTO_IP, libc::IP_TOS), 0x10);
    assert_eq!(get_int(fd, libc::IPPROTO_IP, libc::IP_TTL), 42);
    assert_eq!(getsockopt(fd, sockopt::TcpCongestion).unwrap(), "reno");
    assert_eq!(get_int(fd, libc::IPPROTO_IP, libc::IP_FREEBIND), 1);
    if has_net_admin() {
        assert!(opened.warnings.is_empty(), "{:?}", opened.warnings);
        assert_eq!(getsockopt(fd, sockopt::Mark).unwrap(), 7);
        assert!(getsockopt(fd, sockopt::IpTransparent).unwrap());
    } else {
        let w = &opened.warnings;
        assert!(
            w.contains(&"SO_MARK failed: Operation not permitted".to_owned()),
            "{w:?}"
        );
        let t = "IP_TRANSPARENT/IPV6_TRANSPARENT failed: Operation not permitted";
        assert!(w.contains(&t.to_owned()), "{w:?}");
    }
    close_ports(opened.ports, &cfg);
}

#[test]
fn datagram_and_unix_options_and_family_warnings() {
    let _s = serial();
    let (_, cfg, opened) = open_on_free_port(false, |p| SocketConfig {
        broadcast: true,
        priority: 3,
        pass_packet_info: true,
        timestamping: "ns".to_owned(),
        ..config(vec![listen("ListenDatagram", &format!("127.0.0.1:{p}"))])
    });
    let fd = &opened.ports[0].fd;
    assert!(opened.warnings.is_empty(), "{:?}", opened.warnings);
    assert!(getsockopt(fd, sockopt::Broadcast).unwrap());
    assert_eq!(getsockopt(fd, sockopt::Priority).unwrap(), 3);
    assert!(getsockopt(fd, sockopt::Ipv4PacketInfo).unwrap());
    assert!(getsockopt(fd, sockopt::ReceiveTimestampns).unwrap());
    close_ports(opened.ports, &cfg);

    let dir = tempfile::tempdir().unwrap();
    let cfg = SocketConfig {
        pass_credentials: true,
        pass_packet_info: true,
        ip_ttl: 5,
        keep_alive_time_usec: 30_000_000,
        ..config(vec![listen(
            "ListenDatagram",
            dir.path().join("d.sock").to_str().unwrap(),
        )])
    };
    let opened = open(&cfg);
    assert!(getsockopt(&opened.ports[0].fd, sockopt::PassCred).unwrap());
    assert_eq!(
        opened.warnings,
        // As a systemd 252 user manager logs them for this port.
        [
            "TCP_KEEPIDLE failed: Operation not supported",
            "Failed to enable packet info socket option: Address family not supported by protocol",
            "IP_TTL/IPV6_UNICAST_HOPS failed: Address family not supported by protocol",
        ]
    );
    close_ports(opened.ports, &cfg);
}

#[test]
fn symlinks_created_replaced_and_removed() {
    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.sock");
    let l1 = dir.path().join("l1");
    let l2 = dir.path().join("deep/er/l2");
    let mut cfg = SocketConfig {
        symlinks: vec![l1.display().to_string(), l2.display().to_string()],
        ..config(vec![listen("ListenStream", path.to_str().unwrap())])
    };
    // A stale symlink is an error without RemoveOnStop=.
    std::os::unix::fs::symlink("/elsewhere", &l1).unwrap();
    let opened = open(&cfg);
    let want = format!(
        "Failed to create symlink {} \u{2192} {}, ignoring: File exists",
        path.display(),
        l1.display()
    );
    assert_eq!(opened.warnings, [want]);
    assert_eq!(std::fs::read_link(&l2).unwrap(), path);
    close_ports(opened.ports, &cfg);
    assert!(l2.exists() && path.exists(), "kept without RemoveOnStop=");

    // With RemoveOnStop= it is replaced, and everything goes on close.
    cfg.remove_on_stop = true;
    let opened = open(&cfg);
    assert!(opened.warnings.is_empty(), "{:?}", opened.warnings);
    assert_eq!(std::fs::read_link(&l1).unwrap(), path);
    UnixStream::connect(&l1).unwrap();
    close_ports(opened.ports, &cfg);
    for p in [&path, &l1, &l2] {
        assert!(
            std::fs::symlink_metadata(p).is_err(),
            "{} removed",
            p.display()
        );
    }
}

/// Accepts the connection that `connect` makes on `port`.
fn accept_one(port: &Port, cfg: &SocketConfig) -> sockunit::runtime::sys::listen::Connection {
    for _ in 0..100 {
        match accept_connection(port, cfg) {
            Err(AcceptError::Spurious(_)) => {
                std::thread::sleep(std::time::Duration::from_millis(5))
            }
            r => return r.unwrap(),
        }
    }
    panic!("no connection arrived");
}

#[test]
fn accept_ipv4_names_the_instance() {
    let _s = serial();
    let (port, cfg, opened) = open_on_free_port(false, |p| SocketConfig {
        accept: true,
        no_delay: true,
        ..config(vec![listen("ListenStream", &format!("127.0.0.1:{p}"))])
    });
    let client = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let cport = client.local_addr().unwrap().port();
    let c = accept_one(&opened.ports[0], &cfg);
    assert_eq!(c.instance, format!("127.0.0.1:{port}-127.0.0.1:{cport}"));
    assert_eq!(c.source.as_deref(), Some("127.0.0.1"));
    assert_eq!(c.remote_addr.as_deref(), Some("127.0.0.1"));
    assert_eq!(c.remote_port, Some(u32::from(cport)));
    assert_eq!(c.peer, Some(format!("127.0.0.1:{cport}")));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    assert!(
        getsockopt(&c.fd, sockopt::TcpNoDelay).unwrap(),
        "NoDelay= on the connection"
    );
    assert_cloexec_nonblock(&c.fd);
    let want = format!("echo@7-127.0.0.1:{port}-127.0.0.1:{cport}.service");
    assert_eq!(instance_name("echo", 7, &c), want);
    (&client).write_all(b"hi").unwrap();
    close_ports(opened.ports, &cfg);
}

#[test]
fn accept_ipv6_and_v4_mapped() {
    let _s = serial();
    if !ipv6() {
        return;
    }
    let (port, cfg, opened) = open_on_free_port(true, |p| SocketConfig {
        accept: true,
        ..config(vec![listen("ListenStream", &format!("[::1]:{p}"))])
    });
    let client = TcpStream::connect(("::1", port)).unwrap();
    let cport = client.local_addr().unwrap().port();
    let c = accept_one(&opened.ports[0], &cfg);
    assert_eq!(c.instance, format!("::1:{port}-::1:{cport}"));
    assert_eq!(c.source.as_deref(), Some("::1"));
    assert_eq!(c.peer, Some(format!("[::1]:{cport}")));
    close_ports(opened.ports, &cfg);

    let (port, cfg, opened) = open_on_free_port(true, |p| SocketConfig {
        accept: true,
        bind_ipv6_only: "both".to_owned(),
        ..config(vec![listen("ListenStream", &format!("[::]:{p}"))])
    });
    let client = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let cport = client.local_addr().unwrap().port();
    let c = accept_one(&opened.ports[0], &cfg);
    assert_eq!(c.instance, format!("127.0.0.1:{port}-127.0.0.1:{cport}"));
    assert_eq!(c.source.as_deref(), Some("127.0.0.1"));
    assert_eq!(c.peer, Some(format!("127.0.0.1:{cport}")));
    close_ports(opened.ports, &cfg);
}

#[test]
fn accept_unix_names_pid_and_uid() {
    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("acc.sock");
    let cfg = SocketConfig {
        accept: true,
        ..config(vec![listen("ListenStream", path.to_str().unwrap())])
    };
    let opened = open(&cfg);
    let _client = UnixStream::connect(&path).unwrap();
    let c = accept_one(&opened.ports[0], &cfg);
    let (pid, uid) = (std::process::id(), nix::unistd::getuid().as_raw());
    assert_eq!(c.instance, format!("{pid}-{uid}"));
    assert_eq!(c.peer, Some(format!("PID {pid}/UID {uid}")));
    assert_eq!(
        instance_name("u", 0, &c),
        format!("u@0-{pid}-{uid}.service")
    );
    assert_eq!((c.source, c.remote_addr, c.remote_port), (None, None, None));
    close_ports(opened.ports, &cfg);
}

#[test]
fn accept_without_pending_connection_is_spurious() {
    let _s = serial();
    let (_, cfg, opened) = open_on_free_port(false, |p| SocketConfig {
        accept: true,
        ..config(vec![listen("ListenStream", &format!("127.0.0.1:{p}"))])
    });
    let e = accept_connection(&opened.ports[0], &cfg).unwrap_err();
    assert_eq!(e, AcceptError::Spurious(Errno::EAGAIN));
    assert!(e.is_spurious());
    close_ports(opened.ports, &cfg);
}

#[test]
fn flush_drops_pending_connections() {
    let _s = serial();
    let (port, cfg, opened) = open_on_free_port(false, |p| {
        config(vec![listen("ListenStream", &format!("127.0.0.1:{p}"))])
    });
    let clients: Vec<TcpStream> = (0..3)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let p = &opened.ports[0];
    flush_port(p);
    let e = accept_connection(p, &cfg).unwrap_err();
    assert_eq!(
        e,
        AcceptError::Spurious(Errno::EAGAIN),
        "nothing left after the flush"
    );
    drop(clients);
    close_ports(opened.ports, &cfg);
}

#[test]
fn address_in_use_fails_all_and_cleans_up() {
    let _s = serial();
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("first.sock");
    let cfg = SocketConfig {
        remove_on_stop: true,
        ..config(vec![
            listen("ListenStream", path.to_str().unwrap()),
            listen("ListenStream", &format!("127.0.0.1:{port}")),
        ])
    };
    let e: OpenError = open_ports(&cfg).unwrap_err();
    assert_eq!(e.errno, Errno::EADDRINUSE);
    assert_eq!(e.index, 1);
    let want =
        format!("Failed to create listening socket (127.0.0.1:{port}): Address already in use");
    assert_eq!(e.message, want);
    assert_eq!(e.to_string(), want);
    assert!(
        !path.exists(),
        "the port opened before is closed and (RemoveOnStop=) unlinked"
    );
}

#[test]
fn unix_path_errors() {
    let _s = serial();
    let cfg = config(vec![listen(
        "ListenStream",
        "/proc/sockunit-nonexistent/x.sock",
    )]);
    let e = open_ports(&cfg).unwrap_err();
    assert_eq!(
        e.message,
        "Failed to create listening socket (/proc/sockunit-nonexistent/x.sock): \
         No such file or directory"
    );
    // Longer than sun_path (the parser refuses these; the syscall side still reports it).
    let long = format!("/tmp/{}", "x".repeat(120));
    let cfg = config(vec![Listen {
        kind: ListenKind::Stream,
        address: Address::Unix(long.clone()),
        notice: None,
    }]);
    let e = open_ports(&cfg).unwrap_err();
    assert_eq!(e.errno, Errno::ENAMETOOLONG);
    assert_eq!(
        e.message,
        format!("Failed to create listening socket ({long}): File name too long")
    );
}

#[test]
fn vsock_and_usb_function_report_clearly() {
    let _s = serial();
    let cfg = config(vec![listen("ListenStream", "vsock::7341")]);
    match open_ports(&cfg) {
        Ok(opened) => {
            assert!(getsockopt(&opened.ports[0].fd, sockopt::AcceptConn).unwrap());
            close_ports(opened.ports, &cfg);
        }
        Err(e) => assert!(
            e.message
                .starts_with("Failed to create listening socket (vsock::7341): "),
            "{e}"
        ),
    }
    let cfg = config(vec![listen("ListenUSBFunction", "/nonexistent/usb")]);
    let e = open_ports(&cfg).unwrap_err();
    assert_eq!(
        e.message,
        "Failed to open USB function endpoint /nonexistent/usb/ep0: No such file or directory"
    );
}

#[test]
fn chown_ports_sets_the_owner() {
    let _s = serial();
    let cfg = SocketConfig {
        socket_user: Some("sockunit-no-such-user".to_owned()),
        ..SocketConfig::default()
    };
    let e = resolve_socket_owner(&cfg).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Failed to resolve user sockunit-no-such-user: No such process"
    );
    assert_eq!(e.exit_status(), 217);
    let cfg = SocketConfig {
        socket_group: Some("sockunit-no-such-group".to_owned()),
        ..SocketConfig::default()
    };
    assert_eq!(resolve_socket_owner(&cfg).unwrap_err().exit_status(), 216);

    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipping chown: not root");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("own.sock");
    let fifo = dir.path().join("own.fifo");
    let cfg = SocketConfig {
        socket_user: Some("nobody".to_owned()),
        socket_group: Some("0".to_owned()),
        ..config(vec![
            listen("ListenStream", sock.to_str().unwrap()),
            listen("ListenFIFO", fifo.to_str().unwrap()),
        ])
    };
    let opened = open(&cfg);
    let (uid, gid) = resolve_socket_owner(&cfg).unwrap();
    assert_eq!(
        (uid.map(|u| u.as_raw()), gid.map(|g| g.as_raw())),
        (Some(65534), Some(0))
    );
    chown_ports(&cfg, uid, gid).unwrap();
    for p in [&sock, &fifo] {
        let m = std::fs::metadata(p).unwrap();
        assert_eq!((m.uid(), m.gid()), (65534, 0), "{}", p.display());
    }
    close_ports(opened.ports, &cfg);
}

#[test]
fn ports_keep_config_order_and_indexes() {
    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(vec![
        listen("ListenFIFO", dir.path().join("f").to_str().unwrap()),
        listen("ListenStream", dir.path().join("s").to_str().unwrap()),
        listen("ListenSpecial", "/dev/null"),
    ]);
    let opened = open(&cfg);
    let kinds: Vec<_> = opened
        .ports
        .iter()
        .map(|p| (p.index, p.listen.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            (0, ListenKind::Fifo),
            (1, ListenKind::Stream),
            (2, ListenKind::Special)
        ]
    );
    assert!(opened.ports.iter().all(|p| p.fd.as_fd().as_raw_fd() >= 0));
    close_ports(opened.ports, &cfg);
}
