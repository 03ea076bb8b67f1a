//! Conformance: `sockunit verify` against `systemd-analyze verify` on every case directory
//! under `fixtures/conformance/`. Each case's `expected.json` was recorded from systemd 252
//! (`scripts/record-conformance.py`), so the test runs where systemd is absent; where
//! `systemd-analyze` is present, the goldens are also re-checked against it live.
//!
//! Agreement means: the same refuse/accept verdict and the same set of flagged
//! (file name, line) pairs, exactly as `../shared/tools/verify-diff.py` defines it.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

type Flagged = BTreeSet<(String, u64)>;

fn ours(case: &Path, unit: &str) -> (bool, Flagged) {
    let out = Command::new(env!("CARGO_BIN_EXE_sockunit"))
        .args([
            "verify",
            "--format",
            "json",
            "--systemd-version",
            "252",
            unit,
        ])
        .current_dir(case)
        .output()
        .unwrap();
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "{}/{unit}: exit {code:?}",
        case.display()
    );
    let mut flagged = Flagged::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if let Some(l) = v["line"].as_u64() {
            let file = v["file"].as_str().unwrap_or_default();
            let base = Path::new(file)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            flagged.insert((base, l));
        }
    }
    (code == Some(1), flagged)
}

fn expected(case: &Path) -> Vec<(String, bool, Flagged)> {
    let text = std::fs::read_to_string(case.join("expected.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let units = v["units"].as_object().unwrap();
    units
        .iter()
        .map(|(name, u)| {
            let flagged = u["flagged"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p[0].as_str().unwrap().to_owned(), p[1].as_u64().unwrap()))
                .collect();
            (name.clone(), u["refused"].as_bool().unwrap(), flagged)
        })
        .collect()
}

fn cases() -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(common::root().join("fixtures/conformance"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("expected.json").exists())
        .collect();
    v.sort();
    v
}

#[test]
fn corpus_is_big_enough() {
    let cases = cases();
    assert!(cases.len() >= 60, "only {} cases", cases.len());
    let refused = cases
        .iter()
        .flat_map(|c| expected(c))
        .filter(|u| u.1)
        .count();
    assert!(refused >= 20, "too few refusals in the corpus: {refused}");
}

/// `fixtures/conformance/pending.txt`: `CASE/UNIT` lines known to disagree while a feature is
/// being built. Each listed unit must still disagree (so the list only shrinks); every other
/// unit must agree.
fn pending() -> BTreeSet<String> {
    let path = common::root().join("fixtures/conformance/pending.txt");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// Every (case dir, case name, unit, refused, flagged) of the corpus.
type Job = (std::path::PathBuf, String, String, bool, Flagged);

fn jobs() -> Vec<Job> {
    let mut v = Vec::new();
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        for (unit, refused, flagged) in expected(&case) {
            v.push((case.clone(), name.clone(), unit, refused, flagged));
        }
    }
    v
}

#[test]
fn verify_matches_recorded_systemd_verdicts() {
    let pending = pending();
    let jobs = jobs();
    let results = common::par_map(&jobs, |(case, _, unit, _, _)| ours(case, unit));
    let (mut diffs, mut fixed, mut agree) = (Vec::new(), Vec::new(), 0);
    for ((_, name, unit, refused, flagged), got) in jobs.iter().zip(results) {
        let key = format!("{name}/{unit}");
        if got == (*refused, flagged.clone()) {
            agree += 1;
            if pending.contains(&key) {
                fixed.push(key);
            }
        } else if !pending.contains(&key) {
            diffs.push(format!(
                "{key}\n  systemd: refused={refused} {flagged:?}\n  ours:    refused={} {:?}",
                got.0, got.1
            ));
        }
    }
    let total = jobs.len();
    eprintln!(
        "conformance: agreement {agree}/{total} ({} pending)",
        pending.len()
    );
    assert!(
        diffs.is_empty(),
        "{}/{total} disagree:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
    assert!(
        fixed.is_empty(),
        "now agree, remove from pending.txt:\n{}",
        fixed.join("\n")
    );
}

/// Where systemd is installed, the recorded goldens must still be what it says (this catches
/// a stale golden as well as a changed host).
#[test]
fn goldens_match_live_systemd() {
    if !common::have("systemd-analyze") {
        eprintln!("skipping: systemd-analyze not installed");
        return;
    }
    let jobs = jobs();
    let live = common::par_map(&jobs, |(case, _, unit, _, _)| {
        let out = Command::new("systemd-analyze")
            .args(["verify", "--man=no", unit])
            .current_dir(case)
            .env_remove("SYSTEMD_LOG_LEVEL")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let flagged: Flagged = stderr
            .lines()
            .filter_map(|l| {
                let rest = l.strip_prefix('/')?;
                let (path, _) = rest.split_once(": ")?;
                let (file, line) = path.rsplit_once(':')?;
                let base = Path::new(file).file_name()?.to_string_lossy().into_owned();
                Some((base, line.parse().ok()?))
            })
            .collect();
        (!out.status.success(), flagged)
    });
    let mut diffs = Vec::new();
    for ((_, name, unit, refused, flagged), got) in jobs.iter().zip(live) {
        if got != (*refused, flagged.clone()) {
            diffs.push(format!(
                "{name}/{unit}: golden {refused} {flagged:?}, live {got:?}"
            ));
        }
    }
    assert!(
        diffs.is_empty(),
        "stale goldens (re-record with scripts/record-conformance.py):\n{}",
        diffs.join("\n")
    );
}
