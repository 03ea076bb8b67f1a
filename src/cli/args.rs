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
    /// Print a shell completion script (bash, zsh, fish, …) to stdout.
    #[command(display_order = 100)]
    Completions(CompletionsArgs),
    /// Write sockunit's man page (roff) to stdout, or one page per command into a directory.
    #[command(display_order = 101)]
    Man(ManArgs),
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
    /// Read the units as this systemd release does (its keys and wording): N, `auto` (the
    /// installed systemd's, else `latest`) or `latest` (the newest the directive table knows).
    #[arg(long, value_name = "N|auto|latest", default_value = "auto", env = "SOCKUNIT_SYSTEMD_VERSION", value_parser = SystemdVersion::parse)]
    pub systemd_version: SystemdVersion,
    /// Say which systemd release the units are read as, and why.
    #[arg(short, long)]
    pub verbose: bool,

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
    /// Check as this systemd release (its keys and wording): N, `auto` (the installed
    /// systemd's, else `latest`) or `latest` (the newest the directive table knows).
    #[arg(long, value_name = "N|auto|latest", default_value = "auto", env = "SOCKUNIT_SYSTEMD_VERSION", value_parser = SystemdVersion::parse)]
    pub systemd_version: SystemdVersion,
    /// When to colour the human format: `auto` (a terminal, and `NO_COLOR` unset), `always`,
    /// `never`.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    /// Print only the verdict: the summary line, no diagnostics (the exit status is
    /// unchanged).
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also say which systemd release the units are checked as, and why.
    #[arg(short, long)]
    pub verbose: bool,

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

/// `--systemd-version`: a release number, `auto` or `latest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemdVersion {
    /// The release of the systemd installed here (`systemctl --version`), else `latest`.
    Auto,
    /// The newest release the directive table knows.
    Latest,
    /// This release.
    Release(crate::config::Release),
}

impl SystemdVersion {
    /// Parses `N`, `vN`, `auto` or `latest`.
    pub fn parse(s: &str) -> Result<SystemdVersion, String> {
        use crate::config::Release;
        match s {
            "auto" => return Ok(SystemdVersion::Auto),
            "latest" => return Ok(SystemdVersion::Latest),
            _ => {}
        }
        let n: u16 = s
            .strip_prefix('v')
            .unwrap_or(s)
            .parse()
            .map_err(|_| format!("expected a release number, `auto` or `latest`, not `{s}`"))?;
        Release::new(n).map(SystemdVersion::Release).ok_or_else(|| {
            format!(
                "sockunit knows systemd releases {} to {}",
                Release::FIRST,
                Release::LATEST
            )
        })
    }
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, unless `NO_COLOR` is set to a non-empty value.
    Auto,
    /// Always (overrides `NO_COLOR`).
    Always,
    /// Never.
    Never,
}

/// Arguments of `sockunit completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to write completions for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of `sockunit man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write `sockunit.1` and one `sockunit-COMMAND.1` per command into this directory
    /// instead of printing `sockunit.1`.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}
