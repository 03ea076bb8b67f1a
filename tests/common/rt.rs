//! A harness for the runtime tests: unit trees in a temp dir, the built `sockunit run` as a
//! child process with `--trace` and `--control`, and polling helpers.
#![allow(dead_code)]

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The probe service script.
pub fn probe() -> PathBuf {
    crate::common::root().join("tests/common/probe.py")
}

/// One trace record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Tr {
    pub unit: String,
    pub from: String,
    pub to: String,
    pub result: String,
    pub event: String,
    pub pid: Option<i32>,
}

/// A running `sockunit run` over a temp dir of units.
pub struct Runtime {
    pub dir: tempfile::TempDir,
    pub child: Option<Child>,
    pub control: PathBuf,
    pub trace: PathBuf,
    pub stderr: PathBuf,
    pub out: PathBuf,
}

/// A free TCP port on 127.0.0.1 (bound and released; tests retry on collision).
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

impl Runtime {
    /// Writes `units` (name, text) into a fresh dir; `@DIR@` and `@PROBE@` and `@OUT@` in
    /// the texts are replaced by the dir, the probe command and the probe output file.
    pub fn new(units: &[(&str, &str)]) -> Runtime {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("probe.out");
        let probe = format!(
            "/usr/bin/env python3 {} {}",
            probe().display(),
            out.display()
        );
        for (name, text) in units {
            let text = text
                .replace("@DIR@", &dir.path().display().to_string())
                .replace("@PROBE@", &probe)
                .replace("@OUT@", &out.display().to_string());
            std::fs::write(dir.path().join(name), text).expect("write unit");
        }
        Runtime {
            control: dir.path().join("control"),
            trace: dir.path().join("trace.jsonl"),
            stderr: dir.path().join("stderr.log"),
            out,
            dir,
            child: None,
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Starts `sockunit run` on the named unit files and waits for its control socket.
    pub fn start(&mut self, units: &[&str]) {
        let err = std::fs::File::create(&self.stderr).expect("stderr file");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sockunit"));
        cmd.arg("run")
            .arg("--debug")
            .arg("--control")
            .arg(&self.control)
            .arg("--trace")
            .arg(&self.trace);
        for u in units {
            cmd.arg(self.dir.path().join(u));
        }
        cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(err);
        self.child = Some(cmd.spawn().expect("spawn sockunit run"));
        let ok = wait_until(Duration::from_secs(10), || self.control.exists());
        assert!(ok, "control socket never appeared; stderr:\n{}", self.log());
    }

    pub fn pid(&self) -> i32 {
        self.child.as_ref().map_or(0, |c| c.id() as i32)
    }

    /// Everything the runtime logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Trace records so far.
    pub fn trace(&self) -> Vec<Tr> {
        let Ok(f) = std::fs::File::open(&self.trace) else {
            return Vec::new();
        };
        std::io::BufReader::new(f)
            .lines()
            .map_while(Result::ok)
            .filter_map(|l| serde_json::from_str(&l).ok())
            .collect()
    }

    /// `(from, to)` pairs of one unit, in order.
    pub fn steps(&self, unit: &str) -> Vec<(String, String)> {
        self.trace()
            .into_iter()
            .filter(|t| t.unit == unit)
            .map(|t| (t.from, t.to))
            .collect()
    }

    /// The states one unit went through, starting with its first `from`.
    pub fn states(&self, unit: &str) -> Vec<String> {
        let steps = self.steps(unit);
        let mut out: Vec<String> = steps.first().map(|s| s.0.clone()).into_iter().collect();
        out.extend(steps.into_iter().map(|s| s.1));
        out
    }

    /// Waits until `unit` has reached `state` (in the trace), panicking with the log after
    /// `secs`.
    pub fn wait_state(&self, unit: &str, state: &str, secs: u64) {
        let ok = wait_until(Duration::from_secs(secs), || {
            self.trace().iter().any(|t| t.unit == unit && t.to == state)
        });
        assert!(
            ok,
            "{unit} never reached {state}; trace: {:?}\nlog:\n{}",
            self.states(unit),
            self.log()
        );
    }

    /// The status JSON of units via `sockunit status --json`.
    pub fn status(&self, unit: &str) -> serde_json::Value {
        let out = Command::new(env!("CARGO_BIN_EXE_sockunit"))
            .args(["status", "--json", "--control"])
            .arg(&self.control)
            .arg(unit)
            .output()
            .expect("status");
        let v: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
        v.get(0).cloned().unwrap_or(serde_json::Value::Null)
    }

    /// `sockunit start|stop UNIT`.
    pub fn ctl(&self, verb: &str, unit: &str) -> bool {
        Command::new(env!("CARGO_BIN_EXE_sockunit"))
            .arg(verb)
            .arg("--control")
            .arg(&self.control)
            .arg(unit)
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Probe records so far.
    pub fn probes(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Waits for at least `n` probe records.
    pub fn wait_probes(&self, n: usize, secs: u64) -> Vec<serde_json::Value> {
        let ok = wait_until(Duration::from_secs(secs), || self.probes().len() >= n);
        assert!(
            ok,
            "expected {n} probe records, got {:?}\nlog:\n{}",
            self.probes(),
            self.log()
        );
        self.probes()
    }

    /// Sends SIGTERM and waits for exit; returns the exit code.
    pub fn shutdown(&mut self, secs: u64) -> Option<i32> {
        let mut child = self.child.take()?;
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Ok(Some(st)) = child.try_wait() {
                return st.code();
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "sockunit run did not exit after SIGTERM; log:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Live children of the runtime that are zombies.
    pub fn zombies(&self) -> usize {
        children_of(self.pid())
            .into_iter()
            .filter(|(_, state)| *state == 'Z')
            .count()
    }

    /// The runtime's open fd count.
    pub fn fd_count(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid())).map_or(0, |d| d.count())
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Polls `f` every 10 ms until true or `limit` passes.
pub fn wait_until(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + limit;
    loop {
        if f() {
            return true;
        }
        if Instant::now() > end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// (pid, state) of every process whose parent is `ppid`.
pub fn children_of(ppid: i32) -> Vec<(i32, char)> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in dir.flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // pid (comm) state ppid ...
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 2..]) else {
            continue;
        };
        let mut f = rest.split_whitespace();
        let state = f.next().and_then(|s| s.chars().next()).unwrap_or('?');
        let parent: i32 = f.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        if parent == ppid {
            out.push((pid, state));
        }
    }
    out
}

/// Connects to `addr` and reads everything the peer sends until it closes.
pub fn fetch(addr: &str) -> std::io::Result<String> {
    let mut s = std::net::TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut buf = String::new();
    s.read_to_string(&mut buf)?;
    Ok(buf)
}

/// Connects to a unix socket path, sends `data`, half-closes, reads to EOF.
pub fn unix_roundtrip(path: &Path, data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut s = std::os::unix::net::UnixStream::connect(path)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    s.write_all(data)?;
    s.shutdown(std::net::Shutdown::Write)?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)?;
    Ok(buf)
}

impl Runtime {
    /// Starts `sockunit run --user` with `XDG_RUNTIME_DIR=xdg` on the unit files `units` and
    /// waits for its control socket; `Err` (with the log) instead of a panic, so one bad case
    /// does not stop a corpus run.
    pub fn start_user(&mut self, xdg: &Path, units: &[PathBuf]) -> Result<(), String> {
        let err = std::fs::File::create(&self.stderr).map_err(|e| e.to_string())?;
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sockunit"));
        cmd.arg("run")
            .arg("--user")
            .arg("--debug")
            .arg("--control")
            .arg(&self.control)
            .arg("--trace")
            .arg(&self.trace)
            .args(units)
            .env("XDG_RUNTIME_DIR", xdg)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(err);
        self.child = Some(cmd.spawn().map_err(|e| e.to_string())?);
        if wait_until(Duration::from_secs(10), || self.control.exists()) {
            Ok(())
        } else {
            Err(format!(
                "control socket never appeared; log:\n{}",
                self.log()
            ))
        }
    }

    /// Sends SIGTERM and waits up to `secs` for the exit, then kills; never panics. The exit
    /// code, or `None` when it had to be killed.
    pub fn stop_quietly(&mut self, secs: u64) -> Option<i32> {
        let mut child = self.child.take()?;
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if let Ok(Some(st)) = child.try_wait() {
                return st.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        None
    }
}
