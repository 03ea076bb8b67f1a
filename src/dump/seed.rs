//! `sockunit dump --format seed`: the dump of the 2010 seed (`socket_dump` of April 2010's
//! `socket.c`, with that era's `unit_dump` header and `exec_context_dump`), for people who know
//! the original. Modern values are shown with the names the seed used where they differ
//! (`failed` → `maintainance`, sic; `BindIPv6Only=` as the seed's yes/no; `journal` output as
//! `syslog`); settings the seed did not have are left out, except port kinds it did not know
//! (`ListenNetlink:`, `ListenSpecial:`, …), which are printed with their modern names.
//!
//! Deliberate differences from the 2010 code: `User:` and `Group:` end with a newline (the seed
//! forgot it and ran them into the next line), and `ControlGroup:` is not printed (sockunit
//! creates no cgroups). Pure.

use super::Out;
use crate::config::exec::ExecCommand;
use crate::config::listen::{Address, ListenKind, format_address_with};
use crate::config::{Basics, ExecContext, SocketConfig};

/// A modern socket state as the seed named it.
pub fn seed_socket_state(modern: &str) -> &str {
    match modern {
        "failed" => "maintainance",
        // States the seed did not have: the nearest it had.
        "start-chown" | "start-open" => "start-pre",
        "deferred" => "listening",
        "cleaning" => "dead",
        other => other,
    }
}

/// A modern load state as the seed named it (it had `stub`, `loaded`, `failed`, `merged`).
pub fn seed_load_state(modern: &str) -> &str {
    match modern {
        "loaded" | "stub" | "merged" => modern,
        _ => "failed",
    }
}

/// A modern `StandardOutput=`/`StandardError=` value as the seed's `exec_output_to_string`
/// named it (`inherit`, `null`, `tty`, `syslog`, `kernel`).
fn seed_output(modern: &str) -> &str {
    match modern {
        "journal" | "journal+console" | "syslog+console" => "syslog",
        "kmsg" | "kmsg+console" => "kernel",
        other => other,
    }
}

/// Linux `RLIMIT_*` order, which the seed's dump loop followed.
const RLIMITS: [&str; 16] = [
    "LimitCPU",
    "LimitFSIZE",
    "LimitDATA",
    "LimitSTACK",
    "LimitCORE",
    "LimitRSS",
    "LimitNPROC",
    "LimitNOFILE",
    "LimitMEMLOCK",
    "LimitAS",
    "LimitLOCKS",
    "LimitSIGPENDING",
    "LimitMSGQUEUE",
    "LimitNICE",
    "LimitRTPRIO",
    "LimitRTTIME",
];

/// The seed's `unit_dump` header: `→ Unit NAME:` and its fields (prefix `\t`).
pub fn header_lines(
    id: &str,
    names: &[String],
    load_state: &str,
    fragment: Option<&std::path::Path>,
    basics: &Basics,
) -> Vec<String> {
    let mut o = Out::new("\t");
    let mut lines = vec![format!("→ Unit {id}:")];
    o.kv("Description", basics.description.as_deref().unwrap_or(id));
    o.kv("Unit Load State", seed_load_state(load_state));
    o.kv("Unit Active State", "inactive");
    o.kv("Active Enter Timestamp", "n/a");
    o.kv("Active Exit Timestamp", "n/a");
    for n in names {
        o.kv("Name", n);
    }
    if let Some(p) = fragment {
        o.kv("Fragment Path", p.display());
    }
    // The seed's dependency order; kinds it did not have come after, with modern names.
    let mut deps: Vec<(String, String)> = Vec::new();
    for d in &basics.deps {
        let pair = (format!("{:?}", d.kind), d.name.as_str().to_owned());
        if !deps.contains(&pair) {
            deps.push(pair);
        }
    }
    // The seed's socket_load() loaded the service of the same name and ordered itself before it.
    if load_state == "loaded"
        && let Some(s) = basics.socket.as_deref()
        && !s.accept
    {
        let service = s.service.clone().or_else(|| {
            crate::load::name::UnitName::parse(id)
                .and_then(|n| n.with_type("service"))
                .map(|n| n.as_str().to_owned())
        });
        if let Some(service) = service {
            let pair = ("Before".to_owned(), service);
            if !deps.contains(&pair) {
                deps.push(pair);
            }
        }
    }
    const ORDER: [&str; 6] = [
        "Requires",
        "Wants",
        "Requisite",
        "Conflicts",
        "Before",
        "After",
    ];
    let rank = |k: &str| ORDER.iter().position(|o| *o == k).unwrap_or(ORDER.len());
    deps.sort_by_key(|(k, _)| rank(k));
    for (k, n) in &deps {
        o.kv(k, n);
    }
    o.kv("Recursive Stop", "no");
    o.kv("Stop When Unneeded", "no");
    lines.extend(o.lines);
    lines
}

/// The seed's `exec_command_line()`: argv joined by spaces, arguments with whitespace in
/// single quotes (the seed's own FIXME: quotes inside are not escaped).
pub fn seed_command_line(c: &ExecCommand) -> String {
    c.argv
        .iter()
        .map(|a| {
            if a.chars().any(|ch| matches!(ch, ' ' | '\t' | '\n' | '\r')) {
                format!("'{a}'")
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The seed's `exec_context_dump` for the settings sockunit models.
pub fn exec_context_lines(c: &ExecContext, non_blocking: bool, prefix: &str) -> Vec<String> {
    let mut o = Out::new(prefix);
    o.kv("UMask", format!("{:04o}", c.umask));
    o.kv(
        "WorkingDirectory",
        c.working_directory.as_deref().unwrap_or("/"),
    );
    o.kv("RootDirectory", c.root_directory.as_deref().unwrap_or("/"));
    o.yn("NonBlocking", non_blocking);
    for e in &c.environment {
        o.kv("Environment", e);
    }
    if let Some(n) = c.nice {
        o.kv("Nice", n);
    }
    for name in RLIMITS {
        if let Some((_, _, hard)) = c.limits.iter().find(|(k, _, _)| k == name) {
            o.kv(name, hard);
        }
    }
    let (out, err) = (
        seed_output(&c.standard_output),
        seed_output(&c.standard_error),
    );
    o.kv("StandardInput", &c.standard_input);
    o.kv("StandardOutput", out);
    o.kv("StandardError", err);
    if [out, err].iter().any(|s| matches!(*s, "syslog" | "kernel")) {
        o.kv("SyslogFacility", "daemon");
        o.kv("SyslogLevel", "info");
    }
    if let Some(u) = &c.user {
        o.kv("User", u);
    }
    if let Some(g) = &c.group {
        o.kv("Group", g);
    }
    if !c.supplementary_groups.is_empty() {
        let mut line = String::from("SupplementaryGroups:");
        for g in &c.supplementary_groups {
            line.push(' ');
            line.push_str(g);
        }
        o.raw(line);
    }
    o.lines
}

/// The seed's `socket_dump` for a socket that is not running (prefix `\t`).
pub fn socket_lines(s: &SocketConfig, interfaces: &[(String, u32)]) -> Vec<String> {
    let prefix = "\t";
    let mut o = Out::new(prefix);
    o.kv("Socket State", seed_socket_state("dead"));
    o.yn("BindIPv6Only", s.bind_ipv6_only == "ipv6-only");
    o.kv("Backlog", s.backlog);
    o.kv("KillMode", &s.kill.kill_mode);
    o.kv("SocketMode", format!("{:04o}", s.socket_mode));
    o.kv("DirectoryMode", format!("{:04o}", s.directory_mode));
    // `Control PID:` only while a control process runs: never for a unit that is not running.
    if let Some(d) = &s.bind_to_device {
        o.kv("BindToDevice", d);
    }
    let ifname_of = |index: u32| {
        interfaces
            .iter()
            .find(|(_, i)| *i == index)
            .map(|(n, _)| n.clone())
    };
    for l in &s.listens {
        let key = match (&l.kind, &l.address) {
            (_, Address::Netlink { .. }) => "ListenNetlink",
            (ListenKind::Fifo, _) => "ListenFIFO",
            (k, _) => k.key(),
        };
        o.kv(key, format_address_with(l, &ifname_of));
    }
    let mut lines = o.lines;
    lines.extend(exec_context_lines(&s.exec, false, prefix));
    for (name, cmds) in [
        ("StartPre", &s.exec_start_pre),
        ("StartPost", &s.exec_start_post),
        ("StopPre", &s.exec_stop_pre),
        ("StopPost", &s.exec_stop_post),
    ] {
        if cmds.is_empty() {
            continue;
        }
        lines.push(format!("{prefix}→ {name}:"));
        for c in cmds {
            lines.push(format!("{prefix}\tCommand Line: {}", seed_command_line(c)));
        }
    }
    lines
}
