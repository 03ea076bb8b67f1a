//! The docs stay true: the diagnostics catalogue lists every code with its description.

use sockunit::diagnostic::Code;

#[test]
fn diagnostics_catalogue_lists_every_code() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/diagnostics.md"))
        .unwrap();
    for code in Code::ALL {
        let row = format!("| `{}` |", code.as_str());
        assert!(
            doc.contains(&row),
            "docs/diagnostics.md lacks a row for `{code}`"
        );
    }
    let rows = doc.lines().filter(|l| l.starts_with("| `")).count();
    assert_eq!(
        rows,
        Code::ALL.len(),
        "docs/diagnostics.md has rows for codes that no longer exist"
    );
}

#[test]
fn directive_support_table_is_fresh() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/directives.md");
    let want = sockunit::config::dispatch::support_table();
    if std::env::var_os("SOCKUNIT_UPDATE_DOCS").is_some() {
        std::fs::write(path, &want).unwrap();
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/directives.md is stale: run SOCKUNIT_UPDATE_DOCS=1 cargo test --test docs"
    );
}

/// `docs/ci.md` with every ```` ```console ```` block that starts with `$ sockunit …`
/// re-run on `fixtures/ci-sample/`, shown as checked out in `/src`.
fn ci_guide_with_fresh_outputs(doc: &str) -> String {
    let sample =
        std::path::absolute(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ci-sample")).unwrap();
    let sample_str = sample.display().to_string();
    let mut out = String::new();
    let mut lines = doc.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        if line.trim_end() != "```console" {
            continue;
        }
        let Some(command) = lines.peek().and_then(|l| l.strip_prefix("$ sockunit ")) else {
            continue;
        };
        let args: Vec<String> = command.split_whitespace().map(str::to_owned).collect();
        out.push_str(lines.next().unwrap());
        // Skip the old output up to the closing fence.
        for old in lines.by_ref() {
            if old.trim_end() == "```" {
                break;
            }
        }
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_sockunit"))
            .args(&args)
            .current_dir(&sample)
            .env_remove("NO_COLOR")
            .env_remove("SOCKUNIT_SYSTEMD_VERSION")
            .env_remove("SYSTEMD_UNIT_PATH")
            .env("GITHUB_WORKSPACE", &sample)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
        out.push_str(&text.replace(&sample_str, "/src"));
        out.push_str("```\n");
    }
    out
}

#[test]
fn ci_guide_outputs_are_fresh() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ci.md");
    let have = std::fs::read_to_string(path).unwrap();
    let want = ci_guide_with_fresh_outputs(&have);
    if std::env::var_os("SOCKUNIT_UPDATE_DOCS").is_some() {
        std::fs::write(path, &want).unwrap();
    }
    assert!(
        want.matches("$ sockunit ").count() >= 6,
        "docs/ci.md shows every format"
    );
    assert!(
        have == want,
        "docs/ci.md is stale: run SOCKUNIT_UPDATE_DOCS=1 cargo test --test docs"
    );
}
