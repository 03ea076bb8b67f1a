//! What a value parser returns when systemd would not accept a value.

use std::ops::Range;

/// A rejected value: systemd's message, where in the value it went wrong, and whether systemd
/// refuses the whole unit (`-ENOEXEC` → load state `bad-setting`) or only ignores the setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    /// The full message as systemd 252 logs it, e.g.
    /// `Failed to parse unsigned value, ignoring: abc`.
    pub message: String,
    /// Byte range within the value text that is wrong (`None`: the whole value).
    pub range: Option<Range<usize>>,
    /// True when systemd refuses the unit (the parser returned `-ENOEXEC`).
    pub fatal: bool,
    /// An optional hint for the human format (`did you mean 5min?`).
    pub help: Option<String>,
}

impl ValueError {
    /// A warn-and-ignore rejection of the whole value.
    pub fn ignore(message: impl Into<String>) -> ValueError {
        ValueError {
            message: message.into(),
            range: None,
            fatal: false,
            help: None,
        }
    }

    /// A rejection that makes systemd refuse the unit.
    pub fn fatal(message: impl Into<String>) -> ValueError {
        ValueError {
            message: message.into(),
            range: None,
            fatal: true,
            help: None,
        }
    }

    /// Narrows the error to a byte range of the value.
    pub fn at(mut self, range: Range<usize>) -> ValueError {
        self.range = Some(range);
        self
    }

    /// Adds a hint.
    pub fn with_help(mut self, help: impl Into<String>) -> ValueError {
        self.help = Some(help.into());
        self
    }
}
