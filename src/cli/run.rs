//! `sockunit run`, `status`, `start`, `stop`: the runtime's front end. Prints the runtime's log
//! lines on stderr (`UNIT: text`, systemd's wording), writes `--trace` records, and talks to a
//! running instance over its control socket.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

use super::args::{RunArgs, StatusArgs, UnitControlArgs};
use super::dump::loader_for;
use super::output;
use crate::diagnostic::Diagnostic;
use crate::runtime::control::{self, Request, Response, UnitStatus};
use crate::runtime::manager::{Manager, Settings};
use crate::runtime::observe::{Observer, Transition};
use crate::runtime::plan::{Catalog, refusal};
use crate::runtime::sys;

/// Log lines on stderr, trace records to a file.
struct CliObserver {
    trace: Option<BufWriter<File>>,
    debug: bool,
}

impl Observer for CliObserver {
    fn debug(&mut self, unit: Option<&str>, text: &str) {
        if self.debug {
            self.log(unit, text);
        }
    }

    fn log(&mut self, unit: Option<&str>, text: &str) {
        let mut err = std::io::stderr().lock();
        let _ = match unit {
            Some(u) => writeln!(err, "{u}: {text}"),
            None => writeln!(err, "{text}"),
        };
    }

    fn transition(&mut self, t: &Transition) {
        if let Some(w) = &mut self.trace
            && let Ok(line) = serde_json::to_string(t)
        {
            let _ = writeln!(w, "{line}");
            let _ = w.flush();
        }
    }
}

/// `sockunit run`.
pub fn run(args: &RunArgs) -> ExitCode {
    let mut diags: Vec<Diagnostic> = Vec::new();
    let (loader, names, mut failed) =
        loader_for(&args.units, args.root.as_deref(), args.user, &mut diags);
    let trace = match &args.trace {
        Some(p) => match File::create(p) {
            Ok(f) => Some(BufWriter::new(f)),
            Err(e) => {
                eprintln!("sockunit: cannot write trace file {}: {e}", p.display());
                return ExitCode::from(1);
            }
        },
        None => None,
    };
    let mut obs = CliObserver {
        trace,
        debug: args.debug,
    };
    let control_path = args.control.clone().unwrap_or_else(control::default_path);
    let settings = Settings {
        user_scope: args.user,
        env: std::env::vars().collect(),
        notify: Some(control_path.with_file_name("notify")),
        control: Some(control_path),
    };
    let catalog = Catalog::new(&loader);
    let mut manager = match Manager::new(catalog, &mut obs, settings) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("sockunit: {e}");
            return ExitCode::from(1);
        }
    };
    let mut ids = Vec::new();
    for name in &names {
        match manager.add(name.as_str()) {
            Ok(id) => ids.push(id),
            Err(reason) => {
                diags.push(refusal(name.as_str(), &reason));
                failed = true;
            }
        }
    }
    diags.append(&mut manager.diagnostics);
    if !diags.is_empty() {
        output::print(&diags, super::Format::Human);
    }
    if ids.is_empty() {
        manager.close_control();
        return ExitCode::from(1);
    }
    manager.start_all(&ids);
    let result = manager.run();
    manager.close_control();
    match result {
        Ok(()) if !failed => ExitCode::SUCCESS,
        Ok(()) => ExitCode::from(1),
        Err(e) => {
            eprintln!("sockunit: {e}");
            ExitCode::from(1)
        }
    }
}

fn ask(path: Option<&std::path::Path>, req: &Request) -> Result<Response, ExitCode> {
    let path = path.map_or_else(control::default_path, |p| p.to_path_buf());
    sys::control::request(&path, req).map_err(|e| {
        eprintln!(
            "sockunit: cannot reach the runtime at {}: {e}",
            path.display()
        );
        ExitCode::from(1)
    })
}

/// `sockunit status`.
pub fn status(args: &StatusArgs) -> ExitCode {
    let req = Request::Status {
        units: args.units.clone(),
    };
    match ask(args.control.as_deref(), &req) {
        Ok(Response::Units { units }) => {
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&units).unwrap_or_default()
                );
            } else {
                let text: Vec<String> = units.iter().map(format_status).collect();
                print!("{}", text.join("\n"));
            }
            // systemctl status: 3 when a unit is not active.
            if units.iter().all(|u| u.active == "active") {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(3)
            }
        }
        Ok(Response::Error { message }) => {
            eprintln!("{message}");
            ExitCode::from(4)
        }
        Ok(Response::Done) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

/// A unit request verb.
#[derive(Debug, Clone, Copy)]
pub enum Verb {
    /// `sockunit start`.
    Start,
    /// `sockunit stop`.
    Stop,
    /// `sockunit reload`.
    Reload,
    /// `sockunit restart`.
    Restart,
}

/// `sockunit start|stop|reload|restart`.
pub fn control_unit(args: &UnitControlArgs, verb: Verb) -> ExitCode {
    let unit = args.unit.clone();
    let req = match verb {
        Verb::Start => Request::Start { unit },
        Verb::Stop => Request::Stop { unit },
        Verb::Reload => Request::Reload { unit },
        Verb::Restart => Request::Restart { unit },
    };
    match ask(args.control.as_deref(), &req) {
        Ok(Response::Error { message }) => {
            eprintln!("{message}");
            ExitCode::from(1)
        }
        Ok(_) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

/// `systemctl status`-like text for one unit.
pub fn format_status(u: &UnitStatus) -> String {
    let mut out = format!("● {} - {}\n", u.name, u.description);
    let path = u.fragment.as_deref().unwrap_or("");
    out += &format!("     Loaded: loaded ({path})\n");
    let secs = u.since_usec / 1_000_000;
    out += &format!("     Active: {} ({}) for {secs}s\n", u.active, u.sub);
    if u.result != "success" {
        out += &format!("     Result: {}\n", u.result);
    }
    if !u.triggers.is_empty() {
        out += &format!("   Triggers: ● {}\n", u.triggers.join("\n             ● "));
    }
    if !u.triggered_by.is_empty() {
        out += &format!(
            "TriggeredBy: ● {}\n",
            u.triggered_by.join("\n             ● ")
        );
    }
    for (i, l) in u.listen.iter().enumerate() {
        let label = if i == 0 {
            "     Listen:"
        } else {
            "            "
        };
        out += &format!("{label} {l}\n");
    }
    if let (Some(a), Some(c), Some(r)) = (u.n_accepted, u.n_connections, u.n_refused) {
        out += &format!("   Accepted: {a}; Connected: {c}; Refused: {r}\n");
    }
    if let Some(pid) = u.main_pid {
        out += &format!("   Main PID: {pid}\n");
    }
    if let Some(text) = &u.status_text {
        out += &format!("     Status: \"{text}\"\n");
    }
    if let Some(pid) = u.control_pid {
        out += &format!("    Control: {pid}\n");
    }
    if let Some(n) = u.n_restarts.filter(|&n| n > 0) {
        out += &format!("   Restarts: {n}\n");
    }
    out
}
