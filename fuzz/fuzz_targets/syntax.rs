//! Feeds arbitrary bytes to `syntax::parse`, with and without a section list, and panics when a
//! span it returns is unsound (see `tests/syntax_props.rs` for the same checks as properties).

#![no_main]

use libfuzzer_sys::fuzz_target;
use sockunit::diagnostic::Severity;
use sockunit::source::{Source, Span};
use sockunit::syntax;

const SOCKET_SECTIONS: &[&str] = &["Unit", "Socket", "Install"];

fn check_span(text: &str, span: Span, what: &str) {
    let (start, end) = (span.start as usize, span.end as usize);
    assert!(start <= end, "{what} {span:?}: start > end");
    assert!(
        end <= text.len(),
        "{what} {span:?}: past the end ({})",
        text.len()
    );
    assert!(
        text.is_char_boundary(start),
        "{what} {span:?}: start not on a char boundary"
    );
    assert!(
        text.is_char_boundary(end),
        "{what} {span:?}: end not on a char boundary"
    );
}

fn is_trimmed(s: &str) -> bool {
    s.trim_matches([' ', '\t']) == s
}

fn check(bytes: &[u8], sections: Option<&[&str]>) {
    let source = Source::new("fuzz.socket", bytes.to_vec());
    let mut diagnostics = Vec::new();
    let file = syntax::parse(&source, sections, &mut diagnostics);
    let text = source.text();
    assert_eq!(text.len(), bytes.len());

    let mut last_line = 0;
    for a in &file.assignments {
        check_span(text, a.span, "assignment span");
        check_span(text, a.key_span, "key span");
        check_span(text, a.value.span(), "value span");
        for p in &a.value.pieces {
            check_span(
                text,
                Span {
                    start: p.file,
                    end: p.file.saturating_add(p.len),
                },
                "piece",
            );
        }
        assert!(!a.key.is_empty(), "empty key at line {}", a.line);
        assert!(is_trimmed(&a.key), "key {:?} not trimmed", a.key);
        assert!(
            is_trimmed(&a.value.text),
            "value {:?} not trimmed",
            a.value.text
        );
        assert!(
            a.line >= last_line,
            "line {} after line {last_line}",
            a.line
        );
        last_line = a.line;
        if let Some(valid) = sections {
            let section = a.section.as_deref();
            assert!(
                section.is_some_and(|s| valid.contains(&s)),
                "section {section:?}"
            );
        }
        if !source.slice(a.span).contains(['\n', '\r', '\0']) {
            assert_eq!(source.slice(a.key_span), a.key, "key span of {a:?}");
            assert_eq!(
                source.slice(a.value.span()),
                a.value.text,
                "value span of {a:?}"
            );
        }
    }
    for d in &diagnostics {
        if let Some(span) = d.span {
            check_span(text, span, &format!("diagnostic {:?} span", d.code));
        }
    }
    if file.failure.is_some() {
        assert!(
            diagnostics.iter().any(|d| d.severity == Severity::Error),
            "failure {:?} without an error diagnostic",
            file.failure
        );
    }
}

fuzz_target!(|bytes: &[u8]| {
    check(bytes, None);
    check(bytes, Some(SOCKET_SECTIONS));
});
