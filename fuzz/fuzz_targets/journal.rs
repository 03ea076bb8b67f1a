//! Feeds a byte stream to `journal::LineSplitter` in arbitrary chunks: the lines are the same as
//! when the stream comes in one piece, and every line is bounded (`LINE_MAX` or a small
//! `with_line_max` bound, plus the `IDENTIFIER[PID]: ` prefix and the newline).

#![no_main]

use libfuzzer_sys::fuzz_target;
use sockunit::runtime::journal::{LINE_MAX, LineSplitter, LogLine};

fn splitter(line_max: usize, level_prefix: bool) -> LineSplitter {
    LineSplitter::new("fuzz", 42)
        .with_line_max(line_max)
        .with_level_prefix(level_prefix)
}

fn all(mut s: LineSplitter, chunks: &[&[u8]]) -> Vec<LogLine> {
    let mut out = Vec::new();
    for c in chunks {
        out.extend(s.feed(c));
    }
    out.extend(s.finish());
    assert!(s.finish().is_empty(), "finish twice");
    out
}

fuzz_target!(|input: (u8, bool, Vec<u8>, &[u8])| {
    let (max, level_prefix, cuts, stream) = input;
    // Small bounds hit the line-max break with short inputs; 0 means journald's default.
    let line_max = if max == 0 {
        LINE_MAX
    } else {
        usize::from(max % 64) + 1
    };
    let whole = all(splitter(line_max, level_prefix), &[stream]);

    let mut chunks = Vec::new();
    let mut rest = stream;
    for c in cuts {
        let at = usize::from(c).min(rest.len());
        let (head, tail) = rest.split_at(at);
        chunks.push(head);
        rest = tail;
    }
    chunks.push(rest);
    assert_eq!(
        whole,
        all(splitter(line_max, level_prefix), &chunks),
        "chunks {chunks:?}"
    );

    let prefix = b"fuzz[42]: ";
    for l in &whole {
        assert!(!l.message.is_empty());
        assert!(
            l.message.len() <= line_max,
            "{} > {line_max}",
            l.message.len()
        );
        assert!(l.text.len() <= prefix.len() + LINE_MAX + 1);
        assert!(!l.message.contains(&b'\n') && !l.message.contains(&0));
        assert!(l.priority <= 7);
        assert_eq!(l.text, [&prefix[..], &l.message, b"\n"].concat());
    }
});
