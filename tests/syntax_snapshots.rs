//! Snapshot of the lowered tree and diagnostics for every file in `fixtures/syntax/`.
//! The differential test proves the assignments equal systemd's; these snapshots pin the
//! spans, codes and messages, so a change to any of them is reviewed.

use std::fmt::Write;

use sockunit::source::{Source, Span};
use sockunit::syntax;

fn shown(s: &str) -> String {
    let s: String = s.chars().take(60).collect();
    format!("{s:?}")
}

fn span(src: &Source, sp: Span) -> String {
    let text = src.slice(sp);
    let more = if text.len() > 40 { "…" } else { "" };
    format!(
        "{}..{} {:?}{more}",
        sp.start,
        sp.end,
        text.chars().take(40).collect::<String>()
    )
}

fn lowered(path: &std::path::Path) -> String {
    let source = Source::new(path.file_name().unwrap(), std::fs::read(path).unwrap());
    let mut diags = Vec::new();
    let file = syntax::parse(&source, Some(&["Unit", "Socket", "Install"]), &mut diags);
    let mut out = String::new();
    for a in &file.assignments {
        let section = a.section.as_deref().unwrap_or("-");
        writeln!(
            out,
            "line {} [{section}] {} = {}",
            a.line,
            shown(&a.key),
            shown(&a.value.text)
        )
        .unwrap();
        writeln!(out, "    key   {}", span(&source, a.key_span)).unwrap();
        writeln!(out, "    value {}", span(&source, a.value.span())).unwrap();
    }
    if let Some(f) = file.failure {
        writeln!(
            out,
            "FAILURE {:?} at line {} ({})",
            f.kind,
            f.line,
            f.kind.strerror()
        )
        .unwrap();
    }
    for d in &diags {
        let line = d.line.map_or("-".to_owned(), |l| l.to_string());
        let at = d.span.map_or("-".to_owned(), |s| span(&source, s));
        writeln!(
            out,
            "{} {} line {line} at {at}: {}",
            d.severity.as_str(),
            d.code,
            shown(&d.message)
        )
        .unwrap();
    }
    out
}

#[test]
fn syntax_fixtures() {
    insta::glob!("../fixtures/syntax", "*.socket", |path| {
        insta::assert_snapshot!(lowered(path));
    });
}
