//! `exec_context_dump`, `kill_context_dump` and the `-> ExecStartPre:` command blocks.

use super::tables::{self, CAP_MKNOD, CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_SYS_TIME, CAP_SYSLOG};
use super::{DumpOptions, Extras, Out};
use crate::config::exec::{ExecCommand, quote_command_line};
use crate::config::value::{USEC_INFINITY, USEC_PER_SEC, format_timespan, signal_name};
use crate::config::{ExecContext, KillContext};
use crate::load::paths::Scope;

/// Which unit type owns the context (their defaults differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// A `.socket` unit.
    Socket,
    /// A `.service` unit.
    Service,
}

/// The directory types in `exec_directory_type` order: (key, symlink key).
use crate::config::typed::EXEC_DIRECTORIES as DIRECTORIES;

/// `kill_context_dump`.
pub fn kill_context_lines(k: &KillContext, prefix: &str) -> Vec<String> {
    let mut o = Out::new(prefix);
    o.kv("KillMode", &k.kill_mode);
    o.kv("KillSignal", signal_name(k.kill_signal));
    let restart = if k.restart_kill_signal != 0 {
        k.restart_kill_signal
    } else {
        k.kill_signal
    };
    o.kv("RestartKillSignal", signal_name(restart));
    o.kv("FinalKillSignal", signal_name(k.final_kill_signal));
    o.yn("SendSIGKILL", k.send_sigkill);
    o.yn("SendSIGHUP", k.send_sighup);
    o.lines
}

/// The `-> NAME:` blocks for each non-empty command list, commands indented one more tab.
pub fn exec_commands_lines<'a>(
    lists: impl IntoIterator<Item = (&'a str, &'a [ExecCommand])>,
    prefix: &str,
) -> Vec<String> {
    let mut lines = Vec::new();
    for (name, commands) in lists {
        if commands.is_empty() {
            continue;
        }
        lines.push(format!("{prefix}-> {name}:"));
        for c in commands {
            lines.push(format!(
                "{prefix}\tCommand Line: {}",
                quote_command_line(&c.argv)
            ));
        }
    }
    lines
}

/// What `StandardInput=` prints as, and its file or fd name.
fn std_input(raw: &str) -> (&'static str, Option<String>) {
    if let Some(n) = raw.strip_prefix("fd:") {
        return ("fd", Some(n.to_owned()));
    }
    if let Some(p) = raw.strip_prefix("file:") {
        return ("file", Some(p.to_owned()));
    }
    let s = match raw {
        "tty" => "tty",
        "tty-force" => "tty-force",
        "tty-fail" => "tty-fail",
        "socket" => "socket",
        "fd" => return ("fd", Some("stdin".to_owned())),
        "data" => "data",
        _ => "null",
    };
    (s, None)
}

/// What `StandardOutput=`/`StandardError=` prints as, and its file or fd name.
fn std_output(raw: &str, fd_default: &str) -> (&'static str, Option<String>) {
    for (p, name) in [
        ("file:", "file"),
        ("append:", "append"),
        ("truncate:", "truncate"),
    ] {
        if let Some(path) = raw.strip_prefix(p) {
            return (name, Some(path.to_owned()));
        }
    }
    if let Some(n) = raw.strip_prefix("fd:") {
        return ("fd", Some(n.to_owned()));
    }
    let s = match raw {
        "null" => "null",
        "tty" => "tty",
        "kmsg" => "kmsg",
        "kmsg+console" => "kmsg+console",
        "journal" | "syslog" => "journal",
        "journal+console" | "syslog+console" => "journal+console",
        "socket" => "socket",
        "fd" => return ("fd", Some(fd_default.to_owned())),
        _ => "inherit",
    };
    (s, None)
}

/// `config_parse_capability_set` over every assignment of `key`.
fn capability_set(x: &Extras, key: &str, initial: u64) -> u64 {
    let mut set = initial;
    for s in x.all(key) {
        let (invert, rest) = match s.raw.strip_prefix('~') {
            Some(r) => (true, r),
            None => (false, s.raw.as_str()),
        };
        let sum = rest
            .split_whitespace()
            .filter_map(tables::capability_from_name)
            .fold(0u64, |acc, c| acc | (1u64 << c));
        if sum == 0 || set == initial {
            set = if invert { !sum } else { sum };
        } else if invert {
            set &= !sum;
        } else {
            set |= sum;
        }
    }
    set
}

/// `RestrictNamespaces=`: `None` while at the initial value (nothing printed).
fn restrict_namespaces(x: &Extras) -> Option<u64> {
    const ALL: u64 = (1 << tables::NAMESPACES.len()) - 1;
    let mut flags: Option<u64> = None;
    for s in x.all("RestrictNamespaces") {
        let raw = s.raw.trim();
        if raw.is_empty() {
            flags = None;
            continue;
        }
        if let Ok(b) = crate::config::value::parse_bool(raw) {
            flags = Some(if b { 0 } else { ALL });
            continue;
        }
        let (invert, rest) = match raw.strip_prefix('~') {
            Some(r) => (true, r),
            None => (false, raw),
        };
        let sum = rest
            .split_whitespace()
            .filter_map(|w| tables::NAMESPACES.iter().position(|n| *n == w))
            .fold(0u64, |acc, i| acc | (1 << i));
        let parsed = if invert { ALL & !sum } else { sum };
        flags = Some(match flags {
            None => parsed,
            Some(f) if invert => f & !sum,
            Some(f) => f | sum,
        });
    }
    flags
}

/// `path_compare` order: component by component.
fn path_order(a: &str, b: &str) -> std::cmp::Ordering {
    let ca = a.split('/').filter(|c| !c.is_empty());
    let cb = b.split('/').filter(|c| !c.is_empty());
    ca.cmp(cb)
}

/// Directory items of one type: (path, symlinks), deduplicated and sorted like
/// `exec_directory_add` and `exec_directory_sort`.
fn directory_items(x: &Extras, key: &str) -> Vec<(String, Vec<String>)> {
    let mut items: Vec<(String, Vec<String>)> = Vec::new();
    for s in x.all(key) {
        if s.raw.trim().is_empty() {
            items.clear();
            continue;
        }
        for word in s.expanded.split_whitespace() {
            let (path, link) = match word.split_once(':') {
                Some((p, l)) => (p, Some(l)),
                None => (word, None),
            };
            let path = crate::config::value::path_simplify(path);
            match items.iter_mut().find(|(p, _)| *p == path) {
                Some((_, links)) => links.extend(link.map(str::to_owned)),
                None => items.push((path, link.map(str::to_owned).into_iter().collect())),
            }
        }
    }
    items.sort_by(|a, b| path_order(&a.0, &b.0));
    items
}

/// `exec_context_dump` for a socket's or service's context.
pub fn exec_context_lines(
    c: &ExecContext,
    x: &Extras,
    owner: Owner,
    unit_id: &str,
    opts: &DumpOptions,
) -> Vec<String> {
    let mut o = Out::new(&opts.prefix);
    let dynamic_user = x.flag("DynamicUser", false);
    let root_directory = c
        .root_directory
        .clone()
        .filter(|r| !r.is_empty() && r != "/");
    let root_image = x.string("RootImage");

    let working_directory = match c.working_directory.as_deref() {
        None if opts.scope == Scope::User => opts.home.clone().unwrap_or_else(|| "/".into()),
        None | Some("~" | "-~") => "/".to_owned(),
        Some(w) => {
            let w = w.strip_prefix('-').unwrap_or(w);
            if w.is_empty() { "/".into() } else { w.into() }
        }
    };
    let private_tmp = dynamic_user || x.flag("PrivateTmp", false);
    let private_devices = x.flag("PrivateDevices", false);
    let protect_kernel_modules = x.flag("ProtectKernelModules", false);
    let protect_kernel_logs = x.flag("ProtectKernelLogs", false);
    let protect_clock = x.flag("ProtectClock", false);
    let mut protect_home = x.string("ProtectHome").unwrap_or_else(|| "no".into());
    let mut protect_system = x.string("ProtectSystem").unwrap_or_else(|| "no".into());
    if dynamic_user {
        protect_system = "strict".into();
        if protect_home == "no" {
            protect_home = "read-only".into();
        }
    }
    let mount_apivfs = x
        .bool("MountAPIVFS")
        .unwrap_or(root_directory.is_some() || root_image.is_some());
    let keyring = x.string("KeyringMode").unwrap_or_else(|| {
        match (owner, opts.scope) {
            (Owner::Service, Scope::System) => "private",
            (Owner::Service, Scope::User) => "inherit",
            (Owner::Socket, _) => "shared",
        }
        .to_owned()
    });

    o.kv("UMask", format!("{:04o}", c.umask));
    o.kv("WorkingDirectory", working_directory);
    o.kv(
        "RootDirectory",
        c.root_directory
            .as_deref()
            .filter(|r| !r.is_empty())
            .unwrap_or("/"),
    );
    o.yn("NonBlocking", x.flag("NonBlocking", false));
    o.yn("PrivateTmp", private_tmp);
    o.yn("PrivateDevices", private_devices);
    o.yn(
        "ProtectKernelTunables",
        x.flag("ProtectKernelTunables", false),
    );
    o.yn("ProtectKernelModules", protect_kernel_modules);
    o.yn("ProtectKernelLogs", protect_kernel_logs);
    o.yn("ProtectClock", protect_clock);
    o.yn(
        "ProtectControlGroups",
        x.flag("ProtectControlGroups", false),
    );
    o.yn("PrivateNetwork", x.flag("PrivateNetwork", false));
    o.yn("PrivateUsers", x.flag("PrivateUsers", false));
    o.kv("ProtectHome", protect_home);
    o.kv("ProtectSystem", protect_system);
    o.yn("MountAPIVFS", mount_apivfs);
    o.yn("IgnoreSIGPIPE", c.ignore_sigpipe);
    o.yn(
        "MemoryDenyWriteExecute",
        x.flag("MemoryDenyWriteExecute", false),
    );
    o.yn("RestrictRealtime", x.flag("RestrictRealtime", false));
    o.yn(
        "RestrictSUIDSGID",
        dynamic_user || x.flag("RestrictSUIDSGID", false),
    );
    o.kv("KeyringMode", keyring);
    o.yn("ProtectHostname", x.flag("ProtectHostname", false));
    o.kv(
        "ProtectProc",
        x.string("ProtectProc").unwrap_or_else(|| "default".into()),
    );
    o.kv(
        "ProcSubset",
        x.string("ProcSubset").unwrap_or_else(|| "all".into()),
    );

    if let Some(i) = &root_image {
        o.kv("RootImage", i);
    }
    if let Some(h) = x.string("RootHash") {
        o.kv("RootHash", h);
    }
    if let Some(h) = x.string("RootHashSignature") {
        o.kv("RootHashSignature", h);
    }
    if let Some(v) = x.string("RootVerity") {
        o.kv("RootVerity", v);
    }
    for e in &c.environment {
        o.kv("Environment", e);
    }
    for e in &c.environment_files {
        o.kv("EnvironmentFile", e);
    }
    // `PassEnvironment=`/`UnsetEnvironment=` are not typed yet: read them here.
    for e in x.words("PassEnvironment") {
        o.kv("PassEnvironment", e);
    }
    for e in x.words("UnsetEnvironment") {
        o.kv("UnsetEnvironment", e);
    }
    o.kv(
        "RuntimeDirectoryPreserve",
        x.string("RuntimeDirectoryPreserve")
            .unwrap_or_else(|| "no".into()),
    );
    for dt in DIRECTORIES {
        let mode = x.unsigned(&format!("{dt}Mode")).unwrap_or(0o755);
        o.kv(&format!("{dt}Mode"), format!("{mode:04o}"));
        for (path, links) in directory_items(x, dt) {
            o.kv(dt, &path);
            for l in links {
                o.kv(&format!("{dt}Symlink"), format!("{path}:{l}"));
            }
        }
    }
    o.kv(
        "TimeoutCleanSec",
        format_timespan(
            x.usec("TimeoutCleanSec").unwrap_or(USEC_INFINITY),
            USEC_PER_SEC,
        ),
    );
    if let Some(n) = c.nice {
        o.kv("Nice", n);
    }
    if let Some(n) = x.int("OOMScoreAdjust") {
        o.kv("OOMScoreAdjust", n);
    }
    if let Some(f) = x.string("CoredumpFilter") {
        o.kv("CoredumpFilter", f);
    }
    for name in tables::RLIMITS {
        let key = format!("Limit{name}");
        if let Some((_, soft, hard)) = c.limits.iter().find(|(k, _, _)| *k == key) {
            o.kv(&key, hard);
            o.kv(&format!("{key}Soft"), soft);
        }
    }
    let io_class = x.string("IOSchedulingClass");
    let io_prio = x.int("IOSchedulingPriority");
    if io_class.is_some() || io_prio.is_some() {
        let class = io_class.unwrap_or_else(|| "best-effort".into());
        // The data part keeps its default (4) when only the class is set, even for `idle`.
        let data = io_prio.unwrap_or(4);
        o.kv("IOSchedulingClass", &class);
        o.kv("IOPriority", data);
    }
    let sched_policy = x.string("CPUSchedulingPolicy");
    let sched_prio = x.int("CPUSchedulingPriority");
    let sched_reset = x.bool("CPUSchedulingResetOnFork");
    if sched_policy.is_some() || sched_prio.is_some() || sched_reset.is_some() {
        o.kv(
            "CPUSchedulingPolicy",
            sched_policy.unwrap_or_else(|| "other".into()),
        );
        o.kv("CPUSchedulingPriority", sched_prio.unwrap_or(0));
        o.yn("CPUSchedulingResetOnFork", sched_reset.unwrap_or(false));
    }
    if let Some(a) = x.string("CPUAffinity") {
        o.kv("CPUAffinity", a);
    }
    if let Some(s) = x.last("TimerSlackNSec") {
        let ns = match &s.value {
            Some(crate::config::dispatch::Parsed::Usec(v)) => Some(*v),
            _ => crate::config::value::parse_nsec(&s.raw).ok(),
        };
        if let Some(ns) = ns.filter(|n| *n != u64::MAX) {
            o.kv("TimerSlackNSec", ns);
        }
    }

    let (input, input_arg) = std_input(&c.standard_input);
    let (output, output_arg) = std_output(&c.standard_output, "stdout");
    let (error, error_arg) = std_output(&c.standard_error, "stderr");
    o.kv("StandardInput", input);
    o.kv("StandardOutput", output);
    o.kv("StandardError", error);
    if input == "fd" {
        o.kv(
            "StandardInputFileDescriptorName",
            input_arg.as_deref().unwrap_or(""),
        );
    }
    if output == "fd" {
        o.kv(
            "StandardOutputFileDescriptorName",
            output_arg.as_deref().unwrap_or(""),
        );
    }
    if error == "fd" {
        o.kv(
            "StandardErrorFileDescriptorName",
            error_arg.as_deref().unwrap_or(""),
        );
    }
    if input == "file" {
        o.kv("StandardInputFile", input_arg.as_deref().unwrap_or(""));
    }
    for (kind, key) in [
        ("file", "StandardOutputFile"),
        ("append", "StandardOutputFileToAppend"),
        ("truncate", "StandardOutputFileToTruncate"),
    ] {
        if output == kind {
            o.kv(key, output_arg.as_deref().unwrap_or(""));
        }
    }
    for (kind, key) in [
        ("file", "StandardErrorFile"),
        ("append", "StandardErrorFileToAppend"),
        ("truncate", "StandardErrorFileToTruncate"),
    ] {
        if error == kind {
            o.kv(key, error_arg.as_deref().unwrap_or(""));
        }
    }
    if let Some(tty) = x.string("TTYPath") {
        o.kv("TTYPath", tty);
        o.yn("TTYReset", x.flag("TTYReset", false));
        o.yn("TTYVHangup", x.flag("TTYVHangup", false));
        o.yn("TTYVTDisallocate", x.flag("TTYVTDisallocate", false));
        o.kv("TTYRows", x.unsigned("TTYRows").unwrap_or(u32::MAX.into()));
        o.kv(
            "TTYColumns",
            x.unsigned("TTYColumns").unwrap_or(u32::MAX.into()),
        );
    }
    let logs = |s: &str| matches!(s, "kmsg" | "journal" | "kmsg+console" | "journal+console");
    if logs(output) || logs(error) {
        let facility = x
            .string("SyslogFacility")
            .and_then(|f| tables::syslog_facility_from_name(&f))
            .unwrap_or(3);
        let level = x
            .string("SyslogLevel")
            .and_then(|l| level_number(&l))
            .unwrap_or(6);
        o.kv("SyslogFacility", tables::syslog_facility(facility));
        o.kv("SyslogLevel", tables::LOG_LEVELS[level]);
    }
    if let Some(l) = x.string("LogLevelMax").and_then(|l| level_number(&l)) {
        o.kv("LogLevelMax", tables::LOG_LEVELS[l]);
    }
    if let Some(u) = x.usec("LogRateLimitIntervalSec").filter(|u| *u > 0) {
        o.kv("LogRateLimitIntervalSec", format_timespan(u, USEC_PER_SEC));
    }
    if let Some(b) = x.unsigned("LogRateLimitBurst").filter(|b| *b > 0) {
        o.kv("LogRateLimitBurst", b);
    }
    for f in x.words("LogExtraFields") {
        o.kv("LogExtraFields", f);
    }
    if let Some(n) = x.string("LogNamespace") {
        o.kv("LogNamespace", n);
    }
    let secure = x.words("SecureBits");
    if !secure.is_empty() {
        const BITS: [&str; 6] = [
            "keep-caps",
            "keep-caps-locked",
            "no-setuid-fixup",
            "no-setuid-fixup-locked",
            "noroot",
            "noroot-locked",
        ];
        let names: Vec<&str> = BITS
            .iter()
            .copied()
            .filter(|b| secure.iter().any(|s| s == b))
            .collect();
        o.kv("Secure Bits", names.join(" "));
    }
    let mut bounding = capability_set(x, "CapabilityBoundingSet", u64::MAX);
    if private_devices {
        bounding &= !((1 << CAP_MKNOD) | (1 << CAP_SYS_RAWIO));
    }
    if protect_kernel_modules {
        bounding &= !(1 << CAP_SYS_MODULE);
    }
    if protect_kernel_logs {
        bounding &= !(1 << CAP_SYSLOG);
    }
    if protect_clock {
        bounding &= !((1 << CAP_SYS_TIME) | (1 << tables::CAP_WAKE_ALARM));
    }
    if bounding != u64::MAX {
        o.kv(
            "CapabilityBoundingSet",
            tables::capability_set_to_string(bounding, opts.cap_last_cap),
        );
    }
    let ambient = capability_set(x, "AmbientCapabilities", 0);
    if ambient != 0 {
        o.kv(
            "AmbientCapabilities",
            tables::capability_set_to_string(ambient, opts.cap_last_cap),
        );
    }
    let mut user = c.user.clone();
    let mut group = c.group.clone();
    if dynamic_user {
        user.get_or_insert_with(|| dynamic_user_name(unit_id));
        group = group.or_else(|| user.clone());
    }
    if let Some(u) = user {
        o.kv("User", u);
    }
    if let Some(g) = group {
        o.kv("Group", g);
    }
    o.yn("DynamicUser", dynamic_user);
    strv(&mut o, "SupplementaryGroups", &c.supplementary_groups);
    if let Some(p) = &c.pam_name {
        o.kv("PAMName", p);
    }
    for key in [
        "ReadWritePaths",
        "ReadOnlyPaths",
        "InaccessiblePaths",
        "ExecPaths",
        "NoExecPaths",
        "ExecSearchPath",
    ] {
        strv(&mut o, key, &x.words(key));
    }
    for key in ["BindPaths", "BindReadOnlyPaths"] {
        for word in x.words(key) {
            let (ignore, rest) = match word.strip_prefix('-') {
                Some(r) => ("-", r),
                None => ("", word.as_str()),
            };
            let mut parts = rest.splitn(3, ':');
            let src = parts.next().unwrap_or_default();
            let dst = parts.next().unwrap_or(src);
            let opt = if parts.next() == Some("norbind") {
                "norbind"
            } else {
                "rbind"
            };
            o.kv(key, format!("{ignore}{src}:{dst}:{opt}"));
        }
    }
    for t in x.words("TemporaryFileSystem") {
        o.kv("TemporaryFileSystem", t);
    }
    if let Some(u) = x.string("UtmpIdentifier") {
        o.kv("UtmpIdentifier", u);
    }
    for key in ["SELinuxContext", "AppArmorProfile", "SmackProcessLabel"] {
        if let Some(v) = x.string(key) {
            o.kv(key, v);
        }
    }
    if let Some(p) = x.string("Personality") {
        o.kv("Personality", p);
    }
    o.yn("LockPersonality", x.flag("LockPersonality", false));
    let filter = x.words("SystemCallFilter");
    if !filter.is_empty() {
        // systemd prints the resolved syscall set in hash-table order; not reproducible.
        o.kv("SystemCallFilter", filter.join(" "));
    }
    let archs = x.words("SystemCallArchitectures");
    if !archs.is_empty() {
        let mut line = String::from("SystemCallArchitectures:");
        let mut seen: Vec<&str> = Vec::new();
        for a in &archs {
            if !seen.contains(&a.as_str()) {
                seen.push(a);
                line.push(' ');
                line.push_str(a);
            }
        }
        o.raw(line);
    }
    if let Some(flags) = restrict_namespaces(x) {
        let names: Vec<&str> = tables::NAMESPACES
            .iter()
            .enumerate()
            .filter(|(i, _)| flags & (1 << i) != 0)
            .map(|(_, n)| *n)
            .collect();
        o.kv(
            "RestrictNamespaces",
            if names.is_empty() {
                "n/a".to_owned()
            } else {
                names.join(" ")
            },
        );
    }
    if let Some(p) = x.string("NetworkNamespacePath") {
        o.kv("NetworkNamespacePath", p);
    }
    o.kv("SystemCallErrorNumber", syscall_errno(x));
    strv(
        &mut o,
        "ExtensionDirectories",
        &x.words("ExtensionDirectories"),
    );
    o.lines
}

/// `strv_dump`: `KEY: a b c` when non-empty.
fn strv(o: &mut Out<'_>, key: &str, list: &[String]) {
    if !list.is_empty() {
        let mut line = format!("{key}:");
        for s in list {
            line.push(' ');
            line.push_str(s);
        }
        o.raw(line);
    }
}

/// A syslog level by name or number.
fn level_number(s: &str) -> Option<usize> {
    tables::LOG_LEVELS
        .iter()
        .position(|l| *l == s)
        .or_else(|| s.parse::<usize>().ok().filter(|n| *n < 8))
}

/// `SystemCallErrorNumber=` as `seccomp_errno_or_action_to_string` prints it (`kill` unset).
fn syscall_errno(x: &Extras) -> String {
    let Some(raw) = x.string("SystemCallErrorNumber") else {
        return "kill".into();
    };
    if let Ok(n) = raw.parse::<usize>() {
        return tables::ERRNO_NAMES
            .get(n)
            .map_or_else(|| n.to_string(), |s| (*s).to_owned());
    }
    raw
}

/// `user_from_unit_name`: the unit's prefix when it is a valid user name.
fn dynamic_user_name(unit_id: &str) -> String {
    let prefix = unit_id
        .rsplit_once('.')
        .map_or(unit_id, |(p, _)| p)
        .split('@')
        .next()
        .unwrap_or_default();
    prefix.to_owned()
}
