//! Load layer: unit names → the files systemd would read for them, parsed.
pub mod dropin;
pub mod executable;
pub mod fragment;
pub mod host;
pub mod name;
pub mod paths;
pub mod specifier;
mod unit;

pub use unit::{LoadState, LoadedUnit, Loader, ParsedFile, sections_for, strerror};
