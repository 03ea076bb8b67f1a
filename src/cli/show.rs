//! `sockunit show`: `systemctl show`'s `Name=value` properties for each unit, as a manager
//! that just loaded the unit (and the units it references) shows them.

use std::collections::{BTreeMap, VecDeque};
use std::process::ExitCode;

use super::args::ShowArgs;
use super::dump::loader_for;
use super::output;
use crate::config::{self, Basics};
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::dump::Extras;
use crate::load::name::UnitName;
use crate::load::{LoadState, LoadedUnit, Loader};
use crate::show::{self, DepSet, ShowOptions, UnitView};
use crate::verify::Verifier;

/// How many units the dependency walk loads at most (systemd's load queue is unbounded; the
/// inverse dependencies sockunit needs come from the first few).
const WALK_LIMIT: usize = 400;

/// Mount points from `/proc/self/mountinfo` (octal escapes decoded).
fn mount_points() -> Vec<String> {
    let text = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let Some(field) = line.split(' ').nth(4) else {
            continue;
        };
        let bytes = field.as_bytes();
        let mut decoded = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'\\'
                && i + 3 < bytes.len()
                && let Ok(v) = u8::from_str_radix(&field[i + 1..i + 4], 8)
            {
                decoded.push(v);
                i += 4;
                continue;
            }
            decoded.push(bytes[i]);
            i += 1;
        }
        let m = String::from_utf8_lossy(&decoded).into_owned();
        if !is_api_mount(&m) && !out.contains(&m) {
            out.push(m);
        }
    }
    if out.is_empty() {
        out.push("/".into());
    }
    out
}

/// Mount points systemd makes no `.mount` unit for: the API file systems (`/proc`, `/sys`,
/// `/dev` and below, `/run`) and container bind mounts (`/run/host`).
fn is_api_mount(path: &str) -> bool {
    let under = |root: &str| path == root || path.starts_with(&format!("{root}/"));
    under("/proc") || under("/sys") || under("/dev") || path == "/run" || under("/run/host")
}

struct Interpreted {
    unit: LoadedUnit,
    basics: Basics,
    extras: Extras,
    state: &'static str,
}

impl Interpreted {
    fn view(&self) -> UnitView<'_> {
        UnitView {
            unit: &self.unit,
            basics: &self.basics,
            extras: &self.extras,
            load_state: self.state,
        }
    }
}

fn interpret(
    loader: &Loader,
    name: &UnitName,
    check: bool,
    diags: &mut Vec<Diagnostic>,
) -> Interpreted {
    let unit = loader.load(name, diags);
    let spec = loader.specifiers(&unit);
    let basics = config::interpret(&unit, &spec, &loader.host, loader.scope, diags);
    let extras = Extras::collect(&unit, &spec, &loader.host, loader.scope);
    let refused = check && {
        let mut verifier = Verifier::new(loader);
        verifier.exec_check = false;
        let mut vdiags = Vec::new();
        verifier.verify(name, &mut vdiags);
        vdiags
            .iter()
            .any(|d| d.code == Code::BadSetting && d.unit.as_deref() == Some(unit.id.as_str()))
    };
    let state = match unit.state {
        LoadState::Loaded if basics.fatal.is_some() || refused => "bad-setting",
        LoadState::Loaded => "loaded",
        LoadState::NotFound => "not-found",
        LoadState::Masked => "masked",
        LoadState::Error(_) => "error",
    };
    Interpreted {
        unit,
        basics,
        extras,
        state,
    }
}

/// The properties of one unit: it is loaded, then every unit its dependencies name
/// (transitively, as systemd's load queue does), whose dependencies on it become its inverse
/// ones. Returns the rendered text and whether the unit loaded.
pub fn show_unit(
    loader: &Loader,
    name: &UnitName,
    opts: &ShowOptions,
    filter: Option<&[String]>,
    diags: &mut Vec<Diagnostic>,
) -> (String, bool) {
    let me = interpret(loader, name, true, diags);
    let mut deps = DepSet::default();
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    let resolve = |n: &str, ids: &mut BTreeMap<String, String>| -> Option<String> {
        if let Some(id) = ids.get(n) {
            return Some(id.clone());
        }
        let parsed = UnitName::parse(n)?;
        let mut sink = Vec::new();
        let id = loader.load(&parsed, &mut sink).id.as_str().to_owned();
        ids.insert(n.to_owned(), id.clone());
        Some(id)
    };
    let own = show::forward_deps(me.view(), opts);
    let mut queue: VecDeque<String> = VecDeque::new();
    let mut seen: Vec<String> = vec![me.unit.id.as_str().to_owned()];
    for (kind, target) in &own {
        let id = resolve(target, &mut ids).unwrap_or_else(|| target.clone());
        deps.add(kind, &id);
        if !seen.contains(&id) {
            seen.push(id.clone());
            queue.push_back(id);
        }
    }
    while let Some(other) = queue.pop_front() {
        if seen.len() > WALK_LIMIT {
            break;
        }
        let Some(parsed) = UnitName::parse(&other) else {
            continue;
        };
        let mut sink = Vec::new();
        let o = interpret(loader, &parsed, false, &mut sink);
        let oid = o.unit.id.as_str();
        let (mut pulls_me, mut before_me) = (false, false);
        for (kind, target) in show::forward_deps(o.view(), opts) {
            let id = resolve(&target, &mut ids).unwrap_or(target);
            if id == me.unit.id.as_str() {
                pulls_me |= show::TARGET_PULL_KINDS.contains(&kind);
                before_me |= kind == "Before";
                if let Some(inv) = show::inverse(kind) {
                    deps.add(inv, oid);
                }
            } else if !seen.contains(&id) {
                seen.push(id.clone());
                queue.push_back(id);
            }
        }
        if pulls_me {
            let after_it = own.iter().any(|(k, t)| {
                *k == "After" && ids.get(t).map_or(t.as_str(), String::as_str) == oid
            });
            if show::target_orders_after(o.view(), me.view(), before_me || after_it) {
                deps.add("Before", oid);
            }
        }
    }
    let props = show::properties(me.view(), &deps, opts);
    (show::render(&props, filter), me.state == "loaded")
}

/// Every dependency `unit_dump` lists for `name` (loaded with the units its dependencies name,
/// transitively, as `systemd-analyze verify`'s load queue does): (kind, unit id, origin mask,
/// destination mask), kinds in `UnitDependency` order, units sorted within a kind.
pub fn dump_dependencies(
    loader: &Loader,
    name: &UnitName,
    opts: &ShowOptions,
) -> Vec<(&'static str, String, u16, u16)> {
    let mut sink = Vec::new();
    let me = interpret(loader, name, false, &mut sink);
    let my_id = me.unit.id.as_str().to_owned();
    let mut table: Vec<(&'static str, String, u16, u16)> = Vec::new();
    let mut add = |kind: &'static str, id: &str, origin: u16, dest: u16| match table
        .iter_mut()
        .find(|(k, t, _, _)| *k == kind && t == id)
    {
        Some(e) => {
            e.2 |= origin;
            e.3 |= dest;
        }
        None => table.push((kind, id.to_owned(), origin, dest)),
    };
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    let mut resolve = |n: &str| -> String {
        if let Some(id) = ids.get(n) {
            return id.clone();
        }
        let id = match UnitName::parse(n) {
            Some(parsed) => {
                let mut sink = Vec::new();
                loader.load(&parsed, &mut sink).id.as_str().to_owned()
            }
            None => n.to_owned(),
        };
        ids.insert(n.to_owned(), id.clone());
        id
    };
    let mut queue: VecDeque<String> = VecDeque::new();
    let mut seen: Vec<String> = vec![my_id.clone()];
    let my_deps = show::forward_deps_masked(me.view(), opts);
    for d in &my_deps {
        let id = resolve(&d.name);
        if id == my_id {
            continue;
        }
        add(d.kind, &id, d.mask, 0);
        if d.reference {
            add("References", &id, d.mask, 0);
        }
        if !seen.contains(&id) {
            seen.push(id.clone());
            queue.push_back(id);
        }
    }
    while let Some(other) = queue.pop_front() {
        if seen.len() > WALK_LIMIT {
            break;
        }
        let Some(parsed) = UnitName::parse(&other) else {
            continue;
        };
        let mut sink = Vec::new();
        let o = interpret(loader, &parsed, false, &mut sink);
        let oid = o.unit.id.as_str().to_owned();
        let (mut pulls_me, mut before_me) = (false, false);
        for d in show::forward_deps_masked(o.view(), opts) {
            let id = resolve(&d.name);
            if id == my_id {
                pulls_me |= show::TARGET_PULL_KINDS.contains(&d.kind);
                before_me |= d.kind == "Before";
                if let Some(inv) = show::inverse(d.kind).filter(|i| *i != d.kind) {
                    add(inv, &oid, 0, d.mask);
                }
                if d.kind == "InSlice" {
                    add("SliceOf", &oid, 0, d.mask);
                }
                if d.reference {
                    add("ReferencedBy", &oid, 0, d.mask);
                }
            } else if !seen.contains(&id) {
                seen.push(id.clone());
                queue.push_back(id);
            }
        }
        // `target_add_default_dependencies()`: the target orders itself after me.
        if pulls_me {
            let after_it = my_deps
                .iter()
                .any(|d| d.kind == "After" && resolve(&d.name) == oid);
            if show::target_orders_after(o.view(), me.view(), before_me || after_it) {
                add("Before", &oid, 0, show::mask::DEFAULT);
                add("ReferencedBy", &oid, 0, show::mask::DEFAULT);
            }
        }
    }
    let order = &crate::show::UNIT_DEPENDENCIES;
    let rank = |k: &str| order.iter().position(|o| *o == k).unwrap_or(order.len());
    table.sort_by(|a, b| rank(a.0).cmp(&rank(b.0)).then_with(|| a.1.cmp(&b.1)));
    table
}

/// `-p A,B -p C` → `[A, B, C]`; `None` when not given.
pub fn property_filter(props: &[String]) -> Option<Vec<String>> {
    if props.is_empty() {
        return None;
    }
    Some(
        props
            .iter()
            .flat_map(|p| p.split(','))
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect(),
    )
}

/// `sockunit show` for unit arguments: the text systemctl would print (units separated by an
/// empty line) and whether every unit loaded.
pub fn show_text(
    units: &[String],
    root: Option<&std::path::Path>,
    user: bool,
    props: &[String],
    diags: &mut Vec<Diagnostic>,
) -> (String, bool) {
    let (loader, names, failed) = loader_for(units, root, user, diags);
    let opts = ShowOptions {
        scope: loader.scope,
        home: Some(loader.host.home.clone()),
        mount_points: mount_points(),
        interfaces: loader.host.interfaces.clone(),
        directory_prefixes: [
            loader.host.runtime_dir.clone(),
            loader.host.state_dir.clone(),
            loader.host.cache_dir.clone(),
            loader.host.logs_dir.clone(),
            loader.host.config_dir.clone(),
        ],
        default_std_output: "journal",
    };
    let filter = property_filter(props);
    let mut text = String::new();
    let mut ok = !failed;
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        let mut local = Vec::new();
        let (t, loaded) = show_unit(&loader, name, &opts, filter.as_deref(), &mut local);
        ok &= loaded;
        text.push_str(&t);
        diags.extend(
            local
                .into_iter()
                .filter(|d| d.severity >= Severity::Warning),
        );
    }
    (text, ok)
}

/// Runs `sockunit show`.
pub(super) fn run(args: &ShowArgs) -> ExitCode {
    let mut diags = Vec::new();
    let (text, ok) = show_text(
        &args.units,
        args.root.as_deref(),
        args.user,
        &args.property,
        &mut diags,
    );
    use std::io::Write as _;
    drop(std::io::stdout().write_all(text.as_bytes()));
    let rendered = output::render(&diags, super::Format::Short, false);
    drop(std::io::stderr().write_all(rendered.as_bytes()));
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
