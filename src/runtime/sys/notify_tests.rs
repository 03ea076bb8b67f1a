//! Round trips through a real notification socket: datagrams from this process, from a
//! `python3` child and from systemd 252's own `systemd-notify`.

use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::UnixDatagram;
use std::process::Command;

use super::*;

fn socket_in(dir: &tempfile::TempDir) -> NotifySocket {
    NotifySocket::bind(dir.path().join("sockunit/notify")).unwrap()
}

fn send(sock: &NotifySocket, payload: &[u8]) {
    UnixDatagram::unbound()
        .unwrap()
        .send_to(payload, sock.path())
        .unwrap();
}

fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn own_datagrams_carry_our_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let sock = socket_in(&dir);
    assert!(sock.path().ends_with("sockunit/notify"));
    assert_eq!(sock.recv(), Ok(Received::Empty));
    send(&sock, b"READY=1\nSTATUS=up\n");
    let Ok(Received::Message(d)) = sock.recv() else {
        panic!("no message");
    };
    assert_eq!(d.pid, std::process::id() as i32);
    assert_eq!(d.uid, nix::unistd::getuid().as_raw());
    assert_eq!(d.data, b"READY=1\nSTATUS=up\n");
    assert_eq!(d.n_fds, 0);
    assert_eq!(sock.recv(), Ok(Received::Empty));
}

#[test]
fn systemds_checks_reject_bad_datagrams() {
    let dir = tempfile::tempdir().unwrap();
    let sock = socket_in(&dir);
    send(&sock, b"READY=1\0X");
    assert_eq!(
        sock.recv(),
        Ok(Received::Rejected {
            warning: "Received notify message with embedded NUL bytes. Ignoring.",
            n_fds: 0
        })
    );
    // One trailing NUL is fine.
    send(&sock, b"READY=1\0");
    assert!(matches!(sock.recv(), Ok(Received::Message(d)) if d.data == b"READY=1\0"));
    send(&sock, &[b'x'; NOTIFY_BUFFER_MAX + 1]);
    assert_eq!(
        sock.recv(),
        Ok(Received::Rejected {
            warning: "Received notify message exceeded maximum size. Ignoring.",
            n_fds: 0
        })
    );
    // Exactly PIPE_BUF bytes are accepted.
    send(&sock, &[b'x'; NOTIFY_BUFFER_MAX]);
    assert!(matches!(sock.recv(), Ok(Received::Message(d)) if d.data.len() == NOTIFY_BUFFER_MAX));
    // receive() skips rejected datagrams.
    send(&sock, b"a\0b");
    send(&sock, b"STATUS=x");
    assert_eq!(
        sock.receive(),
        Some((std::process::id() as i32, b"STATUS=x".to_vec()))
    );
    assert_eq!(sock.receive(), None);
}

#[test]
fn python_child_sender_pid_and_fds() {
    if !have("python3") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sock = socket_in(&dir);
    let script = "import os, socket\n\
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n\
        r, w = os.pipe()\n\
        s.sendmsg([b'READY=1\\nMAINPID=' + str(os.getpid()).encode()],\n\
                  [(socket.SOL_SOCKET, socket.SCM_RIGHTS, bytes(memoryview(__import__('array').array('i', [r, w]))))],\n\
                  0, os.environ['NOTIFY_SOCKET'])\n";
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .env("NOTIFY_SOCKET", sock.path())
        .spawn()
        .unwrap();
    let pid = child.id() as i32;
    assert!(child.wait().unwrap().success());
    let Ok(Received::Message(d)) = sock.recv() else {
        panic!("no message");
    };
    assert_eq!(d.pid, pid);
    assert_eq!(d.data, format!("READY=1\nMAINPID={pid}").into_bytes());
    assert_eq!(d.n_fds, 2);
}

#[test]
fn systemd_notify_round_trip() {
    if !have("systemd-notify") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sock = socket_in(&dir);
    let mut child = Command::new("systemd-notify")
        .args(["--ready", "--status=hello"])
        .env("NOTIFY_SOCKET", sock.path())
        .env_remove("MANAGERPID")
        .spawn()
        .unwrap();
    let child_pid = child.id() as i32;
    // systemd-notify then waits for its BARRIER=1 fd to be closed (sd_notify_barrier()): only
    // closing the passed fds lets it exit successfully.
    let mut got = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let status = loop {
        while let Ok(Received::Message(d)) = sock.recv() {
            got.push(d);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "systemd-notify hangs");
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    assert!(status.success());
    assert_eq!(got.len(), 2, "{got:?}");
    // systemd-notify claims its parent's pid; the kernel lets only privileged senders do that.
    let me = std::process::id() as i32;
    assert!(got[0].pid == me || got[0].pid == child_pid, "{got:?}");
    let ready = crate::runtime::notify_msg::parse_message(&got[0].data, got[0].n_fds);
    assert_eq!(
        ready.notification.state,
        Some(crate::runtime::service_unit::NotifyState::Ready)
    );
    assert_eq!(ready.notification.status.as_deref(), Some("hello"));
    let barrier = crate::runtime::notify_msg::parse_message(&got[1].data, got[1].n_fds);
    assert!(barrier.barrier);
    assert_eq!(got[1].n_fds, 1);
    assert!(barrier.manager_warnings.is_empty());
}

#[test]
fn bind_errors_and_cleanup() {
    let dir = tempfile::tempdir().unwrap();
    let long = dir.path().join("x".repeat(120));
    assert_eq!(
        NotifySocket::bind(&long).unwrap_err(),
        format!(
            "Notify socket '{}' not valid for AF_UNIX socket address, refusing.",
            long.display()
        )
    );
    let path = dir.path().join("n");
    std::fs::write(&path, "stale").unwrap();
    let sock = NotifySocket::bind(&path).unwrap();
    assert!(std::fs::metadata(&path).unwrap().file_type().is_socket());
    drop(sock);
    assert!(!path.exists());
}
