//! Table-driven tests for the value parsers.
//!
//! Messages marked `// confirmed` were observed verbatim from the installed systemd 252.38
//! (`systemd-analyze verify --man=no t.socket` / `t.service` in a temp dir, 2026): Backlog=abc,
//! -1, 4294967296; Priority=2147483648; MessageQueueMaxMessages=9223372036854775808, 0x;
//! SocketMode=-777, 777garbage, 777 garbage, 0o777, +777, 0x1ff, 10000; KeepAliveTimeSec=-1,
//! 10foo, 1.2.3, 3.sec, infinity x, 5mo, empty; TimeoutSec= (socket) empty, -0; service
//! TimeoutSec=5 parsecs, TimeoutStartSec=abc; ReceiveBuffer=-982, 1Q, 99999999E, 1KB, 1K1M,
//! 1KiB; DynamicUser=maybe (fatal); Timestamping=maybe, NS, empty; SocketProtocol=mptcp, tcp,
//! empty; BindIPv6Only=sometimes, empty; IPTOS=bogus, 256, LOW-DELAY; KillMode=gentle and the
//! `none` warning; KillSignal=SIGFOO, 0, 65, RTMIN+31, RTMAX-31, `SIGRTMIN+ 1`, sigterm, SIG15,
//! empty; SendSIGKILL=perhaps; FileDescriptorName=has:colon; BindToDevice=all, 0x10, 16 chars,
//! 15 digits, `a b`; SocketUser= a/b, a:b, ., .., 4294967295, 65535, 007, -1 (fatal) and the
//! relaxed notice for +5, Abc.def, 45 chars, -foo, 1abc, `a b`, über; ListenFIFO= relative and
//! /a/../b, ListenMessageQueue=/x/..; LimitNOFILE= abc, 10:5, 5:, :5, 1:2:3, empty, infinity:5,
//! 18446744073709551615; LimitCPU=1x; LimitNICE=-21, 41, +20; LimitAS=1Q; StandardInput= bogus,
//! empty, file:rel, fd:x:y; StandardOutput= file:rel, syslog notice, fd:a:b, file:/a/../b;
//! StandardError=bogus; Type= weird, notify-reload, empty; Restart=sometimes; NotifyAccess,
//! ExitType, TimeoutStartFailureMode, OOMPolicy, UtmpMode, KeyringMode, ProtectSystem,
//! ProtectHome, ProtectProc, ProcSubset, RuntimeDirectoryPreserve, Personality (x, arm64),
//! IOSchedulingClass, CPUSchedulingPolicy, DevicePolicy, ManagedOOMSwap, ManagedOOMPreference,
//! Delegate controllers, FailureAction= empty, SuccessExitStatus per-word warnings,
//! CPUQuotaPeriodSec (sec_def_infinity), TimerSlackNSec (nsec). Accepted values seen silently:
//! Backlog=0x10, 010, +5, -0, 0b101, 0o17; KeepAliveTimeSec=5μs, 5µs, 1h30min;
//! ReceiveBuffer=1.5K, `1 K`, 1K1, 1M1K; Timestamping=μs, µs; SocketProtocol=SCTP, 132;
//! BindIPv6Only=YES; IPTOS=0x10; KillSignal=RTMIN+30, RTMAX-30; BindToDevice=*; SocketUser=65534,
//! 0, 123; IOSchedulingClass=3, 4, 7 (9 rejected); CPUSchedulingPolicy=7; Personality=x86;
//! BindToDevice=0x0, a23456789012345. Also confirmed: IPTOS=-1, SocketProtocol=6 rejected;
//! `ListenFIFO=/` + 271 x → `path has invalid length (272 bytes), ignoring.`;
//! RestartForceExitStatus=`1 a\\\\` → `Failed to parse value, ignoring: a\\`; Delegate=`cpu "io`.

use super::*;
use crate::config::ValueError;
use std::fmt::Debug;

fn accepts<T: Debug + PartialEq>(f: impl Fn(&str) -> Result<T, ValueError>, cases: &[(&str, T)]) {
    for (input, want) in cases {
        match f(input) {
            Ok(got) => assert_eq!(&got, want, "input {input:?}"),
            Err(e) => panic!("input {input:?} rejected: {}", e.message),
        }
    }
}

fn rejects<T: Debug>(
    f: impl Fn(&str) -> Result<T, ValueError>,
    fatal: bool,
    cases: &[(&str, &str)],
) {
    for (input, msg) in cases {
        match f(input) {
            Ok(v) => panic!("input {input:?} accepted as {v:?}"),
            Err(e) => {
                assert_eq!(e.message, *msg, "input {input:?}");
                assert_eq!(e.fatal, fatal, "fatal flag for {input:?}");
            }
        }
    }
}

#[test]
fn booleans() {
    let yes = ["1", "yes", "y", "true", "t", "on", "YES", "On", "TRUE"];
    let no = ["0", "no", "n", "false", "f", "off", "OFF", "No"];
    accepts(parse_bool, &yes.map(|s| (s, true)));
    accepts(parse_bool, &no.map(|s| (s, false)));
    rejects(
        parse_bool,
        false,
        &[
            ("maybe", "Failed to parse boolean value, ignoring: maybe"), // confirmed (Accept=)
            (
                "perhaps",
                "Failed to parse boolean value, ignoring: perhaps",
            ), // confirmed
            ("", "Failed to parse boolean value, ignoring: "),
            ("yess", "Failed to parse boolean value, ignoring: yess"),
            ("2", "Failed to parse boolean value, ignoring: 2"),
        ],
    );
    rejects(
        parse_bool_fatal,
        true,
        &[("maybe", "Failed to parse boolean value: maybe")],
    ); // confirmed
    accepts(parse_bool_fatal, &[("yes", true)]);
}

#[test]
fn unsigned_int_long() {
    accepts(
        parse_unsigned,
        &[
            ("0", 0),
            ("1000", 1000),
            ("0x10", 16),
            ("010", 8),
            (" 5", 5),
            ("+5", 5),
            ("-0", 0),
            ("0b101", 5),
            ("0o17", 15),
            ("4294967295", u32::MAX),
        ],
    );
    rejects(
        parse_unsigned,
        false,
        &[
            ("abc", "Failed to parse unsigned value, ignoring: abc"), // confirmed
            ("-1", "Failed to parse unsigned value, ignoring: -1"),   // confirmed
            (
                "4294967296",
                "Failed to parse unsigned value, ignoring: 4294967296",
            ), // confirmed
            (
                "1000garbage",
                "Failed to parse unsigned value, ignoring: 1000garbage",
            ),
            ("1G", "Failed to parse unsigned value, ignoring: 1G"),
            ("", "Failed to parse unsigned value, ignoring: "),
            ("5 ", "Failed to parse unsigned value, ignoring: 5 "),
            ("08", "Failed to parse unsigned value, ignoring: 08"),
            ("0x", "Failed to parse unsigned value, ignoring: 0x"),
        ],
    );
    accepts(
        parse_int,
        &[
            ("-5", -5),
            ("0x7fffffff", i32::MAX),
            ("-2147483648", i32::MIN),
        ],
    );
    rejects(
        parse_int,
        false,
        &[
            ("abc", "Failed to parse int value, ignoring: abc"),
            (
                "2147483648",
                "Failed to parse int value, ignoring: 2147483648",
            ), // confirmed
        ],
    );
    accepts(parse_long, &[("-5", -5), ("9223372036854775807", i64::MAX)]);
    rejects(
        parse_long,
        false,
        &[
            (
                "9223372036854775808",
                "Failed to parse long value, ignoring: 9223372036854775808",
            ), // confirmed
            ("0x", "Failed to parse long value, ignoring: 0x"), // confirmed
        ],
    );
    accepts(parse_u64, &[("18446744073709551615", u64::MAX)]);
    rejects(
        parse_u64,
        false,
        &[("-1", "Failed to parse uint64 value, ignoring: -1")],
    );
}

#[test]
fn modes() {
    accepts(
        parse_mode,
        &[
            ("777", 0o777),
            ("0644", 0o644),
            ("7777", 0o7777),
            ("0", 0),
            (" 600", 0o600),
        ],
    );
    let bad = [
        "-777",
        "999",
        "777garbage",
        "777 garbage",
        "0777777",
        "rw-rw-rw",
        "0o777",
        "+777",
        "0x1ff",
        "10000",
        "",
    ];
    let msgs: Vec<(String, String)> = bad
        .iter()
        .map(|b| {
            (
                b.to_string(),
                format!("Failed to parse mode value, ignoring: {b}"),
            )
        })
        .collect();
    let cases: Vec<(&str, &str)> = msgs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    rejects(parse_mode, false, &cases); // all but "" confirmed
}

#[test]
fn time_spans() {
    const S: u64 = 1_000_000;
    accepts(
        parse_sec,
        &[
            ("1", S),
            ("1s", S),
            ("100ms", 100_000),
            ("5min 20s", 320 * S),
            ("1h30min", 5400 * S),
            ("1.5s", 1_500_000),
            ("infinity", u64::MAX),
            (" infinity ", u64::MAX),
            ("0", 0),
            ("5μs", 5),
            ("5µs", 5),
            ("2us", 2),
            ("1M", 2_629_800 * S),
            ("1y", 31_557_600 * S),
            ("1w", 604_800 * S),
            ("1d", 86_400 * S),
            ("2 min", 120 * S),
            ("5 10", 15 * S),
            (".5", 500_000),
            ("1m", 60 * S),
            ("1msec", 1000),
            ("3 hours", 10_800 * S),
            ("+5", 5 * S),
            ("1.5us", 1),
            ("12.34 .56", 12_900_000),
        ],
    );
    let bad = [
        "-1",
        "10foo",
        "1.2.3",
        "3.sec",
        "infinity x",
        "5mo",
        "",
        "-0",
        "99999999999999999999",
        "3. 1",
        "abc",
    ];
    for b in bad {
        rejects(
            parse_sec,
            false,
            &[(b, &format!("Failed to parse sec value, ignoring: {b}"))],
        );
    }
    accepts(parse_sec_fix_0, &[("0", u64::MAX), ("90", 90 * S)]);
    rejects(
        parse_sec_fix_0,
        false,
        &[
            (
                "5 parsecs",
                "Failed to parse time value, ignoring: 5 parsecs",
            ),
            ("", "Failed to parse time value, ignoring: "), // confirmed
            ("-0", "Failed to parse time value, ignoring: -0"), // confirmed
        ],
    );
    let t = |v: &str| parse_timeout_sec("TimeoutStartSec", v);
    rejects(
        t,
        false,
        &[(
            "abc",
            "Failed to parse TimeoutStartSec= parameter, ignoring: abc",
        )],
    ); // confirmed
    accepts(
        parse_sec_def_infinity,
        &[("", u64::MAX), ("  ", u64::MAX), ("1s", S)],
    );
    rejects(
        parse_sec_def_infinity,
        false,
        &[("x", "Failed to parse sec_def_infinity value, ignoring: x")],
    ); // confirmed
    accepts(
        parse_nsec,
        &[("50", 50), ("1us", 1000), ("2s", 2_000_000_000), ("3ns", 3)],
    );
    rejects(
        parse_nsec,
        false,
        &[("x", "Failed to parse nsec value, ignoring: x")],
    ); // confirmed
}

#[test]
fn timespan_format() {
    const S: u64 = 1_000_000;
    let cases: &[(u64, u64, &str)] = &[
        (90 * S, S, "1min 30s"),
        (2 * S, S, "2s"),
        (u64::MAX, S, "infinity"),
        (0, S, "0"),
        (100_000, USEC_PER_MSEC, "100ms"),
        (3900 * S, S, "1h 5min"),
        (93_600 * S, S, "1d 2h"),
        (1_500_000, S, "1s"),
        (1_500_000, USEC_PER_MSEC, "1.500s"),
        (1_500_000, 1, "1.500000s"),
        (2_147_483_647, S, "35min 47s"),
        (31_557_600 * S, S, "1y"),
        (2_629_800 * S, S, "1month"),
        (604_800 * S, S, "1w"),
        (1, 1, "1us"),
        (1500, 1, "1.500ms"),
        (61 * S + 500_000, USEC_PER_MSEC, "1min 1.500s"),
        (100_000, S, "100ms"),
    ];
    for &(t, acc, want) in cases {
        assert_eq!(format_timespan(t, acc), want, "t={t} acc={acc}");
    }
}

#[test]
fn sizes() {
    accepts(
        parse_iec_size,
        &[
            ("2K", 2048),
            ("0", 0),
            ("1B", 1),
            ("1.5K", 1536),
            ("1 K", 1024),
            ("1K1", 1025),
            ("1M1K", 1_049_600),
            ("8M", 8 << 20),
            ("1G", 1 << 30),
            ("1E", 1 << 60),
            ("10.M", 10 << 20),
        ],
    );
    rejects(
        parse_iec_size,
        false,
        &[
            (
                "-982",
                "Failed to parse size value '-982', ignoring: Numerical result out of range",
            ), // confirmed
            (
                "1Q",
                "Failed to parse size value '1Q', ignoring: Invalid argument",
            ), // confirmed
            (
                "99999999E",
                "Failed to parse size value '99999999E', ignoring: Numerical result out of range",
            ), // confirmed
            (
                "1KB",
                "Failed to parse size value '1KB', ignoring: Invalid argument",
            ), // confirmed
            (
                "1K1M",
                "Failed to parse size value '1K1M', ignoring: Invalid argument",
            ), // confirmed
            (
                "",
                "Failed to parse size value '', ignoring: Invalid argument",
            ), // confirmed
            (
                "1KiB",
                "Failed to parse size value '1KiB', ignoring: Invalid argument",
            ), // confirmed
        ],
    );
    accepts(parse_si_size, &[("2K", 2000), ("1.5M", 1_500_000)]);
}

#[test]
fn signals() {
    accepts(
        parse_signal,
        &[
            ("SIGTERM", 15),
            ("TERM", 15),
            ("15", 15),
            ("9", 9),
            ("SIGKILL", 9),
            ("RTMIN", 34),
            ("SIGRTMIN+2", 36),
            ("RTMIN+30", 64),
            ("RTMAX", 64),
            ("RTMAX-30", 34),
            ("SIGRTMAX-1", 63),
            ("64", 64),
            ("0x0f", 15),
            ("STKFLT", 16),
        ],
    );
    let bad = [
        "SIGFOO",
        "0",
        "65",
        "RTMIN+31",
        "RTMAX-31",
        "SIGRTMIN+ 1",
        "sigterm",
        "SIG15",
        "",
        "RTMIN-1",
        "-1",
    ];
    for b in bad {
        rejects(
            parse_signal,
            false,
            &[(b, &format!("Failed to parse signal name, ignoring: {b}"))],
        ); // confirmed
    }
    let names = [
        (15, "SIGTERM"),
        (9, "SIGKILL"),
        (36, "SIGRTMIN+2"),
        (34, "SIGRTMIN+0"),
        (64, "SIGRTMIN+30"),
        (32, "SIG32"),
    ];
    for (n, want) in names {
        assert_eq!(signal_name(n), want);
    }
    assert_eq!(signal_to_string(1), "HUP");
}

#[test]
fn user_group_names() {
    let ok = |s: &str| parse_user_group("SocketUser", s).map(|u| u.relaxed_warning.is_some());
    accepts(
        ok,
        &[
            ("root", false),
            ("_apt", false),
            ("www-data", false),
            ("a1", false),
            ("0", false),
            ("65534", false),
            ("4294967294", false),
            ("+5", true),
            ("Abc.def", true),
            ("-foo", true),
            ("1abc", true),
            ("a b", true),
            ("über", true),
            ("a@b", true),
            ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false),
            ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true),
        ],
    );
    let u = parse_user_group("User", "Abc.def").unwrap();
    assert_eq!(
        u.relaxed_warning.as_deref(),
        Some(
            "Accepting user/group name 'Abc.def', which does not match strict user/group name rules."
        )
    ); // confirmed
    assert!(parse_user_group("SocketUser", "nobody").unwrap().nobody);
    assert!(!parse_user_group("SocketGroup", "nobody").unwrap().nobody);
    let bad = [
        "a/b",
        "a:b",
        "..",
        ".",
        "4294967295",
        "65535",
        "007",
        "-1",
        "",
        " a",
        "a ",
        "a\tb",
    ];
    for b in bad {
        let f = |s: &str| parse_user_group("SocketUser", s);
        rejects(
            f,
            true,
            &[(b, &format!("Invalid user/group name or numeric ID: {b}"))],
        ); // confirmed
    }
}

#[test]
fn interface_and_fd_names() {
    for good in ["eth0", "a99", "lo", "a23456789012345", "0x0", "wlan-1.2"] {
        assert!(ifname_valid(good), "{good}");
    }
    let bad = [
        "",
        "0",
        "99",
        "x:y",
        ".",
        "..",
        "all",
        "default",
        "0x10",
        "+5",
        "1234567890123456",
        "123456789012345",
        "a b",
        "a/b",
        "a%d",
        "é",
    ];
    for b in bad {
        assert!(!ifname_valid(b), "{b}");
    }
    for good in ["", "foo", "a b", "~!@#", &"x".repeat(255)] {
        assert!(fdname_is_valid(good), "{good}");
    }
    for b in ["has:colon", "tab\t", "é", &"x".repeat(256)] {
        assert!(!fdname_is_valid(b), "{b}");
    }
}

#[test]
fn paths() {
    let cases = [
        ("/path//./////hogehoge///.", "/path/hogehoge"),
        ("///foo//./bar/.", "/foo/bar"),
        (".//./foo//./bar/.", "foo/bar"),
        ("/", "/"),
        ("//", "/"),
        (".", "."),
        ("./", "."),
        ("a/../b", "a/../b"),
        ("/a/./b//c/", "/a/b/c"),
        ("", ""),
        ("foo/.", "foo"),
    ];
    for (input, want) in cases {
        assert_eq!(path_simplify(input), want, "{input}");
    }
    let abs = PathCheck {
        absolute: true,
        ..PathCheck::default()
    };
    let f = |v: &str| path_check("ListenFIFO", v, abs);
    accepts(
        f,
        &[
            ("/path//./////hogehoge///.", "/path/hogehoge".to_string()),
            ("/a/./b//c/", "/a/b/c".into()),
        ],
    );
    rejects(
        f,
        false,
        &[
            (
                "relative/fifo",
                "ListenFIFO= path is not absolute, ignoring: relative/fifo",
            ), // confirmed
            (
                "not_absolute/path",
                "ListenFIFO= path is not absolute, ignoring: not_absolute/path",
            ),
            (
                "/a/../b",
                "ListenFIFO= path is not normalized, ignoring: /a/../b",
            ), // confirmed
            (
                "/x/..//",
                "ListenFIFO= path is not normalized, ignoring: /x/..",
            ),
        ],
    );
    let long = format!("/{}", "x".repeat(256));
    rejects(
        f,
        false,
        &[(
            long.as_str(),
            "ListenFIFO= path has invalid length (257 bytes), ignoring.",
        )],
    );
    let fatal = PathCheck {
        absolute: true,
        fatal: true,
        ..PathCheck::default()
    };
    let g = |v: &str| path_check("WorkingDirectory", v, fatal);
    rejects(
        g,
        true,
        &[("rel", "WorkingDirectory= path is not absolute: rel")],
    );
    let rel = PathCheck {
        relative: true,
        ..PathCheck::default()
    };
    let h = |v: &str| path_check("RuntimeDirectory", v, rel);
    rejects(
        h,
        false,
        &[("/abs", "RuntimeDirectory= path is absolute, ignoring: /abs")],
    );
}

#[test]
fn rlimits() {
    const INF: u64 = u64::MAX;
    let nofile = |v: &str| parse_rlimit("LimitNOFILE", v);
    accepts(
        nofile,
        &[
            ("5", (5, 5)),
            ("5:10", (5, 10)),
            ("infinity", (INF, INF)),
            ("1:2:", (1, 2)),
            ("5:infinity", (5, INF)),
        ],
    );
    rejects(
        nofile,
        false,
        &[
            ("abc", "Failed to parse resource value, ignoring: abc"),
            ("5:", "Failed to parse resource value, ignoring: 5:"),
            (":5", "Failed to parse resource value, ignoring: :5"),
            ("1:2:3", "Failed to parse resource value, ignoring: 1:2:3"),
            ("", "Failed to parse resource value, ignoring: "),
            (
                "18446744073709551615",
                "Failed to parse resource value, ignoring: 18446744073709551615",
            ),
            (
                "10:5",
                "Soft resource limit chosen higher than hard limit, ignoring: 10:5",
            ),
            (
                "infinity:5",
                "Soft resource limit chosen higher than hard limit, ignoring: infinity:5",
            ),
        ],
    ); // all confirmed
    let as_ = |v: &str| parse_rlimit("LimitAS", v);
    accepts(as_, &[("1K", (1024, 1024)), ("1M:2M", (1 << 20, 2 << 20))]);
    rejects(
        as_,
        false,
        &[("1Q", "Failed to parse resource value, ignoring: 1Q")],
    );
    let cpu = |v: &str| parse_rlimit("LimitCPU", v);
    accepts(
        cpu,
        &[
            ("10", (10, 10)),
            ("1min", (60, 60)),
            ("1500ms", (2, 2)),
            ("infinity", (INF, INF)),
        ],
    );
    rejects(
        cpu,
        false,
        &[("1x", "Failed to parse resource value, ignoring: 1x")],
    );
    let rt = |v: &str| parse_rlimit("LimitRTTIME", v);
    accepts(rt, &[("10", (10, 10)), ("1s", (1_000_000, 1_000_000))]);
    let nice = |v: &str| parse_rlimit("LimitNICE", v);
    accepts(
        nice,
        &[
            ("+0", (20, 20)),
            ("+19", (1, 1)),
            ("-20", (40, 40)),
            ("-0", (20, 20)),
            ("0", (0, 0)),
            ("40", (40, 40)),
        ],
    );
    rejects(
        nice,
        false,
        &[
            ("-21", "Failed to parse resource value, ignoring: -21"),
            ("41", "Failed to parse resource value, ignoring: 41"),
            ("+20", "Failed to parse resource value, ignoring: +20"),
        ],
    );
    assert_eq!(rlimit_kind("LimitMSGQUEUE"), Some(RlimitKind::Size));
    assert_eq!(rlimit_kind("LimitFOO"), None);
}

#[test]
fn exit_status_lists() {
    let l = parse_exit_status_list(
        "SuccessExitStatus",
        "1 2 FOO TERM 256 SIGKILL 0x10 -1 SUCCESS RTMIN+2 a",
    )
    .unwrap();
    assert_eq!(l.codes, vec![0, 1, 2, 16]);
    assert_eq!(l.signals, vec![9, 15, 36]);
    let msgs: Vec<&str> = l.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        msgs,
        [
            "Failed to parse value, ignoring: FOO",
            "Failed to parse value, ignoring: 256",
            "Failed to parse value, ignoring: -1",
            "Failed to parse value, ignoring: a",
        ]
    ); // confirmed
    let l = parse_exit_status_list("SuccessExitStatus", "EXEC 255 \"1\"").unwrap();
    assert_eq!(l.codes, vec![203, 255]);
    assert_eq!(
        l.warnings[0].message,
        "Failed to parse value, ignoring: \"1\""
    );
    let e = parse_exit_status_list("SuccessExitStatus", "1 a\\").unwrap_err();
    assert_eq!(
        e.message,
        "Failed to parse SuccessExitStatus=1 a\\, ignoring: Invalid argument"
    );
    assert_eq!(exit_status_name(203), Some("EXEC"));
    assert_eq!(exit_status_name(223), None);
}

/// Checks a table parser: every value in `good` maps to the expected variant; `bad` values fail
/// with `<msg>, ignoring: <value>`.
fn table<T: Debug + PartialEq + Copy>(
    f: impl Fn(&str) -> Result<T, ValueError>,
    msg: &str,
    good: &[(&str, T)],
    bad: &[&str],
) {
    accepts(&f, good);
    for b in bad {
        rejects(&f, false, &[(b, &format!("{msg}, ignoring: {b}"))]);
    }
}

#[test]
fn enums_socket() {
    use BindIpv6Only as B;
    table(
        parse_bind_ipv6_only,
        "Failed to parse bind IPv6 only value",
        &[
            ("default", B::Default),
            ("both", B::Both),
            ("ipv6-only", B::Ipv6Only),
            ("yes", B::Ipv6Only),
            ("YES", B::Ipv6Only),
            ("0", B::Both),
        ],
        &["sometimes", "", "Default"],
    ); // confirmed
    use SocketProtocol as P;
    table(
        parse_socket_protocol,
        "Failed to parse socket protocol",
        &[
            ("udplite", P::Udplite),
            ("SCTP", P::Sctp),
            ("132", P::Sctp),
            ("136", P::Udplite),
            ("UDPLite", P::Udplite),
        ],
        &["mptcp", "tcp", "", "6", "x"],
    ); // confirmed
    table(
        parse_ip_tos,
        "Failed to parse IP TOS value",
        &[
            ("low-delay", 0x10),
            ("throughput", 8),
            ("reliability", 4),
            ("low-cost", 2),
            ("0x10", 16),
            ("255", 255),
            ("", -1),
        ],
        &["bogus", "256", "LOW-DELAY", "-1"],
    ); // confirmed
    use Timestamping as T;
    table(
        parse_timestamping,
        "Failed to parse timestamping precision",
        &[
            ("off", T::Off),
            ("us", T::Us),
            ("usec", T::Us),
            ("µs", T::Us),
            ("μs", T::Us),
            ("ns", T::Ns),
            ("nsec", T::Ns),
            ("yes", T::Ns),
            ("no", T::Off),
        ],
        &["maybe", "NS", ""],
    ); // confirmed
}

#[test]
fn enums_service_and_exec() {
    table(
        parse_service_type,
        "Failed to parse service type",
        &[
            ("simple", ServiceType::Simple),
            ("exec", ServiceType::Exec),
            ("dbus", ServiceType::Dbus),
            ("idle", ServiceType::Idle),
        ],
        &["weird", "notify-reload", "", "Simple"],
    ); // confirmed
    table(
        parse_service_restart,
        "Failed to parse service restart specifier",
        &[
            ("no", ServiceRestart::No),
            ("on-abort", ServiceRestart::OnAbort),
            ("always", ServiceRestart::Always),
        ],
        &["sometimes", "yes", ""],
    );
    table(
        parse_notify_access,
        "Failed to parse notify access specifier",
        &[("exec", NotifyAccess::Exec)],
        &["some"],
    );
    table(
        parse_exit_type,
        "Failed to parse service exit type",
        &[("cgroup", ExitType::Cgroup)],
        &["x"],
    );
    table(
        parse_timeout_failure_mode,
        "Failed to parse timeout failure mode",
        &[("abort", TimeoutFailureMode::Abort)],
        &["x"],
    );
    table(
        parse_oom_policy,
        "Failed to parse OOM policy",
        &[("kill", OomPolicy::Kill)],
        &["x"],
    );
    table(
        parse_collect_mode,
        "Failed to parse garbage collection mode",
        &[("inactive-or-failed", CollectMode::InactiveOrFailed)],
        &["x"],
    );
    table(
        parse_job_mode,
        "Failed to parse job mode",
        &[("replace-irreversibly", JobMode::ReplaceIrreversibly)],
        &["x"],
    );
    table(
        parse_utmp_mode,
        "Failed to parse utmp mode",
        &[("login", UtmpMode::Login)],
        &["x"],
    );
    table(
        parse_keyring_mode,
        "Failed to parse keyring mode",
        &[("shared", KeyringMode::Shared)],
        &["x"],
    );
    table(
        parse_protect_system,
        "Failed to parse protect system value",
        &[
            ("strict", ProtectSystem::Strict),
            ("true", ProtectSystem::Yes),
            ("off", ProtectSystem::No),
        ],
        &["x", ""],
    );
    table(
        parse_protect_home,
        "Failed to parse protect home value",
        &[
            ("read-only", ProtectHome::ReadOnly),
            ("tmpfs", ProtectHome::Tmpfs),
            ("1", ProtectHome::Yes),
        ],
        &["x"],
    );
    table(
        parse_protect_proc,
        "Failed to parse /proc/ protection mode",
        &[("invisible", ProtectProc::Invisible)],
        &["x"],
    );
    table(
        parse_proc_subset,
        "Failed to parse /proc/ subset mode",
        &[("pid", ProcSubset::Pid)],
        &["x"],
    );
    table(
        parse_runtime_directory_preserve,
        "Failed to parse runtime directory preserve mode",
        &[
            ("restart", PreserveMode::Restart),
            ("yes", PreserveMode::Yes),
        ],
        &["x"],
    );
    table(
        parse_device_policy,
        "Failed to parse device policy",
        &[("closed", DevicePolicy::Closed)],
        &["x"],
    );
    table(
        parse_managed_oom_preference,
        "Failed to parse ManagedOOMPreference=",
        &[("avoid", ManagedOomPreference::Avoid)],
        &["x"],
    );
    table(
        parse_managed_oom_mode,
        "Invalid syntax",
        &[("kill", ManagedOomMode::Kill), ("", ManagedOomMode::Auto)],
        &["x"],
    );
    table(
        parse_kill_mode,
        "Failed to parse kill mode specification",
        &[
            ("mixed", KillMode::Mixed),
            ("none", KillMode::None),
            ("", KillMode::ControlGroup),
        ],
        &["gentle"],
    ); // confirmed
    assert!(KILL_MODE_NONE_WARNING.starts_with("Unit uses KillMode=none. This is unsafe"));
    table(
        parse_io_scheduling_class,
        "Failed to parse IO scheduling class",
        &[
            ("idle", Some(3)),
            ("4", Some(4)),
            ("8", Some(8)),
            ("", None),
        ],
        &["x", "9"],
    );
    table(
        parse_cpu_scheduling_policy,
        "Failed to parse CPU scheduling policy",
        &[
            ("rr", Some(2)),
            ("batch", Some(3)),
            ("7", Some(7)),
            ("", None),
        ],
        &["x", "-1"],
    );
    if cfg!(target_arch = "x86_64") {
        table(
            parse_personality,
            "Failed to parse personality",
            &[("x86", Some("x86")), ("x86-64", Some("x86-64")), ("", None)],
            &["x", "arm64"],
        ); // confirmed
    }
    for a in EmergencyAction::ALL {
        assert_eq!(
            parse_emergency_action("FailureAction", a.as_str(), false).unwrap(),
            (*a, None)
        );
    }
    let e = parse_emergency_action("FailureAction", "", false).unwrap_err();
    assert_eq!(e.message, "Failed to parse FailureAction=, ignoring: "); // confirmed
    assert!(parse_emergency_action("SuccessAction", "soft-reboot", false).is_err());
    let (a, info) = parse_emergency_action("SuccessAction", "reboot", true).unwrap();
    assert_eq!(a, EmergencyAction::ExitForce);
    assert_eq!(
        info.unwrap(),
        "SuccessAction= in user mode specified as \"reboot\", using \"exit-force\" instead."
    );
}

#[test]
fn stdio_and_delegate() {
    accepts(
        parse_exec_input,
        &[
            ("null", StdInput::Null),
            ("tty-force", StdInput::TtyForce),
            ("socket", StdInput::Socket),
            ("fd:foo", StdInput::Fd(Some("foo".into()))),
            ("fd:", StdInput::Fd(None)),
            ("fd", StdInput::Fd(None)),
            ("file:/a/./b", StdInput::File(Some("/a/b".into()))),
            ("data", StdInput::Data),
        ],
    );
    rejects(
        parse_exec_input,
        false,
        &[
            ("bogus", "Failed to parse input specifier, ignoring: bogus"), // confirmed
            ("", "Failed to parse input specifier, ignoring: "),           // confirmed
            ("file:rel", "StandardInput= path is not absolute: rel"),      // confirmed
            ("fd:x:y", "Invalid file descriptor name, ignoring: x:y"),     // confirmed
        ],
    );
    let out = |v: &str| parse_exec_output("StandardOutput", v);
    accepts(
        out,
        &[
            ("journal+console", (StdOutput::JournalAndConsole, None)),
            (
                "append:/x//y",
                (StdOutput::Append(Some("/x/y".into())), None),
            ),
            (
                "truncate:/t",
                (StdOutput::Truncate(Some("/t".into())), None),
            ),
            ("inherit", (StdOutput::Inherit, None)),
        ],
    );
    let (eo, notice) = out("syslog").unwrap();
    assert_eq!(eo, StdOutput::Journal);
    assert_eq!(
        notice.unwrap(),
        "Standard output type syslog is obsolete, automatically updating to journal. Please update your unit file, and consider removing the setting altogether."
    ); // confirmed
    rejects(
        out,
        false,
        &[
            ("file:rel", "StandardOutput= path is not absolute: rel"), // confirmed
            (
                "file:/a/../b",
                "StandardOutput= path is not normalized: /a/../b",
            ), // confirmed
            ("fd:a:b", "Invalid file descriptor name, ignoring: a:b"), // confirmed
            ("bogus", "Failed to parse output specifier, ignoring: bogus"),
        ],
    );
    assert_eq!(parse_delegate("yes").unwrap(), Delegate::All);
    assert_eq!(parse_delegate("").unwrap(), Delegate::Reset);
    assert_eq!(parse_delegate("off").unwrap(), Delegate::Off);
    let Delegate::Controllers { names, warnings } = parse_delegate("x cpu \"memory\" y").unwrap()
    else {
        panic!("not a list")
    };
    assert_eq!(names, ["cpu", "memory"]);
    let w: Vec<&str> = warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        w,
        [
            "Invalid controller name 'x', ignoring",
            "Invalid controller name 'y', ignoring"
        ]
    ); // confirmed
    assert_eq!(
        parse_delegate("cpu \"io").unwrap_err().message,
        "Invalid syntax, ignoring: cpu \"io"
    );
}
