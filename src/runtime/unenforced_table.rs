//! The curated classification behind [`super::classify`]: every `[Service]`/`[Socket]` key
//! systemd 252 accepts, by family, with what `sockunit run` does with it.

/// What the runtime does with a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Applied as systemd applies it.
    Enforced,
    /// Applied with the difference described.
    Partial(&'static str),
    /// Accepted and ignored.
    Ignored,
    /// systemd 252 itself ignores it (with a warning).
    Obsolete,
}

/// A group of related settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    /// Service type, restart, timeouts, exit statuses.
    Service,
    /// Listening sockets and their options.
    Socket,
    /// `Exec*=` command lines.
    Commands,
    /// The process environment, identity and limits.
    Execution,
    /// How processes are stopped.
    Kill,
    /// Mount, user, network and IPC namespaces; file-system views.
    Sandboxing,
    /// `RuntimeDirectory=` and its siblings.
    Directories,
    /// Capabilities and privilege limits.
    Privileges,
    /// seccomp and related restrictions.
    SystemCalls,
    /// SELinux, AppArmor, SMACK.
    SecurityLabels,
    /// cgroup resource control, accounting and BPF.
    ControlGroups,
    /// Scheduling, affinity, OOM score and similar per-process attributes.
    ProcessAttributes,
    /// `LoadCredential=`, `SetCredential=`.
    Credentials,
    /// journald fields and rate limits.
    Logging,
    /// PAM, TTYs, utmp.
    Session,
    /// Other service manager features the runtime lacks.
    Manager,
    /// Removed settings.
    Obsolete,
}

impl Family {
    /// Label used in messages and the doc table.
    pub fn label(self) -> &'static str {
        match self {
            Family::Service => "service",
            Family::Socket => "socket",
            Family::Commands => "commands",
            Family::Execution => "execution",
            Family::Kill => "kill",
            Family::Sandboxing => "namespaces and sandboxing",
            Family::Directories => "runtime/state/cache/logs/configuration directories",
            Family::Privileges => "capabilities and privileges",
            Family::SystemCalls => "system call filtering",
            Family::SecurityLabels => "security labels",
            Family::ControlGroups => "control groups",
            Family::ProcessAttributes => "process attributes",
            Family::Credentials => "credentials",
            Family::Logging => "logging",
            Family::Session => "login session and terminal",
            Family::Manager => "other manager features",
            Family::Obsolete => "removed in systemd",
        }
    }
}

const ROOT_ONLY: &str =
    "applied only when running as root; unprivileged, only the runtime's own identity is accepted";

/// The family and support of a `[Service]`/`[Socket]` key; `None` for anything else.
pub fn classify(section: &str, key: &str) -> Option<(Family, Support)> {
    use Family::*;
    use Support::*;
    if !matches!(section, "Service" | "Socket") {
        return None;
    }
    let (parser, _) = crate::config::lookup(section, key)?;
    if parser == "config_parse_warn_compat" {
        return Some((Family::Obsolete, Support::Obsolete));
    }
    let limit = key.starts_with("Limit") && crate::config::value::rlimit_kind(key).is_some();
    Some(match key {
        "Type" => (
            Service,
            Partial("`dbus` never sees its bus name (no D-Bus)"),
        ),
        "NotifyAccess" => (
            Service,
            Partial("`all` means the processes in the unit's process groups"),
        ),
        "Restart"
        | "RestartSec"
        | "RemainAfterExit"
        | "PIDFile"
        | "GuessMainPID"
        | "TimeoutStartSec"
        | "TimeoutStopSec"
        | "TimeoutSec"
        | "RuntimeMaxSec"
        | "TimeoutStartFailureMode"
        | "TimeoutStopFailureMode"
        | "SuccessExitStatus"
        | "RestartPreventExitStatus"
        | "RestartForceExitStatus"
        | "ExitType"
        | "Sockets"
        | "StartLimitBurst"
        | "StartLimitInterval" => (Service, Enforced),
        "ListenUSBFunction" => (
            Socket,
            Partial(
                "fails with `EINVAL`: `USBFunctionDescriptors=`/`USBFunctionStrings=` are not supported",
            ),
        ),
        _ if key.starts_with("Listen") => (Socket, Enforced),
        "Accept"
        | "Backlog"
        | "BindIPv6Only"
        | "BindToDevice"
        | "SocketUser"
        | "SocketGroup"
        | "SocketMode"
        | "DirectoryMode"
        | "Writable"
        | "KeepAlive"
        | "KeepAliveTimeSec"
        | "KeepAliveIntervalSec"
        | "KeepAliveProbes"
        | "NoDelay"
        | "Priority"
        | "ReceiveBuffer"
        | "SendBuffer"
        | "IPTOS"
        | "IPTTL"
        | "Mark"
        | "ReusePort"
        | "FreeBind"
        | "Transparent"
        | "Broadcast"
        | "PassCredentials"
        | "PassSecurity"
        | "PassPacketInfo"
        | "Timestamping"
        | "TCPCongestion"
        | "DeferAcceptSec"
        | "PipeSize"
        | "MessageQueueMaxMessages"
        | "MessageQueueMessageSize"
        | "RemoveOnStop"
        | "Symlinks"
        | "FileDescriptorName"
        | "TriggerLimitIntervalSec"
        | "TriggerLimitBurst"
        | "MaxConnections"
        | "MaxConnectionsPerSource"
        | "FlushPending"
        | "Service"
        | "SocketProtocol" => (Socket, Enforced),
        _ if key.starts_with("Exec") && parser == "config_parse_exec" => (Commands, Enforced),
        "WorkingDirectory" | "UMask" | "Nice" | "Environment" | "PassEnvironment"
        | "UnsetEnvironment" | "IgnoreSIGPIPE" | "EnvironmentFile" | "NonBlocking" => {
            (Execution, Enforced)
        }
        _ if limit => (Execution, Enforced),
        "User" | "Group" | "SupplementaryGroups" => (Execution, Partial(ROOT_ONLY)),
        "StandardInput" | "StandardOutput" | "StandardError" => (
            Execution,
            Partial(
                "`journal`, `kmsg`, `syslog` are re-emitted on the runtime's stderr as `IDENT[PID]: line`; `tty*` use the runtime's own streams; `data` reads as `null`",
            ),
        ),
        "SyslogIdentifier" => (
            Logging,
            Partial("only as the prefix of re-emitted `journal`/`syslog`/`kmsg` output"),
        ),
        "KillMode" => (
            Kill,
            Partial(
                "process groups stand in for the control group: a process that left its group is not signalled",
            ),
        ),
        "KillSignal" | "RestartKillSignal" | "FinalKillSignal" | "WatchdogSignal"
        | "SendSIGKILL" | "SendSIGHUP" => (Kill, Enforced),
        "ProtectSystem"
        | "ProtectHome"
        | "ProtectProc"
        | "ProtectClock"
        | "ProtectHostname"
        | "ProtectKernelLogs"
        | "ProtectKernelModules"
        | "ProtectKernelTunables"
        | "ProtectControlGroups"
        | "PrivateTmp"
        | "PrivateDevices"
        | "PrivateNetwork"
        | "PrivateUsers"
        | "PrivateMounts"
        | "PrivateIPC"
        | "ReadWritePaths"
        | "ReadOnlyPaths"
        | "InaccessiblePaths"
        | "ExecPaths"
        | "NoExecPaths"
        | "ReadWriteDirectories"
        | "ReadOnlyDirectories"
        | "InaccessibleDirectories"
        | "BindPaths"
        | "BindReadOnlyPaths"
        | "TemporaryFileSystem"
        | "MountFlags"
        | "MountAPIVFS"
        | "MountImages"
        | "ExtensionImages"
        | "ExtensionDirectories"
        | "RootDirectoryStartOnly"
        | "RootImage"
        | "RootImageOptions"
        | "RootHash"
        | "RootHashSignature"
        | "RootVerity"
        | "ProcSubset"
        | "NetworkNamespacePath"
        | "IPCNamespacePath"
        | "RemoveIPC"
        | "DynamicUser" => (Sandboxing, Ignored),
        "RuntimeDirectory"
        | "StateDirectory"
        | "CacheDirectory"
        | "LogsDirectory"
        | "ConfigurationDirectory"
        | "RuntimeDirectoryMode"
        | "StateDirectoryMode"
        | "CacheDirectoryMode"
        | "LogsDirectoryMode"
        | "ConfigurationDirectoryMode"
        | "RuntimeDirectoryPreserve" => (Directories, Ignored),
        "RootDirectory" => (
            Sandboxing,
            Partial("chroot() only, when running as root; no mounts"),
        ),
        "NoNewPrivileges" => (Privileges, Enforced),
        "CapabilityBoundingSet"
        | "AmbientCapabilities"
        | "SecureBits"
        | "KeyringMode"
        | "PermissionsStartOnly" => (Privileges, Ignored),
        "SystemCallFilter"
        | "SystemCallArchitectures"
        | "SystemCallErrorNumber"
        | "SystemCallLog"
        | "LockPersonality"
        | "MemoryDenyWriteExecute"
        | "RestrictRealtime"
        | "RestrictSUIDSGID"
        | "RestrictNamespaces"
        | "RestrictAddressFamilies"
        | "RestrictFileSystems"
        | "RestrictNetworkInterfaces" => (SystemCalls, Ignored),
        "SELinuxContext"
        | "AppArmorProfile"
        | "SmackProcessLabel"
        | "SELinuxContextFromNet"
        | "SmackLabel"
        | "SmackLabelIPIn"
        | "SmackLabelIPOut" => (SecurityLabels, Ignored),
        "CPUSchedulingPolicy"
        | "CPUSchedulingPriority"
        | "CPUSchedulingResetOnFork"
        | "CPUAffinity"
        | "NUMAPolicy"
        | "NUMAMask"
        | "IOSchedulingClass"
        | "IOSchedulingPriority"
        | "OOMScoreAdjust"
        | "TimerSlackNSec"
        | "CoredumpFilter"
        | "Personality" => (ProcessAttributes, Ignored),
        _ if [
            "CPU",
            "Memory",
            "IO",
            "BlockIO",
            "Tasks",
            "Device",
            "IPAddress",
            "Startup",
        ]
        .iter()
        .any(|p| key.starts_with(p)) =>
        {
            (ControlGroups, Ignored)
        }
        "IPAccounting"
        | "IPIngressFilterPath"
        | "IPEgressFilterPath"
        | "BPFProgram"
        | "SocketBindAllow"
        | "SocketBindDeny"
        | "AllowedCPUs"
        | "AllowedMemoryNodes"
        | "DisableControllers"
        | "Delegate"
        | "Slice"
        | "ManagedOOMMemoryPressure"
        | "ManagedOOMMemoryPressureLimit"
        | "ManagedOOMPreference"
        | "ManagedOOMSwap"
        | "DefaultMemoryLow"
        | "DefaultMemoryMin"
        | "OOMPolicy" => (ControlGroups, Ignored),
        "LoadCredential"
        | "LoadCredentialEncrypted"
        | "SetCredential"
        | "SetCredentialEncrypted" => (Credentials, Ignored),
        "SyslogFacility"
        | "SyslogLevel"
        | "SyslogLevelPrefix"
        | "LogLevelMax"
        | "LogExtraFields"
        | "LogRateLimitIntervalSec"
        | "LogRateLimitBurst"
        | "LogNamespace" => (Logging, Ignored),
        "PAMName" | "TTYPath" | "TTYReset" | "TTYVHangup" | "TTYVTDisallocate" | "TTYRows"
        | "TTYColumns" | "UtmpIdentifier" | "UtmpMode" => (Session, Ignored),
        "WatchdogSec" => (Service, Enforced),
        "TimeoutAbortSec"
        | "TimeoutCleanSec"
        | "RuntimeRandomizedExtraSec"
        | "FileDescriptorStoreMax"
        | "BusName"
        | "FailureAction"
        | "StartLimitAction"
        | "RebootArgument"
        | "USBFunctionDescriptors"
        | "USBFunctionStrings"
        | "ExecSearchPath"
        | "StandardInputText"
        | "StandardInputData" => (Manager, Ignored),
        _ => return None,
    })
}

/// Keys whose support relies on modules the manager does not call yet (none: the
/// environment files, credentials, limits, notification socket and journal pipes are wired).
pub fn pending(key: &str) -> bool {
    let _ = key;
    false
}
