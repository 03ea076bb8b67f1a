//! Runtime conformance: every case under `fixtures/runtime/` is a set of unit files and a
//! `scenario`; `expected.json` holds what a real systemd 252 user manager did with them
//! (`scripts/record-runtime.py`). Here the same scenario drives `sockunit run --user` (its own
//! `XDG_RUNTIME_DIR`, `--trace`, `--control`), and for every unit of the case (and every
//! `Accept=yes` instance, named `PREFIX@NR-….service`) the sequence of states it went through,
//! its `Failed with result` lines and the `snapshot` answers must equal the recording.
//! Only per-unit sequences are compared, never the interleaving between units.
//!
//! Cases named in `fixtures/runtime/pending.txt` (`CASE reason…`) and cases under
//! `fixtures/runtime/pending/` are run and reported but do not fail the test. Set
//! `RCONF_CASES=a,b` to run only some cases, `RCONF_LOG=1` to add sockunit's log to each
//! difference.

mod common;
#[path = "common/rt.rs"]
mod rt;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

/// `systemctl show` property → `sockunit status --json` field.
const SNAP_PROPS: [(&str, &str); 5] = [
    ("SubState", "sub"),
    ("Result", "result"),
    ("NAccepted", "n_accepted"),
    ("NConnections", "n_connections"),
    ("NRefused", "n_refused"),
];
const NOT_UNITS: [&str; 3] = ["scenario", "expected.json", "NOTE"];
/// Time the recorder waits after the last step before cutting the log.
const SETTLE: Duration = Duration::from_millis(500);

/// What one unit did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct UnitRun {
    states: Vec<String>,
    results: Vec<String>,
}

/// What one run of a scenario produced.
#[derive(Debug, Default)]
struct Outcome {
    units: BTreeMap<String, UnitRun>,
    snapshots: Vec<BTreeMap<String, Value>>,
    notes: Vec<String>,
    /// sockunit's stderr up to the end of the scenario.
    log: String,
}

/// `x@0-127.0.0.1:39001-127.0.0.1:5555.service` → `x@0-….service`.
fn normalize(unit: &str) -> String {
    if let Some((prefix, rest)) = unit.split_once('@')
        && let Some(stem) = rest.strip_suffix(".service")
        && let Some((nr, _)) = stem.split_once('-')
        && !nr.is_empty()
        && nr.bytes().all(|b| b.is_ascii_digit())
    {
        return format!("{prefix}@{nr}-….service");
    }
    unit.to_owned()
}

/// Whether a normalized unit name belongs to the case.
fn ours(unit: &str, names: &BTreeSet<String>) -> bool {
    names.contains(unit)
        || unit
            .split_once('@')
            .is_some_and(|(p, _)| names.contains(&format!("{p}@.service")))
}

fn case_units(dir: &Path) -> BTreeSet<String> {
    common::files_in(dir)
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| !NOT_UNITS.contains(&n.as_str()))
        .collect()
}

fn parse_scenario(text: &str) -> Vec<(usize, Vec<String>)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, l)| (i + 1, l.split_whitespace().map(str::to_owned).collect()))
        .collect()
}

/// The states a (normalized) unit entered so far, in order.
fn entered(trace: &[rt::Tr], unit: &str) -> Vec<String> {
    trace
        .iter()
        .filter(|t| normalize(&t.unit) == unit)
        .map(|t| t.to.clone())
        .collect()
}

fn connect(kind: &str, addr: &str) -> std::io::Result<OwnedFd> {
    let timeout = Duration::from_secs(5);
    match kind {
        "tcp" => {
            let sa: std::net::SocketAddr = addr
                .parse()
                .map_err(|_| std::io::Error::other("bad address"))?;
            Ok(std::net::TcpStream::connect_timeout(&sa, timeout)?.into())
        }
        "unix" => Ok(std::os::unix::net::UnixStream::connect(addr)?.into()),
        _ => Err(std::io::Error::other(format!(
            "unknown address kind {kind}"
        ))),
    }
}

/// Reads until EOF or `secs`; "eof", "timeout" or the error.
fn read_to_eof(fd: OwnedFd, secs: f64) -> String {
    let mut s = std::os::unix::net::UnixStream::from(fd);
    let end = Instant::now() + Duration::from_secs_f64(secs);
    let mut buf = [0u8; 4096];
    loop {
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return "timeout".into();
        }
        let _ = s.set_read_timeout(Some(left));
        match s.read(&mut buf) {
            Ok(0) => return "eof".into(),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return "timeout".into(),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => return "timeout".into(),
            Err(e) => return format!("error: {e}"),
        }
    }
}

fn snapshot(rt: &rt::Runtime, line: usize, unit: &str) -> BTreeMap<String, Value> {
    let st = rt.status(unit);
    let mut snap = BTreeMap::new();
    snap.insert("line".to_owned(), Value::from(line));
    snap.insert("unit".to_owned(), Value::from(unit));
    for (prop, field) in SNAP_PROPS {
        if let Some(v) = st.get(field).filter(|v| !v.is_null()) {
            snap.insert(prop.to_owned(), v.clone());
        }
    }
    snap
}

/// Runs one step; a note when something did not go as the scenario expects.
fn step(
    rt: &rt::Runtime,
    xdg: &Path,
    held: &mut Vec<OwnedFd>,
    snaps: &mut Vec<BTreeMap<String, Value>>,
    line: usize,
    w: &[String],
) -> Option<String> {
    let t = |a: &str| a.replace("%t", &xdg.display().to_string());
    let arg = |i: usize| w.get(i).map(String::as_str).unwrap_or("");
    let secs = |i: usize, default: f64| w.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
    match w[0].as_str() {
        "start" | "stop" => {
            (!rt.ctl(&w[0], arg(1))).then(|| format!("{} {} refused", w[0], arg(1)))
        }
        "sleep" => {
            std::thread::sleep(Duration::from_secs_f64(secs(1, 0.0)));
            None
        }
        "connect" | "hold" => match connect(arg(1), &t(arg(2))) {
            Err(e) => Some(format!("connect failed: {e}")),
            Ok(fd) if w[0] == "hold" => {
                held.push(fd);
                None
            }
            Ok(fd) => Some(read_to_eof(fd, secs(3, 3.0))).filter(|r| r != "eof"),
        },
        "release" => {
            held.clear();
            None
        }
        "send-dgram" => {
            let s = std::os::unix::net::UnixDatagram::unbound().ok()?;
            let data = w.get(2).map_or("x", String::as_str);
            s.send_to(data.as_bytes(), t(arg(1)))
                .err()
                .map(|e| format!("send-dgram: {e}"))
        }
        "write-fifo" => {
            use std::os::unix::fs::OpenOptionsExt;
            let data = w.get(2).map_or("x", String::as_str);
            std::fs::OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(t(arg(1)))
                .and_then(|mut f| f.write_all(data.as_bytes()))
                .err()
                .map(|e| format!("write-fifo: {e}"))
        }
        "wait" | "wait-count" => {
            let (unit, state) = (arg(1), arg(2));
            let count: Option<usize> = (w[0] == "wait-count").then(|| arg(3).parse().unwrap_or(1));
            let limit = secs(if count.is_some() { 4 } else { 3 }, 10.0);
            let ok = rt::wait_until(Duration::from_secs_f64(limit), || {
                let seen = entered(&rt.trace(), unit);
                match count {
                    None => seen.last().map_or("dead", String::as_str) == state,
                    Some(n) => seen.iter().filter(|s| *s == state).count() >= n,
                }
            });
            (!ok).then(|| {
                format!(
                    "`{}` timed out; {unit} went {:?}",
                    w.join(" "),
                    entered(&rt.trace(), unit)
                )
            })
        }
        "snapshot" => {
            snaps.push(snapshot(rt, line, arg(1)));
            None
        }
        other => Some(format!("unknown step {other}")),
    }
}

/// Runs one case's scenario against `sockunit run --user`.
fn run_case(dir: &Path) -> Outcome {
    let names = case_units(dir);
    let steps = parse_scenario(&std::fs::read_to_string(dir.join("scenario")).unwrap());
    let mut out = Outcome::default();
    let mut rt = rt::Runtime::new(&[]);
    let xdg = rt.path("rt");
    let unit_dir = xdg.join("systemd/user");
    std::fs::create_dir_all(&unit_dir).unwrap();
    for n in &names {
        std::fs::copy(dir.join(n), unit_dir.join(n)).unwrap();
    }
    // The leading `start` steps are the units `sockunit run` starts by itself.
    let first: Vec<PathBuf> = steps
        .iter()
        .take_while(|(_, w)| w[0] == "start")
        .map(|(_, w)| unit_dir.join(&w[1]))
        .collect();
    if let Err(e) = rt.start_user(&xdg, &first) {
        out.notes.push(e);
        return out;
    }
    let mut held = Vec::new();
    for (line, w) in &steps[first.len()..] {
        if let Some(note) = step(&rt, &xdg, &mut held, &mut out.snapshots, *line, w) {
            out.notes.push(format!("line {line}: {note}"));
        }
    }
    drop(held);
    std::thread::sleep(SETTLE);
    let trace = rt.trace();
    out.log = rt.log();
    if rt.stop_quietly(20) != Some(0) {
        out.notes
            .push("sockunit run did not exit 0 within 20 s of SIGTERM".into());
    }
    for t in &trace {
        let u = normalize(&t.unit);
        if !ours(&u, &names) {
            continue;
        }
        let r = out.units.entry(u.clone()).or_default();
        if r.states.is_empty() {
            r.states.push(t.from.clone());
        } else if r.states.last() != Some(&t.from) {
            out.notes.push(format!(
                "{u}: trace jumps from {:?} to a change {} -> {}",
                r.states.last(),
                t.from,
                t.to
            ));
        }
        r.states.push(t.to.clone());
    }
    for l in out.log.lines() {
        if let Some((unit, rest)) = l.split_once(": Failed with result '")
            && let Some(result) = rest.strip_suffix("'.")
        {
            let u = normalize(unit);
            if ours(&u, &names) {
                out.units.entry(u).or_default().results.push(result.into());
            }
        }
    }
    out
}

/// The recorded expectation.
fn expected(dir: &Path) -> Option<(BTreeMap<String, UnitRun>, Vec<Value>)> {
    let text = std::fs::read_to_string(dir.join("expected.json")).ok()?;
    let v: Value = serde_json::from_str(&text).expect("expected.json is JSON");
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect()
    };
    let units = v["units"]
        .as_object()?
        .iter()
        .map(|(u, r)| {
            let run = UnitRun {
                states: strings(&r["states"]),
                results: strings(&r["results"]),
            };
            (u.clone(), run)
        })
        .collect();
    Some((
        units,
        v["snapshots"].as_array().cloned().unwrap_or_default(),
    ))
}

/// A case's verdict: lines of differences (empty when it agrees), units agreeing, units.
struct Verdict {
    diffs: Vec<String>,
    units_ok: usize,
    units: usize,
}

fn compare(dir: &Path, got: &Outcome) -> Verdict {
    let Some((want, want_snaps)) = expected(dir) else {
        return Verdict {
            diffs: vec!["no expected.json (record it with scripts/record-runtime.py)".into()],
            units_ok: 0,
            units: 0,
        };
    };
    let mut diffs = Vec::new();
    let all: BTreeSet<&String> = want.keys().chain(got.units.keys()).collect();
    let empty = UnitRun::default();
    let mut units_ok = 0;
    for u in &all {
        let (w, g) = (
            want.get(*u).unwrap_or(&empty),
            got.units.get(*u).unwrap_or(&empty),
        );
        if w == g {
            units_ok += 1;
            continue;
        }
        if w.states != g.states {
            diffs.push(format!("{u}: states differ"));
            diffs.push(format!("    systemd:  {}", w.states.join(" -> ")));
            diffs.push(format!("    sockunit: {}", g.states.join(" -> ")));
        }
        if w.results != g.results {
            diffs.push(format!(
                "{u}: `Failed with result` differ: systemd {:?}, sockunit {:?}",
                w.results, g.results
            ));
        }
    }
    for (i, ws) in want_snaps.iter().enumerate() {
        let gs = got.snapshots.get(i);
        let Some(obj) = ws.as_object() else { continue };
        let bad: Vec<String> = obj
            .iter()
            .filter(|(k, _)| *k != "line" && *k != "unit")
            .filter(|(k, v)| gs.and_then(|g| g.get(*k)) != Some(*v))
            .map(|(k, v)| {
                let g = gs
                    .and_then(|g| g.get(k))
                    .map_or("-".into(), Value::to_string);
                format!("{k} systemd {v} sockunit {g}")
            })
            .collect();
        if !bad.is_empty() {
            diffs.push(format!(
                "snapshot line {} {}: {}",
                ws["line"],
                ws["unit"].as_str().unwrap_or("?"),
                bad.join(", ")
            ));
        }
    }
    if !diffs.is_empty() {
        diffs.extend(got.notes.iter().map(|n| format!("(scenario: {n})")));
        if std::env::var_os("RCONF_LOG").is_some() {
            diffs.push("sockunit's log:".into());
            diffs.extend(got.log.lines().map(|l| format!("    {l}")));
        }
    }
    Verdict {
        diffs,
        units_ok,
        units: all.len(),
    }
}

/// `pending.txt`: case → reason.
fn pending(corpus: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(corpus.join("pending.txt"))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (c, r) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
            (c.to_owned(), r.trim().to_owned())
        })
        .collect()
}

fn case_dirs(corpus: &Path) -> Vec<(PathBuf, bool)> {
    let dirs = |d: &Path| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(d)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("scenario").is_file())
            .collect();
        v.sort();
        v
    };
    let only: Option<BTreeSet<String>> = std::env::var("RCONF_CASES")
        .ok()
        .map(|s| s.split(',').map(str::to_owned).collect());
    let mut out: Vec<(PathBuf, bool)> = dirs(corpus).into_iter().map(|p| (p, false)).collect();
    out.extend(dirs(&corpus.join("pending")).into_iter().map(|p| (p, true)));
    out.retain(|(p, _)| {
        only.as_ref()
            .is_none_or(|o| o.contains(&*p.file_name().unwrap().to_string_lossy()))
    });
    out
}

#[test]
fn runtime_matches_systemd_252_on_the_corpus() {
    let corpus = common::root().join("fixtures/runtime");
    let pending = pending(&corpus);
    let cases = case_dirs(&corpus);
    assert!(!cases.is_empty(), "no cases under {}", corpus.display());
    let started = Instant::now();
    let results = common::par_map(&cases, |(dir, _)| {
        let got = run_case(dir);
        compare(dir, &got)
    });
    let (mut ok_cases, mut ok_units, mut units, mut failing) = (0, 0, 0, Vec::new());
    let mut report = String::new();
    for ((dir, in_pending_dir), v) in cases.iter().zip(&results) {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        ok_units += v.units_ok;
        units += v.units;
        let why = pending.get(&name).cloned().or_else(|| {
            in_pending_dir.then(|| "under fixtures/runtime/pending/ (see its NOTE)".to_owned())
        });
        if v.diffs.is_empty() {
            ok_cases += 1;
            let stale = why.map_or(String::new(), |_| "  (pending, but agrees now)".into());
            report += &format!("agree   {name}{stale}\n");
            continue;
        }
        match &why {
            Some(r) => report += &format!("DIFFER  {name}  [pending: {r}]\n"),
            None => {
                report += &format!("DIFFER  {name}\n");
                failing.push(name.clone());
            }
        }
        for d in &v.diffs {
            report += &format!("        {d}\n");
        }
    }
    report += &format!(
        "agreement {ok_cases}/{} cases, {ok_units}/{units} units ({:.1}s)\n",
        cases.len(),
        started.elapsed().as_secs_f64()
    );
    println!("{report}");
    assert!(
        failing.is_empty(),
        "sockunit run differs from systemd 252 on {} case(s) not in pending.txt: {} (report above)",
        failing.len(),
        failing.join(", ")
    );
}
