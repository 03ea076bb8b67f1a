//! The socket-activation runtime (`sockunit run`).
//!
//! Consumes the typed configuration from [`crate::config`]; never parses text and never prints
//! (log lines and trace records go to sinks the CLI provides).
//!
//! - [`types`]: time, exit statuses, rate limits, active states.
//! - [`socket_unit`], [`service_unit`]: pure state machines, `step(event) -> actions`.
//! - [`sys`]: every syscall (listeners, spawn, the event loop).

pub mod conditions;
pub mod control;
pub mod credentials;
pub mod envfile;
mod jobs;
pub mod journal;
pub mod launch;
pub mod manager;
mod notify_exec;
pub mod notify_msg;
pub mod observe;
pub mod plan;
mod processes;
mod requests;
mod service_exec;
pub mod service_unit;
mod socket_exec;
pub mod socket_unit;
mod spawning;
pub mod sys;
pub mod types;
pub mod unenforced;
