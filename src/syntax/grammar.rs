//! The pest parser generated from `grammar/unit.pest`. The only file that derives pest types.

/// Physical-line parser for unit files (see `grammar/unit.pest`).
#[derive(pest_derive::Parser)]
#[grammar = "grammar/unit.pest"]
pub struct UnitGrammar;
