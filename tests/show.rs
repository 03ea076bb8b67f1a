//! Show goldens: `sockunit show --user -p <fixtures/show/properties.txt>` against a real
//! systemd 252 user manager's `systemctl --user show`, for the units of
//! `fixtures/conformance/*` that load cleanly. The goldens in
//! `fixtures/show/<case>__<unit>.expected` were recorded by `scripts/record-show.py` (unit
//! directory as `@DIR@`, words of set-valued properties sorted, since systemd lists them in
//! hash-table order), so the test runs without systemd.
//!
//! sockunit runs as a process with the environment the manager had when recording:
//! `HOME=/root` (a user manager's default `WorkingDirectory=!HOME`, `%h`, `StateDirectory=`
//! prefixes) and `XDG_RUNTIME_DIR=/@RT@` (`%t`; the recorded runtime directory is `@RT@`). The
//! mount points (`After=-.mount`) are the host's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use sockunit::cli::show::show_text;

const SETS: [&str; 29] = [
    "Names",
    "RequiresMountsFor",
    "Requires",
    "Requisite",
    "Wants",
    "BindsTo",
    "PartOf",
    "Upholds",
    "RequiredBy",
    "RequisiteOf",
    "WantedBy",
    "BoundBy",
    "UpheldBy",
    "ConsistsOf",
    "Conflicts",
    "ConflictedBy",
    "Before",
    "After",
    "OnSuccess",
    "OnSuccessOf",
    "OnFailure",
    "OnFailureOf",
    "Triggers",
    "TriggeredBy",
    "PropagatesReloadTo",
    "ReloadPropagatedFrom",
    "PropagatesStopTo",
    "StopPropagatedFrom",
    "JoinsNamespaceOf",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn properties() -> Vec<String> {
    std::fs::read_to_string(root().join("fixtures/show/properties.txt"))
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn normalize(text: &str, dir: &str) -> Vec<String> {
    text.lines()
        .map(|line| {
            let line = line.replace(&format!("{dir}/"), "@DIR@/");
            match line.split_once('=') {
                Some((name, value)) if SETS.contains(&name) && !value.is_empty() => {
                    let mut words: Vec<&str> = value.split(' ').collect();
                    words.sort_unstable();
                    format!("{name}={}", words.join(" "))
                }
                _ => line,
            }
        })
        .collect()
}

/// sockunit's output for the units of one case directory, one block per unit.
fn ours(case: &Path, units: &[String], props: &[String]) -> Vec<Vec<String>> {
    let out = Command::new(env!("CARGO_BIN_EXE_sockunit"))
        .arg("show")
        .arg("--user")
        .arg("-p")
        .arg(props.join(","))
        .args(units.iter().map(|u| case.join(u)))
        .env("HOME", "/root")
        .env("XDG_RUNTIME_DIR", "/@RT@")
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("XDG_CACHE_HOME")
        .env_remove("SYSTEMD_UNIT_PATH")
        .output()
        .expect("run sockunit");
    let text = String::from_utf8_lossy(&out.stdout).replace("/@RT@", "@RT@");
    let dir = case.to_string_lossy().into_owned();
    text.split("\n\n")
        .map(|block| normalize(block, &dir))
        .collect()
}

fn first_difference(a: &[String], b: &[String]) -> String {
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        if x != y {
            return format!("line {}: ours {x:?}, systemd {y:?}", i + 1);
        }
    }
    format!("ours {} lines, systemd {} lines", a.len(), b.len())
}

#[test]
fn show_matches_systemctl_goldens() {
    let props = properties();
    let dir = root().join("fixtures/show");
    let mut goldens: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "expected"))
        .collect();
    goldens.sort();
    let sockets = goldens
        .iter()
        .filter(|g| g.to_string_lossy().ends_with(".socket.expected"))
        .count();
    assert!(sockets >= 20, "too few socket goldens: {sockets}");
    assert!(
        goldens.len() - sockets >= 10,
        "too few service goldens: {}",
        goldens.len() - sockets
    );
    let mut cases: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for g in &goldens {
        let stem = g.file_stem().unwrap().to_string_lossy().into_owned();
        let (case, unit) = stem.split_once("__").unwrap();
        cases
            .entry(case.to_owned())
            .or_default()
            .push(unit.to_owned());
    }
    let mut failures = Vec::new();
    for (case, units) in &cases {
        let dir = root().join("fixtures/conformance").join(case);
        let blocks = ours(&dir, units, &props);
        for (i, unit) in units.iter().enumerate() {
            let golden = root().join(format!("fixtures/show/{case}__{unit}.expected"));
            let expected: Vec<String> = std::fs::read_to_string(&golden)
                .unwrap()
                .lines()
                .map(str::to_owned)
                .collect();
            let got = blocks.get(i).cloned().unwrap_or_default();
            if got != expected {
                failures.push(format!(
                    "{case}__{unit}: {}",
                    first_difference(&got, &expected)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} units differ from systemctl show:\n{}",
        failures.len(),
        goldens.len(),
        failures.join("\n")
    );
}

#[test]
fn filter_keeps_systemd_order_and_empty_values() {
    let file = root().join("fixtures/conformance/01-basic-clean/t.socket");
    let mut diags = Vec::new();
    let (text, ok) = show_text(
        &[file.to_string_lossy().into_owned()],
        None,
        true,
        &[
            "Id,Listen".to_owned(),
            "BindToDevice,Backlog,NoSuchThing".to_owned(),
        ],
        &mut diags,
    );
    assert!(ok);
    assert_eq!(
        text,
        "Backlog=2147483647\nBindToDevice=\nListen=/run/sockunit-test-01.sock (Stream)\nId=t.socket\n"
    );
}
