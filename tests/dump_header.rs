//! Dump header goldens: the `-> Unit NAME:` header of sockunit's dump (static fields,
//! dependency lines with their origin/destination masks, `RequiresMountsFor:`, the unit flags)
//! against systemd 252's, for the units of `fixtures/conformance/*` that systemd loads (system
//! scope). Goldens in `fixtures/dump-header/<case>__<unit>.expected` were recorded by
//! `scripts/record-dump-header.py`: only the keys sockunit models are kept, the case directory
//! is `@CASE@`, and lines are sorted within one dependency kind (systemd prints those in
//! hash-table order). The test compares sockunit's header the same way and ratchets on the
//! number of identical units.

use std::path::{Path, PathBuf};

use sockunit::cli::{dump_unit, loader_for};

/// The header keys the goldens keep (the rest of systemd's header is not modelled): every
/// dependency kind, and `RequiresMountsFor`.
fn kept(key: &str) -> bool {
    key == "RequiresMountsFor" || sockunit::show::UNIT_DEPENDENCIES.contains(&key)
}

/// Identical units at the last count; the test fails if fewer match.
const MIN_IDENTICAL: usize = 973;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn key(l: &str) -> &str {
    l.split(": ").next().unwrap_or(l)
}

/// Sorts runs of lines of one dependency kind.
fn normalize(lines: Vec<String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let k = key(&lines[i]).to_owned();
        let mut j = i;
        while j < lines.len() && key(&lines[j]) == k {
            j += 1;
        }
        let mut run = lines[i..j].to_vec();
        if kept(&k) {
            run.sort();
        }
        out.extend(run);
        i = j;
    }
    out
}

/// sockunit's header for one unit file, as the recorder keeps systemd's.
fn ours(case: &Path, unit: &str) -> Vec<String> {
    let mut diags = Vec::new();
    let arg = case.join(unit).to_string_lossy().into_owned();
    let (loader, names, _) = loader_for(&[arg], None, false, &mut diags);
    let name = names.first().expect("one unit");
    let mut verifier = sockunit::verify::Verifier::new(&loader);
    verifier.exec_check = false;
    let d = dump_unit(&loader, &mut verifier, name, &mut diags);
    let case_s = case.to_string_lossy().into_owned();
    let lines = d
        .header
        .iter()
        .skip(1)
        .map(|l| {
            l.strip_prefix("\t\t")
                .unwrap_or(l)
                .replace(&case_s, "@CASE@")
        })
        .collect();
    normalize(lines)
}

#[test]
fn dump_headers_match_systemd_goldens() {
    let dir = root().join("fixtures/dump-header");
    let mut goldens: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "expected"))
        .collect();
    goldens.sort();
    assert!(goldens.len() >= 30, "too few goldens: {}", goldens.len());
    let mut identical = 0;
    let mut failures = Vec::new();
    for g in &goldens {
        let stem = g.file_stem().unwrap().to_string_lossy().into_owned();
        let (case, unit) = stem.split_once("__").unwrap();
        let case_dir = root().join("fixtures/conformance").join(case);
        let expected: Vec<String> = std::fs::read_to_string(g)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        let got = ours(&case_dir, unit);
        if got == expected {
            identical += 1;
        } else {
            let extra: Vec<&String> = got.iter().filter(|l| !expected.contains(l)).collect();
            let missing: Vec<&String> = expected.iter().filter(|l| !got.contains(l)).collect();
            failures.push(format!(
                "{stem}: ours only {extra:?}, systemd only {missing:?}"
            ));
        }
    }
    eprintln!(
        "dump header agreement: {identical}/{} identical",
        goldens.len()
    );
    for f in failures.iter().take(40) {
        eprintln!("{f}");
    }
    assert!(
        identical >= MIN_IDENTICAL,
        "only {identical} of {} headers identical (expected at least {MIN_IDENTICAL})",
        goldens.len()
    );
}
