//! Table tests for `Listen*=`: systemd 252's `TEST(socket_address_parse)` and
//! `TEST(socket_address_parse_netlink)` cases, plus forms observed with the installed
//! `systemd-analyze verify` (252.38) and its dump.

use super::*;

fn ifindex(name: &str) -> Option<u32> {
    match name {
        "lo" => Some(1),
        "eth0" => Some(4),
        _ => None,
    }
}

fn ifname_of(index: u32) -> Option<String> {
    match index {
        1 => Some("lo".to_owned()),
        4 => Some("eth0".to_owned()),
        _ => None,
    }
}

/// The dump form, or the full message.
fn run(key: &str, v: &str, ipv6: bool) -> Result<String, String> {
    parse_listen(key, v, ipv6, &ifindex)
        .map(|l| format_address_with(&l, &ifname_of))
        .map_err(|e| {
            assert!(!e.fatal);
            e.message
        })
}

const EINVAL: &str = "Invalid argument";
const ERANGE: &str = "Numerical result out of range";
const ENODEV: &str = "No such device";

#[test]
fn socket_address_parse_cases() {
    let a107 = format!("@{}", "a".repeat(106));
    let a108 = format!("@{}", "a".repeat(107));
    let errors = [
        ("junk", EINVAL),
        ("192.168.1.1", EINVAL),
        (".168.1.1", EINVAL),
        ("989.168.1.1", EINVAL),
        ("192.168.1.1:65536", ERANGE),
        ("192.168.1.1:0", EINVAL),
        ("0", EINVAL),
        ("65536", ERANGE),
        ("[::1]", EINVAL),
        ("[::1]8888", EINVAL),
        ("::1", EINVAL),
        ("[::1]:0", EINVAL),
        ("[::1]:65536", ERANGE),
        ("[a:b:1]:8888", EINVAL),
        ("[::1]%lo:1234", EINVAL),
        ("[::1]%lo:0", EINVAL),
        ("[::1]%lo", EINVAL),
        ("[::1]%lo%lo:1234", EINVAL),
        ("[::1]% lo:1234", EINVAL),
        ("[::1]:0%lo", EINVAL),
        ("[::1]:1234%lo%lo", EINVAL),
        ("[::1]:1234%xxxxasdf", ENODEV),
        ("/", EINVAL),
        (a108.as_str(), EINVAL),
        ("vsock:2:1234x", EINVAL),
        ("vsock:2x:1234", EINVAL),
        ("vsock:2", EINVAL),
        // Observed with systemd-analyze.
        ("-80", ERANGE),
        ("99999999999999999999", ERANGE),
        ("127.0.0.1", EINVAL),
        ("70000", ERANGE),
        ("\"127.0.0.1:9001\"", EINVAL),
        ("127.0.0.1%nosuch", ENODEV),
        ("127.0.0.1:80%nosuch", ENODEV),
        ("[::1]:80%all", EINVAL),
        ("[::1]:80%0", EINVAL),
        ("::1:80", EINVAL),
        ("127.0.0.1:80#foo", EINVAL),
        ("01.2.3.4:5", EINVAL),
        ("1.2.3.4: 5", EINVAL),
        ("vsock:-1:5", ERANGE),
        ("vsock:host:5", EINVAL),
        ("vsock-stream:2:3", EINVAL),
        ("vsock:1:2:3", EINVAL),
        ("@", EINVAL),
        ("relative", EINVAL),
    ];
    for (v, err) in errors {
        let msg = format!("Failed to parse address value in '{v}', ignoring: {err}");
        assert_eq!(run("ListenStream", v, true), Err(msg), "{v:?}");
    }
    let long_path = format!("/{}", "a".repeat(107));
    let msg =
        format!("Failed to parse address value in '{long_path}', ignoring: File name too long");
    assert_eq!(run("ListenStream", &long_path, true), Err(msg));

    let ok = [
        ("65535", "[::]:65535"),
        ("8888", "[::]:8888"),
        (
            "[2001:0db8:0000:85a3:0000:0000:ac1f:8001]:8888",
            "[2001:db8:0:85a3::ac1f:8001]:8888",
        ),
        ("[::1]:8888", "[::1]:8888"),
        ("[::1]:1234%lo", "[::1]:1234%lo"),
        ("192.168.1.254:8888", "192.168.1.254:8888"),
        ("/foo/bar", "/foo/bar"),
        ("@abstract", "@abstract"),
        (a107.as_str(), a107.as_str()),
        ("vsock:2:1234", "vsock:2:1234"),
        ("vsock::1234", "vsock::1234"),
        // Observed in systemd's dump.
        ("+80", "[::]:80"),
        ("0x50", "[::]:80"),
        ("010", "[::]:8"),
        ("0b101", "[::]:5"),
        ("0o17", "[::]:15"),
        ("127.0.0.1:80%lo", "127.0.0.1:80"),
        ("[::1]:80%1", "[::1]:80%lo"),
        ("[::1]:80%99", "[::1]:80%99"),
        ("[::1]:80%0x1", "[::1]:80%lo"),
        ("[::1]:80%eth0", "[::1]:80%eth0"),
        ("[fe80::1]:80%eth0", "[fe80::1]:80%eth0"),
        ("[::ffff:1.2.3.4]:80", "[::ffff:1.2.3.4]:80"),
        ("[::1.2.3.4]:80", "[::1.2.3.4]:80"),
        ("[::2]:80", "[::2]:80"),
        ("[::0.0.0.2]:80", "[::2]:80"),
        ("[1:0:0:2:0:0:0:3]:80", "[1:0:0:2::3]:80"),
        ("[1:0:2:3:4:5:6:7]:80", "[1:0:2:3:4:5:6:7]:80"),
        ("[0::01]:5", "[::1]:5"),
        ("[::1]:+5", "[::1]:5"),
        ("[::]:5", "[::]:5"),
        ("[::ffff:0:1.2.3.4]:80", "[::ffff:0:102:304]:80"),
        ("[0:0:0:0:0:1:0:0]:80", "[::1:0:0]:80"),
        ("vsock:-0:5", "vsock:0:5"),
        ("vsock:4294967295:5", "vsock::5"),
        ("vsock:2:4294967295", "vsock:2:4294967295"),
        ("vsock:0x10:0", "vsock:16:0"),
        ("vsock: 3: 4", "vsock:3:4"),
        ("/run/a b", "/run/a b"),
        ("/run/é", "/run/\\303\\251"),
        ("@a\"b\\\\c", "@a\\\"b\\\\\\\\c"),
        ("/foo/bar/", "/foo/bar/"),
        ("//", "//"),
        ("/run/%x", "/run/%x"),
    ];
    for (v, printed) in ok {
        assert_eq!(
            run("ListenStream", v, true).as_deref(),
            Ok(printed),
            "{v:?}"
        );
    }
    assert_eq!(
        run("ListenDatagram", "65535", false).as_deref(),
        Ok("0.0.0.0:65535")
    );
    assert_eq!(
        run("ListenDatagram", "8888", false).as_deref(),
        Ok("0.0.0.0:8888")
    );
    let nov6 = "Binding to IPv6 address not available since kernel does not support IPv6.";
    assert_eq!(run("ListenStream", "[::1]:80", false), Err(nov6.to_owned()));
}

#[test]
fn format_without_ifname_lookup() {
    let l = parse_listen("ListenStream", "[::1]:80%lo", true, &ifindex).unwrap();
    assert_eq!(format_address(&l), "[::1]:80%lo");
    let l = parse_listen("ListenStream", "[::1]:80%1", true, &ifindex).unwrap();
    assert_eq!(format_address(&l), "[::1]:80%1");
}

#[test]
fn netlink() {
    let ok = [
        ("route", "route 0"),
        ("route 10", "route 10"),
        (" kobject-uevent ", "kobject-uevent 0"),
        (" \t kobject-uevent \t 10", "kobject-uevent 10"),
        ("kobject-uevent\t10", "kobject-uevent 10"),
        // Observed in systemd's dump.
        ("route 5", "route 5"),
        ("2 3", "2 3"),
        ("17", "17 0"),
        ("kobject-uevent 0x10", "kobject-uevent 16"),
        ("au\\dit", "audit 0"),
        ("inet-diag", "inet-diag 0"),
    ];
    for (v, printed) in ok {
        assert_eq!(
            run("ListenNetlink", v, true).as_deref(),
            Ok(printed),
            "{v:?}"
        );
    }
    let errors = [
        ("junk", EINVAL),
        ("kobject-uevent\t10 ", EINVAL),
        ("kobject-uevent -1", ERANGE),
        ("\u{ff}", EINVAL),
        ("audit 1 2", EINVAL),
        ("\"route\"", EINVAL),
        ("route -1", ERANGE),
        ("2147483648", EINVAL),
        ("firewall 4294967296", ERANGE),
        ("sock-diag", EINVAL),
        ("nosuchfamily 5", EINVAL),
        ("route\\", EINVAL),
    ];
    for (v, err) in errors {
        let msg = format!("Failed to parse address value in '{v}', ignoring: {err}");
        assert_eq!(run("ListenNetlink", v, true), Err(msg), "{v:?}");
    }
    let l = parse_listen("ListenNetlink", "audit 3", true, &ifindex).unwrap();
    let want = Address::Netlink {
        family: "audit".into(),
        protocol: 9,
        group: 3,
    };
    assert_eq!(l.address, want);
    assert_eq!(l.kind, ListenKind::Netlink);
}

#[test]
fn paths_and_kinds() {
    let cases: [(&str, &str, Result<&str, &str>); 12] = [
        (
            "ListenFIFO",
            "relative/fifo",
            Err("ListenFIFO= path is not absolute, ignoring: relative/fifo"),
        ),
        ("ListenFIFO", "//a//./b/", Ok("/a/b")),
        (
            "ListenFIFO",
            "/a/../b",
            Err("ListenFIFO= path is not normalized, ignoring: /a/../b"),
        ),
        ("ListenFIFO", "/", Ok("/")),
        ("ListenSpecial", "/var/run/s", Ok("/var/run/s")),
        ("ListenMessageQueue", "/mq", Ok("/mq")),
        (
            "ListenUSBFunction",
            "usb",
            Err("ListenUSBFunction= path is not absolute, ignoring: usb"),
        ),
        (
            "ListenSequentialPacket",
            "127.0.0.1:9",
            Err("Address family not supported, ignoring: 127.0.0.1:9"),
        ),
        (
            "ListenSequentialPacket",
            "vsock:2:3",
            Err("Address family not supported, ignoring: vsock:2:3"),
        ),
        ("ListenSequentialPacket", "/run/sp", Ok("/run/sp")),
        ("ListenDatagram", "@dg", Ok("@dg")),
        ("ListenSequentialPacket", "@sp", Ok("@sp")),
    ];
    for (key, v, want) in cases {
        assert_eq!(
            run(key, v, true),
            want.map(str::to_owned).map_err(str::to_owned),
            "{key}={v}"
        );
    }
    let long = format!("/{}", "a".repeat(256));
    let msg = "ListenFIFO= path has invalid length (257 bytes), ignoring.";
    assert_eq!(run("ListenFIFO", &long, true), Err(msg.to_owned()));
    let raw = parse_listen_raw(
        "ListenSequentialPacket",
        "127.0.0.1:9%i",
        "127.0.0.1:9",
        true,
        &ifindex,
    );
    assert_eq!(
        raw.unwrap_err().message,
        "Address family not supported, ignoring: 127.0.0.1:9%i"
    );
    for (_, key) in KINDS {
        assert_eq!(ListenKind::from_key(key).map(ListenKind::key), Some(key));
    }
}

#[test]
fn var_run() {
    let notice = |key: &str, from: &str, to: &str| {
        format!(
            "{key}= references a path below legacy directory /var/run/, updating {from} → {to}; \
             please update the unit file accordingly."
        )
    };
    let cases = [
        ("ListenStream", "/var/run/a.sock", "/run/a.sock"),
        ("ListenStream", "/var/run", "/run/"),
        ("ListenStream", "/var//run//x//y", "/run/x//y"),
        ("ListenFIFO", "/var/run/f", "/run/f"),
        ("ListenSequentialPacket", "/var/run/sp2", "/run/sp2"),
        ("ListenDatagram", "/var/./run/z", "/run/z"),
        ("ListenStream", "/var/run/", "/run/"),
    ];
    for (key, from, to) in cases {
        let l = parse_listen(key, from, true, &ifindex).unwrap();
        assert_eq!(format_address(&l), to, "{from}");
        assert_eq!(l.notice, Some(notice(key, from, to)), "{from}");
    }
    for (key, v) in [
        ("ListenSpecial", "/var/run/s"),
        ("ListenStream", "/var/runx/a"),
    ] {
        assert_eq!(parse_listen(key, v, true, &ifindex).unwrap().notice, None);
    }
    // FIFO paths are simplified before the rewrite, so the notice names the simplified path.
    let l = parse_listen("ListenFIFO", "//var/run//q/", true, &ifindex).unwrap();
    assert_eq!(format_address(&l), "/run/q");
    assert_eq!(l.notice, Some(notice("ListenFIFO", "/var/run/q", "/run/q")));
    let l = parse_listen("ListenFIFO", "/var/run/", true, &ifindex).unwrap();
    assert_eq!(l.notice, Some(notice("ListenFIFO", "/var/run", "/run/")));
}
