//! What `sockunit run` runs: the named units and what they pull in, loaded and interpreted the
//! way `verify` does it, with the socket ↔ service relations resolved.
//!
//! - A socket with a non-accepting port (`Accept=no`) triggers `Service=` or the service of the
//!   same prefix; with `Accept=yes` it triggers instances of `PREFIX@.service`, loaded per
//!   connection through [`Catalog::load`].
//! - A service is triggered by the sockets that name it, plus its `Sockets=`; their fds are
//!   passed in that order.
//! - A unit that does not load, or that systemd refuses (`bad-setting`), is left out with its
//!   diagnostics; the others still run.

use std::collections::HashMap;

use crate::config::{self, Basics, ServiceConfig, SocketConfig};
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::load::name::{NameKind, UnitName};
use crate::load::{LoadState, Loader};
use crate::runtime::types::Usec;
use crate::verify::Verifier;

/// The manager's default start limit (`DefaultStartLimitIntervalSec=`, `…Burst=`).
pub const DEFAULT_START_LIMIT: (Usec, u64) = (10_000_000, 5);

/// A loaded unit the runtime can run.
#[derive(Debug, Clone)]
pub struct UnitSpec {
    /// Unit id.
    pub name: String,
    /// `Description=`, or the id.
    pub description: String,
    /// The fragment path, for status output.
    pub fragment: Option<String>,
    /// Start limit (interval, burst).
    pub start_limit: (Usec, u64),
    /// Warnings for settings the unit uses that `run` does not enforce.
    pub unenforced: Vec<String>,
    /// `Condition*=` and `Assert*=`, tested when a start request runs.
    pub conditions: Vec<super::conditions::Condition>,
    /// Type-specific settings.
    pub kind: SpecKind,
}

/// The typed settings of a [`UnitSpec`].
#[derive(Debug, Clone)]
pub enum SpecKind {
    /// A socket, with the service it triggers (`Accept=no`) or the template prefix of its
    /// connection services (`Accept=yes`).
    Socket {
        /// `[Socket]`.
        config: Box<SocketConfig>,
        /// `Accept=no`: the triggered service.
        triggers: Option<String>,
    },
    /// A service.
    Service {
        /// `[Service]`.
        config: Box<ServiceConfig>,
    },
}

/// Loads units on demand (the named ones at start, connection instances later) and remembers
/// what it loaded.
pub struct Catalog<'a> {
    loader: &'a Loader,
    verifier: Verifier<'a>,
    cache: HashMap<String, Result<UnitSpec, String>>,
}

impl std::fmt::Debug for Catalog<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("units", &self.cache.len())
            .finish()
    }
}

impl<'a> Catalog<'a> {
    /// A catalog over `loader`.
    pub fn new(loader: &'a Loader) -> Catalog<'a> {
        let mut verifier = Verifier::new(loader);
        verifier.exec_check = false;
        Catalog {
            loader,
            verifier,
            cache: HashMap::new(),
        }
    }

    /// Loads and interprets `name`; diagnostics go to `diags`. `Err` carries systemd's reason
    /// the unit cannot run (`not-found`, `masked`, `bad-setting`, …).
    pub fn load(&mut self, name: &str, diags: &mut Vec<Diagnostic>) -> Result<UnitSpec, String> {
        if let Some(r) = self.cache.get(name) {
            return r.clone();
        }
        let r = self.load_uncached(name, diags);
        self.cache.insert(name.to_owned(), r.clone());
        r
    }

    /// Drops what was remembered about `name` (a collected connection instance, whose name
    /// never comes back; remembering every one grew memory with each connection).
    pub fn forget(&mut self, name: &str) {
        self.cache.remove(name);
        self.verifier.forget(name);
    }

    fn load_uncached(
        &mut self,
        name: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Result<UnitSpec, String> {
        let Some(uname) = UnitName::parse(name) else {
            return Err(format!("Invalid unit name {name}"));
        };
        if uname.kind() == NameKind::Template {
            return Err(format!("Unit {name} is a template, refusing."));
        }
        let unit = self.loader.load(&uname, diags);
        match unit.state {
            LoadState::Loaded => {}
            LoadState::NotFound => return Err(format!("Unit {name} not found.")),
            LoadState::Masked => return Err(format!("Unit {name} is masked.")),
            LoadState::Error(e) => return Err(format!("Unit {name} failed to load: {e}.")),
        }
        let spec = self.loader.specifiers(&unit);
        let basics = config::interpret(&unit, &spec, &self.loader.host, self.loader.scope, diags);
        let id = unit.id.as_str().to_owned();
        let mut vdiags = Vec::new();
        self.verifier.verify(&uname, &mut vdiags);
        let refused = vdiags
            .iter()
            .any(|d| d.code == Code::BadSetting && d.unit.as_deref() == Some(id.as_str()));
        diags.extend(
            vdiags
                .into_iter()
                .filter(|d| d.code == Code::BadSetting && d.unit.as_deref() == Some(id.as_str())),
        );
        if basics.fatal.is_some() || refused {
            return Err(format!("Unit {id} has a bad setting, refusing."));
        }
        let mut basics = basics;
        manager_stdio_defaults(&unit, &mut basics);
        let mut spec = spec_of(&unit, id, basics);
        spec.conditions = super::conditions::collect(&unit, &self.loader.specifiers(&unit));
        spec.unenforced = super::unenforced::unenforced(&unit)
            .iter()
            .map(|u| u.message())
            .collect();
        Ok(spec)
    }
}

fn spec_of(unit: &crate::load::LoadedUnit, id: String, basics: Basics) -> UnitSpec {
    let start_limit = (
        basics
            .start_limit_interval_usec
            .unwrap_or(DEFAULT_START_LIMIT.0),
        basics.start_limit_burst.unwrap_or(DEFAULT_START_LIMIT.1),
    );
    let description = basics.description.clone().unwrap_or_else(|| id.clone());
    let kind = if let Some(config) = basics.socket {
        let triggers = triggered_service(&unit.id, &config);
        SpecKind::Socket { config, triggers }
    } else {
        SpecKind::Service {
            config: basics.service.unwrap_or_default(),
        }
    };
    UnitSpec {
        name: id,
        description,
        fragment: unit.fragment.as_ref().map(|p| p.display().to_string()),
        start_limit,
        unenforced: Vec::new(),
        conditions: Vec::new(),
        kind,
    }
}

/// A running manager's `DefaultStandardOutput=journal`: where a unit does not set
/// `StandardOutput=`, its output goes to the journal (for `run`: the runtime's log), and
/// `StandardError=` follows it. (`systemd-analyze verify`'s manager, whose dump the typed
/// defaults reproduce, uses `inherit`.)
fn manager_stdio_defaults(unit: &crate::load::LoadedUnit, basics: &mut Basics) {
    let sets = |key: &str| {
        unit.files.iter().any(|f| {
            f.syntax
                .assignments
                .iter()
                .any(|a| a.key == key && !a.value.text.trim().is_empty())
        })
    };
    if sets("StandardOutput") {
        return;
    }
    let exec = match (&mut basics.socket, &mut basics.service) {
        (Some(s), _) => &mut s.exec,
        (_, Some(s)) => &mut s.exec,
        _ => return,
    };
    if exec.standard_input == "null" || exec.standard_input.is_empty() {
        exec.standard_output = "journal".to_owned();
    }
}

/// `Service=`, or the service with the socket's name (`Accept=no` only).
fn triggered_service(id: &UnitName, config: &SocketConfig) -> Option<String> {
    if config.accept {
        return None;
    }
    if let Some(s) = &config.service {
        return Some(s.clone());
    }
    id.with_type("service").map(|n| n.as_str().to_owned())
}

/// The connection service for instance `nr` of an `Accept=yes` socket: `PREFIX@INSTANCE.service`
/// where PREFIX is the socket's name up to `@` or the suffix.
pub fn connection_service(socket: &str, instance: &str) -> String {
    let prefix = UnitName::parse(socket)
        .map(|n| n.prefix().to_owned())
        .unwrap_or_else(|| socket.trim_end_matches(".socket").to_owned());
    format!("{prefix}@{instance}.service")
}

/// A unit refused at plan time, as a diagnostic.
pub fn refusal(name: &str, reason: &str) -> Diagnostic {
    Diagnostic::new(Code::BadSetting, Severity::Error, reason.to_owned()).in_unit(name)
}
