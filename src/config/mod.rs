//! Config layer: parsed assignments → what the unit means.
//!
//! Contract: pure (no I/O, no syscalls); reads only [`LoadedUnit`]s and a specifier context.
//! This is the foundation's slice of it: the key table (every key systemd 252 knows, so
//! unknown keys warn as systemd warns), specifier expansion for the keys that expand, and the
//! few settings the load-level verdicts need (`Listen*=` with resets, `Accept=`, `Service=`,
//! `ExecStart=`/`ExecStop=`/`SuccessAction=`). Typed values for every directive come with the
//! full directive table.

mod basics;
mod checks;
pub mod deps;
mod directive_table;
pub mod dispatch;
mod error;
pub mod exec;
mod keys;
pub mod listen;
pub mod provenance;
pub mod release;
pub mod typed;
pub mod value;
pub mod walk;

pub use basics::{Basics, can_accept, interpret, interpret_as, symlink_target};
pub use directive_table::DIRECTIVE_TABLE;
pub use error::ValueError;
pub use keys::{is_known, lookup, suggest};
pub use release::Release;
pub use typed::{ExecContext, KillContext, ServiceConfig, SocketConfig};
