//! The lowered syntax tree: owned, spanned, and free of pest types.

use crate::source::Span;

/// What the syntax layer produces for one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyntaxFile {
    /// Every assignment systemd would hand to a key's parser, in file order.
    pub assignments: Vec<Assignment>,
    /// Set when systemd would reject the whole file; parsing stopped there.
    pub failure: Option<Failure>,
}

/// A whole-file failure: systemd's `config_parse()` returned a negative errno.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// Which rule failed.
    pub kind: FailureKind,
    /// The physical line systemd was on.
    pub line: u32,
}

/// The whole-file failures systemd has, by the errno they produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// A line or continued line too long: ENOBUFS.
    LineTooLong,
    /// A logical line that is not valid UTF-8: EINVAL.
    InvalidUtf8,
    /// A bad section header: EBADMSG.
    BadSectionHeader,
}

impl FailureKind {
    /// The `strerror()` text systemd prints for the errno.
    pub fn strerror(self) -> &'static str {
        match self {
            FailureKind::LineTooLong => "No buffer space available",
            FailureKind::InvalidUtf8 => "Invalid argument",
            FailureKind::BadSectionHeader => "Bad message",
        }
    }
}

/// One `Key=value` assignment after continuations are joined and both sides stripped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The section it is in; `None` only when parsing without a section list.
    pub section: Option<std::sync::Arc<str>>,

    /// The line systemd reports for it (the last physical line of a continued line).
    pub line: u32,
    /// The key, case preserved.
    pub key: String,
    /// Where the key is.
    pub key_span: Span,
    /// The value with its map back to file offsets.
    pub value: RawValue,
    /// The whole logical line (all its physical lines).
    pub span: Span,
}

/// A value as systemd sees it, plus how its bytes map back to the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawValue {
    /// The joined, stripped text (a continuation backslash became a space).
    pub text: String,
    /// Where each run of `text` came from in the file, in order.
    pub pieces: Vec<Piece>,
}

/// A run of a logical line's text that is contiguous in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    /// Offset of the run in the logical text.
    pub logical: u32,
    /// Offset of the run in the file.
    pub file: u32,
    /// Length in bytes.
    pub len: u32,
}

impl RawValue {
    /// Maps a byte range of `text` to a span in the file (covering any gaps between pieces).
    pub fn span_of(&self, range: std::ops::Range<usize>) -> Span {
        Span::new(
            self.file_offset(range.start, false),
            self.file_offset(range.end, true),
        )
    }

    /// The span of the whole value.
    pub fn span(&self) -> Span {
        self.span_of(0..self.text.len())
    }

    fn file_offset(&self, logical: usize, is_end: bool) -> usize {
        let logical = logical as u32;
        let found = self.pieces.iter().find(|p| {
            logical >= p.logical
                && (logical < p.logical + p.len || (is_end && logical == p.logical + p.len))
        });
        match (found, self.pieces.last()) {
            (Some(p), _) => (p.file + logical - p.logical) as usize,
            (None, Some(last)) => (last.file + last.len) as usize,
            (None, None) => 0,
        }
    }
}
