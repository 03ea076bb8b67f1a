//! Lowering: pest's physical lines → systemd's logical lines → [`SyntaxFile`].
//!
//! This mirrors systemd 252's `config_parse()` read loop and `parse_line()` rule by rule:
//! comment lines are dropped before anything else (so they never end a continuation), the first
//! BOM seen on a non-comment line is stripped, an odd trailing backslash continues the line, a
//! continuation pending at EOF is parsed one line past the end, and the limits and UTF-8 rule
//! fail the whole file.

use std::sync::Arc;

use pest::Parser;
use pest::iterators::Pair;

use super::grammar::{Rule, UnitGrammar};
use super::tree::{Assignment, Failure, FailureKind, Piece, RawValue, SyntaxFile};
use crate::diagnostic::{Code, Diagnostic, Severity, Sink};
use crate::source::{Source, Span};

/// systemd's `LONG_LINE_MAX`: 1 MiB.
pub const LONG_LINE_MAX: usize = 1024 * 1024;

const BOM: &str = "\u{feff}";

/// Parses one file. `sections` is the list of valid section names (`None`: accept all).
pub fn parse(source: &Arc<Source>, sections: Option<&[&str]>, sink: &mut dyn Sink) -> SyntaxFile {
    let mut lowerer = Lowerer {
        source,
        sections,
        sink,
        out: SyntaxFile::default(),
        section: None,
        section_ignored: false,
        bom_seen: false,
        buf: Logical::default(),
        pending: false,
        line: 0,
    };
    let text = source.text();
    match UnitGrammar::parse(Rule::file, text) {
        Ok(mut pairs) => {
            let file = pairs.next().map(|p| p.into_inner());
            for pair in file.into_iter().flatten() {
                if pair.as_rule() == Rule::EOI || is_phantom_last_line(&pair, text) {
                    continue;
                }
                if !lowerer.physical_line(pair) {
                    return lowerer.out;
                }
            }
            lowerer.finish();
        }
        Err(e) => {
            // The grammar is total; reaching this is a bug in it, reported rather than panicking.
            debug_assert!(false, "unit grammar rejected input: {e}");
            lowerer.sink.push(Diagnostic::new(
                Code::LoadError,
                Severity::Error,
                format!("internal error: unit grammar rejected the file: {e}"),
            ));
        }
    }
    lowerer.out
}

/// The empty "line" pest sees after a final end-of-line marker; systemd reads no line there.
fn is_phantom_last_line(pair: &Pair<'_, Rule>, text: &str) -> bool {
    let span = pair.as_span();
    span.start() == text.len()
        && span.end() == text.len()
        && (text.is_empty() || text.ends_with(['\n', '\r', '\0']))
}

/// A logical line being assembled: its text and where each part came from.
#[derive(Debug, Default)]
struct Logical {
    text: String,
    pieces: Vec<Piece>,
    /// Classification pest gave the single physical line, if the text is exactly that line.
    hint: Option<Class>,
}

impl Logical {
    fn push(&mut self, text: &str, file_offset: usize) {
        self.pieces.push(Piece {
            logical: self.text.len() as u32,
            file: file_offset as u32,
            len: text.len() as u32,
        });
        self.text.push_str(text);
    }

    fn raw(&self, range: std::ops::Range<usize>) -> RawValue {
        let mut pieces = Vec::new();
        for p in &self.pieces {
            let (ps, pe) = (p.logical as usize, (p.logical + p.len) as usize);
            let (s, e) = (ps.max(range.start), pe.min(range.end));
            if s < e || (s == e && pieces.is_empty() && s >= ps && s <= pe) {
                pieces.push(Piece {
                    logical: (s - range.start) as u32,
                    file: p.file + (s - ps) as u32,
                    len: (e - s) as u32,
                });
            }
        }
        RawValue {
            text: self.text[range].to_owned(),
            pieces,
        }
    }

    /// The file span of a byte range of the logical text, without building a `RawValue`.
    fn span_of(&self, range: std::ops::Range<usize>) -> Span {
        let at = |pos: usize, is_end: bool| {
            self.pieces
                .iter()
                .find(|p| {
                    let (s, e) = (p.logical as usize, (p.logical + p.len) as usize);
                    pos >= s && (pos < e || (is_end && pos == e))
                })
                .map_or_else(
                    || self.pieces.last().map_or(0, |p| (p.file + p.len) as usize),
                    |p| p.file as usize + pos - p.logical as usize,
                )
        };
        Span::new(at(range.start, false), at(range.end, true))
    }

    fn span(&self) -> Span {
        let first = self.pieces.first().map_or(0, |p| p.file);
        let last = self.pieces.last().map_or(0, |p| p.file + p.len);
        Span {
            start: first,
            end: last,
        }
    }
}

/// What a logical line is, as the grammar classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Section,
    /// Logical offset of the first `=`.
    Assignment(usize),
    Other,
}

struct Lowerer<'a> {
    source: &'a Arc<Source>,
    sections: Option<&'a [&'a str]>,
    sink: &'a mut dyn Sink,
    out: SyntaxFile,
    section: Option<Arc<str>>,
    section_ignored: bool,
    bom_seen: bool,
    /// The logical line being assembled; reused across lines to keep its allocations.
    buf: Logical,
    /// Whether `buf` holds a continuation waiting for its next physical line.
    pending: bool,
    line: u32,
}

impl Lowerer<'_> {
    /// Handles one physical line. Returns false when the file failed as a whole.
    fn physical_line(&mut self, pair: Pair<'_, Rule>) -> bool {
        let (start, end) = (pair.as_span().start(), pair.as_span().end());
        // systemd: read_line() refuses a line of LONG_LINE_MAX bytes or more before counting it.
        if end - start >= LONG_LINE_MAX {
            let line = self.line;
            self.fail(
                FailureKind::LineTooLong,
                line,
                Span::new(start, end),
                "Line too long",
            );
            return false;
        }
        self.line += 1;
        let rule = pair.as_rule();
        if rule == Rule::comment {
            return true;
        }
        let mut text = pair.as_str();
        let mut offset = start;
        let mut stripped_bom = false;
        if !self.bom_seen && text.starts_with(BOM) {
            text = &text[BOM.len()..];
            offset += BOM.len();
            self.bom_seen = true;
            stripped_bom = true;
        }
        if self.pending {
            if self.buf.text.len() + text.len() > LONG_LINE_MAX {
                let line = self.line;
                let span = self.buf.span().to(Span::new(offset, end));
                self.fail(
                    FailureKind::LineTooLong,
                    line,
                    span,
                    "Continuation line too long",
                );
                return false;
            }
            self.buf.hint = None;
        } else {
            self.buf.text.clear();
            self.buf.pieces.clear();
            self.buf.hint = if stripped_bom { None } else { class_of(pair) };
        }
        if ends_with_odd_backslash(text) {
            // The backslash becomes a space; the piece keeps its length so offsets still map.
            self.buf.push(&text[..text.len() - 1], offset);
            self.buf.text.push(' ');
            if let Some(p) = self.buf.pieces.last_mut() {
                p.len += 1;
            }
            self.buf.hint = None;
            self.pending = true;
            return true;
        }
        self.buf.push(text, offset);
        self.pending = false;
        let line = self.line;
        let logical = std::mem::take(&mut self.buf);
        let ok = self.logical_line(&logical, line);
        self.buf = logical;
        ok
    }

    /// Parses a continuation still pending at end of file, one line past the last.
    fn finish(&mut self) {
        if self.pending {
            self.pending = false;
            self.line += 1;
            let line = self.line;
            let logical = std::mem::take(&mut self.buf);
            self.logical_line(&logical, line);
        }
    }

    /// systemd's `parse_line()`. Returns false when the file failed as a whole.
    fn logical_line(&mut self, logical: &Logical, line: u32) -> bool {
        let trimmed = trim_range(&logical.text);
        if trimmed.is_empty() {
            return true;
        }
        let span = logical.span_of(trimmed.clone());
        if !self.is_utf8_clean(logical) {
            let shown = self.escape_invalid(logical, trimmed);
            let message = format!("String is not UTF-8 clean, ignoring assignment: {shown}");
            let bad = self.first_invalid(logical);
            self.fail_with(FailureKind::InvalidUtf8, line, span, &message, bad);
            return false;
        }
        let class = logical
            .hint
            .or_else(|| classify(&logical.text))
            .unwrap_or(Class::Other);
        let l = &logical.text[trimmed.clone()];
        if class == Class::Section {
            return self.section_header(l, line, span);
        }
        if self.sections.is_some() && self.section.is_none() {
            if !self.section_ignored {
                self.warn(
                    Code::AssignmentOutsideSection,
                    line,
                    span,
                    "Assignment outside of section. Ignoring.",
                );
            }
            return true;
        }
        let Class::Assignment(eq) = class else {
            self.warn(
                Code::MissingEquals,
                line,
                span,
                "Missing '=', ignoring line.",
            );
            return true;
        };
        let key = trim_within(&logical.text, trimmed.start..eq);
        if key.is_empty() {
            self.warn(
                Code::MissingKey,
                line,
                span,
                "Missing key name before '=', ignoring line.",
            );
            return true;
        }
        let value = trim_within(&logical.text, eq + 1..trimmed.end);
        self.out.assignments.push(Assignment {
            section: self.section.clone(),
            line,
            key: logical.text[key.clone()].to_owned(),
            key_span: logical.span_of(key),
            value: logical.raw(value),
            span,
        });
        true
    }

    fn section_header(&mut self, l: &str, line: u32, span: Span) -> bool {
        if l.len() < 2 || !l.ends_with(']') {
            let message = format!("Invalid section header '{l}'");
            self.fail(FailureKind::BadSectionHeader, line, span, &message);
            return false;
        }
        let name = &l[1..l.len() - 1];
        if !is_safe(name) {
            let message = format!("Bad characters in section header '{l}'");
            self.fail(FailureKind::BadSectionHeader, line, span, &message);
            return false;
        }
        let known = self.sections.is_none_or(|valid| valid.contains(&name));
        if known {
            self.section = Some(Arc::from(name));
            self.section_ignored = false;
        } else {
            if !name.starts_with("X-") {
                let message = format!("Unknown section '{name}'. Ignoring.");
                self.warn(Code::UnknownSection, line, span, &message);
            }
            self.section = None;
            self.section_ignored = true;
        }
        true
    }

    /// systemd's `utf8_is_valid()`: well-formed UTF-8 and no noncharacters or surrogates.
    fn is_utf8_clean(&self, logical: &Logical) -> bool {
        let bytes_ok = logical.pieces.iter().all(|p| {
            !self
                .source
                .has_invalid_in(p.file as usize, (p.file + p.len) as usize)
        });
        bytes_ok && (logical.text.is_ascii() || logical.text.chars().all(is_valid_unichar))
    }

    /// The first byte (or noncharacter) that makes a logical line invalid, as a file span.
    fn first_invalid(&self, logical: &Logical) -> Option<Span> {
        for p in &logical.pieces {
            let (start, end) = (p.file as usize, (p.file + p.len) as usize);
            if let Some(i) = (start..end).find(|&i| self.source.is_invalid_at(i)) {
                return Some(Span::new(i, i + 1));
            }
            let text = &self.source.text()[start..end];
            if let Some((i, c)) = text.char_indices().find(|(_, c)| !is_valid_unichar(*c)) {
                return Some(Span::new(start + i, start + i + c.len_utf8()));
            }
        }
        None
    }

    /// systemd's `utf8_escape_invalid()`: every byte of an invalid sequence becomes U+FFFD.
    fn escape_invalid(&self, logical: &Logical, range: std::ops::Range<usize>) -> String {
        let raw = logical.raw(range);
        let mut out = String::with_capacity(raw.text.len());
        for (i, c) in raw.text.char_indices() {
            let file = raw.span_of(i..i + 1).start as usize;
            if (c == '?' && self.source.is_invalid_at(file)) || !is_valid_unichar(c) {
                out.extend(std::iter::repeat_n('\u{fffd}', c.len_utf8()));
            } else {
                out.push(c);
            }
        }
        out
    }

    fn warn(&mut self, code: Code, line: u32, span: Span, message: &str) {
        let d = Diagnostic::new(code, Severity::Warning, message).at(self.source, Some(line), span);
        self.sink.push(d);
    }

    fn fail(&mut self, kind: FailureKind, line: u32, span: Span, message: &str) {
        self.fail_with(kind, line, span, message, None);
    }

    /// Records a whole-file failure; `invalid` points at the first bad byte, if any.
    fn fail_with(
        &mut self,
        kind: FailureKind,
        line: u32,
        span: Span,
        message: &str,
        invalid: Option<Span>,
    ) {
        let code = match kind {
            FailureKind::LineTooLong => Code::LineTooLong,
            FailureKind::InvalidUtf8 => Code::InvalidUtf8,
            FailureKind::BadSectionHeader if message.starts_with("Bad") => {
                Code::BadSectionCharacters
            }
            FailureKind::BadSectionHeader => Code::InvalidSectionHeader,
        };
        // systemd 252 logs "Line too long" only with CONFIG_PARSE_WARN, which unit loading does
        // not set: the reported line is None so machine formats flag what systemd flags.
        let reported = (kind != FailureKind::LineTooLong).then_some(line);
        // Point at the start of a huge line, not all of it; stay on a char boundary.
        let text = self.source.text();
        let mut end = span.end.min(span.start + 256) as usize;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let span = Span::new(span.start as usize, end);
        let mut d = Diagnostic::new(code, Severity::Error, message).at(self.source, reported, span);
        if let Some(bad) = invalid {
            d = d.with_secondary(bad, "not valid UTF-8").with_help(
                "systemd rejects the whole file; save it as UTF-8 (only comment lines are exempt)",
            );
        }
        self.sink.push(d);
        self.out.failure = Some(Failure { kind, line });
    }
}

/// The grammar's classification of one physical line (None for comments).
fn class_of(pair: Pair<'_, Rule>) -> Option<Class> {
    match pair.as_rule() {
        Rule::comment => None,
        Rule::section => Some(Class::Section),
        Rule::assignment => {
            let base = pair.as_span().start();
            let key = pair.into_inner().next()?;
            Some(Class::Assignment(key.as_span().end() - base))
        }
        Rule::other => Some(Class::Other),
        rule => unreachable!("{rule:?} is not a physical line"),
    }
}

/// Classifies a joined or BOM-stripped logical line with the grammar's `logical` rule.
fn classify(text: &str) -> Option<Class> {
    let mut pairs = UnitGrammar::parse(Rule::logical, text).ok()?;
    let pair = pairs.next()?.into_inner().next()?;
    class_of(pair)
}

/// systemd's continuation test: an odd number of trailing backslashes.
fn ends_with_odd_backslash(text: &str) -> bool {
    text.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

/// systemd's WHITESPACE for `strstrip()`.
fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn trim_range(text: &str) -> std::ops::Range<usize> {
    trim_within(text, 0..text.len())
}

fn trim_within(text: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let s = &text[range.clone()];
    let start = range.start + (s.len() - s.trim_start_matches(is_ws).len());
    let end = range.start + s.trim_end_matches(is_ws).len();
    start..end.max(start)
}

/// systemd's `string_is_safe()`: no control characters, quotes, backslash or DEL.
fn is_safe(name: &str) -> bool {
    !name
        .bytes()
        .any(|b| (1..b' ').contains(&b) || matches!(b, b'"' | b'\'' | b'\\' | 0x7f))
}

/// systemd's `unichar_is_valid()`.
fn is_valid_unichar(c: char) -> bool {
    let c = c as u32;
    !((0xFDD0..=0xFDEF).contains(&c) || c & 0xFFFE == 0xFFFE)
}
