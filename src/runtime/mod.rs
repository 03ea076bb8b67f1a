//! The socket-activation runtime (`sockunit run`).
//!
//! Consumes the typed configuration from [`crate::config`]; never parses text and never prints
//! (log lines and trace records go to sinks the CLI provides).
//!
//! - [`types`]: time, exit statuses, rate limits, active states.
//! - [`socket_unit`], [`service_unit`]: pure state machines, `step(event) -> actions`.
//! - [`sys`]: every syscall (listeners, spawn, the event loop).

pub mod control;
pub mod launch;
pub mod observe;
pub mod plan;
pub mod service_unit;
pub mod socket_unit;
pub mod sys;
pub mod types;
