//! Property tests of the syntax layer: `syntax::parse` never panics and every span it returns is
//! sound, over byte inputs built from the characters that matter to the unit-file syntax (section
//! brackets, `=`, comment starters, backslashes, blanks, every end-of-line marker, NUL, BOMs,
//! multi-byte characters, invalid UTF-8 and a noncharacter).
//!
//! `PROPTEST_CASES` overrides the case count (default 512 per property).

use std::sync::Arc;

use proptest::prelude::*;
use sockunit::diagnostic::{Diagnostic, Severity};
use sockunit::source::{Source, Span};
use sockunit::syntax::{self, LONG_LINE_MAX, SyntaxFile};

/// The section list a socket unit is parsed with.
const SOCKET_SECTIONS: &[&str] = &["Unit", "Socket", "Install"];

/// The pieces inputs are built from.
const TOKENS: &[&[u8]] = &[
    b"[",
    b"]",
    b"=",
    b"#",
    b";",
    b"\\",
    b" ",
    b"\t",
    b"\r",
    b"\n",
    b"\0",
    b"\xef\xbb\xbf",
    "é".as_bytes(),
    b"\xff",
    b"\xef\xb7\x90",
    b"a",
    b"k",
    b"Z",
    b"X-",
    b"Socket",
    b"Unit",
    b"Install",
];

/// Shapes that need a few tokens in a row to appear, so they show up often.
const PHRASES: &[&[u8]] = &[
    b"[Socket]\n",
    b"[Unit]\n",
    b"[X-Foo]\n",
    b"ListenStream=80\n",
    b"Key = value \\\n",
    b"\\\n",
    b"\\\\\n",
    b"# comment \\\n",
    b"\xef\xbb\xbf[Unit]",
];

fn token() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        8 => prop::sample::select(TOKENS).prop_map(<[u8]>::to_vec),
        1 => prop::sample::select(PHRASES).prop_map(<[u8]>::to_vec),
    ]
}

/// File bytes, shown as an escaped byte string so failures can be pasted back as tests.
#[derive(Clone)]
struct Bytes(Vec<u8>);

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "b\"{}\" ({} bytes)", self.0.escape_ascii(), self.0.len())
    }
}

/// Arbitrary inputs over the nasty alphabet; `max` tokens at most.
fn input(max: usize) -> impl Strategy<Value = Bytes> {
    prop::collection::vec(token(), 0..max).prop_map(|parts| Bytes(parts.concat()))
}

/// Inputs with lines long enough to reach the 256-byte cap on failure spans.
fn long_line_input() -> impl Strategy<Value = Bytes> {
    (input(8), 200usize..300, input(24)).prop_map(|(head, n, tail)| {
        let mut bytes = head.0;
        bytes.extend(std::iter::repeat_n(b'a', n));
        bytes.extend(tail.0);
        Bytes(bytes)
    })
}

fn parse(bytes: &[u8], sections: Option<&[&str]>) -> (Arc<Source>, SyntaxFile, Vec<Diagnostic>) {
    let source = Source::new("fuzz.socket", bytes.to_vec());
    let mut sink = Vec::new();
    let file = syntax::parse(&source, sections, &mut sink);
    (source, file, sink)
}

fn check_span(text: &str, span: Span, what: &str) -> Result<(), TestCaseError> {
    let (start, end) = (span.start as usize, span.end as usize);
    prop_assert!(start <= end, "{what} {span:?}: start > end");
    prop_assert!(
        end <= text.len(),
        "{what} {span:?}: past the end ({})",
        text.len()
    );
    prop_assert!(
        text.is_char_boundary(start),
        "{what} {span:?}: start not on a char boundary"
    );
    prop_assert!(
        text.is_char_boundary(end),
        "{what} {span:?}: end not on a char boundary"
    );
    Ok(())
}

fn is_trimmed(s: &str) -> bool {
    s.trim_matches([' ', '\t']) == s
}

/// Every invariant the syntax layer promises, for one input and one section mode.
fn check(bytes: &[u8], sections: Option<&[&str]>) -> Result<(), TestCaseError> {
    let (source, file, diagnostics) = parse(bytes, sections);
    let text = source.text();
    prop_assert_eq!(text.len(), bytes.len());

    let mut last_line = 0;
    for a in &file.assignments {
        check_span(text, a.span, "assignment span")?;
        check_span(text, a.key_span, "key span")?;
        check_span(text, a.value.span(), "value span")?;
        for p in &a.value.pieces {
            let piece = Span {
                start: p.file,
                end: p.file.saturating_add(p.len),
            };
            check_span(text, piece, "value piece")?;
        }
        prop_assert!(!a.key.is_empty(), "empty key at line {}", a.line);
        prop_assert!(is_trimmed(&a.key), "key {:?} not trimmed", a.key);
        prop_assert!(
            is_trimmed(&a.value.text),
            "value {:?} not trimmed",
            a.value.text
        );
        prop_assert!(
            a.line >= last_line,
            "line {} after line {}",
            a.line,
            last_line
        );
        last_line = a.line;
        if let Some(valid) = sections {
            let section = a.section.as_deref();
            prop_assert!(
                section.is_some_and(|s| valid.contains(&s)),
                "assignment in section {section:?} not in the list"
            );
        }
        // A single physical line: key and value are exactly the file text they point at.
        if !source.slice(a.span).contains(['\n', '\r', '\0']) {
            prop_assert_eq!(
                source.slice(a.key_span),
                a.key.as_str(),
                "key span of {:?}",
                a
            );
            prop_assert_eq!(
                source.slice(a.value.span()),
                a.value.text.as_str(),
                "value span"
            );
        }
    }
    for d in &diagnostics {
        if let Some(span) = d.span {
            check_span(text, span, &format!("diagnostic {:?} span", d.code))?;
        }
    }
    if file.failure.is_some() {
        prop_assert!(
            diagnostics.iter().any(|d| d.severity == Severity::Error),
            "failure {:?} without an error diagnostic",
            file.failure
        );
    }
    Ok(())
}

/// 512 cases per property unless `PROPTEST_CASES` says otherwise.
fn config() -> ProptestConfig {
    let cases = if std::env::var_os("PROPTEST_CASES").is_some() {
        ProptestConfig::default().cases
    } else {
        512
    };
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn spans_are_sound_without_sections(bytes in input(64)) {
        check(&bytes.0, None)?;
    }

    #[test]
    fn spans_are_sound_with_socket_sections(bytes in input(64)) {
        check(&bytes.0, Some(SOCKET_SECTIONS))?;
    }

    #[test]
    fn spans_are_sound_on_long_lines(bytes in long_line_input()) {
        check(&bytes.0, None)?;
        check(&bytes.0, Some(SOCKET_SECTIONS))?;
    }
}

/// Lines at systemd's 1 MiB limit, with a multi-byte character where the limit or the 256-byte
/// cap on failure spans falls. Too slow for many cases in debug, so a fixed handful.
#[test]
fn spans_are_sound_at_the_line_limit() {
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    for len in [LONG_LINE_MAX - 1, LONG_LINE_MAX] {
        for (key, body) in [
            (&b""[..], &b"a"[..]),
            (b"A=", "é".as_bytes()),
            (b"AB=", "é".as_bytes()),
        ] {
            let mut line = key.to_vec();
            while line.len() < len {
                line.extend_from_slice(body);
            }
            let bytes = [&b"[Socket]\n"[..], &line].concat();
            inputs.push(bytes.clone());
            inputs.push([&bytes[..], b"\\\nB=c\n"].concat());
            inputs.push([&b"[Socket]\nC=\\\n"[..], &line].concat());
        }
    }
    for bytes in &inputs {
        for sections in [None, Some(SOCKET_SECTIONS)] {
            if let Err(e) = check(bytes, sections) {
                panic!("input of {} bytes, sections {sections:?}: {e}", bytes.len());
            }
        }
    }
}

/// Regressions found by the properties above, kept as plain tests.
#[test]
fn known_tricky_inputs() {
    let cases: &[&[u8]] = &[
        b"",
        b"\xef\xbb\xbf",
        b"\xef\xbb\xbf\xef\xbb\xbf[Unit]",
        b"\\",
        b"a=\\",
        b"a\\\n=b",
        b"[Unit]\n\xef\xbb\xbfa=b\\\n# c\n\xef\xbb\xbf=d",
        b"\0\r\n\0=\xff",
        b"[\xef\xb7\x90]",
        b"a=\xef\xb7\x90",
        // Failure spans are capped at 256 bytes; the cap must not split a character.
        &[&b"["[..], &[b'a'; 254], "é".as_bytes()].concat(),
        &[&[b'a'; 255][..], "é".as_bytes(), b"\xff"].concat(),
    ];
    for bytes in cases {
        for sections in [None, Some(SOCKET_SECTIONS)] {
            if let Err(e) = check(bytes, sections) {
                panic!(
                    "input {:?}, sections {sections:?}: {e}",
                    bytes.escape_ascii().to_string()
                );
            }
        }
    }
}
