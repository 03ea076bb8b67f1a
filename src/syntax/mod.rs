//! Syntax layer: a unit file's bytes → the assignments systemd would see, with spans.
//!
//! Contract:
//! - Input is one [`Source`]; output is a [`SyntaxFile`] plus diagnostics pushed to a sink.
//! - Never fails and never panics: problems become diagnostics, and a whole-file failure
//!   (systemd's `config_parse()` returning < 0) is recorded in [`SyntaxFile::failure`].
//! - No I/O, no directive knowledge: which keys exist is the `config` layer's business. The only
//!   semantic input is the list of valid section names, exactly as systemd's `config_parse()`
//!   takes it (`None` accepts every section and reports assignments outside any section, as the
//!   differential oracle does).
//! - pest types stay inside [`grammar`] and [`lower`].

pub mod grammar;
mod lower;
mod tree;

pub use lower::{LONG_LINE_MAX, parse};
pub use tree::{Assignment, Failure, FailureKind, Piece, RawValue, SyntaxFile};

#[allow(unused_imports)]
use crate::source::Source;
