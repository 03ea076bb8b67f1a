//! `sockunit cat`: like `systemctl cat`, each unit's fragment and then every drop-in in the
//! order they apply, each under a `# PATH` header, lines split as systemd reads them; a blank
//! line between files and between units. Masked units say so; missing ones are an error.

use std::io::Write;
use std::process::ExitCode;

use super::args::CatArgs;
use super::{loader_for, output};
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::load::LoadState;
use crate::source::eol_len;

/// Runs `sockunit cat`.
pub fn run(args: &CatArgs) -> ExitCode {
    let mut diags = Vec::new();
    let (loader, names, mut failed) =
        loader_for(&args.units, args.root.as_deref(), args.user, &mut diags);
    let mut out = Vec::new();
    let mut first = true;
    for name in &names {
        let unit = loader.load(name, &mut Vec::new());
        if unit.state == LoadState::Masked {
            separate(&mut out, &mut first);
            let _ = writeln!(out, "# Unit {} is masked.", unit.id);
            continue;
        }
        let files: Vec<_> = unit.fragment.iter().chain(&unit.dropin_paths).collect();
        if unit.state == LoadState::NotFound || files.is_empty() {
            let msg = format!("No files found for {name}.");
            diags
                .push(Diagnostic::new(Code::NotFound, Severity::Error, msg).in_unit(name.as_str()));
            failed = true;
            continue;
        }
        separate(&mut out, &mut first);
        for (i, path) in files.iter().enumerate() {
            let header = if i == 0 { "" } else { "\n" };
            let _ = writeln!(out, "{header}# {}", path.display());
            match std::fs::read(path) {
                Ok(bytes) => write_lines(&mut out, &bytes),
                Err(e) => {
                    let msg = format!("Failed to read \"{}\": {e}", path.display());
                    diags.push(Diagnostic::new(Code::UnreadableFile, Severity::Error, msg));
                    failed = true;
                }
            }
        }
    }
    let _ = std::io::stdout().write_all(&out);
    // systemctl reports problems on stderr, in its own short form.
    let _ =
        std::io::stderr().write_all(output::render(&diags, super::Format::Short, false).as_bytes());
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// systemctl prints an empty line before every unit but the first.
fn separate(out: &mut Vec<u8>, first: &mut bool) {
    if !*first {
        out.push(b'\n');
    }
    *first = false;
}

/// Each line as systemd's `read_line()` splits it (any EOL form), ended by `\n`.
fn write_lines(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let eol = eol_len(&bytes[i..]);
        if eol > 0 {
            out.extend_from_slice(&bytes[start..i]);
            out.push(b'\n');
            i += eol;
            start = i;
        } else {
            i += 1;
        }
    }
    if start < bytes.len() {
        out.extend_from_slice(&bytes[start..]);
        out.push(b'\n');
    }
}
