//! The `sockunit` binary: exit codes and every output format, on real files in temp dirs.

use std::path::Path;

use assert_cmd::Command;

fn sockunit() -> Command {
    let mut c = Command::cargo_bin("sockunit").unwrap();
    c.env_remove("NO_COLOR").env_remove("SYSTEMD_UNIT_PATH");
    // What these tests check is systemd 252's behaviour, whatever systemd is installed.
    c.env("SOCKUNIT_SYSTEMD_VERSION", "252");
    c
}

/// A case dir with `t.socket` (given text) and a working `t.service`.
fn case(socket: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.socket"), socket).unwrap();
    std::fs::write(
        dir.path().join("t.service"),
        "[Service]\nExecStart=/bin/true\n",
    )
    .unwrap();
    dir
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = sockunit().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const CLEAN: &str = "[Socket]\nListenStream=/run/sockunit-cli.sock\n";
const WARN: &str = "[Socket]\nListenStream=/run/sockunit-cli.sock\nlistenstream=x\n";

#[test]
fn clean_unit_exits_0_silently() {
    let d = case(CLEAN);
    let (code, out, err) = run(d.path(), &["verify", "--format", "short", "t.socket"]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
}

#[test]
fn warnings_exit_0_unless_strict() {
    let d = case(WARN);
    assert_eq!(run(d.path(), &["verify", "t.socket"]).0, 0);
    assert_eq!(run(d.path(), &["verify", "--strict", "t.socket"]).0, 1);
}

#[test]
fn short_format_is_systemds() {
    let d = case(WARN);
    let (_, out, _) = run(d.path(), &["verify", "--format", "short", "t.socket"]);
    let path = d.path().join("t.socket");
    assert_eq!(
        out,
        format!(
            "{}:3: Unknown key 'listenstream' in section [Socket], ignoring.\n",
            path.display()
        )
    );
}

#[test]
fn json_format_has_exactly_the_documented_keys() {
    let d = case(WARN);
    let (_, out, _) = run(d.path(), &["verify", "--format", "json", "t.socket"]);
    let v: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let mut keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "code", "column", "file", "line", "message", "severity", "unit"
        ]
    );
    assert_eq!(v["line"], 3);
    assert_eq!(v["column"], 1);
    assert_eq!(v["code"], "unknown-key");
    assert_eq!(v["severity"], "warning");
    assert_eq!(v["unit"], "t.socket");
}

#[test]
fn github_format_emits_workflow_commands() {
    let d = case(WARN);
    let (_, out, _) = run(d.path(), &["verify", "--format", "github", "t.socket"]);
    let path = d.path().join("t.socket");
    assert_eq!(
        out.trim_end(),
        format!(
            "::warning file={},line=3,col=1,title=unknown-key::Unknown key 'listenstream' in section [Socket], ignoring.",
            path.display()
        )
    );
}

#[test]
fn human_format_shows_snippet_help_and_no_color_without_tty() {
    let d = case(WARN);
    let (_, _, err) = run(d.path(), &["verify", "t.socket"]);
    assert!(
        err.contains("Unknown key 'listenstream' in section [Socket], ignoring."),
        "{err}"
    );
    assert!(err.contains("t.socket:3:1"), "{err}");
    assert!(err.contains("did you mean `ListenStream=`?"), "{err}");
    assert!(
        !err.contains('\u{1b}'),
        "colour escape in non-tty output: {err:?}"
    );
}

#[test]
fn refusals_exit_1() {
    let d = case("[Socket]\nBacklog=5\n");
    let (code, out, _) = run(d.path(), &["verify", "--format", "short", "t.socket"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("t.socket: Unit has no Listen setting"),
        "{out}"
    );
    assert!(
        out.contains("Unit t.socket has a bad unit file setting."),
        "{out}"
    );
}

#[test]
fn masked_missing_service_and_load_errors_exit_1() {
    let d = case(CLEAN);
    std::fs::remove_file(d.path().join("t.service")).unwrap();
    let (code, out, _) = run(d.path(), &["verify", "--format", "short", "t.socket"]);
    assert_eq!(
        (code, out.trim_end()),
        (
            1,
            "t.socket: service t.service not loaded, socket cannot be started."
        )
    );

    std::fs::write(d.path().join("m.socket"), "").unwrap();
    let (code, out, _) = run(d.path(), &["verify", "--format", "short", "m.socket"]);
    assert_eq!((code, out.trim_end()), (1, "Unit m.socket is masked."));

    std::fs::write(d.path().join("b.socket"), b"[Unit]\nDescription=\xff\n").unwrap();
    let (code, out, _) = run(d.path(), &["verify", "--format", "short", "b.socket"]);
    assert_eq!(code, 1);
    assert!(out.ends_with("Unit b.socket failed to load properly, please adjust/correct and reload service manager: Invalid argument\n"), "{out}");
}

#[test]
fn missing_files_and_bad_names_exit_1() {
    let d = case(CLEAN);
    let (code, out, _) = run(
        d.path(),
        &["verify", "--format", "short", "./nope/x.socket"],
    );
    assert_eq!(code, 1);
    assert!(out.contains("No such file or directory"), "{out}");
    std::fs::write(d.path().join("bad_name"), CLEAN).unwrap();
    let (code, out, _) = run(d.path(), &["verify", "--format", "short", "bad_name"]);
    assert_eq!(
        (code, out.trim_end()),
        (1, "Failed to prepare filename bad_name: Invalid argument")
    );
    let (code, out, _) = run(
        d.path(),
        &["verify", "--format", "short", "nonexistent-xyz.socket"],
    );
    assert_eq!(
        (code, out.trim_end()),
        (1, "Unit nonexistent-xyz.socket not found.")
    );
}

#[test]
fn directories_are_walked_for_units() {
    let d = case(WARN);
    let sub = d.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("u.socket"), "[Socket]\nListenStream=/run/u.sock\n").unwrap();
    std::fs::write(
        sub.join("u.service"),
        "[Service]\nExecStart=/bin/true\nBogus=1\n",
    )
    .unwrap();
    let (code, out, _) = run(d.path(), &["verify", "--format", "json", "."]);
    assert_eq!(code, 0, "{out}");
    let files: Vec<String> = out
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["file"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(files.iter().any(|f| f.ends_with("/t.socket")), "{files:?}");
    assert!(
        files.iter().any(|f| f.ends_with("sub/u.service")),
        "{files:?}"
    );
}

#[test]
fn bad_input_never_panics() {
    let d = case(CLEAN);
    std::fs::write(
        d.path().join("g.socket"),
        (0..=255u8).cycle().take(100_000).collect::<Vec<_>>(),
    )
    .unwrap();
    std::fs::create_dir(d.path().join("dir.socket")).unwrap();
    std::os::unix::fs::symlink("nowhere.socket", d.path().join("dangling.socket")).unwrap();
    std::os::unix::fs::symlink("loop.socket", d.path().join("loop.socket")).unwrap();
    let big: String = (0..100_000).map(|i| format!("X-K{i}=v\n")).collect();
    std::fs::write(
        d.path().join("big.socket"),
        format!("[Socket]\nListenStream=/run/b.sock\n{big}"),
    )
    .unwrap();
    std::fs::write(
        d.path().join("big.service"),
        "[Service]\nExecStart=/bin/true\n",
    )
    .unwrap();
    for (unit, expect) in [
        ("g.socket", 1),
        ("dir.socket", 1),
        ("dangling.socket", 1),
        ("loop.socket", 1),
        ("big.socket", 0),
    ] {
        let (code, out, err) = run(d.path(), &["verify", "--format", "json", unit]);
        assert_eq!(code, expect, "{unit}: {out}{err}");
        assert!(!err.contains("panicked"), "{unit}: {err}");
        if expect == 1 {
            assert!(!out.is_empty(), "{unit}: refused without a diagnostic");
        }
    }
}

#[test]
fn usage_errors_exit_2() {
    let d = case(CLEAN);
    assert_eq!(run(d.path(), &["verify"]).0, 2);
    assert_eq!(
        run(d.path(), &["verify", "--format", "xml", "t.socket"]).0,
        2
    );
    assert_eq!(run(d.path(), &["frobnicate"]).0, 2);
}

#[test]
fn sarif_format_is_a_valid_2_1_0_log() {
    let d = case("[Socket]\nBacklog=5\nFoo=1\n");
    let (code, out, _) = run(d.path(), &["verify", "--format", "sarif", "t.socket"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "sockunit");
    let results = run["results"].as_array().unwrap();
    let unknown = results
        .iter()
        .find(|r| r["ruleId"] == "unknown-key")
        .unwrap();
    assert_eq!(unknown["level"], "warning");
    let region = &unknown["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(
        (region["endLine"].as_u64(), region["endColumn"].as_u64()),
        (Some(3), Some(4))
    );
    let refusal = results.iter().find(|r| r["ruleId"] == "no-listen").unwrap();
    assert_eq!(refusal["level"], "error");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
    }
}

#[test]
fn cat_prints_fragment_then_dropins_in_order_like_systemctl() {
    let d = case("[Socket]\r\nListenStream=/run/x.sock\r\n");
    let dropins = d.path().join("t.socket.d");
    std::fs::create_dir(&dropins).unwrap();
    std::fs::write(dropins.join("20-b.conf"), "[Socket]\nBacklog=2").unwrap();
    std::fs::write(dropins.join("10-a.conf"), "[Socket]\nBacklog=1\n").unwrap();
    std::fs::write(dropins.join("README"), "not a drop-in\n").unwrap();
    let (code, out, _) = run(d.path(), &["cat", "t.socket", "t.service"]);
    let p = d.path().display();
    assert_eq!(code, 0);
    assert_eq!(
        out,
        format!(
            "# {p}/t.socket\n[Socket]\nListenStream=/run/x.sock\n\n\
             # {p}/t.socket.d/10-a.conf\n[Socket]\nBacklog=1\n\n\
             # {p}/t.socket.d/20-b.conf\n[Socket]\nBacklog=2\n\n\
             # {p}/t.service\n[Service]\nExecStart=/bin/true\n"
        )
    );
}

#[test]
fn cat_reports_masked_and_missing_units() {
    let d = case(CLEAN);
    std::fs::write(d.path().join("m.socket"), "").unwrap();
    let (code, out, err) = run(d.path(), &["cat", "m.socket", "nope-xyz.socket"]);
    assert_eq!(code, 1);
    assert_eq!(out, "# Unit m.socket is masked.\n");
    assert_eq!(err, "No files found for nope-xyz.socket.\n");
}

#[test]
fn dump_of_a_refused_unit_shows_what_was_read_and_exits_1() {
    let d = case("[Socket]\nBacklog=7\n");
    let (code, out, _) = run(d.path(), &["dump", "t.socket"]);
    assert_eq!(code, 1);
    assert!(out.contains("\t\tUnit Load State: bad-setting\n"), "{out}");
    assert!(out.contains("\t\tBacklog: 7\n"), "{out}");
    let (code, out, _) = run(d.path(), &["dump", "missing-xyz.socket"]);
    assert_eq!(code, 1);
    assert!(out.contains("\t\tUnit Load State: not-found\n"), "{out}");
    assert!(!out.contains("Socket State:"), "{out}");
}
