//! `ServiceParams::from_config` and exit status sets.

use super::*;

#[test]
fn from_config_parses_the_strings() {
    use crate::config::ServiceConfig;
    let mut c = ServiceConfig {
        service_type: "notify".into(),
        restart: "on-abnormal".into(),
        timeout_start_usec: 0,
        success_exit_status: vec!["42 SIGUSR1".into(), "TEMPFAIL USR2".into()],
        restart_prevent_exit_status: vec!["1 bogus".into()],
        restart_force_exit_status: vec!["SIGHUP".into()],
        timeout_start_failure_mode: "abort".into(),
        timeout_stop_failure_mode: "kill".into(),
        exit_type: "cgroup".into(),
        pid_file: Some("/run/x.pid".into()),
        ..ServiceConfig::default()
    };
    c.kill.send_sigkill = false;
    let p = ServiceParams::from_config(&c);
    assert_eq!(p.service_type, ServiceType::Notify);
    assert_eq!(p.restart, RestartPolicy::OnAbnormal);
    assert_eq!(p.timeout_start_usec, crate::runtime::types::INFINITY);
    assert_eq!(p.timeout_stop_usec, 90_000_000);
    assert_eq!(p.success_status.codes, vec![42, 75]);
    assert_eq!(p.success_status.signals, vec![10, 12]);
    assert_eq!(p.restart_prevent_status.codes, vec![1]);
    assert_eq!(p.restart_force_status.signals, vec![1]);
    assert_eq!(p.timeout_start_failure_mode, TimeoutFailureMode::Abort);
    assert_eq!(p.timeout_stop_failure_mode, TimeoutFailureMode::Kill);
    assert_eq!(p.exit_type, ExitType::Cgroup);
    assert!(p.pid_file && !p.send_sigkill);
    assert_eq!(p.notify_access(), NotifyAccess::Main);
    assert_eq!(p.start_limit, (10_000_000, 5));
    assert_eq!(p.watchdog_usec, 0);
    assert_eq!(p.count(ServiceCommand::Start), 0);
    // No ExecStart= and the default type: oneshot, with no start timeout by default.
    let p = ServiceParams::from_config(&ServiceConfig::default());
    assert_eq!(p.service_type, ServiceType::Oneshot);
    assert_eq!(p.timeout_start_usec, crate::runtime::types::INFINITY);
    assert_eq!(p.notify_access(), NotifyAccess::None);
}

#[test]
fn from_config_counts_commands_and_dashes() {
    use crate::config::ServiceConfig;
    use crate::config::exec::{ExecCommand, ExecFlags};
    let cmd = |ignore| ExecCommand {
        path: "/bin/true".into(),
        argv: vec!["/bin/true".into()],
        flags: ExecFlags {
            ignore_failure: ignore,
            ..ExecFlags::default()
        },
        range: 0..0,
    };
    let c = ServiceConfig {
        commands: vec![
            ("ExecStart".into(), vec![cmd(false)]),
            ("ExecStartPre".into(), vec![cmd(true), cmd(false)]),
            ("ExecStopPost".into(), vec![cmd(true)]),
        ],
        ..ServiceConfig::default()
    };
    let p = ServiceParams::from_config(&c);
    assert_eq!(p.service_type, ServiceType::Simple);
    assert_eq!(p.timeout_start_usec, 90_000_000);
    assert_eq!(
        p.commands[ServiceCommand::StartPre.index()],
        vec![true, false]
    );
    assert_eq!(p.commands[ServiceCommand::StopPost.index()], vec![true]);
    assert!(p.ignores_failure(ServiceCommand::StartPre, 0));
    assert!(!p.ignores_failure(ServiceCommand::StartPre, 1));
    assert!(!p.ignores_failure(ServiceCommand::StartPre, 7));
}

#[test]
fn exit_status_sets_match_codes_and_signals() {
    let s = ExitStatusSet {
        codes: vec![3],
        signals: vec![10],
    };
    assert!(s.contains(Exited(3)));
    assert!(!s.contains(Exited(10)));
    assert!(s.contains(Killed(10)) && s.contains(Dumped(10)));
    assert!(!s.contains(Exited(-1)) && !s.contains(Exited(259)));
}
