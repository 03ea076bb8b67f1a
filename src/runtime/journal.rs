//! `StandardOutput=journal|kmsg|syslog` without a journal: the bytes a unit writes to its
//! stdout/stderr pipe, split into log lines the way journald 252 splits a stdout stream
//! (`stdout_stream_scan()`, `stdout_stream_line()`, `stdout_stream_log()` in
//! `src/journal/journald-stream.c`), each prefixed `IDENTIFIER[PID]: ` for the runtime to
//! re-emit on its own stderr, as journald's console forwarding formats them.
//!
//! # Contract
//!
//! - [`LineSplitter`] is pure: fed bytes in any chunking, it returns the same lines; nothing is
//!   read, written or printed here. The caller owns the pipe and writes [`LogLine::text`].
//! - A line ends at `\n`, at a NUL byte, or after [`LINE_MAX`] bytes without either (journald's
//!   `LineMax=` default, 48 KiB); at end of input ([`LineSplitter::finish`]) the rest is one
//!   more line.
//! - Trailing whitespace (` \t\n\r`) is removed, leading whitespace kept. With
//!   `SyslogLevelPrefix=` (default yes) a leading `<N>`, N in 0..=7 (`<0N>`, `<00N>` too), sets
//!   the priority and is removed. A line that is then empty is dropped.
//! - Bytes are passed through unchanged (no UTF-8 requirement), as journald stores them.
//! - The identifier is `SyslogIdentifier=` or the executable's file name
//!   ([`LineSplitter::identifier`]); the pid is the process the stream belongs to.

use crate::config::ExecContext;

/// journald's default `LineMax=`.
pub const LINE_MAX: usize = 48 * 1024;

/// `LOG_INFO`, the default `SyslogLevel=`.
pub const DEFAULT_PRIORITY: u8 = 6;

/// Why a line ended (journald's `_LINE_BREAK=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineBreak {
    /// A newline (journald records nothing).
    Newline,
    /// A NUL byte (`nul`).
    Nul,
    /// [`LINE_MAX`] bytes without a terminator (`line-max`).
    LineMax,
    /// End of the stream (`eof`).
    Eof,
}

/// One line to re-emit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// Syslog priority, 0 (emerg) ..= 7 (debug).
    pub priority: u8,
    /// Why the line ended.
    pub line_break: LineBreak,
    /// The message without prefix or terminator.
    pub message: Vec<u8>,
    /// `IDENTIFIER[PID]: MESSAGE\n`, ready to write.
    pub text: Vec<u8>,
}

/// Splits one process's output stream into prefixed log lines.
#[derive(Debug, Clone)]
pub struct LineSplitter {
    prefix: Vec<u8>,
    level_prefix: bool,
    priority: u8,
    line_max: usize,
    buf: Vec<u8>,
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

/// `syslog_parse_priority(…, with_facility = false)`: `<N>`, `<0N>` or `<00N>` with N ≤ 7.
fn parse_priority(line: &[u8]) -> Option<(u8, usize)> {
    if line.first() != Some(&b'<') {
        return None;
    }
    let end = line.iter().position(|&c| c == b'>')?;
    let digits = &line[1..end];
    if !(1..=3).contains(&digits.len()) || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let (last, lead) = digits.split_last()?;
    let c = last - b'0';
    (lead.iter().all(|&d| d == b'0') && c <= 7).then_some((c, end + 1))
}

impl LineSplitter {
    /// A splitter for the process `pid` logging as `identifier`, with journald's defaults
    /// (`SyslogLevelPrefix=yes`, priority `info`, [`LINE_MAX`]).
    pub fn new(identifier: &str, pid: i32) -> LineSplitter {
        LineSplitter {
            prefix: format!("{identifier}[{pid}]: ").into_bytes(),
            level_prefix: true,
            priority: DEFAULT_PRIORITY,
            line_max: LINE_MAX,
            buf: Vec::new(),
        }
    }

    /// The identifier systemd sends to journald: `SyslogIdentifier=`, else the file name of the
    /// command's path (`basename(command->path)`).
    pub fn identifier(exec: &ExecContext, command_path: &str) -> String {
        match &exec.syslog_identifier {
            Some(id) => id.clone(),
            None => command_path
                .rsplit('/')
                .next()
                .unwrap_or(command_path)
                .to_owned(),
        }
    }

    /// `SyslogLevelPrefix=`.
    pub fn with_level_prefix(mut self, on: bool) -> LineSplitter {
        self.level_prefix = on;
        self
    }

    /// The priority of lines without a level prefix (`SyslogLevel=`, 0..=7).
    pub fn with_priority(mut self, priority: u8) -> LineSplitter {
        self.priority = priority.min(7);
        self
    }

    /// A different maximum line length (at least 1).
    pub fn with_line_max(mut self, line_max: usize) -> LineSplitter {
        self.line_max = line_max.max(1);
        self
    }

    /// Appends `bytes` and returns the lines completed by them.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<LogLine> {
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        let mut start = 0;
        loop {
            let rest = &self.buf[start..];
            let window = &rest[..rest.len().min(self.line_max)];
            let nl = window.iter().position(|&c| c == b'\n');
            let nul = window[..nl.unwrap_or(window.len())]
                .iter()
                .position(|&c| c == 0);
            let (found, skip, why) = match (nul, nl) {
                (Some(i), _) => (i, i + 1, LineBreak::Nul),
                (None, Some(i)) => (i, i + 1, LineBreak::Newline),
                _ if rest.len() >= self.line_max => {
                    (self.line_max, self.line_max, LineBreak::LineMax)
                }
                _ => break,
            };
            let line = rest[..found].to_vec();
            out.extend(self.line(&line, why));
            start += skip;
        }
        self.buf.drain(..start);
        out
    }

    /// End of the stream: the unterminated rest, if any, as a last line.
    pub fn finish(&mut self) -> Vec<LogLine> {
        // feed() already consumed every terminated line.
        let rest = std::mem::take(&mut self.buf);
        if rest.is_empty() {
            return Vec::new();
        }
        self.line(&rest, LineBreak::Eof).into_iter().collect()
    }

    /// `stdout_stream_line()` + `stdout_stream_log()` for one line.
    fn line(&self, raw: &[u8], line_break: LineBreak) -> Option<LogLine> {
        let end = raw.iter().rposition(|&c| !is_ws(c)).map_or(0, |i| i + 1);
        let mut msg = &raw[..end];
        let mut priority = self.priority;
        if self.level_prefix
            && let Some((p, skip)) = parse_priority(msg)
        {
            priority = p;
            msg = &msg[skip..];
        }
        if msg.is_empty() {
            return None;
        }
        let mut text = Vec::with_capacity(self.prefix.len() + msg.len() + 1);
        text.extend_from_slice(&self.prefix);
        text.extend_from_slice(msg);
        text.push(b'\n');
        Some(LogLine {
            priority,
            line_break,
            message: msg.to_vec(),
            text,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (stream bytes, expected (message, line break) pairs).
    type Case = (&'static [u8], &'static [(&'static str, LineBreak)]);

    fn msgs(lines: &[LogLine]) -> Vec<(String, LineBreak)> {
        lines
            .iter()
            .map(|l| {
                (
                    String::from_utf8_lossy(&l.message).into_owned(),
                    l.line_break,
                )
            })
            .collect()
    }

    fn all(s: &mut LineSplitter, input: &[u8]) -> Vec<LogLine> {
        let mut v = s.feed(input);
        v.extend(s.finish());
        v
    }

    #[test]
    fn splitting_table() {
        use LineBreak::*;
        #[rustfmt::skip]
        let cases: &[Case] = &[
            (b"a\nb\n", &[("a", Newline), ("b", Newline)]),
            (b"x\r\n", &[("x", Newline)]),
            (b"  indented \t \n", &[("  indented", Newline)]),
            (b"\n   \n\t\n", &[]),
            (b"a\0b\n", &[("a", Nul), ("b", Newline)]),
            (b"tail", &[("tail", Eof)]),
            (b"tail  ", &[("tail", Eof)]),
            (b"<3>err\n<7>dbg\n<8>no\n<03>yes\n<003>yes\n<13>no\n<>no\n<3x>no\n", &[
                ("err", Newline), ("dbg", Newline), ("<8>no", Newline), ("yes", Newline),
                ("yes", Newline), ("<13>no", Newline), ("<>no", Newline), ("<3x>no", Newline),
            ]),
            (b"<3>\n <3>lead\n", &[(" <3>lead", Newline)]),
            (b"\xff\xfe bytes\n", &[("\u{FFFD}\u{FFFD} bytes", Newline)]),
        ];
        for (input, want) in cases {
            let got = all(&mut LineSplitter::new("id", 1), input);
            let want: Vec<(String, LineBreak)> =
                want.iter().map(|(m, b)| (m.to_string(), *b)).collect();
            assert_eq!(msgs(&got), want, "{}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn priorities_and_prefix() {
        let mut s = LineSplitter::new("web", 42);
        let got = s.feed(b"<2>crit\nplain\n");
        assert_eq!(got[0].priority, 2);
        assert_eq!(got[0].text, b"web[42]: crit\n");
        assert_eq!(got[1].priority, DEFAULT_PRIORITY);
        assert_eq!(got[1].text, b"web[42]: plain\n");
        let mut s = LineSplitter::new("web", 42)
            .with_level_prefix(false)
            .with_priority(4);
        let got = s.feed(b"<2>crit\n");
        assert_eq!(
            (got[0].priority, got[0].message.as_slice()),
            (4, &b"<2>crit"[..])
        );
    }

    #[test]
    fn chunking_does_not_matter() {
        let input = b"one\ntwo\0three\n<5>four\nfive";
        let whole = all(&mut LineSplitter::new("x", 7), input);
        let mut s = LineSplitter::new("x", 7);
        let mut bytewise = Vec::new();
        for b in input {
            bytewise.extend(s.feed(std::slice::from_ref(b)));
        }
        bytewise.extend(s.finish());
        assert_eq!(whole, bytewise);
        assert_eq!(whole.len(), 5);
        assert!(s.finish().is_empty());
    }

    #[test]
    fn long_lines_break_at_line_max() {
        use LineBreak::*;
        let mut s = LineSplitter::new("x", 1).with_line_max(4);
        assert_eq!(
            msgs(&s.feed(b"abcdefg\nabcd\nab")),
            [
                ("abcd".into(), LineMax),
                ("efg".into(), Newline),
                ("abcd".into(), LineMax)
            ]
        );
        assert_eq!(msgs(&s.finish()), [("ab".into(), Eof)]);
        let mut s = LineSplitter::new("x", 1);
        let long = vec![b'y'; LINE_MAX + 10];
        let got = s.feed(&long);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].message.len(), LINE_MAX);
        assert_eq!(msgs(&s.finish()), [("y".repeat(10), Eof)]);
    }

    #[test]
    fn identifiers() {
        let mut exec = ExecContext::default();
        assert_eq!(LineSplitter::identifier(&exec, "/usr/bin/web-d"), "web-d");
        assert_eq!(LineSplitter::identifier(&exec, "plain"), "plain");
        exec.syslog_identifier = Some("custom".into());
        assert_eq!(LineSplitter::identifier(&exec, "/usr/bin/web-d"), "custom");
    }
}
