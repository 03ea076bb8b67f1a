//! SARIF 2.1.0 output: one log with one run, a rule per diagnostic code that occurs, and a
//! result per diagnostic with its file region (start and end line/column of the span).

use serde_json::{Value, json};

use super::output::is_load_state;
use crate::diagnostic::{Code, Diagnostic, Severity};

/// The SARIF log for a set of diagnostics.
pub fn log(diags: &[Diagnostic]) -> Value {
    let mut codes: Vec<Code> = Vec::new();
    for d in diags {
        if !codes.contains(&d.code) {
            codes.push(d.code);
        }
    }
    let rules: Vec<Value> = codes
        .iter()
        .map(|c| json!({"id": c.as_str(), "shortDescription": {"text": c.doc()}}))
        .collect();
    let results: Vec<Value> = diags.iter().map(|d| result(d, &codes)).collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "sockunit",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://www.freedesktop.org/software/systemd/man/systemd.socket.html",
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

fn result(d: &Diagnostic, codes: &[Code]) -> Value {
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Notice => "note",
    };
    let text = match (&d.source, &d.unit) {
        (None, Some(unit)) if !is_load_state(d.code) => format!("{unit}: {}", d.message),
        _ => d.message.clone(),
    };
    let mut r = json!({
        "ruleId": d.code.as_str(),
        "ruleIndex": codes.iter().position(|c| *c == d.code).unwrap_or(0),
        "level": level,
        "message": {"text": text},
    });
    if let (Some(src), Some(span)) = (&d.source, d.span) {
        let (start_line, start_col) = src.line_col(span.start as usize);
        let (end_line, end_col) = src.line_col(span.end as usize);
        r["locations"] = json!([{"physicalLocation": {
            "artifactLocation": {"uri": src.path().display().to_string()},
            "region": {
                "startLine": start_line,
                "startColumn": start_col,
                "endLine": end_line,
                "endColumn": end_col,
            },
        }}]);
    } else if let Some(unit) = &d.unit {
        r["locations"] = json!([{"logicalLocations": [{"name": unit, "kind": "module"}]}]);
    }
    r
}
