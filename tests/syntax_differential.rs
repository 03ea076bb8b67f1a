//! Differential test of the syntax layer against systemd's own `config_parse()`
//! (`../shared/tools/sd-parse-oracle.py`): same assignments (line, section, key, value) and the
//! same whole-file failures, over every syntax fixture and a few thousand generated inputs.
//! Skips (with a message) when the oracle is absent or exits 3 (no libsystemd-shared).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::Rng;
use sockunit::source::Source;
use sockunit::syntax::{self, FailureKind};

#[derive(Debug, PartialEq)]
struct Outcome {
    failure: Option<i64>,
    assignments: Vec<(u64, Option<String>, String, String)>,
}

fn ours(path: &Path) -> Outcome {
    let bytes = std::fs::read(path).unwrap();
    let source = Source::new(path, bytes);
    let mut sink = Vec::new();
    let file = syntax::parse(&source, None, &mut sink);
    Outcome {
        failure: file.failure.map(|f| match f.kind {
            FailureKind::LineTooLong => -105,
            FailureKind::InvalidUtf8 => -22,
            FailureKind::BadSectionHeader => -74,
        }),
        assignments: file
            .assignments
            .into_iter()
            .map(|a| {
                (
                    u64::from(a.line),
                    a.section.map(|s| s.to_string()),
                    a.key,
                    a.value.text,
                )
            })
            .collect(),
    }
}

/// Runs the oracle on all files at once; None when it is unavailable.
fn oracle(files: &[PathBuf]) -> Option<Vec<Outcome>> {
    let tool = common::shared_tool("sd-parse-oracle.py")?;
    let out = Command::new("python3")
        .arg(tool)
        .args(files)
        .output()
        .ok()?;
    if out.status.code() == Some(3) {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let outcomes: Vec<Outcome> = text
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let rc = v["rc"].as_i64().unwrap();
            Outcome {
                failure: (rc < 0).then_some(rc),
                assignments: v["assignments"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| {
                        (
                            a[0].as_u64().unwrap(),
                            a[1].as_str().map(str::to_owned),
                            a[2].as_str().unwrap().to_owned(),
                            a[3].as_str().unwrap().to_owned(),
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    assert_eq!(
        outcomes.len(),
        files.len(),
        "oracle printed one line per file"
    );
    Some(outcomes)
}

/// Compares every file; returns what systemd saw, for coverage checks (None: oracle absent).
fn compare(files: &[PathBuf]) -> Option<Vec<Outcome>> {
    let Some(expected) = oracle(files) else {
        eprintln!("skipping: sd-parse-oracle.py unavailable");
        return None;
    };
    let mut failures = Vec::new();
    for (path, want) in files.iter().zip(&expected) {
        let got = ours(path);
        if &got != want {
            failures.push(format!(
                "{}:\n  systemd: {want:?}\n  ours:    {got:?}",
                path.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    Some(expected)
}

#[test]
fn syntax_fixtures_match_systemd() {
    let files = common::files_in(&common::root().join("fixtures/syntax"));
    assert!(!files.is_empty());
    compare(&files);
}

const TOKENS: &[&[u8]] = &[
    b"[",
    b"]",
    b"=",
    b"#",
    b";",
    b"\\",
    b"\\",
    b" ",
    b"\t",
    b"\n",
    b"\n",
    b"\n",
    b"\r",
    b"\0",
    b"\r\n",
    b"\n\r",
    b"A",
    b"Key",
    b"Socket",
    b"Unit",
    b"X-",
    b"\xc3\xa9",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xef\xb7\x90",
    b"\xef\xbf\xbe",
    b"\xc3",
    b"\"",
    b"'",
    b"\x01",
    b"\x7f",
    b"%",
    b"[Socket]\n",
    b"[Unit]\n",
    b"ListenStream=",
    b"Description=",
    b"\\\n",
    b"\\\\\n",
    b"\n#",
    b"\n;",
    b"\n  ",
    b"=x\n",
    b"=v \\\n# c\n  w\n",
    b"=a\\\n\\\n",
];

#[test]
fn generated_inputs_match_systemd() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut files = Vec::new();
    for i in 0..3000 {
        let mut bytes = Vec::new();
        let n = rng.below(60);
        for _ in 0..n {
            bytes.extend_from_slice(TOKENS[rng.below(TOKENS.len())]);
        }
        let path = dir.path().join(format!("g{i:04}.socket"));
        std::fs::write(&path, bytes).unwrap();
        files.push(path);
    }
    let Some(seen) = compare(&files) else { return };
    // The corpus must exercise what it claims to: both failure kinds it can reach, and plenty
    // of assignments, some continued over several lines.
    let count = |rc| seen.iter().filter(|o| o.failure == Some(rc)).count();
    assert!(
        count(-22) > 50 && count(-74) > 50,
        "too few whole-file failures"
    );
    let assignments: Vec<_> = seen.iter().flat_map(|o| &o.assignments).collect();
    assert!(
        assignments.len() > 1000,
        "too few assignments: {}",
        assignments.len()
    );
    assert!(assignments.iter().filter(|a| a.3.contains("  ")).count() > 20);
}
