//! `--systemd-version` (keys and wording per release, `auto` from the installed systemd),
//! drop-in arguments, `--color`, `--quiet`, the summary line, `completions` and `man`.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use assert_cmd::Command;

fn sockunit() -> Command {
    let mut c = Command::cargo_bin("sockunit").unwrap();
    c.env_remove("NO_COLOR")
        .env_remove("SYSTEMD_UNIT_PATH")
        .env_remove("SOCKUNIT_SYSTEMD_VERSION");
    c
}

fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = sockunit().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A directory with `t.socket` (the given `[Socket]` lines after a ListenStream) and a
/// working `t.service` (the given `[Service]` lines after ExecStart).
fn units(socket: &str, service: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.socket"),
        format!("[Socket]\nListenStream=/run/sockunit-t.sock\n{socket}"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("t.service"),
        format!("[Service]\nExecStart=/bin/true\n{service}"),
    )
    .unwrap();
    dir
}

fn short(dir: &Path, version: &str, unit: &str) -> (i32, String) {
    let (code, out, _) = run_in(
        dir,
        &[
            "verify",
            "--format",
            "short",
            "--systemd-version",
            version,
            unit,
        ],
    );
    (code, out)
}

#[test]
fn a_key_added_in_255_warns_under_252_and_not_under_255() {
    let d = units("PollLimitBurst=10\nPollLimitIntervalSec=2s\n", "");
    let (code, out) = short(d.path(), "252", "t.socket");
    assert_eq!(code, 0);
    assert!(out.contains(":3: Unknown key 'PollLimitBurst' in section [Socket], ignoring."));
    assert!(out.contains(":4: Unknown key 'PollLimitIntervalSec' in section [Socket], ignoring."));
    for v in ["255", "258", "latest"] {
        let (code, out) = short(d.path(), v, "t.socket");
        assert_eq!((code, out.as_str()), (0, ""), "--systemd-version {v}");
    }
    // 254 did not know them yet.
    assert_eq!(short(d.path(), "254", "t.socket").1.lines().count(), 2);
    // The human format says why.
    let (_, _, err) = run_in(
        d.path(),
        &["verify", "--systemd-version", "252", "t.socket"],
    );
    assert!(
        err.contains("`PollLimitBurst=` was added in systemd 255"),
        "{err}"
    );
}

#[test]
fn keys_of_each_release_warn_like_that_release() {
    // (key line, the release that added it)
    for (line, added) in [
        ("[Socket]\nPassFileDescriptorsToExec=yes\n", 256),
        ("[Socket]\nPassPIDFD=yes\n", 258),
        ("[Socket]\nDeferTrigger=yes\n", 258),
        ("[Unit]\nSurviveFinalKillSignal=yes\n", 255),
    ] {
        let d = units(line.trim_start_matches("[Socket]\n"), "");
        if line.starts_with("[Unit]") {
            std::fs::write(
                d.path().join("t.socket"),
                format!("{line}[Socket]\nListenStream=/run/sockunit-t.sock\n"),
            )
            .unwrap();
        }
        let before = (added - 1).to_string();
        assert!(
            short(d.path(), &before, "t.socket")
                .1
                .contains("Unknown key"),
            "{line} under {before}"
        );
        assert_eq!(
            short(d.path(), &added.to_string(), "t.socket").1,
            "",
            "{line}"
        );
    }
}

#[test]
fn keys_removed_later_get_that_releases_message() {
    let d = units("", "CPUShares=100\n");
    let (_, out) = short(d.path(), "252", "t.service");
    assert!(
        out.contains("Unit uses CPUShares=; please use CPUWeight= instead."),
        "{out}"
    );
    let (_, out) = short(d.path(), "258", "t.service");
    assert!(
        out.contains(":3: Support for option CPUShares= has been removed and it is ignored"),
        "{out}"
    );
}

#[test]
fn v257_changed_the_failed_to_parse_wording() {
    let d = units("Backlog=abc\nKeepAlive=maybe\n", "Type=bogus\n");
    let (_, out) = short(d.path(), "252", "t.socket");
    assert!(
        out.contains(":3: Failed to parse unsigned value, ignoring: abc"),
        "{out}"
    );
    assert!(
        out.contains(":4: Failed to parse boolean value, ignoring: maybe"),
        "{out}"
    );
    assert!(
        out.contains(":3: Failed to parse service type, ignoring: bogus"),
        "{out}"
    );
    let (_, out256) = short(d.path(), "256", "t.socket");
    assert_eq!(out256, out, "256 words it as 252 does");
    let (_, out) = short(d.path(), "257", "t.socket");
    assert!(
        out.contains(":3: Failed to parse Backlog=abc, ignoring: Invalid argument"),
        "{out}"
    );
    assert!(
        out.contains(":4: Failed to parse KeepAlive=maybe, ignoring: Invalid argument"),
        "{out}"
    );
    assert!(
        out.contains(":3: Failed to parse Type=bogus, ignoring: Invalid argument"),
        "{out}"
    );
}

#[test]
fn values_added_later_are_accepted_from_their_release() {
    let d = units("", "Type=notify-reload\n");
    assert!(
        short(d.path(), "252", "t.service")
            .1
            .contains("Failed to parse service type")
    );
    assert_eq!(short(d.path(), "253", "t.service").1, "");
}

#[test]
fn release_argument_errors_are_usage_errors() {
    let d = units("", "");
    for bad in ["249", "300", "abc", ""] {
        let (code, _, err) = run_in(d.path(), &["verify", "--systemd-version", bad, "t.socket"]);
        assert_eq!(code, 2, "{bad}: {err}");
    }
    let (code, _, err) = run_in(
        d.path(),
        &["verify", "--systemd-version", "249", "t.socket"],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("sockunit knows systemd releases 250 to 261"),
        "{err}"
    );
    // The environment variable is the flag's default.
    let out = sockunit()
        .current_dir(d.path())
        .env("SOCKUNIT_SYSTEMD_VERSION", "255")
        .args(["verify", "-v", "t.socket"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("checking as systemd 255"));
}

/// A directory holding a fake `systemctl` that prints `first_line` for `--version`.
fn fake_systemctl(first_line: &str) -> tempfile::TempDir {
    let bin = tempfile::tempdir().unwrap();
    let path = bin.path().join("systemctl");
    std::fs::write(
        &path,
        format!("#!/bin/sh\n[ \"$1\" = --version ] && echo '{first_line}' && echo '+PAM'\n"),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

fn with_path(bin: &Path) -> String {
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[test]
fn auto_reads_the_installed_systemd_without_a_manager() {
    let d = units("PollLimitBurst=10\n", "");
    let bin = fake_systemctl("systemd 255 (255.4-1ubuntu8)");
    let out = sockunit()
        .current_dir(d.path())
        .env("PATH", with_path(bin.path()))
        .args(["verify", "--format", "short", "--verbose", "t.socket"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "sockunit: checking as systemd 255 (auto: systemd 255 is installed (systemctl --version))"
        ),
        "{err}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    // --help says what auto is here.
    let out = sockunit()
        .env("PATH", with_path(bin.path()))
        .args(["verify", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("here auto = 255"), "{help}");
    assert!(help.contains("[default: auto]"), "{help}");
    // A release newer than the table knows is checked as the newest it knows.
    let bin = fake_systemctl("systemd 300 (300)");
    let out = sockunit()
        .current_dir(d.path())
        .env("PATH", with_path(bin.path()))
        .args(["verify", "-v", "t.socket"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("checking as systemd 261"));
}

#[test]
fn v252_here_is_what_systemd_analyze_says() {
    // The default (auto) on a machine with systemd 252, and an explicit 252 anywhere, give
    // systemd-analyze verify's own lines.
    let d = units(
        "PollLimitBurst=10\nBacklog=abc\nlistenstream=x\nPassPIDFD=yes\n",
        "Type=notify-reload\nCPUShares=5\n",
    );
    let (code, ours) = short(d.path(), "252", "t.socket");
    assert_eq!(code, 0);
    assert_eq!(ours.lines().count(), 6, "{ours}");
    if !common::have("systemd-analyze") {
        eprintln!("skipping the live comparison: systemd-analyze not installed");
        return;
    }
    let out = std::process::Command::new("systemd-analyze")
        .args(["verify", "--man=no", "t.socket"])
        .current_dir(d.path())
        .env_remove("SYSTEMD_LOG_LEVEL")
        .output()
        .unwrap();
    let theirs: Vec<String> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.starts_with('/'))
        .map(str::to_owned)
        .collect();
    let installed = std::process::Command::new("systemctl")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    if !installed.starts_with("systemd 252 ") {
        eprintln!("skipping the live comparison: the installed systemd is not 252");
        return;
    }
    let ours_lines: Vec<&str> = ours.lines().collect();
    assert_eq!(ours_lines, theirs);
    assert_eq!(out.status.code(), Some(code));
    let (_, auto) = short(d.path(), "auto", "t.socket");
    assert_eq!(auto, ours);
}

#[test]
fn dump_reads_units_as_the_release_too() {
    let d = units("PollLimitBurst=10\n", "");
    let (code, _, err) = run_in(
        d.path(),
        &[
            "dump",
            "--systemd-version",
            "252",
            "--type-only",
            "t.socket",
        ],
    );
    assert_eq!(code, 0);
    assert!(err.contains("Unknown key 'PollLimitBurst'"), "{err}");
    let (code, _, err) = run_in(
        d.path(),
        &[
            "dump",
            "--systemd-version",
            "255",
            "--type-only",
            "t.socket",
        ],
    );
    assert_eq!((code, err.as_str()), (0, ""));
}

#[test]
fn dropins_are_verified_with_their_unit() {
    let d = units("", "");
    let dir = d.path();
    std::fs::create_dir(dir.join("t.socket.d")).unwrap();
    std::fs::write(dir.join("t.socket.d/10-x.conf"), "[Socket]\nBacklog=zz\n").unwrap();
    std::fs::create_dir(dir.join("service.d")).unwrap();
    std::fs::write(dir.join("service.d/10-y.conf"), "[Service]\nNice=99\n").unwrap();
    std::fs::create_dir(dir.join("sysctl.d")).unwrap();
    std::fs::write(dir.join("sysctl.d/x.conf"), "a=b\n").unwrap();
    // A drop-in names its unit; with the unit itself it is verified once.
    let (code, out, _) = run_in(
        dir,
        &[
            "verify",
            "--format",
            "short",
            "--systemd-version",
            "252",
            "t.socket.d/10-x.conf",
            "t.socket",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(
        out.lines()
            .filter(|l| l.ends_with("Failed to parse unsigned value, ignoring: zz"))
            .count(),
        1,
        "{out}"
    );
    // A type-wide drop-in verifies the units of that type beside it.
    let (code, out, _) = run_in(dir, &["verify", "--format", "short", "service.d/10-y.conf"]);
    assert_eq!(code, 0);
    assert!(out.contains("service.d/10-y.conf:2: Nice priority out of range, ignoring: 99"));
    // Other .conf files are not unit files, as systemd-analyze says.
    let (code, out, _) = run_in(dir, &["verify", "--format", "short", "sysctl.d/x.conf"]);
    assert_eq!(code, 1);
    assert!(out.contains("Failed to prepare filename sysctl.d/x.conf: Invalid argument"));
}

#[test]
fn summary_line_quiet_and_colour() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(
        p.join("ok.socket"),
        "[Socket]\nListenStream=/run/a.sock\nBacklog=x\n",
    )
    .unwrap();
    std::fs::write(p.join("ok.service"), "[Service]\nExecStart=/bin/true\n").unwrap();
    std::fs::write(
        p.join("warn.service"),
        "[Service]\nExecStart=/bin/true\nNice=99\n",
    )
    .unwrap();
    std::fs::write(p.join("bad.socket"), "[Socket]\nAccept=yes\n").unwrap();
    let args = [
        "verify",
        "--systemd-version",
        "252",
        "ok.socket",
        "warn.service",
        "bad.socket",
    ];
    let (code, out, err) = run_in(p, &args);
    assert_eq!(code, 1);
    assert_eq!(out, "");
    assert!(err.ends_with("3 units: 1 refused, 2 warnings\n"), "{err}");
    assert!(!err.contains('\x1b'), "no colour off a terminal");

    let mut quiet = args.to_vec();
    quiet.push("--quiet");
    let (qcode, qout, qerr) = run_in(p, &quiet);
    assert_eq!(
        (qcode, qout.as_str(), qerr.as_str()),
        (1, "", "3 units: 1 refused, 2 warnings\n")
    );
    let mut quiet_json = quiet.clone();
    quiet_json.extend(["--format", "json"]);
    assert_eq!(
        run_in(p, &quiet_json).1,
        "",
        "--quiet prints no diagnostics"
    );

    let mut always = args.to_vec();
    always.extend(["--color", "always"]);
    let out = sockunit()
        .current_dir(p)
        .env("NO_COLOR", "1")
        .args(&always)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("\x1b["), "--color always wins over NO_COLOR");
    assert!(err.contains("\x1b[1;31m1 refused\x1b[0m"), "{err}");
    let mut never = args.to_vec();
    never.extend(["--color", "never"]);
    assert!(!run_in(p, &never).2.contains('\x1b'));

    // Machine formats have no summary line.
    let (_, out, err) = run_in(p, &["verify", "--format", "short", "ok.socket"]);
    assert!(
        !out.contains("units:") && !err.contains("unit:"),
        "{out}{err}"
    );
    let (code, _, err) = run_in(p, &["verify", "--systemd-version", "252", "ok.service"]);
    assert_eq!((code, err.as_str()), (0, "1 unit: 0 refused, 0 warnings\n"));
}

#[test]
fn completions_are_generated_for_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish"] {
        let out = sockunit().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        for word in [
            "verify",
            "dump",
            "completions",
            "systemd-version",
            "format",
            "sarif",
        ] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
        // The shell itself accepts the script, where it is installed.
        if common::have(shell) {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("completions");
            std::fs::write(&file, &script).unwrap();
            let status = std::process::Command::new(shell)
                .arg("-n")
                .arg(&file)
                .status()
                .unwrap();
            assert!(status.success(), "{shell} -n rejects the completions");
        }
    }
    let out = sockunit().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn man_pages_are_generated() {
    let out = sockunit().arg("man").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq"),
        "{}",
        &page[..80.min(page.len())]
    );
    assert!(page.contains(".TH sockunit 1"), "roff title");
    for word in ["verify", "completions", "SUBCOMMANDS"] {
        assert!(page.contains(word), "sockunit.1 lacks {word}");
    }
    let dir = tempfile::tempdir().unwrap();
    let out = sockunit()
        .args(["man", "--dir"])
        .arg(dir.path().join("man1"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    for page in [
        "sockunit.1",
        "sockunit-verify.1",
        "sockunit-dump.1",
        "sockunit-man.1",
    ] {
        let text = std::fs::read_to_string(dir.path().join("man1").join(page)).unwrap();
        assert!(text.contains(".TH "), "{page}");
    }
    let verify = std::fs::read_to_string(dir.path().join("man1/sockunit-verify.1")).unwrap();
    assert!(verify.contains("systemd\\-version"), "{verify}");
    // groff renders it without complaint, where installed.
    if common::have("groff") {
        let out = std::process::Command::new("groff")
            .args(["-man", "-Tutf8", "-ww"])
            .arg(dir.path().join("man1/sockunit-verify.1"))
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("systemd"), "{text}");
    }
}
