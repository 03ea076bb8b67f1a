//! The control protocol between `sockunit run` and `sockunit status|start|stop`: one JSON
//! [`Request`] line from the client over the `AF_UNIX` stream socket, one JSON [`Response`]
//! line back, then the connection closes.

use std::path::PathBuf;

/// A client request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Request {
    /// Status of the named units (all when empty).
    Status {
        /// Unit ids.
        units: Vec<String>,
    },
    /// Start a unit.
    Start {
        /// Unit id.
        unit: String,
    },
    /// Stop a unit.
    Stop {
        /// Unit id.
        unit: String,
    },
    /// Reload a service (`ExecReload=`).
    Reload {
        /// Unit id.
        unit: String,
    },
    /// Restart a unit (stop, then start).
    Restart {
        /// Unit id.
        unit: String,
    },
}

/// One unit's status, as `systemctl status`/`show` would report it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnitStatus {
    /// Unit id.
    pub name: String,
    /// `Description=`.
    pub description: String,
    /// Fragment path.
    pub fragment: Option<String>,
    /// `ActiveState=`.
    pub active: String,
    /// `SubState=`.
    pub sub: String,
    /// `Result=`.
    pub result: String,
    /// Main process (services).
    pub main_pid: Option<i32>,
    /// Control process.
    pub control_pid: Option<i32>,
    /// Socket counters: `NAccepted`, `NConnections`, `NRefused`.
    pub n_accepted: Option<u64>,
    /// `NConnections`.
    pub n_connections: Option<u64>,
    /// `NRefused`.
    pub n_refused: Option<u64>,
    /// `NRestarts` (services).
    pub n_restarts: Option<u64>,
    /// `Listen=` lines (`ADDR (Stream)`).
    pub listen: Vec<String>,
    /// `Triggers=`/`TriggeredBy=` units.
    pub triggers: Vec<String>,
    /// `TriggeredBy=`.
    pub triggered_by: Vec<String>,
    /// Microseconds (monotonic) since the last state change.
    pub since_usec: u64,
    /// `STATUS=` from the service's last notification (`StatusText=`).
    #[serde(default)]
    pub status_text: Option<String>,
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Response {
    /// Units' status.
    Units {
        /// In the order asked (all units in load order when none were named).
        units: Vec<UnitStatus>,
    },
    /// The request was carried out (the unit may still be changing state).
    Done,
    /// The request failed.
    Error {
        /// Why.
        message: String,
    },
}

/// The default control socket: `$XDG_RUNTIME_DIR/sockunit/control` when set, else
/// `/run/sockunit/control`.
pub fn default_path() -> PathBuf {
    match std::env::var_os("XDG_RUNTIME_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d).join("sockunit/control"),
        _ => PathBuf::from("/run/sockunit/control"),
    }
}
