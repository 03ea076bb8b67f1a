//! The one diagnostic type every layer reports through, and the sink that collects them.
//!
//! Layers never print and never stop at the first problem: they push [`Diagnostic`]s into a
//! [`Sink`] and carry on, as systemd's warn-and-continue parser does. A diagnostic records both
//! the line systemd would print (`line`, which may be `None` where systemd prints no line) and a
//! byte span for rendering (`span`), because the two differ (e.g. a continued line is reported at
//! its last physical line but spans all of them).

use std::fmt;
use std::sync::Arc;

use crate::source::{Source, Span};

/// How bad a diagnostic is. `Error` means the unit is refused or fails to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational (systemd's LOG_NOTICE).
    Notice,
    /// The setting or line is ignored; the unit still loads.
    Warning,
    /// The unit does not load, or verification fails.
    Error,
}

impl Severity {
    /// Lower-case name as used in JSON and GitHub output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Notice => "notice",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

macro_rules! codes {
    ($($variant:ident => $id:literal, $doc:literal;)*) => {
        /// Stable identifiers for every kind of diagnostic (documented in docs/diagnostics.md).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code { $(#[doc = $doc] $variant,)* }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable kebab-case id (`unknown-key`).
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $id,)* }
            }

            /// One line saying what the code means.
            pub fn doc(self) -> &'static str {
                match self { $(Code::$variant => $doc,)* }
            }
        }
    };
}

codes! {
    LineTooLong => "line-too-long", "A physical line of 1 MiB or more, or a continued line over 1 MiB; the whole file fails (ENOBUFS).";
    InvalidUtf8 => "invalid-utf8", "A logical line that is not valid UTF-8 (systemd also rejects noncharacters); the whole file fails (EINVAL).";
    InvalidSectionHeader => "invalid-section-header", "A line starting with `[` that does not end with `]`; the whole file fails (EBADMSG).";
    BadSectionCharacters => "bad-section-characters", "A section name with control characters, quotes or backslashes; the whole file fails (EBADMSG).";
    UnknownSection => "unknown-section", "A section this unit type does not have; its lines are ignored.";
    AssignmentOutsideSection => "assignment-outside-section", "A line before the first section header; ignored.";
    MissingEquals => "missing-equals", "A line with no `=`; ignored.";
    MissingKey => "missing-key", "A line starting with `=`; ignored.";
    UnknownKey => "unknown-key", "A key the section does not know; ignored.";
    UnsupportedKey => "unsupported-key", "A key systemd 252 knows but ignores (removed, or disabled at compile time).";
    InvalidValue => "invalid-value", "A value systemd cannot parse; the setting is ignored.";
    FatalValue => "fatal-value", "A value systemd refuses the whole unit for (a bad Exec line, user name, working directory, …).";
    UnknownSpecifier => "unknown-specifier", "A `%` specifier systemd does not know; the assignment is ignored.";
    InvalidUnitName => "invalid-unit-name", "A file or unit name that is not a valid unit name.";
    NotFound => "not-found", "No fragment for the unit in any search directory.";
    Masked => "masked", "The unit is masked (empty file or symlink to /dev/null).";
    LoadError => "load-error", "The unit failed to load (unreadable file, bad header, invalid UTF-8, line too long).";
    BadSetting => "bad-setting", "The unit has a setting that makes it refuse to load.";
    NoListen => "no-listen", "A socket unit with no Listen*= setting left.";
    Refused => "refused", "A combination of settings systemd refuses to load (Accept=yes with datagram sockets, PAM with the wrong KillMode=, …).";
    NoExecStart => "no-exec-start", "A service with no ExecStart=, ExecStop= or SuccessAction=.";
    NotExecutable => "not-executable", "The first command of an Exec*= setting (without `-`) is not an executable file (skipped with --no-exec-check).";
    ServiceNotLoaded => "service-not-loaded", "The service a socket triggers cannot be loaded.";
    StartJobFailed => "start-job-failed", "A unit the verified unit requires (Requires=, Requisite=, BindsTo=) cannot be loaded.";
    UnreadableFile => "unreadable-file", "A file or directory could not be read.";
    BadDependencyDropin => "bad-dependency-dropin", "An entry in a .wants/ or .requires/ directory that is not a symlink.";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in a unit, a file or a line.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Stable identifier.
    pub code: Code,
    /// Error, warning or notice.
    pub severity: Severity,
    /// The message, worded as systemd words it.
    pub message: String,
    /// The unit the diagnostic belongs to, when known.
    pub unit: Option<String>,
    /// The file, for file- and line-level diagnostics.
    pub source: Option<Arc<Source>>,
    /// The 1-based line systemd reports, if it reports one.
    pub line: Option<u32>,
    /// The primary span (what the diagnostic points at).
    pub span: Option<Span>,
    /// Text for the primary label.
    pub label: Option<String>,
    /// Secondary labels: other places worth pointing at, in the same file.
    pub labels: Vec<(Span, String)>,
    /// A suggestion, shown in the human format.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with no location yet.
    pub fn new(code: Code, severity: Severity, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            unit: None,
            source: None,
            line: None,
            span: None,
            label: None,
            labels: Vec::new(),
            help: None,
        }
    }

    /// Attaches a file, the line systemd reports, and the span to point at.
    pub fn at(mut self, source: &Arc<Source>, line: Option<u32>, span: Span) -> Diagnostic {
        self.source = Some(Arc::clone(source));
        self.line = line;
        self.span = Some(span);
        self
    }

    /// Attaches the unit name.
    pub fn in_unit(mut self, unit: impl Into<String>) -> Diagnostic {
        self.unit = Some(unit.into());
        self
    }

    /// Sets the primary label text.
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    /// Adds a secondary label.
    pub fn with_secondary(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.labels.push((span, label.into()));
        self
    }

    /// Sets the help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// 1-based column of the primary span, if there is one.
    pub fn column(&self) -> Option<usize> {
        Some(self.source.as_ref()?.column(self.span?.start as usize))
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code.as_str()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Notice => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source
            .as_ref()
            .map(|s| s.as_ref() as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.span?;
        self.source.as_ref()?;
        let primary = miette::LabeledSpan::new_primary_with_span(
            self.label.clone(),
            (span.start as usize, span.len()),
        );
        let secondary = self.labels.iter().map(|(sp, text)| {
            miette::LabeledSpan::new_with_span(Some(text.clone()), (sp.start as usize, sp.len()))
        });
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

/// Where layers put their diagnostics.
pub trait Sink {
    /// Records one diagnostic.
    fn push(&mut self, diagnostic: Diagnostic);
}

impl Sink for Vec<Diagnostic> {
    fn push(&mut self, diagnostic: Diagnostic) {
        Vec::push(self, diagnostic);
    }
}
