//! SARIF 2.1.0 output: one log with one run, a rule per diagnostic code that occurs, and a
//! result per diagnostic with its file region (start and end line/column of the span). Files
//! under the working directory are named relative to it (`%SRCROOT%`), others by `file://`
//! URI, so code scanning can place results in the repository.

use std::path::Path;

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
    let base = std::env::current_dir().ok();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| result(d, &codes, base.as_deref()))
        .collect();
    let mut log = json!({
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
    });
    // Files under the working directory (a CI checkout) are named relative to it, as code
    // scanning wants; `%SRCROOT%` says where that is.
    if let Some(base) = &base {
        log["runs"][0]["originalUriBaseIds"] = json!({"%SRCROOT%": {"uri": file_uri(base, true)}});
    }
    log
}

/// `file://` URI of an absolute path (`/` kept, other bytes outside RFC 3986's unreserved
/// set percent-encoded); `dir` adds the trailing `/` a base URI needs.
fn file_uri(path: &Path, dir: bool) -> String {
    let mut s = String::from("file://");
    s.push_str(&encode_path(&path.to_string_lossy()));
    if dir && !s.ends_with('/') {
        s.push('/');
    }
    s
}

fn encode_path(p: &str) -> String {
    let mut out = String::new();
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The artifact location of a file: relative to `base` (with `uriBaseId`) when under it,
/// else an absolute `file://` URI.
fn artifact(path: &Path, base: Option<&Path>) -> Value {
    match base.and_then(|b| path.strip_prefix(b).ok()) {
        Some(rel) => json!({"uri": encode_path(&rel.to_string_lossy()), "uriBaseId": "%SRCROOT%"}),
        None => json!({"uri": file_uri(path, false)}),
    }
}

fn result(d: &Diagnostic, codes: &[Code], base: Option<&Path>) -> Value {
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
            "artifactLocation": artifact(src.path(), base),
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
