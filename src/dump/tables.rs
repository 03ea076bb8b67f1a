//! Name tables the dump prints: capabilities, resource limits, namespaces, syslog facilities
//! and levels, errno names (Linux numbering, as systemd 252 is built with).

/// Capability names by number (`capability_to_name`).
pub const CAPABILITIES: [&str; 41] = [
    "cap_chown",
    "cap_dac_override",
    "cap_dac_read_search",
    "cap_fowner",
    "cap_fsetid",
    "cap_kill",
    "cap_setgid",
    "cap_setuid",
    "cap_setpcap",
    "cap_linux_immutable",
    "cap_net_bind_service",
    "cap_net_broadcast",
    "cap_net_admin",
    "cap_net_raw",
    "cap_ipc_lock",
    "cap_ipc_owner",
    "cap_sys_module",
    "cap_sys_rawio",
    "cap_sys_chroot",
    "cap_sys_ptrace",
    "cap_sys_pacct",
    "cap_sys_admin",
    "cap_sys_boot",
    "cap_sys_nice",
    "cap_sys_resource",
    "cap_sys_time",
    "cap_sys_tty_config",
    "cap_mknod",
    "cap_lease",
    "cap_audit_write",
    "cap_audit_control",
    "cap_setfcap",
    "cap_mac_override",
    "cap_mac_admin",
    "cap_syslog",
    "cap_wake_alarm",
    "cap_block_suspend",
    "cap_audit_read",
    "cap_perfmon",
    "cap_bpf",
    "cap_checkpoint_restore",
];

/// Capability numbers used by `unit_patch_contexts`.
pub const CAP_SYS_MODULE: u32 = 16;
/// `CAP_SYS_RAWIO`.
pub const CAP_SYS_RAWIO: u32 = 17;
/// `CAP_SYS_TIME`.
pub const CAP_SYS_TIME: u32 = 25;
/// `CAP_MKNOD`.
pub const CAP_MKNOD: u32 = 27;
/// `CAP_SYSLOG`.
pub const CAP_SYSLOG: u32 = 34;
/// `CAP_WAKE_ALARM`.
pub const CAP_WAKE_ALARM: u32 = 35;

/// `capability_from_name`: a name (any case, `cap_` prefix) or a number below 64.
pub fn capability_from_name(word: &str) -> Option<u32> {
    if let Ok(n) = word.parse::<i64>() {
        return (0..64).contains(&n).then_some(n as u32);
    }
    let lower = word.to_ascii_lowercase();
    CAPABILITIES
        .iter()
        .position(|c| *c == lower)
        .map(|i| i as u32)
}

/// `capability_set_to_string_alloc`: names of the set bits up to `cap_last_cap`.
pub fn capability_set_to_string(set: u64, cap_last_cap: u32) -> String {
    let mut names = Vec::new();
    for i in 0..=cap_last_cap.min(63) {
        if set & (1u64 << i) != 0 {
            names.push(
                CAPABILITIES
                    .get(i as usize)
                    .map_or_else(|| format!("0x{i:x}"), |s| (*s).to_owned()),
            );
        }
    }
    names.join(" ")
}

/// Resource limits in `RLIMIT_*` number order, by the name after `Limit`.
pub const RLIMITS: [&str; 16] = [
    "CPU",
    "FSIZE",
    "DATA",
    "STACK",
    "CORE",
    "RSS",
    "NPROC",
    "NOFILE",
    "MEMLOCK",
    "AS",
    "LOCKS",
    "SIGPENDING",
    "MSGQUEUE",
    "NICE",
    "RTPRIO",
    "RTTIME",
];

/// Namespace types in `namespace_info` order.
pub const NAMESPACES: [&str; 7] = ["cgroup", "ipc", "net", "mnt", "pid", "user", "uts"];

/// `log_facility_unshifted_to_string`.
pub fn syslog_facility(n: u32) -> String {
    const NAMES: [&str; 24] = [
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
        "authpriv", "ftp", "12", "13", "14", "15", "local0", "local1", "local2", "local3",
        "local4", "local5", "local6", "local7",
    ];
    NAMES
        .get(n as usize)
        .map_or_else(|| n.to_string(), |s| (*s).to_owned())
}

/// Syslog level names by number.
pub const LOG_LEVELS: [&str; 8] = [
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
];

/// `log_facility_unshifted_from_string`.
pub fn syslog_facility_from_name(s: &str) -> Option<u32> {
    (0..24)
        .find(|&n| syslog_facility(n) == s)
        .or_else(|| s.parse().ok())
}

/// Errno names by number (the ones `SystemCallErrorNumber=` commonly takes).
pub const ERRNO_NAMES: [&str; 41] = [
    "0",
    "EPERM",
    "ENOENT",
    "ESRCH",
    "EINTR",
    "EIO",
    "ENXIO",
    "E2BIG",
    "ENOEXEC",
    "EBADF",
    "ECHILD",
    "EAGAIN",
    "ENOMEM",
    "EACCES",
    "EFAULT",
    "ENOTBLK",
    "EBUSY",
    "EEXIST",
    "EXDEV",
    "ENODEV",
    "ENOTDIR",
    "EISDIR",
    "EINVAL",
    "ENFILE",
    "EMFILE",
    "ENOTTY",
    "ETXTBSY",
    "EFBIG",
    "ENOSPC",
    "ESPIPE",
    "EROFS",
    "EMLINK",
    "EPIPE",
    "EDOM",
    "ERANGE",
    "EDEADLK",
    "ENAMETOOLONG",
    "ENOLCK",
    "ENOSYS",
    "ENOTEMPTY",
    "ELOOP",
];
