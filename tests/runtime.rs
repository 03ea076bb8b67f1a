//! The runtime driven from outside: the built `sockunit run` on real unit files, real
//! sockets on loopback and in temp dirs, real child processes (the probe in
//! `tests/common/probe.py`). Expected sequences are systemd 252's (`systemd-semantics.md` §5
//! and §8b, observed with a real user manager).

mod common;
#[path = "common/rt.rs"]
mod rt;

use std::time::Duration;

use rt::{Runtime, fetch, free_port, wait_until};

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[test]
fn accept_no_activates_on_traffic_and_passes_the_listening_fd() {
    let port = free_port();
    let mut rt = Runtime::new(&[
        (
            "web.socket",
            &format!("[Socket]\nListenStream=127.0.0.1:{port}\n"),
        ),
        ("web.service", "[Service]\nExecStart=@PROBE@ accept:0\n"),
    ]);
    rt.start(&["web.socket"]);
    rt.wait_state("web.socket", "listening", 10);
    assert!(rt.probes().is_empty(), "service started before traffic");
    let answer = fetch(&format!("127.0.0.1:{port}")).expect("connect");
    let p = &rt.wait_probes(1, 10)[0];
    assert_eq!(answer, format!("pid {}\n", p["pid"]));
    assert_eq!(p["LISTEN_PID"], p["pid"].to_string().as_str());
    assert_eq!(p["LISTEN_FDS"], "1");
    assert_eq!(p["LISTEN_FDNAMES"], "web.socket");
    assert_eq!(
        p["fds"],
        serde_json::json!([0, 1, 2, 3]),
        "no fd but 0-2 and the socket"
    );
    assert_eq!(p["fd_flags"]["3"]["cloexec"], false);
    assert_eq!(p["fd_flags"]["3"]["nonblock"], false);
    assert_eq!(p["sigblk"], "0000000000000000");
    rt.wait_state("web.service", "dead", 10);
    rt.wait_state("web.socket", "running", 10);
    // The service exited: the socket listens again, and the next connection activates again.
    let ok = wait_until(Duration::from_secs(10), || {
        rt.states("web.socket")
            .ends_with(&s(&["running", "listening"]))
    });
    assert!(ok, "{:?}", rt.states("web.socket"));
    fetch(&format!("127.0.0.1:{port}")).expect("second connect");
    rt.wait_probes(2, 10);
    assert_eq!(rt.shutdown(20), Some(0));
    assert_eq!(
        rt.states("web.service")[..3],
        s(&["dead", "running", "dead"])
    );
}

#[test]
fn crashing_service_returns_the_socket_to_listening() {
    let port = free_port();
    let mut rt = Runtime::new(&[
        (
            "c.socket",
            &format!("[Socket]\nListenStream=127.0.0.1:{port}\n"),
        ),
        ("c.service", "[Service]\nExecStart=@PROBE@ accept:1\n"),
    ]);
    rt.start(&["c.socket"]);
    rt.wait_state("c.socket", "listening", 10);
    fetch(&format!("127.0.0.1:{port}")).expect("connect");
    rt.wait_state("c.service", "failed", 10);
    let ok = wait_until(Duration::from_secs(10), || {
        rt.states("c.socket")
            .ends_with(&s(&["running", "listening"]))
    });
    assert!(ok, "{:?}", rt.states("c.socket"));
    assert!(
        rt.log()
            .contains("c.service: Main process exited, code=exited, status=1/FAILURE")
    );
    assert!(
        rt.log()
            .contains("c.service: Failed with result 'exit-code'.")
    );
    fetch(&format!("127.0.0.1:{port}")).expect("connect again");
    rt.wait_probes(2, 10);
    assert_eq!(rt.shutdown(20), Some(0));
}

#[test]
fn control_command_success_failure_and_timeout() {
    let mut rt = Runtime::new(&[
        (
            "ok.socket",
            "[Socket]\nListenStream=@DIR@/ok.sock\nExecStartPre=/bin/true\n",
        ),
        ("ok.service", "[Service]\nExecStart=/bin/true\n"),
        (
            "bad.socket",
            "[Socket]\nListenStream=@DIR@/bad.sock\nExecStartPre=/bin/false\n",
        ),
        ("bad.service", "[Service]\nExecStart=/bin/true\n"),
        (
            "slow.socket",
            "[Socket]\nListenStream=@DIR@/slow.sock\nExecStartPre=/bin/sleep 30\nTimeoutSec=1\n",
        ),
        ("slow.service", "[Service]\nExecStart=/bin/true\n"),
    ]);
    rt.start(&["ok.socket", "bad.socket", "slow.socket"]);
    rt.wait_state("ok.socket", "listening", 10);
    assert_eq!(
        rt.states("ok.socket"),
        s(&["dead", "start-pre", "listening"])
    );
    rt.wait_state("bad.socket", "failed", 10);
    assert_eq!(rt.states("bad.socket"), s(&["dead", "start-pre", "failed"]));
    assert_eq!(rt.status("bad.socket")["result"], "exit-code");
    rt.wait_state("slow.socket", "failed", 10);
    assert_eq!(
        rt.states("slow.socket"),
        s(&["dead", "start-pre", "final-sigterm", "failed"])
    );
    assert_eq!(rt.status("slow.socket")["result"], "timeout");
    assert!(
        !rt.path("bad.sock").exists(),
        "a failed start leaves no socket node"
    );
    assert_eq!(rt.shutdown(20), Some(0));
}

#[test]
fn stop_post_that_ignores_sigterm_is_killed() {
    let mut rt = Runtime::new(&[
        (
            "k.socket",
            "[Socket]\nListenStream=@DIR@/k.sock\nTimeoutSec=1\n\
             ExecStopPost=/bin/sh -c 'trap \"\" TERM; sleep 30'\n",
        ),
        ("k.service", "[Service]\nExecStart=/bin/true\n"),
    ]);
    rt.start(&["k.socket"]);
    rt.wait_state("k.socket", "listening", 10);
    assert!(rt.ctl("stop", "k.socket"));
    rt.wait_state("k.socket", "failed", 15);
    assert_eq!(
        rt.states("k.socket"),
        s(&[
            "dead",
            "listening",
            "stop-post",
            "final-sigterm",
            "final-sigkill",
            "failed"
        ])
    );
    assert_eq!(rt.status("k.socket")["result"], "timeout");
    assert_eq!(rt.shutdown(20), Some(0));
}

#[test]
fn accept_yes_spawns_instances_with_the_connection_and_counts() {
    let port = free_port();
    let mut rt = Runtime::new(&[
        (
            "echo.socket",
            &format!("[Socket]\nListenStream=127.0.0.1:{port}\nAccept=yes\nMaxConnections=1\n"),
        ),
        (
            "echo@.service",
            "[Service]\nExecStart=@PROBE@ hold:20\nStandardInput=socket\nStandardOutput=journal\n",
        ),
    ]);
    rt.start(&["echo.socket"]);
    rt.wait_state("echo.socket", "listening", 10);
    let first = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let p = &rt.wait_probes(1, 10)[0];
    assert_eq!(p["LISTEN_FDS"], "1");
    assert_eq!(p["LISTEN_FDNAMES"], "connection");
    assert_eq!(p["REMOTE_ADDR"], "127.0.0.1");
    let local = first.local_addr().expect("local").port();
    assert_eq!(p["REMOTE_PORT"], local.to_string().as_str());
    assert!(p["stdin"].as_str().unwrap_or("").starts_with("socket:"));
    let instance = format!("echo@0-127.0.0.1:{port}-127.0.0.1:{local}.service");
    rt.wait_state(&instance, "running", 10);
    // MaxConnections=1: the second connection is dropped, counted in NRefused only.
    let mut second = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect 2");
    second.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let mut buf = [0u8; 1];
    use std::io::Read;
    assert_eq!(
        second.read(&mut buf).unwrap_or(0),
        0,
        "refused connection is closed"
    );
    let st = rt.status("echo.socket");
    assert_eq!(
        (st["n_accepted"].as_u64(), st["n_refused"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(st["n_connections"], 1);
    assert!(
        rt.log()
            .contains("Too many incoming connections (1), dropping connection.")
    );
    drop(first);
    rt.wait_state(&instance, "dead", 10);
    let ok = wait_until(Duration::from_secs(10), || {
        rt.status("echo.socket")["n_connections"] == 0
    });
    assert!(ok, "NConnections back to 0");
    assert_eq!(rt.status("echo.socket")["sub"], "listening");
    assert_eq!(rt.shutdown(20), Some(0));
}

#[test]
fn inetd_mode_echoes_over_a_unix_socket() {
    let mut rt = Runtime::new(&[
        (
            "e.socket",
            "[Socket]\nListenStream=@DIR@/e.sock\nAccept=yes\n",
        ),
        (
            "e@.service",
            "[Service]\nExecStart=@PROBE@ echo\nStandardInput=socket\n",
        ),
    ]);
    rt.start(&["e.socket"]);
    rt.wait_state("e.socket", "listening", 10);
    let got = rt::unix_roundtrip(&rt.path("e.sock"), b"hello inetd\n").expect("roundtrip");
    assert_eq!(got, b"hello inetd\n");
    let trace = rt.trace();
    let inst = trace
        .iter()
        .find(|t| t.unit.starts_with("e@0-"))
        .map(|t| t.unit.clone())
        .expect("instance traced");
    let me = std::process::id();
    let uid = nix::unistd::getuid().as_raw();
    assert_eq!(inst, format!("e@0-{me}-{uid}.service"));
    assert_eq!(rt.shutdown(20), Some(0));
}

#[test]
fn trigger_limit_fails_the_socket() {
    let mut rt = Runtime::new(&[
        (
            "t.socket",
            "[Socket]\nListenDatagram=@DIR@/t.sock\nTriggerLimitIntervalSec=10s\nTriggerLimitBurst=2\n",
        ),
        // Exits without reading: the datagram stays queued and triggers again at once.
        ("t.service", "[Service]\nExecStart=/bin/true\n"),
    ]);
    rt.start(&["t.socket"]);
    rt.wait_state("t.socket", "listening", 10);
    let c = std::os::unix::net::UnixDatagram::unbound().expect("dgram");
    c.send_to(b"x", rt.path("t.sock")).expect("send");
    rt.wait_state("t.socket", "failed", 10);
    assert_eq!(rt.status("t.socket")["result"], "trigger-limit-hit");
    assert!(
        rt.log()
            .contains("t.socket: Trigger limit hit, refusing further activation.")
    );
    assert_eq!(
        rt.states("t.socket").last().map(String::as_str),
        Some("failed")
    );
    assert_eq!(rt.shutdown(20), Some(0));
}

#[test]
fn two_sockets_one_service_pass_fds_in_order_with_names() {
    let port = free_port();
    let mut rt = Runtime::new(&[
        (
            "a.socket",
            &format!(
                "[Socket]\nListenStream=127.0.0.1:{port}\nService=pair.service\nFileDescriptorName=alpha\n"
            ),
        ),
        (
            "b.socket",
            "[Socket]\nListenStream=@DIR@/b.sock\nListenDatagram=@DIR@/b.dgram\nService=pair.service\n",
        ),
        ("pair.service", "[Service]\nExecStart=@PROBE@ accept:0\n"),
    ]);
    rt.start(&["a.socket", "b.socket"]);
    rt.wait_state("b.socket", "listening", 10);
    fetch(&format!("127.0.0.1:{port}")).expect("connect");
    let p = &rt.wait_probes(1, 10)[0];
    assert_eq!(p["LISTEN_FDS"], "3");
    assert_eq!(p["LISTEN_FDNAMES"], "alpha:b.socket:b.socket");
    assert_eq!(p["fds"], serde_json::json!([0, 1, 2, 3, 4, 5]));
    assert_eq!(rt.shutdown(20), Some(0));
}

#[test]
fn fifo_and_socket_mode_bits_and_remove_on_stop_with_symlinks() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let mut rt = Runtime::new(&[
        (
            "f.socket",
            "[Socket]\nListenFIFO=@DIR@/sub/f.fifo\nSocketMode=0640\nDirectoryMode=0750\n\
             RemoveOnStop=yes\nSymlinks=@DIR@/link.fifo\n",
        ),
        ("f.service", "[Service]\nExecStart=@PROBE@ report\n"),
        (
            "u.socket",
            "[Socket]\nListenStream=@DIR@/u.sock\nSocketMode=0604\n",
        ),
        ("u.service", "[Service]\nExecStart=/bin/true\n"),
    ]);
    rt.start(&["f.socket", "u.socket"]);
    rt.wait_state("f.socket", "listening", 10);
    rt.wait_state("u.socket", "listening", 10);
    let fifo = rt.path("sub/f.fifo");
    let meta = std::fs::metadata(&fifo).expect("fifo exists");
    assert!(meta.file_type().is_fifo());
    assert_eq!(meta.permissions().mode() & 0o777, 0o640);
    let dmode = std::fs::metadata(rt.path("sub"))
        .expect("dir")
        .permissions()
        .mode();
    assert_eq!(dmode & 0o777, 0o750);
    assert_eq!(
        std::fs::read_link(rt.path("link.fifo")).expect("symlink"),
        fifo
    );
    let umeta = std::fs::metadata(rt.path("u.sock")).expect("unix socket");
    assert!(umeta.file_type().is_socket());
    assert_eq!(umeta.permissions().mode() & 0o777, 0o604);
    // Writing to the FIFO activates the service.
    let mut w = std::fs::OpenOptions::new()
        .write(true)
        .open(&fifo)
        .expect("open fifo");
    use std::io::Write;
    w.write_all(b"x").expect("write");
    let p = &rt.wait_probes(1, 10)[0];
    assert_eq!(p["LISTEN_FDNAMES"], "f.socket");
    drop(w);
    assert_eq!(rt.shutdown(20), Some(0));
    assert!(!fifo.exists(), "RemoveOnStop removes the FIFO");
    assert!(
        rt.path("link.fifo").symlink_metadata().is_err(),
        "and the symlink"
    );
    assert!(
        rt.path("u.sock").exists(),
        "without RemoveOnStop the node stays"
    );
}

#[test]
fn sigterm_shutdown_with_open_connections_stops_everything() {
    let port = free_port();
    let mut rt = Runtime::new(&[
        (
            "h.socket",
            &format!("[Socket]\nListenStream=127.0.0.1:{port}\nAccept=yes\n"),
        ),
        (
            "h@.service",
            "[Service]\nExecStart=@PROBE@ ignore-term:60\nTimeoutStopSec=1\n",
        ),
    ]);
    rt.start(&["h.socket"]);
    rt.wait_state("h.socket", "listening", 10);
    let _c1 = std::net::TcpStream::connect(("127.0.0.1", port)).expect("c1");
    let _c2 = std::net::TcpStream::connect(("127.0.0.1", port)).expect("c2");
    let probes = rt.wait_probes(2, 10);
    let pids: Vec<i64> = probes.iter().filter_map(|p| p["pid"].as_i64()).collect();
    assert_eq!(rt.shutdown(20), Some(0));
    for pid in pids {
        assert!(
            !std::path::Path::new(&format!("/proc/{pid}")).exists(),
            "instance {pid} survived shutdown"
        );
    }
    let states = rt.trace();
    assert!(
        states.iter().any(|t| t.to == "stop-sigkill"),
        "SIGTERM ignored → SIGKILL"
    );
    assert!(
        rt.log()
            .contains("State 'stop-sigterm' timed out. Killing.")
    );
}

#[test]
fn a_thousand_activations_leak_no_fd_and_no_zombie() {
    let mut rt = Runtime::new(&[
        (
            "n.socket",
            // 1,000 connections in a few seconds would hit the trigger limit (200 per 2 s).
            "[Socket]\nListenStream=@DIR@/n.sock\nAccept=yes\nMaxConnections=1000\nTriggerLimitIntervalSec=0\n",
        ),
        ("n@.service", "[Service]\nExecStart=/bin/true\n"),
    ]);
    rt.start(&["n.socket"]);
    rt.wait_state("n.socket", "listening", 10);
    let baseline = rt.fd_count();
    for _ in 0..1000 {
        let _ = rt::unix_roundtrip(&rt.path("n.sock"), b"");
    }
    let ok = wait_until(Duration::from_secs(60), || {
        rt.status("n.socket")["n_accepted"] == 1000 && rt.status("n.socket")["n_connections"] == 0
    });
    assert!(ok, "status: {}", rt.status("n.socket"));
    assert_eq!(
        rt.fd_count(),
        baseline,
        "fds before and after 1000 activations"
    );
    assert_eq!(rt.zombies(), 0);
    assert_eq!(rt.shutdown(20), Some(0));
}
