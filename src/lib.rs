//! sockunit: systemd's socket-unit loader, verifier, dumper and socket-activation runtime.
//!
//! Layers, each depending only on those before it:
//!
//! ```text
//! grammar (pest) → syntax → load → config → verify / dump
//!                                      └──→ runtime
//! cli: the only code that prints or chooses an exit code
//! ```
//!
//! See `docs/ARCHITECTURE.md` for the codemap and invariants.

pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod dump;
pub mod load;
pub mod runtime;
pub mod show;
pub mod source;
pub mod syntax;
pub mod verify;
