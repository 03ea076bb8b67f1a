//! `sockunit completions SHELL` (clap_complete) and `sockunit man` (clap_mangen).

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;

use super::args::{Cli, CompletionsArgs, ManArgs};

/// Prints the completion script for `args.shell`.
pub(super) fn completions(args: &CompletionsArgs) -> ExitCode {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "sockunit", &mut out);
    drop(std::io::stdout().write_all(&out));
    ExitCode::SUCCESS
}

/// The roff text of `sockunit.1`.
pub fn man_page() -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    Ok(out)
}

/// Prints `sockunit.1`, or writes every page into `args.dir`.
pub(super) fn man(args: &ManArgs) -> ExitCode {
    let result = match &args.dir {
        None => man_page().and_then(|page| std::io::stdout().write_all(&page)),
        Some(dir) => std::fs::create_dir_all(dir)
            .and_then(|()| clap_mangen::generate_to(Cli::command(), dir)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let where_ = args
                .dir
                .as_ref()
                .map(|d| format!("{}: ", d.display()))
                .unwrap_or_default();
            eprintln!("sockunit man: {where_}{e}");
            ExitCode::from(1)
        }
    }
}
