//! The typed configuration built from real unit files: systemd's defaults, resets, specifier
//! expansion and parsed values.

use sockunit::config::listen::{Address, ListenKind};
use sockunit::load::Loader;
use sockunit::load::name::UnitName;
use sockunit::load::paths::{Environment, Scope, SearchPath};

fn interpret(dir: &std::path::Path, name: &str) -> (sockunit::config::Basics, Vec<String>) {
    let env = Environment {
        unit_path: Some(dir.display().to_string()),
        ..Default::default()
    };
    let loader = Loader::new(
        SearchPath::new(Scope::System, None, &env),
        Scope::System,
        &env,
    );
    let mut diags = Vec::new();
    let unit = loader.load(&UnitName::parse(name).unwrap(), &mut diags);
    let b = sockunit::config::interpret(
        &unit,
        &loader.specifiers(&unit),
        &loader.host,
        loader.scope,
        &mut diags,
    );
    (b, diags.into_iter().map(|d| d.message).collect())
}

#[test]
fn socket_defaults_match_systemd() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("d.socket"), "[Socket]\nListenStream=80\n").unwrap();
    let (b, diags) = interpret(dir.path(), "d.socket");
    assert!(diags.is_empty(), "{diags:?}");
    let s = b.socket.as_deref().unwrap();
    assert_eq!(
        (s.backlog, s.socket_mode, s.directory_mode),
        (2_147_483_647, 0o666, 0o755)
    );
    assert_eq!(
        (s.max_connections, s.timeout_usec, s.trigger_limit()),
        (64, 90_000_000, (2_000_000, 20))
    );
    assert_eq!((s.priority, s.ip_tos, s.ip_ttl, s.mark), (-1, -1, -1, -1));
    assert_eq!(
        (s.bind_ipv6_only.as_str(), s.timestamping.as_str()),
        ("default", "off")
    );
    assert_eq!(
        (
            s.kill.kill_mode.as_str(),
            s.kill.kill_signal,
            s.kill.send_sigkill
        ),
        ("control-group", 15, true)
    );
    assert_eq!(s.exec.umask, 0o022);
    assert_eq!(s.listens.len(), 1);
    assert_eq!(s.listens[0].kind, ListenKind::Stream);
}

#[test]
fn socket_values_resets_and_specifiers() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("web.socket"),
        "[Socket]\nListenStream=127.0.0.1:1\nListenStream=\nListenStream=/run/%p.sock\n\
         ListenDatagram=@abstract\nAccept=yes\nBacklog=0x10\nSocketMode=0600\nKeepAliveTimeSec=1h 30min\n\
         ReceiveBuffer=8M\nIPTOS=low-delay\nTimeoutSec=0\nFileDescriptorName=fd-%n\nSymlinks=/run/a /run/b\n\
         Symlinks=\nExecStartPre=-/bin/echo %i \"a b\"\nExecStartPre=/bin/true ; /bin/false\nSocketUser=nobody\n\
         KillSignal=SIGINT\nSendSIGKILL=no\nBacklog=abc\n",
    )
    .unwrap();
    let (b, diags) = interpret(dir.path(), "web.socket");
    assert_eq!(
        diags,
        ["Failed to parse unsigned value, ignoring: abc"],
        "{diags:?}"
    );
    let s = b.socket.as_deref().unwrap();
    assert_eq!(
        s.listens.len(),
        2,
        "the empty ListenStream= reset the first one"
    );
    assert_eq!(
        s.listens[0].address,
        Address::Unix("/run/web.sock".to_owned())
    );
    assert_eq!(s.listens[1].kind, ListenKind::Datagram);
    assert!(s.accept);
    assert_eq!(s.backlog, 16, "0x10 is accepted as strtoul does");
    assert_eq!(s.socket_mode, 0o600);
    assert_eq!(s.keep_alive_time_usec, 5_400_000_000);
    assert_eq!(s.receive_buffer, 8 * 1024 * 1024);
    assert_eq!(s.ip_tos, 0x10);
    assert_eq!(s.timeout_usec, u64::MAX, "TimeoutSec=0 means infinity");
    assert_eq!(s.fd_name.as_deref(), Some("fd-web.socket"));
    assert!(s.symlinks.is_empty(), "Symlinks= reset");
    assert_eq!(
        s.trigger_limit(),
        (2_000_000, 200),
        "Accept=yes raises the default burst"
    );
    assert_eq!(s.exec_start_pre.len(), 3);
    assert!(s.exec_start_pre[0].flags.ignore_failure);
    assert_eq!(s.exec_start_pre[0].argv, ["/bin/echo", "", "a b"]);
    assert_eq!(s.exec_start_pre[2].path, "/bin/false");
    assert_eq!(s.socket_user.as_deref(), Some("nobody"));
    assert_eq!((s.kill.kill_signal, s.kill.send_sigkill), (2, false));
}

#[test]
fn service_values() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("s.service"),
        "[Service]\nType=notify\nExecStart=/bin/sleep 1\nRestart=on-failure\nRestartSec=250ms\n\
         TimeoutSec=5\nTimeoutStopSec=7\nEnvironment=A=1 \"B=2 3\"\nEnvironment=C=%n\nUser=daemon\n\
         WorkingDirectory=-/srv\nUMask=0077\nSockets=a.socket b.socket\nNonBlocking=yes\n\
         StandardInput=socket\nLimitNOFILE=1024:4096\nSuccessExitStatus=3 SIGUSR1\nKillMode=mixed\n",
    )
    .unwrap();
    let (b, diags) = interpret(dir.path(), "s.service");
    assert!(diags.is_empty(), "{diags:?}");
    let s = b.service.as_deref().unwrap();
    assert_eq!(
        (s.service_type.as_str(), s.restart.as_str()),
        ("notify", "on-failure")
    );
    assert_eq!(s.restart_usec, 250_000);
    assert_eq!(
        (s.timeout_start_usec, s.timeout_stop_usec),
        (5_000_000, 7_000_000)
    );
    assert_eq!(s.commands("ExecStart")[0].argv, ["/bin/sleep", "1"]);
    assert_eq!(s.exec.environment, ["A=1", "B=2 3", "C=s.service"]);
    assert_eq!(s.exec.user.as_deref(), Some("daemon"));
    assert_eq!(
        s.exec.working_directory.as_deref(),
        Some("-/srv"),
        "the - (missing is fine) is kept"
    );
    assert_eq!(s.exec.umask, 0o077);
    assert_eq!(s.sockets, ["a.socket", "b.socket"]);
    assert!(s.non_blocking);
    assert_eq!(s.exec.standard_input, "socket");
    assert_eq!(s.exec.limits, [("LimitNOFILE".to_owned(), 1024, 4096)]);
    assert_eq!(s.success_exit_status, ["3 SIGUSR1"]);
    assert_eq!(s.kill.kill_mode, "mixed");
}
