//! clap definitions.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// systemd socket units without systemd: verify, dump and run them.
#[derive(Debug, Parser)]
#[command(name = "sockunit", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load units as systemd 252 does and report what `systemd-analyze verify` would.
    Verify(VerifyArgs),
    /// Print systemd 252's unit dump (`socket_dump`/`service_dump`) of each unit.
    Dump(DumpArgs),
    /// Print each unit's fragment and drop-ins, like `systemctl cat`.
    Cat(CatArgs),
    /// Print `systemctl show`'s `Name=value` properties of each unit.
    Show(ShowArgs),
    /// Run socket units and the services they activate, in the foreground, until SIGTERM.
    Run(RunArgs),
    /// Status of the units of a running `sockunit run`, like `systemctl status`.
    Status(StatusArgs),
    /// Ask a running `sockunit run` to start a unit.
    Start(UnitControlArgs),
    /// Ask a running `sockunit run` to stop a unit.
    Stop(UnitControlArgs),
    /// Ask a running `sockunit run` to reload a service (`ExecReload=`).
    Reload(UnitControlArgs),
    /// Ask a running `sockunit run` to restart a unit.
    Restart(UnitControlArgs),
}

/// Arguments of `sockunit run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Look every search path up under this directory.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Use the user manager's search path and environment.
    #[arg(long)]
    pub user: bool,
    /// Write one JSON object per unit state change to FILE.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// The control socket (default: $XDG_RUNTIME_DIR/sockunit/control, else
    /// /run/sockunit/control).
    #[arg(long, value_name = "PATH")]
    pub control: Option<PathBuf>,
    /// Also log every state change (`UNIT: Changed FROM -> TO`), as systemd does at debug level.
    #[arg(long)]
    pub debug: bool,

    /// Unit files or unit names to start (sockets; services are started directly).
    #[arg(required = true, value_name = "PATH|UNIT")]
    pub units: Vec<String>,
}

/// Arguments of `sockunit status`.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The control socket of the running `sockunit run`.
    #[arg(long, value_name = "PATH")]
    pub control: Option<PathBuf>,
    /// Print the JSON answer instead of text.
    #[arg(long)]
    pub json: bool,
    /// Units (all when none).
    #[arg(value_name = "UNIT")]
    pub units: Vec<String>,
}

/// Arguments of `sockunit start` and `sockunit stop`.
#[derive(Debug, clap::Args)]
pub struct UnitControlArgs {
    /// The control socket of the running `sockunit run`.
    #[arg(long, value_name = "PATH")]
    pub control: Option<PathBuf>,
    /// The unit.
    #[arg(value_name = "UNIT")]
    pub unit: String,
}

/// Arguments of `sockunit cat`.
#[derive(Debug, clap::Args)]
pub struct CatArgs {
    /// Look every search path up under this directory.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Use the user manager's search path.
    #[arg(long)]
    pub user: bool,
    /// Unit files or unit names.
    #[arg(required = true, value_name = "PATH|UNIT")]
    pub units: Vec<String>,
}

/// Arguments of `sockunit dump`.
#[derive(Debug, clap::Args)]
pub struct DumpArgs {
    /// Look every search path up under this directory.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Use the user manager's search path.
    #[arg(long)]
    pub user: bool,
    /// Print only the type block (`Socket State:` … / `Service State:` …), without the
    /// `-> Unit NAME:` header block.
    #[arg(long)]
    pub type_only: bool,
    /// Output format: systemd 252's dump, the 2010 seed's, or JSON with provenance.
    #[arg(long, value_enum, default_value_t = DumpFormat::Systemd)]
    pub format: DumpFormat,

    /// Unit files, directories (walked for *.socket and *.service) or unit names.
    #[arg(required = true, value_name = "PATH|UNIT")]
    pub units: Vec<String>,
}

/// How `sockunit dump` prints units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DumpFormat {
    /// systemd 252's `unit_dump`.
    Systemd,
    /// The 2010 seed's `unit_dump`/`socket_dump`.
    Seed,
    /// The typed configuration as JSON, every value with its origin (docs/dump-json.md).
    Json,
}

/// Arguments of `sockunit show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Only these properties (comma-separated, repeatable), as `systemctl show -p`.
    #[arg(short = 'p', long = "property", value_name = "PROP,…")]
    pub property: Vec<String>,
    /// Look every search path up under this directory.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Use the user manager's search path.
    #[arg(long)]
    pub user: bool,

    /// Unit files or unit names.
    #[arg(required = true, value_name = "UNIT|PATH")]
    pub units: Vec<String>,
}

/// Arguments of `sockunit verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Look every search path up under this directory.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Use the user manager's search path.
    #[arg(long)]
    pub user: bool,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// Do not check that Exec*= binaries exist and are executable (for CI machines that do
    /// not have them installed).
    #[arg(long)]
    pub no_exec_check: bool,

    /// Unit files, directories (walked for *.socket and *.service) or unit names.
    #[arg(required = true, value_name = "PATH|UNIT")]
    pub units: Vec<String>,
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// miette reports with source snippets.
    Human,
    /// systemd's `FILE:LINE: message` lines.
    Short,
    /// One JSON object per line.
    Json,
    /// GitHub Actions workflow commands.
    Github,
    /// One SARIF 2.1.0 log (for code-scanning dashboards).
    Sarif,
}
