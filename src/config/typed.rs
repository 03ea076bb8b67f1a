//! Typed configuration: what a `.socket` or `.service` unit means once every assignment has
//! gone through its parser, with systemd 252's defaults. Built by [`super::interpret`]; read by
//! verify, and by dump and the runtime.
//!
//! Pure data: values are already expanded and validated; nothing here does I/O.

use super::dispatch::Parsed;
use super::exec::ExecCommand;
use super::listen::Listen;
use super::value::USEC_INFINITY;

/// systemd's `SOMAXCONN_DELUXE`: the default `Backlog=`.
pub const DEFAULT_BACKLOG: u64 = 2_147_483_647;
/// `DefaultTimeoutStartSec=`/`DefaultTimeoutStopSec=`: 90 s.
pub const DEFAULT_TIMEOUT_USEC: u64 = 90_000_000;

/// The execution context every unit that runs commands has (`systemd.exec(5)`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExecContext {
    /// `User=`.
    pub user: Option<String>,
    /// `Group=`.
    pub group: Option<String>,
    /// `SupplementaryGroups=`.
    pub supplementary_groups: Vec<String>,
    /// `WorkingDirectory=` (`~` for the home directory; a leading `-` is kept).
    pub working_directory: Option<String>,
    /// `RootDirectory=`.
    pub root_directory: Option<String>,
    /// `UMask=` (0022).
    pub umask: u32,
    /// `Nice=`.
    pub nice: Option<i64>,
    /// `Environment=` assignments, in order.
    pub environment: Vec<String>,
    /// `EnvironmentFile=` paths (a leading `-` means optional).
    pub environment_files: Vec<String>,
    /// `PassEnvironment=`.
    pub pass_environment: Vec<String>,
    /// `UnsetEnvironment=`.
    pub unset_environment: Vec<String>,
    /// `StandardInput=` (`null`).
    pub standard_input: String,
    /// `StandardOutput=` (`inherit`).
    pub standard_output: String,
    /// `StandardError=` (`inherit`).
    pub standard_error: String,
    /// `SyslogIdentifier=`.
    pub syslog_identifier: Option<String>,
    /// `IgnoreSIGPIPE=` (yes).
    pub ignore_sigpipe: bool,
    /// `NoNewPrivileges=`.
    pub no_new_privileges: bool,
    /// `PAMName=`.
    pub pam_name: Option<String>,
    /// `Limit*=`: (key, soft, hard), in order set.
    pub limits: Vec<(String, u64, u64)>,
}

impl Default for ExecContext {
    fn default() -> Self {
        ExecContext {
            user: None,
            group: None,
            supplementary_groups: Vec::new(),
            working_directory: None,
            root_directory: None,
            umask: 0o022,
            nice: None,
            environment: Vec::new(),
            environment_files: Vec::new(),
            pass_environment: Vec::new(),
            unset_environment: Vec::new(),
            standard_input: "null".to_owned(),
            standard_output: "inherit".to_owned(),
            standard_error: "inherit".to_owned(),
            syslog_identifier: None,
            ignore_sigpipe: true,
            no_new_privileges: false,
            pam_name: None,
            limits: Vec::new(),
        }
    }
}

/// How processes are stopped (`systemd.kill(5)`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KillContext {
    /// `KillMode=` (`control-group`).
    pub kill_mode: String,
    /// `KillSignal=` (SIGTERM).
    pub kill_signal: i32,
    /// `RestartKillSignal=` (0: same as `KillSignal=`).
    pub restart_kill_signal: i32,
    /// `FinalKillSignal=` (SIGKILL).
    pub final_kill_signal: i32,
    /// `WatchdogSignal=` (SIGABRT).
    pub watchdog_signal: i32,
    /// `SendSIGKILL=` (yes).
    pub send_sigkill: bool,
    /// `SendSIGHUP=` (no).
    pub send_sighup: bool,
}

impl Default for KillContext {
    fn default() -> Self {
        KillContext {
            kill_mode: "control-group".to_owned(),
            kill_signal: 15,
            restart_kill_signal: 0,
            final_kill_signal: 9,
            watchdog_signal: 6,
            send_sigkill: true,
            send_sighup: false,
        }
    }
}

/// A `.socket` unit's `[Socket]` settings (`systemd.socket(5)`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SocketConfig {
    /// `Listen*=` in order.
    pub listens: Vec<Listen>,
    /// `BindIPv6Only=` (`default`).
    pub bind_ipv6_only: String,
    /// `Backlog=`.
    pub backlog: u64,
    /// `BindToDevice=`.
    pub bind_to_device: Option<String>,
    /// `SocketUser=`.
    pub socket_user: Option<String>,
    /// `SocketGroup=`.
    pub socket_group: Option<String>,
    /// `SocketMode=` (0666).
    pub socket_mode: u32,
    /// `DirectoryMode=` (0755).
    pub directory_mode: u32,
    /// `Accept=`.
    pub accept: bool,
    /// `Writable=`.
    pub writable: bool,
    /// `FlushPending=`.
    pub flush_pending: bool,
    /// `MaxConnections=` (64).
    pub max_connections: u64,
    /// `MaxConnectionsPerSource=` (0: off).
    pub max_connections_per_source: u64,
    /// `KeepAlive=`.
    pub keep_alive: bool,
    /// `KeepAliveTimeSec=` (0: kernel default).
    pub keep_alive_time_usec: u64,
    /// `KeepAliveIntervalSec=`.
    pub keep_alive_interval_usec: u64,
    /// `KeepAliveProbes=`.
    pub keep_alive_probes: u64,
    /// `DeferAcceptSec=`.
    pub defer_accept_usec: u64,
    /// `NoDelay=`.
    pub no_delay: bool,
    /// `Priority=` (-1: unset).
    pub priority: i64,
    /// `ReceiveBuffer=` (0: unset).
    pub receive_buffer: u64,
    /// `SendBuffer=`.
    pub send_buffer: u64,
    /// `IPTOS=` (-1: unset).
    pub ip_tos: i64,
    /// `IPTTL=` (-1: unset).
    pub ip_ttl: i64,
    /// `Mark=` (-1: unset).
    pub mark: i64,
    /// `ReusePort=`.
    pub reuse_port: bool,
    /// `FreeBind=`.
    pub free_bind: bool,
    /// `Transparent=`.
    pub transparent: bool,
    /// `Broadcast=`.
    pub broadcast: bool,
    /// `PassCredentials=`.
    pub pass_credentials: bool,
    /// `PassSecurity=`.
    pub pass_security: bool,
    /// `PassPacketInfo=`.
    pub pass_packet_info: bool,
    /// `Timestamping=` (`off`).
    pub timestamping: String,
    /// `TCPCongestion=`.
    pub tcp_congestion: Option<String>,
    /// `SocketProtocol=` (protocol number).
    pub socket_protocol: Option<i64>,
    /// `PipeSize=`.
    pub pipe_size: u64,
    /// `MessageQueueMaxMessages=`.
    pub mq_max_messages: i64,
    /// `MessageQueueMessageSize=`.
    pub mq_message_size: i64,
    /// `RemoveOnStop=`.
    pub remove_on_stop: bool,
    /// `Symlinks=`.
    pub symlinks: Vec<String>,
    /// `FileDescriptorName=` (default: the unit name, or `connection` with `Accept=yes`).
    pub fd_name: Option<String>,
    /// `TriggerLimitIntervalSec=` (default 2 s).
    pub trigger_limit_interval_usec: Option<u64>,
    /// `TriggerLimitBurst=` (default 20, or 200 with `Accept=yes`).
    pub trigger_limit_burst: Option<u64>,
    /// `TimeoutSec=` (90 s).
    pub timeout_usec: u64,
    /// `Service=`.
    pub service: Option<String>,
    /// `SELinuxContextFromNet=`.
    pub selinux_context_from_net: bool,
    /// `ExecStartPre=`, `ExecStartPost=`, `ExecStopPre=`, `ExecStopPost=`.
    pub exec_start_pre: Vec<ExecCommand>,
    /// `ExecStartPost=`.
    pub exec_start_post: Vec<ExecCommand>,
    /// `ExecStopPre=`.
    pub exec_stop_pre: Vec<ExecCommand>,
    /// `ExecStopPost=`.
    pub exec_stop_post: Vec<ExecCommand>,
    /// Execution context for the control commands.
    pub exec: ExecContext,
    /// Kill settings for the control commands.
    pub kill: KillContext,
}

impl Default for SocketConfig {
    fn default() -> Self {
        SocketConfig {
            listens: Vec::new(),
            bind_ipv6_only: "default".to_owned(),
            backlog: DEFAULT_BACKLOG,
            bind_to_device: None,
            socket_user: None,
            socket_group: None,
            socket_mode: 0o666,
            directory_mode: 0o755,
            accept: false,
            writable: false,
            flush_pending: false,
            max_connections: 64,
            max_connections_per_source: 0,
            keep_alive: false,
            keep_alive_time_usec: 0,
            keep_alive_interval_usec: 0,
            keep_alive_probes: 0,
            defer_accept_usec: 0,
            no_delay: false,
            priority: -1,
            receive_buffer: 0,
            send_buffer: 0,
            ip_tos: -1,
            ip_ttl: -1,
            mark: -1,
            reuse_port: false,
            free_bind: false,
            transparent: false,
            broadcast: false,
            pass_credentials: false,
            pass_security: false,
            pass_packet_info: false,
            timestamping: "off".to_owned(),
            tcp_congestion: None,
            socket_protocol: None,
            pipe_size: 0,
            mq_max_messages: 0,
            mq_message_size: 0,
            remove_on_stop: false,
            symlinks: Vec::new(),
            fd_name: None,
            trigger_limit_interval_usec: None,
            trigger_limit_burst: None,
            timeout_usec: DEFAULT_TIMEOUT_USEC,
            service: None,
            selinux_context_from_net: false,
            exec_start_pre: Vec::new(),
            exec_start_post: Vec::new(),
            exec_stop_pre: Vec::new(),
            exec_stop_post: Vec::new(),
            exec: ExecContext::default(),
            kill: KillContext::default(),
        }
    }
}

impl SocketConfig {
    /// The trigger limit in effect: (interval µs, burst), with systemd's defaults.
    pub fn trigger_limit(&self) -> (u64, u64) {
        let burst = if self.accept { 200 } else { 20 };
        (
            self.trigger_limit_interval_usec.unwrap_or(2_000_000),
            self.trigger_limit_burst.unwrap_or(burst),
        )
    }

    /// Applies one parsed `[Socket]` value.
    pub fn set(&mut self, key: &str, v: Parsed) {
        use Parsed::*;
        match (key, v) {
            (k, Reset) if k.starts_with("Listen") => self.listens.clear(),
            (k, Listen(l)) if k.starts_with("Listen") => self.listens.push(*l),
            ("BindIPv6Only", Str(s)) => self.bind_ipv6_only = s,
            ("Backlog", Unsigned(n)) => self.backlog = n,
            ("BindToDevice", Str(s)) => self.bind_to_device = Some(s),
            ("BindToDevice", Reset) => self.bind_to_device = None,
            ("SocketUser", Str(s)) => self.socket_user = Some(s),
            ("SocketUser", Reset) => self.socket_user = None,
            ("SocketGroup", Str(s)) => self.socket_group = Some(s),
            ("SocketGroup", Reset) => self.socket_group = None,
            ("SocketMode", Unsigned(n)) => self.socket_mode = n as u32,
            ("DirectoryMode", Unsigned(n)) => self.directory_mode = n as u32,
            ("Accept", Bool(b)) => self.accept = b,
            ("Writable", Bool(b)) => self.writable = b,
            ("FlushPending", Bool(b)) => self.flush_pending = b,
            ("MaxConnections", Unsigned(n)) => self.max_connections = n,
            ("MaxConnectionsPerSource", Unsigned(n)) => self.max_connections_per_source = n,
            ("KeepAlive", Bool(b)) => self.keep_alive = b,
            ("KeepAliveTimeSec", Usec(u)) => self.keep_alive_time_usec = u,
            ("KeepAliveIntervalSec", Usec(u)) => self.keep_alive_interval_usec = u,
            ("KeepAliveProbes", Unsigned(n)) => self.keep_alive_probes = n,
            ("DeferAcceptSec", Usec(u)) => self.defer_accept_usec = u,
            ("NoDelay", Bool(b)) => self.no_delay = b,
            ("Priority", Int(n)) => self.priority = n,
            ("ReceiveBuffer", Unsigned(n)) => self.receive_buffer = n,
            ("SendBuffer", Unsigned(n)) => self.send_buffer = n,
            ("IPTOS", Int(n)) => self.ip_tos = n,
            ("IPTTL", Int(n)) => self.ip_ttl = n,
            ("Mark", Int(n)) => self.mark = n,
            ("ReusePort", Bool(b)) => self.reuse_port = b,
            ("FreeBind", Bool(b)) => self.free_bind = b,
            ("Transparent", Bool(b)) => self.transparent = b,
            ("Broadcast", Bool(b)) => self.broadcast = b,
            ("PassCredentials", Bool(b)) => self.pass_credentials = b,
            ("PassSecurity", Bool(b)) => self.pass_security = b,
            ("PassPacketInfo", Bool(b)) => self.pass_packet_info = b,
            ("Timestamping", Str(s)) => self.timestamping = s,
            ("TCPCongestion", Str(s)) => self.tcp_congestion = (!s.is_empty()).then_some(s),
            ("SocketProtocol", Int(n)) => self.socket_protocol = Some(n),
            ("PipeSize", Unsigned(n)) => self.pipe_size = n,
            ("MessageQueueMaxMessages", Int(n)) => self.mq_max_messages = n,
            ("MessageQueueMessageSize", Int(n)) => self.mq_message_size = n,
            ("RemoveOnStop", Bool(b)) => self.remove_on_stop = b,
            ("Symlinks", Reset) => self.symlinks.clear(),
            ("Symlinks", List(l)) => self.symlinks.extend(l),
            ("FileDescriptorName", Str(s)) => self.fd_name = Some(s),
            ("FileDescriptorName", Reset) => self.fd_name = None,
            ("TriggerLimitIntervalSec", Usec(u)) => self.trigger_limit_interval_usec = Some(u),
            ("TriggerLimitBurst", Unsigned(n)) => self.trigger_limit_burst = Some(n),
            ("TimeoutSec", Usec(u)) => self.timeout_usec = u,
            ("Service", Str(s)) => self.service = Some(s),
            ("SELinuxContextFromNet", Bool(b)) => self.selinux_context_from_net = b,
            ("ExecStartPre", Exec(e)) => apply_exec(&mut self.exec_start_pre, e),
            ("ExecStartPost", Exec(e)) => apply_exec(&mut self.exec_start_post, e),
            ("ExecStopPre", Exec(e)) => apply_exec(&mut self.exec_stop_pre, e),
            ("ExecStopPost", Exec(e)) => apply_exec(&mut self.exec_stop_post, e),
            (k, v) => {
                if !self.exec.set(k, v.clone()) {
                    self.kill.set(k, v);
                }
            }
        }
    }
}

/// The `Exec*=` keys of a service in systemd's `service_exec_command` order (the order of
/// dumps, properties and the executable check).
pub const SERVICE_COMMANDS: [&str; 7] = [
    "ExecCondition",
    "ExecStartPre",
    "ExecStart",
    "ExecStartPost",
    "ExecReload",
    "ExecStop",
    "ExecStopPost",
];

/// The exec-context directory settings in systemd's `exec_directory_type` order.
pub const EXEC_DIRECTORIES: [&str; 5] = [
    "RuntimeDirectory",
    "StateDirectory",
    "CacheDirectory",
    "LogsDirectory",
    "ConfigurationDirectory",
];

/// A `.service` unit's `[Service]` settings a socket-activated service needs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ServiceConfig {
    /// `Type=` (`simple`).
    pub service_type: String,
    /// `Exec*=` lists by key (`ExecCondition`, `ExecStartPre`, `ExecStart`, …).
    pub commands: Vec<(String, Vec<ExecCommand>)>,
    /// `Restart=` (`no`).
    pub restart: String,
    /// `RestartSec=` (100 ms).
    pub restart_usec: u64,
    /// `TimeoutStartSec=` (90 s; `TimeoutSec=` sets both).
    pub timeout_start_usec: u64,
    /// `TimeoutStopSec=` (90 s).
    pub timeout_stop_usec: u64,
    /// `RuntimeMaxSec=` (infinity).
    pub runtime_max_usec: u64,
    /// `RemainAfterExit=`.
    pub remain_after_exit: bool,
    /// `PIDFile=`.
    pub pid_file: Option<String>,
    /// `NotifyAccess=` (unset: `main` for notify services, else `none`).
    pub notify_access: Option<String>,
    /// `Sockets=`.
    pub sockets: Vec<String>,
    /// `NonBlocking=`.
    pub non_blocking: bool,
    /// `GuessMainPID=` (yes).
    pub guess_main_pid: bool,
    /// `SuccessExitStatus=` (raw lists, in order).
    pub success_exit_status: Vec<String>,
    /// `RestartPreventExitStatus=`.
    pub restart_prevent_exit_status: Vec<String>,
    /// `RestartForceExitStatus=`.
    pub restart_force_exit_status: Vec<String>,
    /// `TimeoutStartFailureMode=` (`terminate`).
    pub timeout_start_failure_mode: String,
    /// `TimeoutStopFailureMode=` (`terminate`).
    pub timeout_stop_failure_mode: String,
    /// `ExitType=` (`main`).
    pub exit_type: String,
    /// `BusName=`.
    pub bus_name: Option<String>,
    /// `WatchdogSec=` (0: off). Used by the runtime; not part of the JSON dump yet.
    #[serde(skip)]
    pub watchdog_usec: u64,
    /// Execution context.
    pub exec: ExecContext,
    /// Kill settings.
    pub kill: KillContext,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            service_type: "simple".to_owned(),
            commands: Vec::new(),
            restart: "no".to_owned(),
            restart_usec: 100_000,
            timeout_start_usec: DEFAULT_TIMEOUT_USEC,
            timeout_stop_usec: DEFAULT_TIMEOUT_USEC,
            runtime_max_usec: USEC_INFINITY,
            remain_after_exit: false,
            pid_file: None,
            notify_access: None,
            sockets: Vec::new(),
            non_blocking: false,
            guess_main_pid: true,
            success_exit_status: Vec::new(),
            restart_prevent_exit_status: Vec::new(),
            restart_force_exit_status: Vec::new(),
            timeout_start_failure_mode: "terminate".to_owned(),
            timeout_stop_failure_mode: "terminate".to_owned(),
            exit_type: "main".to_owned(),
            bus_name: None,
            watchdog_usec: 0,
            exec: ExecContext::default(),
            kill: KillContext::default(),
        }
    }
}

impl ServiceConfig {
    /// The commands of one `Exec*=` key.
    pub fn commands(&self, key: &str) -> &[ExecCommand] {
        self.commands
            .iter()
            .find(|(k, _)| k == key)
            .map_or(&[], |(_, c)| c.as_slice())
    }

    /// Applies one parsed `[Service]` value.
    pub fn set(&mut self, key: &str, v: Parsed) {
        use Parsed::*;
        match (key, v) {
            ("Type", Str(s)) => self.service_type = s,
            (k, Exec(e)) => {
                let list = match self.commands.iter().position(|(n, _)| n == k) {
                    Some(i) => &mut self.commands[i].1,
                    None => {
                        self.commands.push((k.to_owned(), Vec::new()));
                        &mut self.commands.last_mut().expect("just pushed").1
                    }
                };
                apply_exec(list, e);
            }
            ("Restart", Str(s)) => self.restart = s,
            ("RestartSec", Usec(u)) => self.restart_usec = u,
            ("TimeoutSec", Usec(u)) => {
                self.timeout_start_usec = u;
                self.timeout_stop_usec = u;
            }
            ("TimeoutStartSec", Usec(u)) => self.timeout_start_usec = u,
            ("TimeoutStopSec", Usec(u)) => self.timeout_stop_usec = u,
            ("RuntimeMaxSec", Usec(u)) => self.runtime_max_usec = u,
            ("RemainAfterExit", Bool(b)) => self.remain_after_exit = b,
            ("PIDFile", Str(s)) => self.pid_file = Some(s),
            ("PIDFile", Reset) => self.pid_file = None,
            ("NotifyAccess", Str(s)) => self.notify_access = Some(s),
            ("Sockets", List(l)) => self.sockets.extend(l),
            ("NonBlocking", Bool(b)) => self.non_blocking = b,
            ("GuessMainPID", Bool(b)) => self.guess_main_pid = b,
            ("SuccessExitStatus", Str(s)) => push_or_reset(&mut self.success_exit_status, s),
            ("RestartPreventExitStatus", Str(s)) => {
                push_or_reset(&mut self.restart_prevent_exit_status, s)
            }
            ("RestartForceExitStatus", Str(s)) => {
                push_or_reset(&mut self.restart_force_exit_status, s)
            }
            ("TimeoutStartFailureMode", Str(s)) => self.timeout_start_failure_mode = s,
            ("TimeoutStopFailureMode", Str(s)) => self.timeout_stop_failure_mode = s,
            ("ExitType", Str(s)) => self.exit_type = s,
            ("BusName", Str(s)) => self.bus_name = Some(s),
            ("WatchdogSec", Usec(u)) => self.watchdog_usec = u,
            (k, v) => {
                if !self.exec.set(k, v.clone()) {
                    self.kill.set(k, v);
                }
            }
        }
    }
}

impl ExecContext {
    /// Applies one parsed exec-context value; false if `key` is not an exec-context key.
    pub fn set(&mut self, key: &str, v: Parsed) -> bool {
        use Parsed::*;
        match (key, v) {
            ("User", Str(s)) => self.user = Some(s),
            ("User", Reset) => self.user = None,
            ("Group", Str(s)) => self.group = Some(s),
            ("Group", Reset) => self.group = None,
            ("SupplementaryGroups", List(l)) => self.supplementary_groups.extend(l),
            ("SupplementaryGroups", Reset) => self.supplementary_groups.clear(),
            ("WorkingDirectory", Str(s)) => self.working_directory = Some(s),
            ("WorkingDirectory", Reset) => self.working_directory = None,
            ("RootDirectory", Str(s)) => self.root_directory = Some(s),
            ("RootDirectory", Reset) => self.root_directory = None,
            ("UMask", Unsigned(n)) => self.umask = n as u32,
            ("Nice", Int(n)) => self.nice = Some(n),
            ("Nice", Reset) => self.nice = None,
            ("Environment", List(l)) => self.environment.extend(l),
            ("Environment", Reset) => self.environment.clear(),
            ("EnvironmentFile", Str(s)) => self.environment_files.push(s),
            ("EnvironmentFile", Reset) => self.environment_files.clear(),
            ("PassEnvironment", Str(s)) => self
                .pass_environment
                .extend(s.split_whitespace().map(str::to_owned)),
            ("UnsetEnvironment", Str(s)) => self
                .unset_environment
                .extend(s.split_whitespace().map(str::to_owned)),
            ("StandardInput", Str(s)) => self.standard_input = s,
            ("StandardOutput", Str(s)) => self.standard_output = s,
            ("StandardError", Str(s)) => self.standard_error = s,
            ("SyslogIdentifier", Str(s)) => self.syslog_identifier = (!s.is_empty()).then_some(s),
            ("IgnoreSIGPIPE", Bool(b)) => self.ignore_sigpipe = b,
            ("NoNewPrivileges", Bool(b)) => self.no_new_privileges = b,
            ("PAMName", Str(s)) => self.pam_name = (!s.is_empty()).then_some(s),
            (k, Pair(soft, hard)) if k.starts_with("Limit") => {
                self.limits.retain(|(n, _, _)| n != k);
                self.limits.push((k.to_owned(), soft, hard));
            }
            _ => return false,
        }
        true
    }
}

impl KillContext {
    /// Applies one parsed kill-context value; false if `key` is not a kill-context key.
    pub fn set(&mut self, key: &str, v: Parsed) -> bool {
        use Parsed::*;
        match (key, v) {
            ("KillMode", Str(s)) => self.kill_mode = s,
            ("KillSignal", Int(n)) => self.kill_signal = n as i32,
            ("RestartKillSignal", Int(n)) => self.restart_kill_signal = n as i32,
            ("FinalKillSignal", Int(n)) => self.final_kill_signal = n as i32,
            ("WatchdogSignal", Int(n)) => self.watchdog_signal = n as i32,
            ("SendSIGKILL", Bool(b)) => self.send_sigkill = b,
            ("SendSIGHUP", Bool(b)) => self.send_sighup = b,
            _ => return false,
        }
        true
    }
}

fn apply_exec(list: &mut Vec<ExecCommand>, e: super::exec::ExecParse) {
    if e.reset {
        list.clear();
    }
    list.extend(e.commands);
}

fn push_or_reset(list: &mut Vec<String>, s: String) {
    if s.is_empty() {
        list.clear();
    } else {
        list.push(s);
    }
}
