//! What the runtime reports: log lines (systemd's texts) and one [`Transition`] record per
//! state change of any unit. The runtime never prints; the CLI implements [`Observer`] (stderr
//! lines and the `--trace` file), tests may collect records in memory.

/// One state change, as `--trace` writes it (one JSON object per line).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Transition {
    /// Unit id.
    pub unit: String,
    /// State before (systemd's sub-state name).
    pub from: String,
    /// State after.
    pub to: String,
    /// The unit's result after the step (`success`, `exit-code`, …).
    pub result: String,
    /// What caused it (`start`, `stop`, `control-exited`, `timeout`, `ready`, …).
    pub event: String,
    /// The process involved: the one that exited, else the unit's main or control process.
    pub pid: Option<i32>,
}

/// Receives the runtime's reports.
pub trait Observer {
    /// A log line. `unit` is `Some` for unit messages (printed as `UNIT: TEXT`), `None` for job
    /// messages and the runtime's own (`Listening on …`, `Started …`).
    fn log(&mut self, unit: Option<&str>, text: &str);

    /// A debug-level log line (systemd logs these only at debug level: `Changed FROM -> TO`,
    /// …).
    fn debug(&mut self, unit: Option<&str>, text: &str);

    /// A state change.
    fn transition(&mut self, t: &Transition);
}

/// An observer that keeps everything, for tests and embedding.
#[derive(Debug, Default, Clone)]
pub struct Recorder {
    /// Log lines as `UNIT: TEXT` or `TEXT`.
    pub lines: Vec<String>,
    /// Transitions in order.
    pub transitions: Vec<Transition>,
}

impl Observer for Recorder {
    fn log(&mut self, unit: Option<&str>, text: &str) {
        self.lines.push(match unit {
            Some(u) => format!("{u}: {text}"),
            None => text.to_owned(),
        });
    }

    fn debug(&mut self, unit: Option<&str>, text: &str) {
        self.log(unit, text);
    }

    fn transition(&mut self, t: &Transition) {
        self.transitions.push(t.clone());
    }
}
