//! Tests of notification parsing and `NotifyAccess=` filtering.

use super::*;

fn n() -> Notification {
    Notification::default()
}

#[test]
fn parse_table() {
    use NotifyState::*;
    #[rustfmt::skip]
    let cases: Vec<(&str, &[u8], Notification)> = vec![
        ("empty", b"", n()),
        ("ready", b"READY=1", Notification { state: Some(Ready), ..n() }),
        ("trailing newline", b"READY=1\n", Notification { state: Some(Ready), ..n() }),
        ("trailing NUL", b"READY=1\0", Notification { state: Some(Ready), ..n() }),
        ("last state wins", b"READY=1\nSTOPPING=1\nRELOADING=1",
            Notification { state: Some(Reloading), ..n() }),
        ("state must match exactly", b"READY=2\nREADY=1 \nSTOPPING=1", Notification { state: Some(Stopping), ..n() }),
        ("CR separates too", b"READY=1\r\nSTATUS=up\r\n",
            Notification { state: Some(Ready), status: Some("up".into()), ..n() }),
        ("empty lines dropped", b"\n\nSTATUS=a\n\n", Notification { status: Some("a".into()), ..n() }),
        ("first STATUS wins", b"STATUS=one\nSTATUS=two", Notification { status: Some("one".into()), ..n() }),
        ("empty STATUS clears", b"STATUS=", Notification { status: Some(String::new()), ..n() }),
        ("backslashes are removed", b"STATUS=a\\b\\\\c", Notification { status: Some("ab\\c".into()), ..n() }),
        ("escaped newline stays in the line", b"STATUS=a\\\nb", Notification { status: Some("a\nb".into()), ..n() }),
        ("quotes are plain bytes", b"STATUS=\"x y\"", Notification { status: Some("\"x y\"".into()), ..n() }),
        ("errno number", b"ERRNO=2", Notification { errno: Some(2), ..n() }),
        ("errno zero", b"ERRNO=0", Notification { errno: Some(0), ..n() }),
        ("errno name", b"ERRNO=ENOENT", Notification { errno: Some(2), ..n() }),
        ("errno alias", b"ERRNO=EWOULDBLOCK", Notification { errno: Some(11), ..n() }),
        ("extend timeout", b"EXTEND_TIMEOUT_USEC=5000000", Notification { extend_timeout_usec: Some(5_000_000), ..n() }),
        ("hex like safe_atou64", b"WATCHDOG_USEC=0x10", Notification { watchdog_usec: Some(16), ..n() }),
        ("watchdog ping", b"WATCHDOG=1", Notification { watchdog: Some(WatchdogPing::Ping), ..n() }),
        ("watchdog trigger", b"WATCHDOG=trigger", Notification { watchdog: Some(WatchdogPing::Trigger), ..n() }),
        ("mainpid", b"MAINPID=42", Notification { main_pid: true, ..n() }),
        ("ignored lines", b"BUSERROR=org.x.Y\nFOO=bar\nFDSTORE=1", n()),
        ("everything", b"MAINPID=7\nSTATUS=ok\nERRNO=5\nEXTEND_TIMEOUT_USEC=1\nWATCHDOG=1\nWATCHDOG_USEC=2\nREADY=1",
            Notification {
                main_pid: true, state: Some(Ready), status: Some("ok".into()), errno: Some(5),
                extend_timeout_usec: Some(1), watchdog: Some(WatchdogPing::Ping), watchdog_usec: Some(2),
            }),
    ];
    for (what, input, want) in cases {
        let p = parse_message(input, 0);
        assert_eq!(p.notification, want, "{what}");
        assert!(p.warnings.is_empty(), "{what}: {:?}", p.warnings);
        assert_eq!(parse(input), want, "{what}");
    }
}

#[test]
fn warnings_use_systemds_texts() {
    #[rustfmt::skip]
    let cases: &[(&[u8], &str)] = &[
        (b"ERRNO=x", "Failed to parse ERRNO= field value 'x' in notification message: Invalid argument"),
        (b"ERRNO=4096", "Failed to parse ERRNO= field value '4096' in notification message: Numerical result out of range"),
        (b"ERRNO=-1", "Failed to parse ERRNO= field value '-1' in notification message: Numerical result out of range"),
        (b"EXTEND_TIMEOUT_USEC=soon", "Failed to parse EXTEND_TIMEOUT_USEC=soon"),
        (b"EXTEND_TIMEOUT_USEC=-5", "Failed to parse EXTEND_TIMEOUT_USEC=-5"),
        (b"WATCHDOG=2", "Passed WATCHDOG= field is invalid, ignoring."),
        (b"WATCHDOG_USEC=", "Failed to parse WATCHDOG_USEC="),
        (b"STATUS=\xff", "Status message in notification message is not UTF-8 clean, ignoring."),
        (b"FDSTOREREMOVE=1", "FDSTOREREMOVE=1 requested, but no valid file descriptor name passed, ignoring."),
        (b"FDSTORE=1\nFDNAME=a:b", "Passed FDNAME= name is invalid, ignoring."),
    ];
    for (input, want) in cases {
        let p = parse_message(input, 0);
        assert_eq!(p.warnings, [*want], "{}", String::from_utf8_lossy(input));
    }
    // A status that is not UTF-8 clears the text.
    assert_eq!(parse(b"STATUS=\xff").status, Some(String::new()));
    let long = format!("STATUS={}", "x".repeat(STATUS_TEXT_MAX + 1));
    assert_eq!(
        parse_message(long.as_bytes(), 0).warnings,
        ["Status message overly long (16385 > 16384), ignoring."]
    );
}

#[test]
fn mainpid_is_returned_separately() {
    assert_eq!(parse_message(b"MAINPID=42", 0).main_pid, Some(Ok(42)));
    assert_eq!(
        parse_message(b"MAINPID=1\nMAINPID=2", 0).main_pid,
        Some(Ok(1))
    );
    for bad in ["MAINPID=0", "MAINPID=x", "MAINPID=-3", "MAINPID=4294967296"] {
        let p = parse_message(bad.as_bytes(), 0);
        assert!(!p.notification.main_pid, "{bad}");
        assert_eq!(
            p.main_pid,
            Some(Err(format!(
                "Failed to parse MAINPID= field in notification message, ignoring: {}",
                &bad[8..]
            )))
        );
    }
    assert_eq!(parse_message(b"READY=1", 0).main_pid, None);
}

#[test]
fn barrier_and_split_failures_drop_the_message() {
    let p = parse_message(b"BARRIER=1", 1);
    assert!(p.barrier);
    assert!(p.manager_warnings.is_empty());
    let p = parse_message(b"BARRIER=1", 0);
    assert_eq!(
        p.manager_warnings,
        ["Got incorrect number of fds with BARRIER=1, closing them."]
    );
    let p = parse_message(b"BARRIER=1\nREADY=1", 1);
    assert!(p.barrier);
    assert_eq!(p.notification, n());
    assert_eq!(
        p.manager_warnings,
        ["Extra notification messages sent with BARRIER=1, ignoring everything."]
    );
    assert_eq!(extra_fds_warning(&p, 1, true), None);
    let p = parse_message(b"READY=1\\", 0);
    assert!(p.barrier);
    assert_eq!(p.notification, n());
    assert_eq!(p.manager_warnings, ["Out of memory."]);
}

#[test]
fn passed_fds_are_refused() {
    let p = parse_message(b"FDSTORE=1\nFDNAME=x", 2);
    assert_eq!(
        p.warnings,
        ["Cannot store more fds than FileDescriptorStoreMax=0, closing remaining."]
    );
    assert_eq!(
        extra_fds_warning(&p, 2, true),
        Some("Got extra auxiliary fds with notification message, closing them.")
    );
    assert_eq!(extra_fds_warning(&p, 1, true), None);
    assert!(extra_fds_warning(&p, 1, false).is_some());
    let p = parse_message(b"READY=1", 1);
    assert!(extra_fds_warning(&p, 1, true).is_some());
    assert_eq!(extra_fds_warning(&p, 0, true), None);
}

#[test]
fn debug_line() {
    assert_eq!(
        parse_message(b"READY=1\nSTATUS=x", 0).debug_line(9),
        "Got notification message from PID 9 (READY=1, STATUS=x)"
    );
    assert_eq!(
        parse_message(b"", 0).debug_line(9),
        "Got notification message from PID 9 (n/a)"
    );
}

/// (NotifyAccess=, main pid, control pid, other pids of the unit, verdict for PID 5).
type AccessCase = (
    NotifyAccess,
    Option<i32>,
    Option<i32>,
    &'static [i32],
    Verdict,
);

#[test]
fn notify_access() {
    use NotifyAccess::{All, Exec, Main};
    let off = NotifyAccess::None;
    let refuse = |s: &str| Verdict::Refuse(format!("Got notification message from PID 5, {s}"));
    #[rustfmt::skip]
    let cases: Vec<AccessCase> = vec![
        (All, None, None, &[], Verdict::NotThisUnit),
        (All, None, None, &[5], Verdict::Accept),
        (All, Some(5), None, &[], Verdict::Accept),
        (off, Some(5), None, &[], refuse("but reception is disabled.")),
        (Main, Some(5), None, &[], Verdict::Accept),
        (Main, Some(4), None, &[5], refuse("but reception only permitted for main PID 4")),
        (Main, None, Some(5), &[], refuse("but reception only permitted for main PID which is currently not known")),
        (Exec, None, Some(5), &[], Verdict::Accept),
        (Exec, Some(5), Some(6), &[], Verdict::Accept),
        (Exec, Some(4), Some(6), &[5], refuse("but reception only permitted for main PID 4 and control PID 6")),
        (Exec, Some(4), None, &[5], refuse("but reception only permitted for main PID 4")),
        (Exec, None, Some(6), &[5], refuse("but reception only permitted for control PID 6")),
        (Exec, None, None, &[5], refuse("but reception only permitted for main PID and control PID which are currently not known")),
        (Exec, None, None, &[], Verdict::NotThisUnit),
    ];
    for (access, main, control, pids, want) in cases {
        let got = authorize(access, 5, main, control, pids);
        assert_eq!(got, want, "{access:?} {main:?} {control:?} {pids:?}");
        assert_eq!(
            accept(access, 5, main, control, pids),
            want == Verdict::Accept
        );
    }
    assert_eq!(
        unknown_sender_warning(5),
        "Cannot find unit for notify message of PID 5, ignoring."
    );
}

#[test]
fn notify_socket_for_whom() {
    use NotifyAccess::{All, Exec, Main};
    let table = [
        (NotifyAccess::None, false, false),
        (Main, true, false),
        (Exec, true, true),
        (All, true, true),
    ];
    for (access, main, control) in table {
        assert_eq!(needs_notify_socket(access, false), main, "{access:?}");
        assert_eq!(needs_notify_socket(access, true), control, "{access:?}");
    }
}

#[test]
fn main_pid_suitability() {
    let check =
        |new, alive, in_unit, uid| check_main_pid(new, Some(10), Some(11), 99, alive, in_unit, uid);
    assert_eq!(check(10, true, true, 0), MainPidCheck::default());
    let w = |s: &str| Some(s.to_owned());
    assert_eq!(
        check(99, true, true, 0).warning,
        w("New main PID 99 is the manager, refusing.")
    );
    assert_eq!(
        check(1, true, true, 0).warning,
        w("New main PID 1 is the manager, refusing.")
    );
    assert_eq!(
        check(11, true, true, 0).warning,
        w("New main PID 11 is the control process, refusing.")
    );
    assert_eq!(
        check(12, false, true, 0).warning,
        w("New main PID 12 does not exist or is a zombie.")
    );
    assert!(check(12, true, true, 1000).adopt);
    let privileged = check(12, true, false, 0);
    assert!(privileged.adopt);
    assert!(
        privileged
            .debug
            .unwrap()
            .contains("came from a privileged process")
    );
    let refused = check(12, true, false, 1000);
    assert!(!refused.adopt && refused.warning.is_none());
    assert_eq!(
        refused.debug,
        w("New main PID 12 does not belong to service, refusing.")
    );
}
