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
