//! The `[Socket]`/`[Service]` settings the typed configuration does not model yet (sandboxing,
//! directories, capabilities, …), as the dump needs them: every accepted assignment of the
//! unit's own section, in the order systemd applies them.

use crate::config::dispatch::{Ctx, Parsed};
use crate::load::LoadedUnit;
use crate::load::host::HostInfo;
use crate::load::paths::Scope;
use crate::load::specifier::{Specifiers, Table};

/// One accepted assignment.
#[derive(Debug, Clone)]
pub struct Setting {
    /// The key.
    pub key: String,
    /// The value as written (continuations joined, not expanded).
    pub raw: String,
    /// The value after specifier expansion (`raw` when expansion fails).
    pub expanded: String,
    /// What systemd's parser made of it, when sockunit's parser produces a value.
    pub value: Option<Parsed>,
}

/// Every accepted assignment of a unit's type section, in order.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// The settings.
    pub settings: Vec<Setting>,
}

impl Extras {
    /// Walks the unit's files as [`crate::config::interpret`] does (a fatal value stops the
    /// file; in the fragment, everything), keeping the accepted assignments of the type's
    /// section (`[Socket]` or `[Service]`).
    pub fn collect(
        unit: &LoadedUnit,
        spec: &Specifiers<'_>,
        host: &HostInfo,
        scope: Scope,
    ) -> Extras {
        let section = match unit.id.unit_type() {
            "socket" => "Socket",
            "service" => "Service",
            _ => return Extras::default(),
        };
        let ctx = Ctx {
            spec,
            host,
            user: scope == Scope::User,
        };
        let mut settings = Vec::new();
        for step in crate::config::walk::walk(unit, &ctx) {
            let crate::config::walk::Step::Known(k) = step else {
                continue;
            };
            let (a, checked) = (k.assignment, k.checked);
            let ignored = checked.value.is_none() && !checked.warnings.is_empty();
            if checked.fatal.is_some() || k.section != section || ignored {
                continue;
            }
            let expanded = spec
                .expand(&a.value.text, Table::Full, usize::MAX)
                .unwrap_or_else(|_| a.value.text.clone());
            settings.push(Setting {
                key: a.key.clone(),
                raw: a.value.text.clone(),
                expanded,
                value: checked.value,
            });
        }
        Extras { settings }
    }

    /// The settings of `key`, in order.
    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Setting> + 'a {
        self.settings.iter().filter(move |s| s.key == key)
    }

    /// The last setting of `key`.
    pub fn last(&self, key: &str) -> Option<&Setting> {
        self.settings.iter().rev().find(|s| s.key == key)
    }

    /// Whether `key` was assigned at all.
    pub fn is_set(&self, key: &str) -> bool {
        self.last(key).is_some()
    }

    /// A boolean setting (`config_parse_bool`); `None` when never set.
    pub fn bool(&self, key: &str) -> Option<bool> {
        let s = self.last(key)?;
        match &s.value {
            Some(Parsed::Bool(b)) => Some(*b),
            _ => crate::config::value::parse_bool(&s.raw).ok(),
        }
    }

    /// A boolean with its default.
    pub fn flag(&self, key: &str, default: bool) -> bool {
        self.bool(key).unwrap_or(default)
    }

    /// A string setting (the parser's canonical name when it has one), empty meaning unset.
    pub fn string(&self, key: &str) -> Option<String> {
        let s = self.last(key)?;
        let v = match &s.value {
            Some(Parsed::Str(v)) => v.clone(),
            Some(Parsed::Reset) => return None,
            _ => s.expanded.clone(),
        };
        (!v.is_empty()).then_some(v)
    }

    /// A word list: each assignment appends its words, an empty one resets.
    pub fn words(&self, key: &str) -> Vec<String> {
        let mut out = Vec::new();
        for s in self.all(key) {
            match &s.value {
                Some(Parsed::Reset) => out.clear(),
                Some(Parsed::List(l)) => out.extend(l.iter().cloned()),
                _ if s.raw.trim().is_empty() => out.clear(),
                _ => match crate::config::exec::split_words(&s.expanded) {
                    Some(words) => out.extend(words.into_iter().map(|(w, _)| w)),
                    None => out.extend(s.expanded.split_whitespace().map(str::to_owned)),
                },
            }
        }
        out
    }

    /// A time span in µs.
    pub fn usec(&self, key: &str) -> Option<u64> {
        let s = self.last(key)?;
        match &s.value {
            Some(Parsed::Usec(u)) => Some(*u),
            _ => crate::config::value::parse_sec(&s.raw).ok(),
        }
    }

    /// A signed number.
    pub fn int(&self, key: &str) -> Option<i64> {
        let s = self.last(key)?;
        match &s.value {
            Some(Parsed::Int(n)) => Some(*n),
            Some(Parsed::Unsigned(n)) => i64::try_from(*n).ok(),
            _ => s.raw.trim().parse().ok(),
        }
    }

    /// An unsigned number (modes included).
    pub fn unsigned(&self, key: &str) -> Option<u64> {
        let s = self.last(key)?;
        match &s.value {
            Some(Parsed::Unsigned(n)) => Some(*n),
            Some(Parsed::Int(n)) => u64::try_from(*n).ok(),
            _ => s.raw.trim().parse().ok(),
        }
    }
}
