//! `sockunit dump --format json`: the typed configuration with the provenance of every value
//! (format documented in `docs/dump-json.md`, schema in `docs/dump.schema.json`).
//!
//! The typed configuration is serialized with serde, then every field is wrapped as
//! `{"value": …, "origin": …}` by joining it with the [`Provenance`] of the keys that feed it
//! (the field tables below). List fields keep one origin per element and the resets that
//! emptied them. Pure.

use serde_json::{Map, Value, json};

use crate::config::provenance::{Event, Origin, Provenance};
use crate::config::{Basics, lookup};
use crate::load::name::UnitName;

/// Version tag of the JSON format; bumped on incompatible changes.
pub const FORMAT: &str = "sockunit-dump/1";

/// How a field's value is joined with its keys' events.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// One value: the last assignment wins, an empty one restores the default.
    Scalar,
    /// A list: every element has the origin of the assignment that added it.
    List,
    /// A nested context object with its own field table.
    Nested(&'static [Field]),
    /// `Limit*=`: an object keyed by directive, each with its last assignment.
    Limits,
    /// A service's `Exec*=` lists: an object keyed by directive, each a list.
    Commands,
}

/// One field of a typed configuration struct and the directives that set it.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The serde field name (also the JSON name).
    pub name: &'static str,
    /// The directives (in the struct's section) that set it.
    pub keys: &'static [&'static str],
    /// How values and events are joined.
    pub shape: Shape,
}

const fn f(name: &'static str, keys: &'static [&'static str]) -> Field {
    Field {
        name,
        keys,
        shape: Shape::Scalar,
    }
}

const fn list(name: &'static str, keys: &'static [&'static str]) -> Field {
    Field {
        name,
        keys,
        shape: Shape::List,
    }
}

/// The `Listen*=` directives (one list).
pub const LISTEN_KEYS: &[&str] = &[
    "ListenStream",
    "ListenDatagram",
    "ListenSequentialPacket",
    "ListenNetlink",
    "ListenFIFO",
    "ListenSpecial",
    "ListenMessageQueue",
    "ListenUSBFunction",
];

/// [`crate::config::ExecContext`]'s fields.
pub const EXEC_FIELDS: &[Field] = &[
    f("user", &["User"]),
    f("group", &["Group"]),
    list("supplementary_groups", &["SupplementaryGroups"]),
    f("working_directory", &["WorkingDirectory"]),
    f("root_directory", &["RootDirectory"]),
    f("umask", &["UMask"]),
    f("nice", &["Nice"]),
    list("environment", &["Environment"]),
    list("environment_files", &["EnvironmentFile"]),
    list("pass_environment", &["PassEnvironment"]),
    list("unset_environment", &["UnsetEnvironment"]),
    f("standard_input", &["StandardInput"]),
    f("standard_output", &["StandardOutput"]),
    f("standard_error", &["StandardError"]),
    f("syslog_identifier", &["SyslogIdentifier"]),
    f("ignore_sigpipe", &["IgnoreSIGPIPE"]),
    f("no_new_privileges", &["NoNewPrivileges"]),
    f("pam_name", &["PAMName"]),
    Field {
        name: "limits",
        keys: &[],
        shape: Shape::Limits,
    },
];

/// [`crate::config::KillContext`]'s fields.
pub const KILL_FIELDS: &[Field] = &[
    f("kill_mode", &["KillMode"]),
    f("kill_signal", &["KillSignal"]),
    f("restart_kill_signal", &["RestartKillSignal"]),
    f("final_kill_signal", &["FinalKillSignal"]),
    f("watchdog_signal", &["WatchdogSignal"]),
    f("send_sigkill", &["SendSIGKILL"]),
    f("send_sighup", &["SendSIGHUP"]),
];

const EXEC: Field = Field {
    name: "exec",
    keys: &[],
    shape: Shape::Nested(EXEC_FIELDS),
};
const KILL: Field = Field {
    name: "kill",
    keys: &[],
    shape: Shape::Nested(KILL_FIELDS),
};

/// [`crate::config::SocketConfig`]'s fields.
pub const SOCKET_FIELDS: &[Field] = &[
    list("listens", LISTEN_KEYS),
    f("bind_ipv6_only", &["BindIPv6Only"]),
    f("backlog", &["Backlog"]),
    f("bind_to_device", &["BindToDevice"]),
    f("socket_user", &["SocketUser"]),
    f("socket_group", &["SocketGroup"]),
    f("socket_mode", &["SocketMode"]),
    f("directory_mode", &["DirectoryMode"]),
    f("accept", &["Accept"]),
    f("writable", &["Writable"]),
    f("flush_pending", &["FlushPending"]),
    f("max_connections", &["MaxConnections"]),
    f("max_connections_per_source", &["MaxConnectionsPerSource"]),
    f("keep_alive", &["KeepAlive"]),
    f("keep_alive_time_usec", &["KeepAliveTimeSec"]),
    f("keep_alive_interval_usec", &["KeepAliveIntervalSec"]),
    f("keep_alive_probes", &["KeepAliveProbes"]),
    f("defer_accept_usec", &["DeferAcceptSec"]),
    f("no_delay", &["NoDelay"]),
    f("priority", &["Priority"]),
    f("receive_buffer", &["ReceiveBuffer"]),
    f("send_buffer", &["SendBuffer"]),
    f("ip_tos", &["IPTOS"]),
    f("ip_ttl", &["IPTTL"]),
    f("mark", &["Mark"]),
    f("reuse_port", &["ReusePort"]),
    f("free_bind", &["FreeBind"]),
    f("transparent", &["Transparent"]),
    f("broadcast", &["Broadcast"]),
    f("pass_credentials", &["PassCredentials"]),
    f("pass_security", &["PassSecurity"]),
    f("pass_packet_info", &["PassPacketInfo"]),
    f("timestamping", &["Timestamping"]),
    f("tcp_congestion", &["TCPCongestion"]),
    f("socket_protocol", &["SocketProtocol"]),
    f("pipe_size", &["PipeSize"]),
    f("mq_max_messages", &["MessageQueueMaxMessages"]),
    f("mq_message_size", &["MessageQueueMessageSize"]),
    f("remove_on_stop", &["RemoveOnStop"]),
    list("symlinks", &["Symlinks"]),
    f("fd_name", &["FileDescriptorName"]),
    f("trigger_limit_interval_usec", &["TriggerLimitIntervalSec"]),
    f("trigger_limit_burst", &["TriggerLimitBurst"]),
    f("timeout_usec", &["TimeoutSec"]),
    f("service", &["Service"]),
    f("selinux_context_from_net", &["SELinuxContextFromNet"]),
    list("exec_start_pre", &["ExecStartPre"]),
    list("exec_start_post", &["ExecStartPost"]),
    list("exec_stop_pre", &["ExecStopPre"]),
    list("exec_stop_post", &["ExecStopPost"]),
    EXEC,
    KILL,
];

/// [`crate::config::ServiceConfig`]'s fields.
pub const SERVICE_FIELDS: &[Field] = &[
    f("service_type", &["Type"]),
    Field {
        name: "commands",
        keys: &[],
        shape: Shape::Commands,
    },
    f("restart", &["Restart"]),
    f("restart_usec", &["RestartSec"]),
    f("timeout_start_usec", &["TimeoutSec", "TimeoutStartSec"]),
    f("timeout_stop_usec", &["TimeoutSec", "TimeoutStopSec"]),
    f("runtime_max_usec", &["RuntimeMaxSec"]),
    f("remain_after_exit", &["RemainAfterExit"]),
    f("pid_file", &["PIDFile"]),
    f("notify_access", &["NotifyAccess"]),
    list("sockets", &["Sockets"]),
    f("non_blocking", &["NonBlocking"]),
    f("guess_main_pid", &["GuessMainPID"]),
    list("success_exit_status", &["SuccessExitStatus"]),
    list("restart_prevent_exit_status", &["RestartPreventExitStatus"]),
    list("restart_force_exit_status", &["RestartForceExitStatus"]),
    f("timeout_start_failure_mode", &["TimeoutStartFailureMode"]),
    f("timeout_stop_failure_mode", &["TimeoutStopFailureMode"]),
    f("exit_type", &["ExitType"]),
    f("bus_name", &["BusName"]),
    EXEC,
    KILL,
];

/// What the JSON of one unit is built from.
#[derive(Debug)]
pub struct JsonUnit<'a> {
    /// The unit's id.
    pub id: &'a UnitName,
    /// Every name (id first).
    pub names: &'a [String],
    /// systemd's load state (`loaded`, `not-found`, `bad-setting`, …).
    pub load_state: &'a str,
    /// The fragment.
    pub fragment: Option<&'a std::path::Path>,
    /// Drop-ins in application order.
    pub dropins: &'a [std::path::PathBuf],
    /// The interpreted configuration.
    pub basics: &'a Basics,
    /// Where each value came from.
    pub provenance: &'a Provenance,
    /// Every dependency the unit adds at load time, as the dump header lists them
    /// ([`crate::show::forward_deps_masked`]); those with a rule are the implicit and default
    /// ones.
    pub deps: &'a [crate::show::Dep],
    /// `RequiresMountsFor=` paths with their sources
    /// ([`crate::show::requires_mounts_for_sources`]).
    pub mounts: &'a [(String, crate::show::MountSource)],
}

fn origin_json(o: &Origin) -> Value {
    json!({"file": o.file, "line": o.line, "column": o.column})
}

fn resets(events: &[Event]) -> Vec<Value> {
    events
        .iter()
        .filter(|e| matches!(e, Event::Reset { .. }))
        .map(|e| origin_json(e.origin()))
        .collect()
}

/// `{"value", "origin"}` for a scalar: the last assignment, or `default` when there was
/// none or the last one was a reset; `resets` only when there were any.
fn wrap_scalar(value: Value, events: &[Event]) -> Value {
    let origin = match events.last() {
        Some(Event::Set { origin, .. }) => origin_json(origin),
        _ => json!("default"),
    };
    let mut m = Map::new();
    m.insert("value".into(), value);
    m.insert("origin".into(), origin);
    let r = resets(events);
    if !r.is_empty() {
        m.insert("resets".into(), Value::Array(r));
    }
    Value::Object(m)
}

/// A list: each element with the origin of the assignment that added it (replaying sets and
/// resets in order), the list's own origin (its last assignment) and every reset.
fn wrap_list(values: Vec<Value>, events: &[Event]) -> Value {
    let mut origins: Vec<&Origin> = Vec::new();
    for e in events {
        match e {
            Event::Reset { .. } => origins.clear(),
            Event::Set { origin, items, .. } => {
                origins.extend(std::iter::repeat_n(origin, *items));
            }
        }
    }
    let list_origin = events
        .last()
        .map_or(json!("default"), |e| origin_json(e.origin()));
    let consistent = origins.len() == values.len();
    debug_assert!(
        consistent,
        "list origins out of step: {} origins, {} values",
        origins.len(),
        values.len()
    );
    let elements: Vec<Value> = values
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let o = if consistent {
                origin_json(origins[i])
            } else {
                list_origin.clone()
            };
            json!({"value": v, "origin": o})
        })
        .collect();
    json!({"value": elements, "origin": list_origin, "resets": resets(events)})
}

fn wrap_object(section: &str, fields: &[Field], value: Value, p: &Provenance) -> Value {
    let Value::Object(obj) = value else {
        return value;
    };
    let mut out = Map::new();
    for (name, v) in obj {
        let field = fields.iter().find(|f| f.name == name);
        let wrapped = match field.map(|f| (f.shape, f.keys)) {
            Some((Shape::Scalar, keys)) => wrap_scalar(v, &p.merged(section, keys)),
            Some((Shape::List, keys)) => {
                let values = match v {
                    Value::Array(a) => a,
                    other => vec![other],
                };
                wrap_list(values, &p.merged(section, keys))
            }
            Some((Shape::Nested(inner), _)) => wrap_object(section, inner, v, p),
            Some((Shape::Limits, _)) => wrap_limits(section, v, p),
            Some((Shape::Commands, _)) => wrap_commands(section, v, p),
            // A field without a table entry: the test over SOCKET_FIELDS/SERVICE_FIELDS
            // keeps this from happening.
            None => wrap_scalar(v, &[]),
        };
        out.insert(name, wrapped);
    }
    Value::Object(out)
}

/// `limits`: `[[key, soft, hard], …]` → `{"LimitNOFILE": {"value": {"soft", "hard"}, …}}`.
fn wrap_limits(section: &str, v: Value, p: &Provenance) -> Value {
    let mut by_key = Map::new();
    let mut all = Vec::new();
    if let Value::Array(items) = v {
        for item in items {
            if let Value::Array(t) = item
                && let [Value::String(k), soft, hard] = t.as_slice()
            {
                let events = p.events(section, k);
                all.extend(events.iter().cloned());
                by_key.insert(
                    k.clone(),
                    wrap_scalar(json!({"soft": soft, "hard": hard}), events),
                );
            }
        }
    }
    all.sort_by_key(Event::seq);
    let origin = all
        .last()
        .map_or(json!("default"), |e| origin_json(e.origin()));
    json!({"value": by_key, "origin": origin})
}

/// `commands`: `[[key, [cmd…]], …]` → `{"ExecStart": <list>, …}`.
fn wrap_commands(section: &str, v: Value, p: &Provenance) -> Value {
    let mut by_key = Map::new();
    let mut all = Vec::new();
    if let Value::Array(items) = v {
        for item in items {
            if let Value::Array(t) = item
                && let [Value::String(k), Value::Array(cmds)] = t.as_slice()
            {
                let events = p.events(section, k);
                all.extend(events.iter().cloned());
                by_key.insert(k.clone(), wrap_list(cmds.clone(), events));
            }
        }
    }
    all.sort_by_key(Event::seq);
    let origin = all
        .last()
        .map_or(json!("default"), |e| origin_json(e.origin()));
    json!({"value": by_key, "origin": origin})
}

/// Replaces a field's value by one systemd derives when the field was not set (or reset).
fn implicit(obj: &mut Value, field: &str, value: Value, rule: &str) {
    if let Some(w) = obj.get_mut(field)
        && w.get("origin") == Some(&json!("default"))
    {
        w["value"] = value;
        w["origin"] = json!({ "implicit": rule });
    }
}

/// Fills a default-origin field's `null` with the value in effect (systemd's default).
fn default_value(obj: &mut Value, field: &str, value: Value) {
    if let Some(w) = obj.get_mut(field)
        && w.get("origin") == Some(&json!("default"))
    {
        w["value"] = value;
    }
}

/// `[Unit]` settings: description, `DefaultDependencies=`, the dependencies (explicit ones with
/// their assignments, then the implicit and default ones with their rules) and
/// `RequiresMountsFor=`.
fn unit_section(u: &JsonUnit<'_>) -> Value {
    let p = u.provenance;
    let dep_keys: Vec<&str> = p
        .keys()
        .filter(|(s, k)| {
            *s == "Unit" && lookup(s, k).is_some_and(|(parser, _)| parser.ends_with("unit_deps"))
        })
        .map(|(_, k)| k)
        .collect();
    let deps: Vec<Value> = u
        .basics
        .deps
        .iter()
        .map(|d| json!({"kind": format!("{:?}", d.kind), "name": d.name.as_str()}))
        .collect();
    let mut dependencies = wrap_list(deps, &p.merged("Unit", &dep_keys));
    if let Some(Value::Array(elements)) = dependencies.get_mut("value") {
        elements.extend(u.deps.iter().filter_map(|d| {
            let rule = d.rule?;
            let origin = if d.mask & crate::show::mask::DEFAULT != 0 {
                json!({ "default": rule })
            } else {
                json!({ "implicit": rule })
            };
            Some(json!({"value": {"kind": d.kind, "name": d.name}, "origin": origin}))
        }));
    }
    let mounts: Vec<Value> = u
        .mounts
        .iter()
        .map(|(path, source)| {
            let origin = match source {
                crate::show::MountSource::Assignment(o) => origin_json(o),
                crate::show::MountSource::Rule(r) => json!({ "implicit": r }),
            };
            json!({"value": path, "origin": origin})
        })
        .collect();
    let mounts_origin = u
        .mounts
        .iter()
        .rev()
        .find_map(|(_, s)| match s {
            crate::show::MountSource::Assignment(o) => Some(origin_json(o)),
            crate::show::MountSource::Rule(_) => None,
        })
        .unwrap_or_else(|| json!("default"));
    json!({
        "description": wrap_scalar(json!(u.basics.description), p.events("Unit", "Description")),
        "default_dependencies": wrap_scalar(
            json!(u.basics.default_dependencies),
            p.events("Unit", "DefaultDependencies"),
        ),
        "dependencies": dependencies,
        "requires_mounts_for": {"value": mounts, "origin": mounts_origin, "resets": []},
    })
}

/// The JSON object of one unit.
pub fn unit_json(u: &JsonUnit<'_>) -> Value {
    let p = u.provenance;
    let socket = u.basics.socket.as_deref().map(|s| {
        let mut v = wrap_object(
            "Socket",
            SOCKET_FIELDS,
            serde_json::to_value(s).unwrap_or(Value::Null),
            p,
        );
        implicit(&mut v, "fd_name", json!(u.id.as_str()), "fdname-unit-name");
        let (interval, burst) = s.trigger_limit();
        default_value(&mut v, "trigger_limit_interval_usec", json!(interval));
        if s.accept {
            implicit(
                &mut v,
                "trigger_limit_burst",
                json!(burst),
                "accept-trigger-limit-burst",
            );
        } else {
            default_value(&mut v, "trigger_limit_burst", json!(burst));
        }
        if !s.accept
            && let Some(svc) = u.id.with_type("service")
        {
            implicit(
                &mut v,
                "service",
                json!(svc.as_str()),
                "socket-triggers-same-name-service",
            );
        }
        v
    });
    let service = u.basics.service.as_deref().map(|s| {
        let mut v = wrap_object(
            "Service",
            SERVICE_FIELDS,
            serde_json::to_value(s).unwrap_or(Value::Null),
            p,
        );
        if matches!(s.service_type.as_str(), "notify" | "notify-reload") {
            implicit(&mut v, "notify_access", json!("main"), "notify-access-main");
        } else {
            default_value(&mut v, "notify_access", json!("none"));
        }
        v
    });
    json!({
        "id": u.id.as_str(),
        "names": u.names,
        "load_state": u.load_state,
        "fragment_path": u.fragment.map(|p| p.display().to_string()),
        "dropin_paths": u.dropins.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        "unit": unit_section(u),
        "socket": socket,
        "service": service,
    })
}

/// The whole document for several units.
pub fn document(units: Vec<Value>) -> Value {
    json!({"format": FORMAT, "units": units})
}
