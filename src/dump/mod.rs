//! Dump: systemd 252's `unit_dump` type blocks (`socket_dump`, `service_dump`) for loaded,
//! interpreted units, line for line.
//!
//! Pure: formats the typed configuration ([`SocketConfig`], [`ServiceConfig`]) plus the
//! settings the typed layer does not model yet ([`Extras`], gathered from the unit's parsed
//! assignments), with the runtime fields of a unit that is not running (`dead`, `success`).
//! Nothing here does I/O; host facts the dump needs (home directory, `cap_last_cap`) come in
//! through [`DumpOptions`].
//!
//! Each block is a list of lines without newline; every line starts with `prefix` (systemd
//! prints the type block with `\t\t` under `\t-> Unit NAME:`), and the commands of a
//! `-> ExecStartPre:` block with one more tab.

mod exec;
mod extras;
pub mod json;
pub mod seed;
mod service;
mod socket;
mod tables;

pub use exec::{Owner, exec_commands_lines, exec_context_lines, kill_context_lines};
pub use extras::{Extras, Setting};
pub use service::service_block;
pub use socket::socket_block;

use crate::load::paths::Scope;

/// What a dump needs besides the configuration.
#[derive(Debug, Clone)]
pub struct DumpOptions {
    /// Printed before every line (systemd: `\t\t` for the type block).
    pub prefix: String,
    /// System or user manager (service `KeyringMode=` default, user `WorkingDirectory=`).
    pub scope: Scope,
    /// The user's home directory: a user manager's default `WorkingDirectory=`.
    pub home: Option<String>,
    /// The kernel's highest capability number (`/proc/sys/kernel/cap_last_cap`, 40 on 5.9+).
    pub cap_last_cap: u32,
    /// Network interfaces (name, index): IPv6 scope ids print as the interface's name.
    pub interfaces: Vec<(String, u32)>,
}

impl Default for DumpOptions {
    fn default() -> Self {
        DumpOptions {
            prefix: "\t\t".to_owned(),
            scope: Scope::System,
            home: None,
            cap_last_cap: 40,
            interfaces: Vec::new(),
        }
    }
}

/// Joins block lines into text, one line each with a final newline.
pub fn to_text(lines: &[String]) -> String {
    let mut out = String::new();
    for l in lines {
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// `yes`/`no`.
pub(crate) fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// Line builder with the prefix.
pub(crate) struct Out<'a> {
    pub prefix: &'a str,
    pub lines: Vec<String>,
}

impl<'a> Out<'a> {
    pub fn new(prefix: &'a str) -> Out<'a> {
        Out {
            prefix,
            lines: Vec::new(),
        }
    }

    /// `PREFIX KEY: VALUE`.
    pub fn kv(&mut self, key: &str, value: impl std::fmt::Display) {
        self.lines.push(format!("{}{key}: {value}", self.prefix));
    }

    /// `PREFIX KEY: yes|no`.
    pub fn yn(&mut self, key: &str, b: bool) {
        self.kv(key, yes_no(b));
    }

    /// A raw line after the prefix.
    pub fn raw(&mut self, text: impl std::fmt::Display) {
        self.lines.push(format!("{}{text}", self.prefix));
    }
}
