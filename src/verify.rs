//! Verify: the verdict `systemd-analyze verify` gives, for units already resolvable by name.
//!
//! Mirrors systemd 252's `verify_units()`: load each unit (and, for a socket, the service it
//! triggers), report the load state the way `bus_unit_validate_load_state()` words it, then
//! run the socket's service check. Every unit is loaded at most once per run, so its
//! diagnostics appear once, in the order systemd's load queue would print them.

use std::collections::HashMap;

use crate::config::{self, Basics};
use crate::diagnostic::{Code, Diagnostic, Severity, Sink};
use crate::load::name::UnitName;
use crate::load::{LoadState, LoadedUnit, Loader};

/// What verification concluded for one requested unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The requested unit (after template → instance preparation).
    pub unit: String,
    /// Whether systemd would refuse it (exit status 1).
    pub refused: bool,
}

/// A unit's load outcome, including the config-level refusal (`bad-setting`).
#[derive(Debug, Clone)]
struct Outcome {
    unit: LoadedUnit,
    basics: Basics,
    bad_setting: bool,
}

impl Outcome {
    fn is_loaded(&self) -> bool {
        self.unit.state == LoadState::Loaded && !self.bad_setting
    }
}

/// Verifies units against one loader, caching every unit it loads.
pub struct Verifier<'a> {
    loader: &'a Loader,
    cache: HashMap<String, Outcome>,
}

impl<'a> Verifier<'a> {
    /// A verifier with an empty unit cache.
    pub fn new(loader: &'a Loader) -> Verifier<'a> {
        Verifier {
            loader,
            cache: HashMap::new(),
        }
    }

    /// Verifies one unit, pushing every diagnostic to `sink`.
    pub fn verify(&mut self, name: &UnitName, sink: &mut dyn Sink) -> Verdict {
        let outcome = self.load(name, sink);
        let id = outcome.unit.id.as_str().to_owned();
        let mut refused = true;
        let state_message = match outcome.unit.state {
            LoadState::NotFound => Some((Code::NotFound, format!("Unit {id} not found."))),
            LoadState::Masked => Some((Code::Masked, format!("Unit {id} is masked."))),
            LoadState::Error(e) => Some((
                Code::LoadError,
                format!(
                    "Unit {id} failed to load properly, please adjust/correct and reload service manager: {e}"
                ),
            )),
            LoadState::Loaded if outcome.bad_setting => Some((
                Code::BadSetting,
                format!("Unit {id} has a bad unit file setting."),
            )),
            LoadState::Loaded => None,
        };
        if let Some((code, message)) = state_message {
            sink.push(Diagnostic::new(code, Severity::Error, message).in_unit(&id));
        } else {
            refused = !self.verify_socket(&outcome, sink);
        }
        Verdict {
            unit: name.as_str().to_owned(),
            refused,
        }
    }

    /// systemd's `verify_socket()`: the triggered service must load. True when fine.
    fn verify_socket(&mut self, socket: &Outcome, sink: &mut dyn Sink) -> bool {
        let Some(service) = triggered_service(socket) else {
            return true;
        };
        let loaded = self.load(&service, sink).is_loaded();
        if !loaded {
            let id = socket.unit.id.as_str();
            let msg = format!("service {service} not loaded, socket cannot be started.");
            sink.push(Diagnostic::new(Code::ServiceNotLoaded, Severity::Error, msg).in_unit(id));
        }
        loaded
    }

    /// Loads a unit once; on first load its diagnostics (and those of the service a socket
    /// triggers, which systemd loads right after it) go to `sink`.
    fn load(&mut self, name: &UnitName, sink: &mut dyn Sink) -> Outcome {
        if let Some(o) = self.cache.get(name.as_str()) {
            return o.clone();
        }
        let mut local = Vec::new();
        let outcome = self.load_uncached(name, &mut local);
        emit_in_file_order(&outcome.unit, local, sink);
        if outcome.unit.state == LoadState::Loaded
            && let Some(service) = triggered_service(&outcome)
        {
            self.load(&service, sink);
        }
        outcome
    }

    fn load_uncached(&mut self, name: &UnitName, sink: &mut Vec<Diagnostic>) -> Outcome {
        let unit = self.loader.load(name, sink);
        if let Some(o) = self.cache.get(unit.id.as_str()) {
            let o = o.clone();
            self.cache.insert(name.as_str().to_owned(), o.clone());
            return o;
        }
        let spec = self.loader.specifiers(&unit);
        let basics = config::interpret(&unit, &spec, sink);
        let mut outcome = Outcome {
            unit,
            basics,
            bad_setting: false,
        };
        if outcome.unit.state == LoadState::Loaded {
            outcome.bad_setting = refusal(&outcome, sink);
        }
        for n in outcome
            .unit
            .names
            .clone()
            .into_iter()
            .chain([name.as_str().to_owned()])
        {
            self.cache.insert(n, outcome.clone());
        }
        if outcome.unit.state == LoadState::Loaded
            && let Some(service) = triggered_service(&outcome)
        {
            self.load(&service, sink);
        }
        outcome
    }
}

/// systemd reports a unit's problems as it reads each line, file by file; syntax and key
/// checks run in separate passes here, so restore that order (unit-level ones stay last).
fn emit_in_file_order(unit: &LoadedUnit, mut diags: Vec<Diagnostic>, sink: &mut dyn Sink) {
    let file_index = |d: &Diagnostic| {
        let src = d.source.as_ref()?;
        unit.files
            .iter()
            .position(|f| std::sync::Arc::ptr_eq(&f.source, src))
    };
    diags.sort_by_key(|d| match file_index(d) {
        Some(i) => (0, i, d.line.unwrap_or(u32::MAX)),
        None => (1, 0, 0),
    });
    for d in diags {
        sink.push(d);
    }
}

/// The load-time refusals (systemd's `socket_verify()`/`service_verify()`) this layer knows.
fn refusal(o: &Outcome, sink: &mut dyn Sink) -> bool {
    let id = o.unit.id.as_str();
    let message = match o.unit.id.unit_type() {
        "socket" if o.basics.listens.is_empty() => {
            "Unit has no Listen setting (ListenStream=, ListenDatagram=, ListenFIFO=, ...). Refusing."
        }
        "service"
            if o.basics.exec_start == 0 && o.basics.exec_stop == 0 && !o.basics.success_action =>
        {
            "Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing."
        }
        _ => return false,
    };
    let code = if o.unit.id.unit_type() == "socket" {
        Code::NoListen
    } else {
        Code::NoExecStart
    };
    sink.push(Diagnostic::new(code, Severity::Error, message).in_unit(id));
    true
}

/// The service a socket triggers: `Service=`, `PREFIX@internal.service` for `Accept=yes`, or
/// the socket's own name with `.service` (systemd's `socket_load_service_unit(s, -1)`).
fn triggered_service(o: &Outcome) -> Option<UnitName> {
    if o.unit.id.unit_type() != "socket" {
        return None;
    }
    if let Some(s) = o.basics.service.as_deref().and_then(UnitName::parse)
        && s.unit_type() == "service"
    {
        return Some(s);
    }
    if o.basics.accept {
        return UnitName::parse(&format!("{}@internal.service", o.unit.id.prefix()));
    }
    o.unit.id.with_type("service")
}
