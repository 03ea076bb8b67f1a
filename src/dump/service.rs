//! `service_dump`: from `Service State:` through the kill, exec and command blocks and the
//! file descriptor store lines.

use super::exec::{Owner, exec_commands_lines, exec_context_lines, kill_context_lines};
use super::{DumpOptions, Extras, Out};
use crate::config::ServiceConfig;
use crate::config::value::{USEC_INFINITY, USEC_PER_SEC, format_timespan};

use crate::config::typed::SERVICE_COMMANDS as COMMANDS;

/// systemd 252's `service_dump` for a unit that is not running, without the cgroup context.
/// Applies `service_add_extras`' derived values: the automatic `Type=`, the oneshot start
/// timeout, `NotifyAccess=main` when the notify socket is needed, the `OOMPolicy=` default.
pub fn service_block(
    s: &ServiceConfig,
    unit_id: &str,
    x: &Extras,
    opts: &DumpOptions,
) -> Vec<String> {
    let span = |u: u64| format_timespan(u, USEC_PER_SEC);
    let ty = if x.is_set("Type") {
        s.service_type.clone()
    } else if s.bus_name.is_some() {
        "dbus".to_owned()
    } else if !s.commands("ExecStart").is_empty() {
        "simple".to_owned()
    } else {
        "oneshot".to_owned()
    };
    let start_timeout_defined = x.is_set("TimeoutStartSec") || x.is_set("TimeoutSec");
    let timeout_start = if ty == "oneshot" && !start_timeout_defined {
        USEC_INFINITY
    } else {
        s.timeout_start_usec
    };
    let watchdog = x.usec("WatchdogSec").unwrap_or(0);
    let fd_store_max = x.unsigned("FileDescriptorStoreMax").unwrap_or(0);
    let notify_access = match s.notify_access.as_deref() {
        Some(n) if n != "none" => n.to_owned(),
        _ if ty == "notify" || watchdog > 0 || fd_store_max > 0 => "main".to_owned(),
        _ => "none".to_owned(),
    };
    let oom_policy = x.string("OOMPolicy").unwrap_or_else(|| {
        if x.bool("Delegate").unwrap_or(false) || delegate_list(x) {
            "continue".into()
        } else {
            "stop".into()
        }
    });

    let mut o = Out::new(&opts.prefix);
    o.kv("Service State", "dead");
    o.kv("Result", "success");
    o.kv("Reload Result", "success");
    o.kv("Clean Result", "success");
    o.yn(
        "PermissionsStartOnly",
        x.flag("PermissionsStartOnly", false),
    );
    o.yn(
        "RootDirectoryStartOnly",
        x.flag("RootDirectoryStartOnly", false),
    );
    o.yn("RemainAfterExit", s.remain_after_exit);
    o.yn("GuessMainPID", s.guess_main_pid);
    o.kv("Type", &ty);
    o.kv("Restart", &s.restart);
    o.kv("NotifyAccess", notify_access);
    o.kv("NotifyState", "unknown");
    o.kv("OOMPolicy", oom_policy);
    if let Some(p) = &s.pid_file {
        o.kv("PIDFile", p);
    }
    if let Some(b) = &s.bus_name {
        o.kv("BusName", b);
        o.yn("Bus Name Good", false);
    }
    o.kv("RestartSec", span(s.restart_usec));
    o.kv("TimeoutStartSec", span(timeout_start));
    o.kv("TimeoutStopSec", span(s.timeout_stop_usec));
    o.kv("TimeoutStartFailureMode", &s.timeout_start_failure_mode);
    o.kv("TimeoutStopFailureMode", &s.timeout_stop_failure_mode);
    if let Some(a) = x.usec("TimeoutAbortSec") {
        o.kv("TimeoutAbortSec", span(a));
    }
    o.kv("RuntimeMaxSec", span(s.runtime_max_usec));
    o.kv(
        "RuntimeRandomizedExtraSec",
        span(x.usec("RuntimeRandomizedExtraSec").unwrap_or(0)),
    );
    o.kv("WatchdogSec", span(watchdog));
    let mut lines = o.lines;
    lines.extend(kill_context_lines(&s.kill, &opts.prefix));
    lines.extend(exec_context_lines(
        &s.exec,
        x,
        Owner::Service,
        unit_id,
        opts,
    ));
    lines.extend(exec_commands_lines(
        COMMANDS.iter().map(|k| (*k, s.commands(k))),
        &opts.prefix,
    ));
    if fd_store_max > 0 {
        lines.push(format!(
            "{}File Descriptor Store Max: {fd_store_max}",
            opts.prefix
        ));
        lines.push(format!("{}File Descriptor Store Current: 0", opts.prefix));
    }
    lines
}

/// `Delegate=` given as a controller list (delegation on).
fn delegate_list(x: &Extras) -> bool {
    x.last("Delegate").is_some_and(|s| {
        let raw = s.raw.trim();
        !raw.is_empty() && crate::config::value::parse_bool(raw).is_err()
    })
}
