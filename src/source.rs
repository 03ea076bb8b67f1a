//! Source files as the rest of the crate sees them.
//!
//! A [`Source`] owns one file's *sanitized* text: every byte that is not part of valid UTF-8 is
//! replaced one-for-one by `?`, so the text is a `str` whose byte offsets are exactly the file's
//! byte offsets. The positions of the replaced bytes are kept, because systemd rejects a logical
//! line that contains them. Spans are byte ranges into that text.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The byte that stands in for an invalid UTF-8 byte. Not special to the unit-file syntax.
pub const PLACEHOLDER: u8 = b'?';

/// A byte range `start..end` in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` (byte offsets).
    pub fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end);
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    /// Whether the span covers no bytes.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    pub fn to(&self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// One file's contents, path and invalid-byte map.
#[derive(Debug)]
pub struct Source {
    path: PathBuf,
    text: String,
    invalid: Vec<u32>,
}

impl Source {
    /// Wraps raw file bytes. Never fails: invalid UTF-8 is recorded, not rejected.
    pub fn new(path: impl Into<PathBuf>, bytes: Vec<u8>) -> Arc<Source> {
        let (text, invalid) = sanitize(bytes);
        Arc::new(Source {
            path: path.into(),
            text,
            invalid,
        })
    }

    /// The path the file was loaded from (as given, not canonicalized).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The sanitized text (same length and offsets as the file's bytes).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text covered by `span`.
    pub fn slice(&self, span: Span) -> &str {
        &self.text[span.start as usize..span.end as usize]
    }

    /// Whether any byte in `start..end` was invalid UTF-8 in the file.
    pub fn has_invalid_in(&self, start: usize, end: usize) -> bool {
        let i = self.invalid.partition_point(|&p| (p as usize) < start);
        self.invalid.get(i).is_some_and(|&p| (p as usize) < end)
    }

    /// Whether the byte at `offset` was invalid UTF-8 in the file.
    pub fn is_invalid_at(&self, offset: usize) -> bool {
        self.has_invalid_in(offset, offset + 1)
    }

    /// 1-based (line, column) of `offset`, counting physical lines with systemd's end-of-line
    /// rules (`\n`, `\r`, `\r\n`, `\n\r`, NUL, …) and columns in characters.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let bytes = self.text.as_bytes();
        let offset = offset.min(bytes.len());
        let (mut line, mut line_start, mut i) = (1, 0, 0);
        while i < offset {
            let eol = eol_len(&bytes[i..]);
            if eol > 0 && i + eol <= offset {
                i += eol;
                line += 1;
                line_start = i;
            } else {
                i += 1;
            }
        }
        (line, self.text[line_start..offset].chars().count() + 1)
    }

    /// 1-based column (in characters) of `offset` within its physical line.
    pub fn column(&self, offset: usize) -> usize {
        let before = &self.text[..offset.min(self.text.len())];
        let line_start = before.rfind(['\n', '\r', '\0']).map_or(0, |p| p + 1);
        before[line_start..].chars().count() + 1
    }
}

impl miette::SourceCode for Source {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner =
            self.text
                .as_str()
                .read_span(span, context_lines_before, context_lines_after)?;
        let name = self.path.display().to_string();
        Ok(Box::new(miette::MietteSpanContents::new_named(
            name,
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// Length of the end-of-line marker at the start of `b` (systemd's `read_line()`: a run of
/// distinct `\n`/`\r`, optionally ended by one NUL; or a lone NUL), 0 if none.
pub(crate) fn eol_len(b: &[u8]) -> usize {
    match b {
        [b'\r', b'\n', 0, ..] | [b'\n', b'\r', 0, ..] => 3,
        [b'\r', b'\n', ..] | [b'\n', b'\r', ..] | [b'\r', 0, ..] | [b'\n', 0, ..] => 2,
        [b'\n' | b'\r' | 0, ..] => 1,
        _ => 0,
    }
}

fn sanitize(mut bytes: Vec<u8>) -> (String, Vec<u32>) {
    let mut invalid = Vec::new();
    let mut pos = 0;
    loop {
        match std::str::from_utf8(&bytes[pos..]) {
            Ok(_) => break,
            Err(e) => {
                let bad_start = pos + e.valid_up_to();
                let bad_len = e.error_len().unwrap_or(bytes.len() - bad_start);
                for b in &mut bytes[bad_start..bad_start + bad_len] {
                    *b = PLACEHOLDER;
                }
                invalid.extend((bad_start..bad_start + bad_len).map(|p| p as u32));
                pos = bad_start + bad_len;
            }
        }
    }
    // Every invalid byte was replaced by ASCII, so this cannot fail.
    let text = String::from_utf8(bytes).unwrap_or_default();
    (text, invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_bytes_are_replaced_one_for_one() {
        let s = Source::new("x", b"a\xffb\xc3=\xe2\x82".to_vec());
        assert_eq!(s.text(), "a?b?=??");
        assert!(s.is_invalid_at(1));
        assert!(!s.is_invalid_at(2));
        assert!(s.has_invalid_in(4, 7));
        assert!(!s.has_invalid_in(4, 5));
    }

    #[test]
    fn line_col_follows_systemds_eol_rules() {
        let s = Source::new("x", b"a\r\nb\n\rc\0d\n\ne\r\r\xc3\xa9f".to_vec());
        let at = |c: char| s.line_col(s.text().find(c).unwrap());
        assert_eq!(at('a'), (1, 1));
        assert_eq!(at('b'), (2, 1));
        assert_eq!(at('c'), (3, 1));
        assert_eq!(at('d'), (4, 1));
        assert_eq!(at('e'), (6, 1));
        assert_eq!(at('f'), (8, 2));
    }

    #[test]
    fn column_counts_chars_after_any_eol() {
        let s = Source::new("x", "ab\ré=x".as_bytes().to_vec());
        assert_eq!(s.column(3), 1);
        assert_eq!(s.column(6), 3);
    }
}
