//! Rendering diagnostics in each output format.

use std::io::{IsTerminal, Write};

use super::args::{ColorWhen, Format};
use crate::diagnostic::{Code, Diagnostic, Severity};

/// Prints all diagnostics: the human format to stderr, machine formats to stdout; colour as
/// `--color auto` decides.
#[allow(dead_code)] // for commands without --color (`run` prints its load diagnostics so)
pub fn print(diags: &[Diagnostic], format: Format) {
    print_with(diags, format, color_wanted());
}

/// [`print`] with colour as the caller decides ([`color_for`]).
pub fn print_with(diags: &[Diagnostic], format: Format, color: bool) {
    let out = render(diags, format, color);
    let result = match format {
        Format::Human => std::io::stderr().write_all(out.as_bytes()),
        _ => std::io::stdout().write_all(out.as_bytes()),
    };
    // A closed pipe (e.g. `| head`) is not an error worth reporting.
    drop(result);
}

fn color_wanted() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// Whether to colour stderr for `--color WHEN` (`auto`: a terminal and no `NO_COLOR`; an
/// explicit `always` wins over `NO_COLOR`, as no-color.org asks).
pub fn color_for(when: ColorWhen) -> bool {
    match when {
        ColorWhen::Auto => color_wanted(),
        ColorWhen::Always => true,
        ColorWhen::Never => false,
    }
}

/// The verdict over all units of a run, printed at the end of human output and alone with
/// `--quiet`: `3 units: 1 refused, 2 warnings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Units verified (arguments that name no unit count as refused units).
    pub units: usize,
    /// Units systemd would not load (refused, masked, not found, failed), and bad arguments.
    pub refused: usize,
    /// Warnings over all units.
    pub warnings: usize,
}

impl Summary {
    /// The summary line, without a newline; `color` adds ANSI colours to the counts.
    pub fn line(&self, color: bool) -> String {
        let plural = |n: usize, word: &str| {
            if n == 1 {
                format!("{n} {word}")
            } else {
                format!("{n} {word}s")
            }
        };
        let paint = |text: String, code: &str, on: bool| {
            if color && on {
                format!("\x1b[{code}m{text}\x1b[0m")
            } else {
                text
            }
        };
        format!(
            "{}: {}, {}",
            plural(self.units, "unit"),
            paint(
                format!("{} refused", self.refused),
                "1;31",
                self.refused > 0
            ),
            paint(plural(self.warnings, "warning"), "1;33", self.warnings > 0),
        )
    }
}

/// Prints the summary line to stderr.
pub fn print_summary(summary: &Summary, color: bool) {
    drop(writeln!(std::io::stderr(), "{}", summary.line(color)));
}

/// Renders diagnostics to a string.
pub fn render(diags: &[Diagnostic], format: Format, color: bool) -> String {
    if format == Format::Sarif {
        return format!("{:#}\n", super::sarif::log(diags));
    }
    let mut s = String::new();
    for d in diags {
        let line = match format {
            Format::Human => human(d, color),
            Format::Short => format!("{}\n", short(d)),
            Format::Json => format!("{}\n", json(d)),
            Format::Github => format!("{}\n", github(d)),
            Format::Sarif => unreachable!("rendered as one document above"),
        };
        s.push_str(&line);
    }
    s
}

fn human(d: &Diagnostic, color: bool) -> String {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    if handler.render_report(&mut out, d).is_err() {
        out = format!("{}\n", short(d));
    }
    if d.source.is_none()
        && let Some(unit) = &d.unit
        && !is_load_state(d.code)
    {
        out = out.replacen(&d.message, &format!("{unit}: {}", d.message), 1);
    }
    out
}

/// Load-state lines systemd prints without a unit prefix ("Unit x is masked.").
pub(super) fn is_load_state(code: Code) -> bool {
    matches!(
        code,
        Code::NotFound | Code::Masked | Code::LoadError | Code::BadSetting
    )
}

fn short(d: &Diagnostic) -> String {
    match (&d.source, d.line) {
        (Some(src), Some(line)) => format!("{}:{line}: {}", src.path().display(), d.message),
        (Some(src), None) => format!("{}: {}", src.path().display(), d.message),
        (None, _) => match &d.unit {
            Some(unit) if !is_load_state(d.code) => format!("{unit}: {}", d.message),
            _ => d.message.clone(),
        },
    }
}

fn json(d: &Diagnostic) -> String {
    serde_json::json!({
        "file": d.source.as_ref().map(|s| s.path().display().to_string()),
        "line": d.line,
        "column": d.line.and(d.column()),
        "unit": d.unit,
        "severity": d.severity.as_str(),
        "code": d.code.as_str(),
        "message": d.message,
    })
    .to_string()
}

fn github(d: &Diagnostic) -> String {
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Notice => "notice",
    };
    let mut props = Vec::new();
    if let Some(src) = &d.source {
        props.push(format!(
            "file={}",
            escape_property(&github_path(src.path()).display().to_string())
        ));
        if let Some(line) = d.line {
            props.push(format!("line={line}"));
            if let Some(col) = d.column() {
                props.push(format!("col={col}"));
            }
        }
    }
    props.push(format!("title={}", escape_property(d.code.as_str())));
    let message = match (&d.source, &d.unit) {
        (None, Some(unit)) if !is_load_state(d.code) => format!("{unit}: {}", d.message),
        _ => d.message.clone(),
    };
    format!("::{level} {}::{}", props.join(","), escape_data(&message))
}

/// A file as GitHub places annotations: relative to the repository checkout
/// (`$GITHUB_WORKSPACE`) when it is inside it, else as it is.
fn github_path(path: &std::path::Path) -> &std::path::Path {
    std::env::var_os("GITHUB_WORKSPACE")
        .filter(|w| !w.is_empty())
        .and_then(|w| path.strip_prefix(w).ok())
        .filter(|rel| !rel.as_os_str().is_empty())
        .unwrap_or(path)
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::Summary;

    #[test]
    fn summary_lines() {
        let s = Summary {
            units: 3,
            refused: 1,
            warnings: 2,
        };
        assert_eq!(s.line(false), "3 units: 1 refused, 2 warnings");
        let one = Summary {
            units: 1,
            refused: 0,
            warnings: 1,
        };
        assert_eq!(one.line(false), "1 unit: 0 refused, 1 warning");
        assert_eq!(
            s.line(true),
            "3 units: \x1b[1;31m1 refused\x1b[0m, \x1b[1;33m2 warnings\x1b[0m"
        );
        assert_eq!(
            one.line(true),
            "1 unit: 0 refused, \x1b[1;33m1 warning\x1b[0m"
        );
    }
}
