//! `socket_dump`: from `Socket State:` through the exec, kill and command blocks.

use super::exec::{Owner, exec_commands_lines, exec_context_lines, kill_context_lines};
use super::{DumpOptions, Extras, Out};
use crate::config::SocketConfig;
use crate::config::listen::format_address_with;
use crate::config::value::{USEC_PER_SEC, format_timespan};

/// `ip_protocol_to_name` for the protocols `SocketProtocol=` takes (0 prints `ip`).
fn protocol_name(p: i64) -> String {
    match p {
        0 => "ip".into(),
        6 => "tcp".into(),
        17 => "udp".into(),
        132 => "sctp".into(),
        136 => "udplite".into(),
        n => n.to_string(),
    }
}

/// systemd 252's `socket_dump` for a unit that is not running, without the cgroup context.
pub fn socket_block(
    s: &SocketConfig,
    unit_id: &str,
    x: &Extras,
    opts: &DumpOptions,
) -> Vec<String> {
    let mut o = Out::new(&opts.prefix);
    o.kv("Socket State", "dead");
    o.kv("Result", "success");
    o.kv("Clean Result", "success");
    o.kv("BindIPv6Only", &s.bind_ipv6_only);
    o.kv("Backlog", s.backlog);
    o.kv("SocketMode", format!("{:04o}", s.socket_mode));
    o.kv("DirectoryMode", format!("{:04o}", s.directory_mode));
    o.yn("KeepAlive", s.keep_alive);
    o.yn("NoDelay", s.no_delay);
    o.yn("FreeBind", s.free_bind);
    o.yn("Transparent", s.transparent);
    o.yn("Broadcast", s.broadcast);
    o.yn("PassCredentials", s.pass_credentials);
    o.yn("PassSecurity", s.pass_security);
    o.yn("PassPacketInfo", s.pass_packet_info);
    o.kv(
        "TCPCongestion",
        s.tcp_congestion.as_deref().unwrap_or("n/a"),
    );
    o.yn("RemoveOnStop", s.remove_on_stop);
    o.yn("Writable", s.writable);
    o.kv(
        "FileDescriptorName",
        s.fd_name.as_deref().unwrap_or(unit_id),
    );
    o.yn("SELinuxContextFromNet", s.selinux_context_from_net);
    if s.timestamping != "off" {
        o.kv("Timestamping", &s.timestamping);
    }
    if let Some(d) = &s.bind_to_device {
        o.kv("BindToDevice", d);
    }
    if s.accept {
        o.kv("Accepted", 0);
        o.kv("NConnections", 0);
        o.kv("MaxConnections", s.max_connections);
        o.kv("MaxConnectionsPerSource", s.max_connections_per_source);
    } else {
        o.yn("FlushPending", s.flush_pending);
    }
    if s.priority >= 0 {
        o.kv("Priority", s.priority);
    }
    if s.receive_buffer > 0 {
        o.kv("ReceiveBuffer", s.receive_buffer);
    }
    if s.send_buffer > 0 {
        o.kv("SendBuffer", s.send_buffer);
    }
    if s.ip_tos >= 0 {
        o.kv("IPTOS", s.ip_tos);
    }
    if s.ip_ttl >= 0 {
        o.kv("IPTTL", s.ip_ttl);
    }
    if s.pipe_size > 0 {
        o.kv("PipeSize", s.pipe_size);
    }
    if s.mark >= 0 {
        o.kv("Mark", s.mark);
    }
    if s.mq_max_messages > 0 {
        o.kv("MessageQueueMaxMessages", s.mq_max_messages);
    }
    if s.mq_message_size > 0 {
        o.kv("MessageQueueMessageSize", s.mq_message_size);
    }
    if s.reuse_port {
        o.yn("ReusePort", true);
    }
    for key in ["SmackLabel", "SmackLabelIPIn", "SmackLabelIPOut"] {
        if let Some(v) = x.string(key) {
            o.kv(key, v);
        }
    }
    let user = s.socket_user.as_deref().filter(|u| !u.is_empty());
    let group = s.socket_group.as_deref().filter(|g| !g.is_empty());
    if user.is_some() || group.is_some() {
        o.kv("SocketUser", user.unwrap_or("n/a"));
        o.kv("SocketGroup", group.unwrap_or("n/a"));
    }
    if s.keep_alive_time_usec > 0 {
        o.kv(
            "KeepAliveTimeSec",
            format_timespan(s.keep_alive_time_usec, USEC_PER_SEC),
        );
    }
    if s.keep_alive_interval_usec > 0 {
        o.kv(
            "KeepAliveIntervalSec",
            format_timespan(s.keep_alive_interval_usec, USEC_PER_SEC),
        );
    }
    if s.keep_alive_probes > 0 {
        o.kv("KeepAliveProbes", s.keep_alive_probes);
    }
    if s.defer_accept_usec > 0 {
        o.kv(
            "DeferAcceptSec",
            format_timespan(s.defer_accept_usec, USEC_PER_SEC),
        );
    }
    let ifname_of = |index: u32| {
        opts.interfaces
            .iter()
            .find(|(_, i)| *i == index)
            .map(|(n, _)| n.clone())
    };
    for l in &s.listens {
        let key = match (&l.kind, &l.address) {
            (_, crate::config::listen::Address::Netlink { .. }) => "ListenNetlink",
            (k, _) => k.key(),
        };
        o.kv(key, format_address_with(l, &ifname_of));
    }
    let (interval, burst) = s.trigger_limit();
    o.kv(
        "TriggerLimitIntervalSec",
        format_timespan(interval, USEC_PER_SEC),
    );
    o.kv("TriggerLimitBurst", burst);
    o.kv(
        "SocketProtocol",
        protocol_name(s.socket_protocol.unwrap_or(0)),
    );
    if !s.symlinks.is_empty() {
        let mut line = String::from("Symlinks:");
        for l in &s.symlinks {
            line.push(' ');
            line.push_str(l);
        }
        o.raw(line);
    }
    o.kv("TimeoutSec", format_timespan(s.timeout_usec, USEC_PER_SEC));
    let mut lines = o.lines;
    lines.extend(exec_context_lines(&s.exec, x, Owner::Socket, unit_id, opts));
    lines.extend(kill_context_lines(&s.kill, &opts.prefix));
    lines.extend(exec_commands_lines(
        [
            ("ExecStartPre", s.exec_start_pre.as_slice()),
            ("ExecStartPost", s.exec_start_post.as_slice()),
            ("ExecStopPre", s.exec_stop_pre.as_slice()),
            ("ExecStopPost", s.exec_stop_post.as_slice()),
        ],
        &opts.prefix,
    ));
    lines
}
