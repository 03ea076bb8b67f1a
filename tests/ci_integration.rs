//! The pre-commit hook (`.pre-commit-hooks.yaml`) and the GitHub Action (`action.yml`), run
//! locally as far as they run offline: the hook's `files` pattern and `entry` on `fixtures/`
//! (and through pre-commit itself where it is installed), the action's script steps in order
//! with GitHub's bash, its environment files and expressions, the cache step standing in as
//! a hit (or a fake `cargo` for a miss).

mod common;

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

fn load_yaml(name: &str) -> Yaml {
    let text = std::fs::read_to_string(common::root().join(name)).unwrap();
    YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .remove(0)
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_sockunit")
}

// ---------------------------------------------------------------------------------------
// pre-commit

/// The one hook of `.pre-commit-hooks.yaml`.
struct Hook {
    entry: Vec<String>,
    args: Vec<String>,
    files: regex::Regex,
    files_src: String,
}

fn hook() -> Hook {
    let doc = load_yaml(".pre-commit-hooks.yaml");
    let hooks = doc.as_vec().expect("a list of hooks");
    assert_eq!(hooks.len(), 1);
    let h = &hooks[0];
    assert_eq!(h["id"].as_str(), Some("sockunit-verify"));
    assert_eq!(h["language"].as_str(), Some("rust"));
    assert!(h["name"].as_str().is_some());
    assert_ne!(h["pass_filenames"].as_bool(), Some(false));
    let entry: Vec<String> = h["entry"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    assert_eq!(entry[..], ["sockunit", "verify", "--format", "short"]);
    let args = h["args"]
        .as_vec()
        .map(|v| v.iter().map(|a| a.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default();
    let files_src = h["files"].as_str().unwrap().to_owned();
    Hook {
        entry,
        args,
        files: regex::Regex::new(&files_src).unwrap(),
        files_src,
    }
}

#[test]
fn pre_commit_hook_definition_selects_units_and_dropins() {
    let h = hook();
    for yes in [
        "echo.socket",
        "units/echo.service",
        "units/echo@.service",
        "units/echo.socket.d/10-backlog.conf",
        "etc/systemd/system/foo-.service.d/x.conf",
        "service.d/10-all.conf",
        "units/socket.d/10-all.conf",
    ] {
        assert!(h.files.is_match(yes), "{yes} should be checked");
    }
    for no in [
        "README.md",
        "echo.socket.txt",
        "etc/sysctl.d/10-net.conf",
        "etc/tmpfiles.d/x.conf",
        "units/echo.socket.d/sub/x.conf",
        "units/echo.timer",
    ] {
        assert!(!h.files.is_match(no), "{no} should not be checked");
    }
}

/// Runs the hook's entry as pre-commit does (entry, args, then the matching files, in
/// batches) from `cwd`; returns each batch's exit code and stdout.
fn run_entry(h: &Hook, cwd: &Path, files: &[String]) -> Vec<(i32, String)> {
    files
        .chunks(400)
        .map(|batch| {
            let out = Command::new(bin())
                .args(&h.entry[1..])
                .args(&h.args)
                .args(batch)
                .current_dir(cwd)
                .env("SOCKUNIT_SYSTEMD_VERSION", "252")
                .output()
                .unwrap();
            (
                out.status.code().unwrap(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
            )
        })
        .collect()
}

/// Files under `dir` (relative to the repository root) that the hook selects.
fn selected(h: &Hook, dir: &str) -> Vec<String> {
    let root = common::root();
    let mut files: Vec<String> = walkdir::WalkDir::new(root.join(dir))
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|f| h.files.is_match(f))
        .collect();
    files.sort();
    files
}

#[test]
fn pre_commit_hook_entry_runs_on_the_fixtures() {
    let h = hook();
    let root = common::root();
    // The examples: warnings only, so the hook passes and prints systemd's own lines.
    let examples = selected(&h, "fixtures/examples");
    assert_eq!(examples.len(), 4, "{examples:?}");
    let runs = run_entry(&h, &root, &examples);
    assert_eq!(runs.len(), 1);
    let (code, out) = &runs[0];
    assert_eq!(*code, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].ends_with(
        "fixtures/examples/typo.socket:4: Unknown key 'listenstream' in section [Socket], ignoring."
    ));
    assert!(lines[1].ends_with("fixtures/examples/typo.socket:5: Missing '=', ignoring line."));

    // Every unit file and drop-in of the fixtures, as a repository of them would pass them:
    // never a crash or a usage error, every line systemd's `FILE:LINE: message` or
    // `UNIT: message` form.
    let all = selected(&h, "fixtures");
    assert!(all.len() > 1000, "{}", all.len());
    assert!(
        all.iter().any(|f| f.ends_with(".conf")),
        "drop-ins are selected"
    );
    let mut refused = 0;
    for (code, out) in run_entry(&h, &root, &all) {
        assert!(matches!(code, 0 | 1), "exit {code}");
        refused += usize::from(code == 1);
        for line in out.lines() {
            assert!(!line.is_empty() && !line.contains("panicked"), "{line:?}");
        }
    }
    assert!(
        refused > 0,
        "the conformance fixtures include refused units"
    );
}

#[test]
fn pre_commit_runs_the_hook_when_installed() {
    let have = Command::new("python3")
        .args(["-m", "pre_commit", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        eprintln!("skipping: pre-commit is not installed (.ci/run installs it with pip)");
        return;
    }
    let h = hook();
    let repo = tempfile::tempdir().unwrap();
    let r = repo.path();
    let git = |args: &[&str]| {
        let st = Command::new("git")
            .args(args)
            .current_dir(r)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
            .output()
            .unwrap();
        assert!(st.status.success(), "git {args:?}: {st:?}");
    };
    git(&["init", "-q"]);
    std::fs::create_dir_all(r.join("units/echo.socket.d")).unwrap();
    for f in ["echo.socket", "echo.service", "typo.socket", "typo.service"] {
        std::fs::copy(
            common::root().join("fixtures/examples").join(f),
            r.join("units").join(f),
        )
        .unwrap();
    }
    std::fs::write(
        r.join("units/echo.socket.d/10-backlog.conf"),
        "[Socket]\nBacklog=64\n",
    )
    .unwrap();
    std::fs::write(r.join("README.md"), "not a unit\n").unwrap();
    // The hook as this repository defines it, with the binary built here as its entry (the
    // `language: rust` install would build sockunit from source, which needs no test).
    let quoted = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let args = h
        .args
        .iter()
        .map(|a| quoted(a))
        .collect::<Vec<_>>()
        .join(", ");
    let config = format!(
        "repos:\n- repo: local\n  hooks:\n  - id: sockunit-verify\n    name: sockunit verify\n    \
         entry: {} {}\n    language: system\n    files: {}\n    args: [{args}]\n",
        bin(),
        h.entry[1..].join(" "),
        quoted(&h.files_src),
    );
    std::fs::write(r.join(".pre-commit-config.yaml"), config).unwrap();
    git(&["add", "-A"]);
    let pre_commit = |args: &[&str]| {
        let out = Command::new("python3")
            .args(["-m", "pre_commit"])
            .args(args)
            .current_dir(r)
            .env("PRE_COMMIT_HOME", r.join(".pre-commit-home"))
            .env("SOCKUNIT_SYSTEMD_VERSION", "252")
            .env_remove("GIT_DIR")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, out) = pre_commit(&["run", "--all-files", "--verbose"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("sockunit verify"), "{out}");
    assert!(out.contains("Passed"), "{out}");
    assert!(
        out.contains("units/typo.socket:4: Unknown key 'listenstream'"),
        "{out}"
    );
    // A drop-in that makes systemd refuse the unit fails the hook.
    std::fs::write(
        r.join("units/echo.socket.d/20-bad.conf"),
        "[Socket]\nListenStream=\nAccept=yes\n",
    )
    .unwrap();
    git(&["add", "-A"]);
    let (code, out) = pre_commit(&["run", "--files", "units/echo.socket.d/20-bad.conf"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("Failed"), "{out}");
    assert!(out.contains("echo.socket"), "{out}");
}

// ---------------------------------------------------------------------------------------
// GitHub Action

#[test]
fn action_definition_is_a_composite_action() {
    let a = load_yaml("action.yml");
    assert!(a["name"].as_str().is_some() && a["description"].as_str().is_some());
    assert_eq!(a["runs"]["using"].as_str(), Some("composite"));
    let inputs = a["inputs"].as_hash().unwrap();
    for name in ["paths", "systemd-version", "strict", "sarif-file"] {
        assert!(
            inputs.contains_key(&Yaml::String(name.into())),
            "input {name}"
        );
    }
    let steps = a["runs"]["steps"].as_vec().unwrap();
    let ids: Vec<&str> = steps.iter().filter_map(|s| s["id"].as_str()).collect();
    for s in steps {
        if let Some(uses) = s["uses"].as_str() {
            assert!(uses.starts_with("actions/cache@"), "{uses}");
            continue;
        }
        assert_eq!(
            s["shell"].as_str(),
            Some("bash"),
            "composite run steps need a shell"
        );
        let script = s["run"].as_str().unwrap();
        assert!(
            !script.contains("${{"),
            "inputs reach scripts through env, never pasted in: {script}"
        );
        // bash parses it.
        let out = Command::new("bash")
            .args(["-n", "-c", script])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Every expression names an input or an earlier step that exists.
    let text = std::fs::read_to_string(common::root().join("action.yml")).unwrap();
    for expr in expressions(&text) {
        if let Some(name) = expr.strip_prefix("inputs.") {
            assert!(inputs.contains_key(&Yaml::String(name.into())), "{expr}");
        } else if let Some(rest) = expr.strip_prefix("steps.") {
            let id = rest.split('.').next().unwrap();
            assert!(ids.contains(&id), "{expr}");
        } else {
            assert_eq!(expr, "github.action_path", "{expr}");
        }
    }
}

/// The `${{ … }}` expressions of a text.
fn expressions(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("${{") {
        let after = &rest[i + 3..];
        let j = after.find("}}").unwrap();
        out.push(after[..j].trim().to_owned());
        rest = &after[j + 2..];
    }
    out
}

/// One local run of the action: its steps in order, as a runner runs a composite action.
struct ActionRun {
    code: i32,
    stdout: String,
    stderr: String,
    outputs: HashMap<String, String>,
    cargo_calls: String,
}

/// Runs action.yml with `inputs` in `workspace`. `cache_hit`: the cache step restores the
/// binary built here; otherwise a fake `cargo` on PATH records how it is called and installs
/// that binary.
fn run_action(workspace: &Path, inputs: &[(&str, &str)], cache_hit: bool) -> ActionRun {
    let a = load_yaml("action.yml");
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let fake_bin = tmp.path().join("fake-bin");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&fake_bin).unwrap();
    let cargo_log = tmp.path().join("cargo-calls");
    let cargo = fake_bin.join("cargo");
    std::fs::write(
        &cargo,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\nroot=\nwhile [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=$2; shift; done\n\
             mkdir -p \"$root/bin\" && cp '{}' \"$root/bin/sockunit\"\n",
            cargo_log.display(),
            bin()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();

    let mut ctx: HashMap<String, String> = HashMap::new();
    ctx.insert(
        "github.action_path".into(),
        common::root().display().to_string(),
    );
    for (name, spec) in a["inputs"].as_hash().unwrap() {
        let name = name.as_str().unwrap();
        let value = inputs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| (*v).to_owned())
            .or_else(|| spec["default"].as_str().map(str::to_owned))
            .unwrap_or_default();
        ctx.insert(format!("inputs.{name}"), value);
    }
    let expand = |s: &str, ctx: &HashMap<String, String>| {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find("${{") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 3..];
            let j = after.find("}}").unwrap();
            let expr = after[..j].trim();
            out.push_str(
                ctx.get(expr)
                    .unwrap_or_else(|| panic!("no value for {expr}")),
            );
            rest = &after[j + 2..];
        }
        out.push_str(rest);
        out
    };

    let mut path = format!("{}:{}", fake_bin.display(), std::env::var("PATH").unwrap());
    let (mut stdout, mut stderr) = (String::new(), String::new());
    let mut code = 0;
    for (n, step) in a["runs"]["steps"].as_vec().unwrap().iter().enumerate() {
        if step["uses"].as_str().is_some() {
            // actions/cache: a hit restores what an earlier run installed.
            if cache_hit {
                let root = expand(step["with"]["path"].as_str().unwrap(), &ctx);
                std::fs::create_dir_all(Path::new(&root).join("bin")).unwrap();
                std::fs::copy(bin(), Path::new(&root).join("bin/sockunit")).unwrap();
            }
            continue;
        }
        let files: Vec<PathBuf> = ["output", "path", "env"]
            .iter()
            .map(|f| tmp.path().join(format!("{n}.{f}")))
            .collect();
        for f in &files {
            std::fs::write(f, "").unwrap();
        }
        let script = tmp.path().join(format!("{n}.sh"));
        std::fs::write(&script, step["run"].as_str().unwrap()).unwrap();
        let dir = step["working-directory"]
            .as_str()
            .map_or(".".to_owned(), |w| expand(w, &ctx));
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script)
            .current_dir(workspace.join(dir))
            .env_clear()
            .env("PATH", &path)
            .env("HOME", &home)
            .env("RUNNER_OS", "Linux")
            .env("GITHUB_WORKSPACE", workspace)
            .env("GITHUB_OUTPUT", &files[0])
            .env("GITHUB_PATH", &files[1])
            .env("GITHUB_ENV", &files[2]);
        if let Some(env) = step["env"].as_hash() {
            for (k, v) in env {
                cmd.env(k.as_str().unwrap(), expand(v.as_str().unwrap(), &ctx));
            }
        }
        let out = cmd.output().unwrap();
        stdout.push_str(&String::from_utf8_lossy(&out.stdout));
        stderr.push_str(&String::from_utf8_lossy(&out.stderr));
        let id = step["id"].as_str().unwrap_or_default();
        for line in std::fs::read_to_string(&files[0]).unwrap().lines() {
            let (k, v) = line.split_once('=').unwrap();
            ctx.insert(format!("steps.{id}.outputs.{k}"), v.to_owned());
        }
        for line in std::fs::read_to_string(&files[1]).unwrap().lines() {
            path = format!("{line}:{path}");
        }
        code = out.status.code().unwrap();
        if code != 0 {
            break;
        }
    }
    let mut outputs = HashMap::new();
    for (name, spec) in a["outputs"].as_hash().unwrap() {
        let value = spec["value"].as_str().unwrap();
        let expr = value
            .trim_start_matches("${{")
            .trim_end_matches("}}")
            .trim();
        outputs.insert(
            name.as_str().unwrap().to_owned(),
            ctx.get(expr).cloned().unwrap_or_default(),
        );
    }
    ActionRun {
        code,
        stdout,
        stderr,
        outputs,
        cargo_calls: std::fs::read_to_string(&cargo_log).unwrap_or_default(),
    }
}

#[test]
fn action_annotates_the_fixtures_and_passes_on_warnings() {
    let run = run_action(
        &common::root(),
        &[("paths", "fixtures/examples"), ("systemd-version", "252")],
        true,
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.cargo_calls.is_empty(), "a cache hit installs nothing");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    // Paths relative to the checkout ($GITHUB_WORKSPACE), as GitHub places annotations.
    assert!(
        lines[0].starts_with(
            "::warning file=fixtures/examples/typo.socket,line=4,col=1,title=unknown-key::Unknown key 'listenstream'"
        ),
        "{}",
        lines[0]
    );
    assert!(
        run.stderr.contains("sockunit: checking as systemd 252"),
        "{}",
        run.stderr
    );
    assert_eq!(run.outputs["sarif-file"], "");
}

#[test]
fn action_fails_on_warnings_when_strict_and_writes_sarif() {
    let tmp = tempfile::tempdir().unwrap();
    let sarif = tmp.path().join("out.sarif");
    let run = run_action(
        &common::root(),
        &[
            ("paths", "fixtures/examples"),
            ("strict", "true"),
            ("systemd-version", "252"),
            ("sarif-file", sarif.to_str().unwrap()),
        ],
        true,
    );
    assert_eq!(run.code, 1, "strict fails on warnings");
    assert_eq!(run.outputs["sarif-file"], sarif.to_str().unwrap());
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    // Code scanning places results by repository-relative URIs.
    let artifact = &results[0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(artifact["uri"], "fixtures/examples/typo.socket");
    assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
    let base = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
}

#[test]
fn action_fails_on_refusals_installs_on_a_cache_miss_and_targets_the_release() {
    let ws = tempfile::tempdir().unwrap();
    let units = ws.path().join("units");
    std::fs::create_dir(&units).unwrap();
    std::fs::write(
        units.join("app.socket"),
        "[Socket]\nListenStream=/run/app.sock\nPollLimitBurst=5\n",
    )
    .unwrap();
    std::fs::write(
        units.join("app.service"),
        "[Service]\nExecStart=/usr/bin/app\n",
    )
    .unwrap();
    // The runner does not have /usr/bin/app: the default skips the executable check.
    let run = run_action(
        ws.path(),
        &[("paths", "units"), ("systemd-version", "255")],
        false,
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "");
    let calls: Vec<&str> = run.cargo_calls.lines().collect();
    assert_eq!(calls.len(), 1, "a cache miss installs once");
    assert!(
        calls[0].starts_with("install --locked --quiet --root "),
        "{}",
        calls[0]
    );
    assert!(
        calls[0].ends_with(&format!("--path {}", common::root().display())),
        "{}",
        calls[0]
    );
    // systemd 252 does not know PollLimitBurst=; a warning is not a failure.
    let run = run_action(
        ws.path(),
        &[("paths", "units"), ("systemd-version", "252")],
        true,
    );
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("::warning file="), "{}", run.stdout);
    assert!(
        run.stdout.contains("Unknown key 'PollLimitBurst'"),
        "{}",
        run.stdout
    );
    // With the executable check the missing binary refuses the unit.
    let run = run_action(
        ws.path(),
        &[
            ("paths", "units"),
            ("exec-check", "true"),
            ("systemd-version", "255"),
        ],
        true,
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("::error"), "{}", run.stdout);
    // A refusal fails the job; working-directory and args reach sockunit.
    std::fs::write(units.join("bad.socket"), "[Socket]\nAccept=yes\n").unwrap();
    let run = run_action(
        ws.path(),
        &[
            ("working-directory", "units"),
            ("paths", "bad.socket app.socket"),
            ("args", "--user"),
        ],
        true,
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("::error title=no-listen::bad.socket: Unit has no Listen setting"),
        "{}",
        run.stdout
    );
}
