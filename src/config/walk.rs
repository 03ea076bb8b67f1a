//! The one walk over a unit's assignments that everything interpreting them shares: every
//! assignment of the fragment and then of each drop-in, in file order, looked up in the key
//! table and checked by its systemd parser ([`super::dispatch::check`]), with systemd's rule
//! for fatal values (`-ENOEXEC`): in the fragment nothing more is read (no later lines, no
//! drop-ins); in a drop-in only the rest of that drop-in is skipped.
//!
//! [`super::interpret`] turns the walk into warnings and the typed configuration;
//! [`super::provenance`] turns the same walk into the origin of every value. Pure.

use super::dispatch::{self, Checked, Ctx};
use super::release::Release;
use crate::load::{LoadState, LoadedUnit, ParsedFile};
use crate::syntax::Assignment;

/// One assignment of a modelled section (`[Unit]`, `[Install]`, `[Socket]`, `[Service]`).
#[derive(Debug)]
pub enum Step<'u> {
    /// A key systemd does not know in that section.
    Unknown {
        /// The file it is in.
        file: &'u ParsedFile,
        /// The assignment.
        assignment: &'u Assignment,
        /// Its section.
        section: &'u str,
    },
    /// A known key, checked by its parser.
    Known(Box<KnownStep<'u>>),
}

/// A known key's assignment and what its parser made of it.
#[derive(Debug)]
pub struct KnownStep<'u> {
    /// Index of the file in [`LoadedUnit::files`] (0 is the fragment when there is one).
    pub index: usize,
    /// The file it is in.
    pub file: &'u ParsedFile,
    /// The assignment.
    pub assignment: &'u Assignment,
    /// Its section.
    pub section: &'u str,
    /// The systemd parser that reads the key.
    pub parser: &'static str,
    /// The parser's `ltype` argument.
    pub ltype: &'static str,
    /// The parser's verdict and value.
    pub checked: Checked,
    /// True when this value is fatal in the fragment: the walk ends here and the unit is
    /// refused (`bad-setting`).
    pub stops_unit: bool,
}

/// Iterator over the assignments of a unit as systemd reads them; see the module docs.
pub struct Walk<'u, 'c> {
    unit: &'u LoadedUnit,
    ctx: &'c Ctx<'c>,
    file: usize,
    pos: usize,
    has_fragment: bool,
    done: bool,
    release: Release,
}

/// Walks `unit`'s assignments with the specifier and host context `ctx`, as systemd 252.
pub fn walk<'u, 'c>(unit: &'u LoadedUnit, ctx: &'c Ctx<'c>) -> Walk<'u, 'c> {
    walk_as(unit, ctx, Release::V252)
}

/// Walks `unit`'s assignments as systemd `release` reads them: the keys that release knows,
/// with its parser for each, and its wording ([`Release::adjust`]).
pub fn walk_as<'u, 'c>(unit: &'u LoadedUnit, ctx: &'c Ctx<'c>, release: Release) -> Walk<'u, 'c> {
    Walk {
        unit,
        ctx,
        file: 0,
        pos: 0,
        has_fragment: unit.state == LoadState::Loaded && unit.fragment.is_some(),
        done: false,
        release,
    }
}

impl<'u> Iterator for Walk<'u, '_> {
    type Item = Step<'u>;

    fn next(&mut self) -> Option<Step<'u>> {
        while !self.done {
            let Some(file) = self.unit.files.get(self.file) else {
                self.done = true;
                break;
            };
            let Some(a) = file.syntax.assignments.get(self.pos) else {
                self.file += 1;
                self.pos = 0;
                continue;
            };
            self.pos += 1;
            let Some(section) = a.section.as_deref() else {
                continue;
            };
            // Only the sections of unit types sockunit models are checked key by key.
            if !matches!(section, "Unit" | "Install" | "Socket" | "Service") {
                continue;
            }
            let Some((parser, ltype)) = self.release.lookup(section, &a.key) else {
                return Some(Step::Unknown {
                    file,
                    assignment: a,
                    section,
                });
            };
            let mut checked = dispatch::check(parser, ltype, &a.key, &a.value.text, self.ctx);
            self.release
                .adjust(parser, &a.key, &a.value.text, &mut checked);
            let mut stops_unit = false;
            if checked.fatal.is_some() {
                if self.file == 0 && self.has_fragment {
                    stops_unit = true;
                    self.done = true;
                } else {
                    // The rest of this drop-in is skipped.
                    self.pos = file.syntax.assignments.len();
                }
            }
            return Some(Step::Known(Box::new(KnownStep {
                index: self.file,
                file,
                assignment: a,
                section,
                parser,
                ltype,
                checked,
                stops_unit,
            })));
        }
        None
    }
}
