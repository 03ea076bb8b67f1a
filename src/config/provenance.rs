//! Where every value came from: the unit's assignments walked exactly as
//! [`super::interpret`] walks them ([`super::walk`]), recorded per `(section, key)` as a list of
//! events in application order: a value set (with how many list elements it added) or a reset
//! (an empty assignment). Dump's JSON format joins this with the typed configuration.
//!
//! Pure: positions come from the parsed files, nothing is read again.

use indexmap::IndexMap;

use super::dispatch::{Ctx, Parsed};
use super::walk::{Step, walk};
use crate::load::LoadedUnit;
use crate::syntax::Assignment;

/// The position of the assignment that set a value: the file, and the 1-based physical line
/// and column (in characters) where its key starts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Origin {
    /// The file, as loaded (fragment or drop-in path).
    pub file: String,
    /// 1-based physical line of the key.
    pub line: usize,
    /// 1-based column of the key, in characters.
    pub column: usize,
}

/// What one accepted assignment did to its setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The assignment set the value; for a list, it appended `items` elements (after clearing
    /// the list first when `reset` is true, as an empty `Exec*=` or a value-less reset does).
    Set {
        /// Position in the unit's assignment order (across files).
        seq: usize,
        /// Where.
        origin: Origin,
        /// List elements added (1 for a scalar).
        items: usize,
    },
    /// An empty assignment: the setting went back to its default (a list was emptied).
    Reset {
        /// Position in the unit's assignment order (across files).
        seq: usize,
        /// Where.
        origin: Origin,
    },
}

impl Event {
    /// Position in the unit's assignment order.
    pub fn seq(&self) -> usize {
        match self {
            Event::Set { seq, .. } | Event::Reset { seq, .. } => *seq,
        }
    }

    /// Where the assignment is.
    pub fn origin(&self) -> &Origin {
        match self {
            Event::Set { origin, .. } | Event::Reset { origin, .. } => origin,
        }
    }
}

/// Every accepted assignment of a unit, by `(section, key)`, in application order.
#[derive(Debug, Clone, Default)]
pub struct Provenance {
    map: IndexMap<(String, String), Vec<Event>>,
}

impl Provenance {
    /// Walks `unit` as [`super::interpret`] does and records every assignment that took
    /// effect (ignored values, unknown keys and fatal values set nothing).
    pub fn build(unit: &LoadedUnit, ctx: &Ctx<'_>) -> Provenance {
        let mut p = Provenance::default();
        for (seq, step) in walk(unit, ctx).enumerate() {
            let Step::Known(s) = step else { continue };
            let Some(value) = &s.checked.value else {
                continue;
            };
            let a = s.assignment;
            let origin = origin_of(s.file, a);
            let (reset, items) = effect(&a.key, value, &a.value.text);
            let events = p
                .map
                .entry((s.section.to_owned(), a.key.clone()))
                .or_default();
            if reset {
                events.push(Event::Reset {
                    seq,
                    origin: origin.clone(),
                });
            }
            if items > 0 || !reset {
                events.push(Event::Set { seq, origin, items });
            }
        }
        p
    }

    /// The events of one key, in order (empty when it was never assigned).
    pub fn events(&self, section: &str, key: &str) -> &[Event] {
        self.map
            .get(&(section.to_owned(), key.to_owned()))
            .map_or(&[], Vec::as_slice)
    }

    /// The events of several keys (a setting several keys feed), merged in assignment order.
    pub fn merged(&self, section: &str, keys: &[&str]) -> Vec<Event> {
        let mut all: Vec<Event> = keys
            .iter()
            .flat_map(|k| self.events(section, k).iter().cloned())
            .collect();
        all.sort_by_key(Event::seq);
        all
    }

    /// Every `(section, key)` that was assigned, in first-assignment order.
    pub fn keys(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map.keys().map(|(s, k)| (s.as_str(), k.as_str()))
    }
}

/// The physical position of an assignment's key.
pub fn origin_of(file: &crate::load::ParsedFile, a: &Assignment) -> Origin {
    let (line, column) = file.source.line_col(a.key_span.start as usize);
    Origin {
        file: file.source.path().display().to_string(),
        line,
        column,
    }
}

/// Whether an accepted value resets its setting first, and how many list elements it adds
/// (the same shapes `SocketConfig::set`, `ServiceConfig::set` and `ExecContext::set` apply).
fn effect(key: &str, v: &Parsed, raw: &str) -> (bool, usize) {
    match v {
        Parsed::Reset => (true, 0),
        Parsed::Exec(e) => (e.reset, e.commands.len()),
        Parsed::List(l) => (raw.trim().is_empty(), l.len()),
        Parsed::Deps(d) => (false, d.len()),
        Parsed::Str(s) if s.is_empty() => (true, 0),
        Parsed::Str(s) if matches!(key, "PassEnvironment" | "UnsetEnvironment") => {
            (false, s.split_whitespace().count())
        }
        _ => (false, 1),
    }
}
