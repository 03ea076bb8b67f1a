//! Verify: the verdict `systemd-analyze verify` gives, for units already resolvable by name.
//!
//! Mirrors systemd 252's `verify_units()`: load each unit and, as systemd's load queue does,
//! every unit it depends on (explicit, `.wants/`/`.requires/`, default and implicit
//! dependencies); report the requested unit's load state the way
//! `bus_unit_validate_load_state()` words it; create the start job (which fails when a
//! `Requires=`/`Requisite=`/`BindsTo=` unit cannot be loaded); then run the socket's service
//! check. Every unit is loaded at most once per run, so its diagnostics appear once.

use std::collections::{HashMap, HashSet, VecDeque};
use std::rc::Rc;

use crate::config::deps::{DepKind, Dependency, default_deps, resolve_template};
use crate::config::exec::ExecCommand;
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
    /// Explicit, directory and implicit dependencies (the default ones are the same for
    /// every unit of a type and are added by [`Outcome::all_deps`]).
    deps: Vec<Dependency>,
    /// Whether `DefaultDependencies=` is on.
    default_dependencies: bool,
    /// For a socket: the service it triggers.
    triggered: Option<UnitName>,
    /// The first command of each `Exec*=` list, in systemd's order: what the executable
    /// check looks at. Kept so the typed configuration can be freed after loading.
    exec_first: Vec<ExecCommand>,
}

impl Outcome {
    /// Every dependency, default ones included.
    fn all_deps(&self, scope: crate::load::paths::Scope) -> Vec<Dependency> {
        let mut deps = self.deps.clone();
        if self.default_dependencies {
            for (kind, target) in default_deps(self.unit.id.unit_type(), scope) {
                if let Some(name) = UnitName::parse(target).filter(|n| *n != self.unit.id) {
                    deps.push(Dependency { kind, name });
                }
            }
        }
        deps
    }

    fn is_loaded(&self) -> bool {
        self.unit.state == LoadState::Loaded && !self.bad_setting
    }

    /// The `bus_unit_validate_load_state()` message, if the unit is not loaded.
    fn state_message(&self) -> Option<(Code, String)> {
        let id = self.unit.id.as_str();
        match self.unit.state {
            LoadState::NotFound => Some((Code::NotFound, format!("Unit {id} not found."))),
            LoadState::Masked => Some((Code::Masked, format!("Unit {id} is masked."))),
            LoadState::Error(e) => Some((
                Code::LoadError,
                format!(
                    "Unit {id} failed to load properly, please adjust/correct and reload service manager: {e}"
                ),
            )),
            LoadState::Loaded if self.bad_setting => Some((
                Code::BadSetting,
                format!("Unit {id} has a bad unit file setting."),
            )),
            LoadState::Loaded => None,
        }
    }
}

/// Unit types that cannot load without a fragment (systemd's `fragment_required`); the others
/// (devices, mounts, swaps, slices, scopes) come from the kernel or the manager itself.
fn needs_fragment(name: &UnitName) -> bool {
    matches!(
        name.unit_type(),
        "service" | "socket" | "target" | "timer" | "path" | "automount"
    )
}

/// Verifies units against one loader, caching every unit it loads.
pub struct Verifier<'a> {
    loader: &'a Loader,
    cache: HashMap<String, Rc<Outcome>>,
    /// Whether to check that commands are executable (`--no-exec-check` turns it off).
    pub exec_check: bool,
    /// The systemd release whose key set and wording apply (`--systemd-version`).
    pub release: config::Release,
}

impl<'a> Verifier<'a> {
    /// A verifier with an empty unit cache.
    pub fn new(loader: &'a Loader) -> Verifier<'a> {
        Verifier {
            loader,
            cache: HashMap::new(),
            exec_check: true,
            release: config::Release::V252,
        }
    }

    /// Verifies one unit, pushing every diagnostic to `sink`.
    pub fn verify(&mut self, name: &UnitName, sink: &mut dyn Sink) -> Verdict {
        let outcome = self.load_closure(name, sink);
        let id = outcome.unit.id.as_str().to_owned();
        let refused = if let Some((code, message)) = outcome.state_message() {
            sink.push(Diagnostic::new(code, Severity::Error, message).in_unit(&id));
            true
        } else {
            let job_ok = self.start_job(&outcome, sink);
            let socket_ok = self.verify_socket(&outcome, sink);
            let exec_ok = !self.exec_check || self.verify_executables(&outcome, sink);
            !(job_ok && socket_ok && exec_ok)
        };
        Verdict {
            unit: name.as_str().to_owned(),
            refused,
        }
    }

    /// Creating the start job fails on the first required unit (followed transitively through
    /// loaded units) that cannot be loaded. True when the job can be created.
    fn start_job(&self, root: &Outcome, sink: &mut dyn Sink) -> bool {
        let mut seen = HashSet::new();
        let mut stack: Vec<&Outcome> = vec![root];
        while let Some(o) = stack.pop() {
            let deps = o.all_deps(self.loader.scope);
            for dep in deps.iter().filter(|d| d.kind.is_required()).rev() {
                if !needs_fragment(&dep.name) || !seen.insert(dep.name.as_str().to_owned()) {
                    continue;
                }
                let Some(other) = self.cache.get(dep.name.as_str()) else {
                    continue;
                };
                if let Some((_, why)) = other.state_message() {
                    let id = root.unit.id.as_str();
                    let msg = format!("Failed to create {id}/start: {why}");
                    sink.push(
                        Diagnostic::new(Code::StartJobFailed, Severity::Error, msg).in_unit(id),
                    );
                    return false;
                }
                stack.push(other);
            }
        }
        true
    }

    /// systemd's `verify_executables()`: the first command of every `Exec*=` list (unless it
    /// has the `-` prefix) must be an executable file. True when all are.
    fn verify_executables(&self, o: &Outcome, sink: &mut dyn Sink) -> bool {
        let mut ok = true;
        for first in o.exec_first.iter().filter(|c| !c.flags.ignore_failure) {
            let root = self.loader.search.root.as_deref();
            if let Err(errno) = crate::load::executable::find_executable(&first.path, root) {
                let msg = format!("Command {} is not executable: {}", first.path, errno.desc());
                let id = o.unit.id.as_str();
                sink.push(Diagnostic::new(Code::NotExecutable, Severity::Error, msg).in_unit(id));
                ok = false;
            }
        }
        ok
    }

    /// systemd's `verify_socket()`: the triggered service must load. True when fine.
    fn verify_socket(&mut self, socket: &Outcome, sink: &mut dyn Sink) -> bool {
        let Some(service) = socket.triggered.clone() else {
            return true;
        };
        let loaded = self.load_closure(&service, sink).is_loaded();
        if !loaded {
            let id = socket.unit.id.as_str();
            let msg = format!("service {service} not loaded, socket cannot be started.");
            sink.push(Diagnostic::new(Code::ServiceNotLoaded, Severity::Error, msg).in_unit(id));
        }
        loaded
    }

    /// Drops the cached outcome of `name` and of the other names of its unit (the runtime's
    /// collected connection instances).
    pub fn forget(&mut self, name: &str) {
        if let Some(o) = self.cache.remove(name) {
            for n in &o.unit.names {
                self.cache.remove(n);
            }
        }
    }

    /// Loads `name` and everything it depends on (breadth-first, like systemd's load queue);
    /// returns `name`'s outcome.
    fn load_closure(&mut self, name: &UnitName, sink: &mut dyn Sink) -> Rc<Outcome> {
        let mut queue = VecDeque::from([name.clone()]);
        while let Some(next) = queue.pop_front() {
            if self.cache.contains_key(next.as_str()) {
                continue;
            }
            let outcome = self.load_one(&next, sink);
            if outcome.unit.state == LoadState::Loaded {
                let deps = outcome.all_deps(self.loader.scope);
                queue.extend(deps.into_iter().map(|d| d.name).filter(needs_fragment));
            }
        }
        Rc::clone(&self.cache[name.as_str()])
    }

    /// Loads and interprets one unit, emitting its diagnostics in file order.
    fn load_one(&mut self, name: &UnitName, sink: &mut dyn Sink) -> Rc<Outcome> {
        let mut local = Vec::new();
        let unit = self.loader.load(name, &mut local);
        if let Some(o) = self.cache.get(unit.id.as_str()).cloned() {
            self.cache.insert(name.as_str().to_owned(), Rc::clone(&o));
            return o;
        }
        let spec = self.loader.specifiers(&unit);
        let (host, scope) = (&self.loader.host, self.loader.scope);
        let basics = config::interpret_as(&unit, &spec, host, scope, self.release, &mut local);
        if let Some(line) = basics.fatal {
            // systemd stopped reading the fragment at the fatal line and never read drop-ins.
            let fragment = unit.files.first().map(|f| std::sync::Arc::clone(&f.source));
            local.retain(|d| match (&d.source, &fragment) {
                (None, _) => true,
                (Some(s), Some(f)) => {
                    std::sync::Arc::ptr_eq(s, f) && d.line.is_none_or(|l| l <= line)
                }
                (Some(_), None) => false,
            });
        }
        let mut outcome = Outcome {
            unit,
            basics,
            bad_setting: false,
            deps: Vec::new(),
            triggered: None,
            exec_first: Vec::new(),
            default_dependencies: false,
        };
        if outcome.unit.state == LoadState::Loaded {
            outcome.bad_setting = outcome.basics.fatal.is_some() || refusal(&outcome, &mut local);
            outcome.triggered = triggered_service(&outcome);
            outcome.deps = own_deps(&outcome);
            outcome.default_dependencies = outcome.basics.default_dependencies;
            outcome.exec_first = first_commands(&outcome.basics);
        }
        // Everything verification needs from the typed configuration has been derived; free
        // it (and the explicit dependency list, now part of `deps`) to keep memory flat.
        outcome.basics.deps = Vec::new();
        outcome.basics.socket = None;
        outcome.basics.service = None;
        emit_in_file_order(&outcome.unit, local, sink);
        // Verification needs only the interpreted settings from here on; the parsed files
        // (and their sources, unless a diagnostic holds one) are freed, which keeps memory
        // flat when thousands of units are verified in one run.
        outcome.unit.files = Vec::new();
        let outcome = Rc::new(outcome);

        for n in outcome.unit.names.iter().chain([&name.as_str().to_owned()]) {
            self.cache.insert(n.clone(), Rc::clone(&outcome));
        }
        outcome
    }
}

/// Explicit, directory and implicit dependencies of a loaded unit.
fn own_deps(o: &Outcome) -> Vec<Dependency> {
    let id = &o.unit.id;
    let mut deps = o.basics.deps.clone();
    let from_dirs = [
        (DepKind::Wants, &o.unit.wants),
        (DepKind::Requires, &o.unit.requires),
    ];
    for (kind, names) in from_dirs {
        for n in names.iter().filter_map(|n| UnitName::parse(n)) {
            if let Some(name) = resolve_template(n, id) {
                deps.push(Dependency { kind, name });
            }
        }
    }
    if let Some(service) = o.triggered.clone() {
        deps.push(Dependency {
            kind: DepKind::Before,
            name: service.clone(),
        });
        deps.push(Dependency {
            kind: DepKind::Triggers,
            name: service,
        });
    }
    deps.retain(|d| d.name != *id);
    deps.shrink_to_fit();
    deps
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

/// The load-time refusals: systemd's `socket_verify()` and `service_verify()`, in their
/// order; only the first that applies is reported.
fn refusal(o: &Outcome, sink: &mut dyn Sink) -> bool {
    let message = match o.unit.id.unit_type() {
        "socket" => socket_refusal(&o.basics),
        "service" => service_refusal(&o.basics),
        _ => None,
    };
    let Some((code, message)) = message else {
        return false;
    };
    sink.push(Diagnostic::new(code, Severity::Error, message).in_unit(o.unit.id.as_str()));
    true
}

fn socket_refusal(b: &Basics) -> Option<(Code, &'static str)> {
    let s = b.socket.as_deref()?;
    let accept_ok = s.listens.iter().all(config::can_accept);
    Some(if s.listens.is_empty() {
        (
            Code::NoListen,
            "Unit has no Listen setting (ListenStream=, ListenDatagram=, ListenFIFO=, ...). Refusing.",
        )
    } else if s.accept && !accept_ok {
        (
            Code::Refused,
            "Unit configured for accepting sockets, but sockets are non-accepting. Refusing.",
        )
    } else if s.accept && s.max_connections == 0 {
        (Code::Refused, "MaxConnection= setting too small. Refusing.")
    } else if s.accept && s.service.is_some() {
        (
            Code::Refused,
            "Explicit service configuration for accepting socket units not supported. Refusing.",
        )
    } else if s.exec.pam_name.is_some() && s.kill.kill_mode != "control-group" {
        (
            Code::Refused,
            "Unit has PAM enabled. Kill mode must be set to 'control-group'. Refusing.",
        )
    } else if !s.symlinks.is_empty() && config::symlink_target(&s.listens).is_none() {
        (
            Code::Refused,
            "Unit has symlinks set but none or more than one node in the file system. Refusing.",
        )
    } else {
        return None;
    })
}

fn service_refusal(b: &Basics) -> Option<(Code, &'static str)> {
    let s = b.service.as_deref()?;
    let starts = s.commands("ExecStart").len();
    let stops = s.commands("ExecStop").len();
    let oneshot = s.service_type == "oneshot";
    Some(if starts == 0 && stops == 0 && !b.success_action {
        (
            Code::NoExecStart,
            "Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing.",
        )
    } else if !oneshot && starts == 0 {
        (
            Code::NoExecStart,
            "Service has no ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.",
        )
    } else if !s.remain_after_exit && starts == 0 && !b.success_action {
        (
            Code::NoExecStart,
            "Service has no ExecStart= and no SuccessAction= settings and does not have RemainAfterExit=yes set. Refusing.",
        )
    } else if !oneshot && starts > 1 {
        (
            Code::Refused,
            "Service has more than one ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.",
        )
    } else if oneshot && matches!(s.restart.as_str(), "always" | "on-success") {
        (
            Code::Refused,
            "Service has Restart= set to either always or on-success, which isn't allowed for Type=oneshot services. Refusing.",
        )
    } else if oneshot && !s.restart_force_exit_status.is_empty() {
        (
            Code::Refused,
            "Service has RestartForceExitStatus= set, which isn't allowed for Type=oneshot services. Refusing.",
        )
    } else if oneshot && s.exit_type == "cgroup" {
        (
            Code::Refused,
            "Service has ExitType=cgroup set, which isn't allowed for Type=oneshot services. Refusing.",
        )
    } else if s.service_type == "dbus" && s.bus_name.is_none() {
        (
            Code::Refused,
            "Service is of type D-Bus but no D-Bus service name has been specified. Refusing.",
        )
    } else if s.exec.pam_name.is_some()
        && !matches!(s.kill.kill_mode.as_str(), "control-group" | "mixed")
    {
        (
            Code::Refused,
            "Service has PAM enabled. Kill mode must be set to 'control-group' or 'mixed'. Refusing.",
        )
    } else {
        return None;
    })
}

/// The first command of every `Exec*=` list, in systemd's `verify_executables()` order.
fn first_commands(b: &Basics) -> Vec<ExecCommand> {
    let lists: Vec<&[ExecCommand]> = match (b.socket.as_deref(), b.service.as_deref()) {
        (Some(s), _) => vec![
            &s.exec_start_pre,
            &s.exec_start_post,
            &s.exec_stop_pre,
            &s.exec_stop_post,
        ],
        (None, Some(s)) => crate::config::typed::SERVICE_COMMANDS
            .iter()
            .map(|k| s.commands(k))
            .collect(),
        (None, None) => Vec::new(),
    };
    lists
        .into_iter()
        .filter_map(|l| l.first().cloned())
        .collect()
}

/// The service a socket triggers: `Service=`, `PREFIX@internal.service` for `Accept=yes`, or
/// the socket's own name with `.service` (systemd's `socket_load_service_unit(s, -1)`).
fn triggered_service(o: &Outcome) -> Option<UnitName> {
    if o.unit.id.unit_type() != "socket" {
        return None;
    }
    let socket = o.basics.socket.as_deref()?;
    if let Some(s) = socket.service.as_deref().and_then(UnitName::parse)
        && s.unit_type() == "service"
    {
        return Some(s);
    }
    if socket.accept {
        return UnitName::parse(&format!("{}@internal.service", o.unit.id.prefix()));
    }
    o.unit.id.with_type("service")
}
