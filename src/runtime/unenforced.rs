//! Which `[Service]`/`[Socket]` settings `sockunit run` enforces, enforces in part, or accepts
//! and ignores (sandboxing, cgroups, seccomp, capabilities, security labels, …: everything that
//! needs systemd as PID 1 or features the runtime does not have), and the list of ignored
//! settings a loaded unit actually uses, for a warning at start.
//!
//! # Contract
//!
//! - [`classify`] is a curated table over every key systemd 252 accepts in `[Service]` and
//!   `[Socket]` (a test checks it covers the directive table); keys of other sections and
//!   unknown keys give `None`.
//! - [`unenforced`] walks a unit's assignments (fragment, then drop-ins) and keeps, per ignored
//!   key, the assignment that decides its value, unless the value changes nothing: an empty
//!   value (a reset), a false boolean, or a documented default such as `ProtectProc=default`.
//!   Pure: no I/O.
//! - [`settings_table`] renders `docs/runtime-settings.md`; `tests/runtime_settings.rs` fails
//!   when the file is stale.
//! - Keys marked [`pending`] are implemented by modules the manager does not call yet; the
//!   table shows them with †.

use std::path::PathBuf;

use crate::config::DIRECTIVE_TABLE;
use crate::load::LoadedUnit;

#[path = "unenforced_table.rs"]
mod table;

pub use table::{Family, Support, classify, pending};

/// Values of ignored keys that change nothing (the default, or "no limit").
const NO_OP: &[(&str, &str)] = &[
    ("ProtectProc", "default"),
    ("ProcSubset", "all"),
    ("DevicePolicy", "auto"),
    ("MemoryMax", "infinity"),
    ("MemoryHigh", "infinity"),
    ("MemorySwapMax", "infinity"),
    ("MemoryLimit", "infinity"),
    ("TasksMax", "infinity"),
    ("WatchdogSec", "0"),
    ("FileDescriptorStoreMax", "0"),
    ("RuntimeRandomizedExtraSec", "0"),
];

/// Whether assigning `value` to the ignored `key` leaves systemd's behaviour unchanged.
fn is_no_op(section: &str, key: &str, value: &str) -> bool {
    let boolish = matches!(
        crate::config::lookup(section, key),
        Some((
            "config_parse_bool"
                | "config_parse_protect_system"
                | "config_parse_protect_home"
                | "config_parse_delegate"
                | "config_parse_exec_mount_apivfs",
            _
        ))
    );
    value.is_empty()
        || (boolish && crate::config::value::parse_bool(value) == Ok(false))
        || NO_OP.contains(&(key, value))
}

/// An ignored setting a unit uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unenforced {
    /// The key.
    pub key: String,
    /// Its section.
    pub section: String,
    /// The file of the deciding assignment.
    pub path: PathBuf,
    /// Its line.
    pub line: u32,
    /// What kind of setting it is.
    pub family: Family,
}

impl Unenforced {
    /// `PATH:LINE: PrivateTmp= is not enforced by sockunit run (namespaces and sandboxing), ignoring.`
    pub fn message(&self) -> String {
        format!(
            "{}:{}: {}= is not enforced by sockunit run ({}), ignoring.",
            self.path.display(),
            self.line,
            self.key,
            self.family.label()
        )
    }
}

/// The ignored settings `unit` uses, in file order (see the module docs).
pub fn unenforced(unit: &LoadedUnit) -> Vec<Unenforced> {
    let mut found: Vec<Unenforced> = Vec::new();
    for file in &unit.files {
        for a in &file.syntax.assignments {
            let Some(section) = a.section.as_deref() else {
                continue;
            };
            let Some((family, Support::Ignored)) = classify(section, &a.key) else {
                continue;
            };
            found.retain(|u| !(u.key == a.key && u.section == section));
            if !is_no_op(section, &a.key, a.value.text.trim()) {
                found.push(Unenforced {
                    key: a.key.clone(),
                    section: section.to_owned(),
                    path: file.source.path().to_path_buf(),
                    line: a.line,
                    family,
                });
            }
        }
    }
    found
}

/// `(key, line)` of every ignored setting `unit` uses ([`unenforced`] without the details).
pub fn unenforced_settings(unit: &LoadedUnit) -> Vec<(String, u32)> {
    unenforced(unit)
        .into_iter()
        .map(|u| (u.key, u.line))
        .collect()
}

/// `docs/runtime-settings.md`: one row per family for enforced, ignored and obsolete keys, one
/// row per partially enforced key.
pub fn settings_table() -> String {
    let mut keys: Vec<(u8, Family, &str, &str)> = Vec::new();
    for (section, key, _, _) in DIRECTIVE_TABLE {
        let Some((family, support)) = classify(section, key) else {
            continue;
        };
        if keys.iter().any(|k| k.2 == *key) {
            continue;
        }
        let (rank, note) = match support {
            Support::Enforced => (0, ""),
            Support::Partial(n) => (1, n),
            Support::Ignored => (2, ""),
            Support::Obsolete => (3, ""),
        };
        keys.push((rank, family, key, note));
    }
    keys.sort();
    let mut counts = [0usize; 4];
    let mut rows: Vec<(u8, Family, Vec<String>, &str)> = Vec::new();
    for (rank, family, key, note) in &keys {
        counts[*rank as usize] += 1;
        let mark = if pending(key) { "†" } else { "" };
        let shown = format!("`{key}=`{mark}");
        match rows.last_mut() {
            Some(r) if *rank != 1 && r.0 == *rank && r.1 == *family => r.2.push(shown),
            _ => rows.push((*rank, *family, vec![shown], note)),
        }
    }
    let mut out = String::from(
        "# Runtime settings\n\n\
         GENERATED from `src/runtime/unenforced.rs` by\n\
         `SOCKUNIT_UPDATE_DOCS=1 cargo test --test runtime_settings`; a test fails when it is stale.\n\n\
         What `sockunit run` does with each `[Service]` and `[Socket]` key systemd 252 accepts.\n\
         *enforced*: applied as systemd applies it. *partial*: applied, with the difference noted.\n\
         *ignored*: accepted but not enforced, because it needs systemd as PID 1, cgroups,\n\
         namespaces, seccomp, capabilities, security modules or a manager feature the runtime\n\
         lacks; `run` names the ones a unit uses. *obsolete*: systemd 252 ignores it too.\n\
         † implemented by a module the manager does not call yet (none today).\n\n",
    );
    out.push_str(&format!(
        "{} keys: {} enforced, {} partial, {} ignored, {} obsolete.\n\n",
        keys.len(),
        counts[0],
        counts[1],
        counts[2],
        counts[3]
    ));
    out.push_str("| `run` | family | keys | note |\n|---|---|---|---|\n");
    for (rank, family, shown, note) in rows {
        let status = ["enforced", "partial", "ignored", "obsolete"][rank as usize];
        out.push_str(&format!(
            "| {status} | {} | {} | {note} |\n",
            family.label(),
            shown.join(", ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_and_socket_key_is_classified() {
        let missing: Vec<String> = DIRECTIVE_TABLE
            .iter()
            .filter(|(s, k, _, _)| matches!(*s, "Service" | "Socket") && classify(s, k).is_none())
            .map(|(s, k, _, _)| format!("{s}.{k}"))
            .collect();
        assert!(missing.is_empty(), "unclassified: {missing:?}");
        assert_eq!(classify("Unit", "Description"), None);
        assert_eq!(classify("Service", "NoSuchKey"), None);
    }

    #[test]
    fn families() {
        let f = |k: &str| classify("Service", k).map(|(f, s)| (f, s == Support::Ignored));
        assert_eq!(f("PrivateTmp"), Some((Family::Sandboxing, true)));
        assert_eq!(f("MemoryMax"), Some((Family::ControlGroups, true)));
        assert_eq!(
            f("MemoryDenyWriteExecute"),
            Some((Family::SystemCalls, true))
        );
        assert_eq!(f("CPUAffinity"), Some((Family::ProcessAttributes, true)));
        assert_eq!(
            f("IOSchedulingClass"),
            Some((Family::ProcessAttributes, true))
        );
        assert_eq!(f("IOWeight"), Some((Family::ControlGroups, true)));
        assert_eq!(f("RuntimeDirectory"), Some((Family::Directories, true)));
        assert_eq!(f("WorkingDirectory"), Some((Family::Execution, false)));
        assert_eq!(f("LimitNOFILE"), Some((Family::Execution, false)));
        assert_eq!(f("ExecStart"), Some((Family::Commands, false)));
        assert_eq!(f("Capabilities"), Some((Family::Obsolete, false)));
        assert_eq!(
            classify("Socket", "DirectoryMode"),
            Some((Family::Socket, Support::Enforced))
        );
        assert!(!pending("LimitCORE") && !pending("User") && !pending("Nice"));
    }

    #[test]
    fn no_op_values() {
        assert!(is_no_op("Service", "PrivateTmp", "no"));
        assert!(is_no_op("Service", "PrivateTmp", ""));
        assert!(!is_no_op("Service", "PrivateTmp", "yes"));
        assert!(is_no_op("Service", "ProtectSystem", "false"));
        assert!(!is_no_op("Service", "ProtectSystem", "strict"));
        assert!(is_no_op("Service", "ProtectProc", "default"));
        assert!(is_no_op("Service", "TasksMax", "infinity"));
        assert!(!is_no_op("Service", "TasksMax", "10"));
        assert!(!is_no_op("Service", "ReadWritePaths", "/var"));
    }
}
