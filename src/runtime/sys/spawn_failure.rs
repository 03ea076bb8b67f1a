//! What a failed spawn reports: the child-side step ([`ChildStep`], with systemd's `EXIT_*`
//! code), the errno, and systemd's log wording for both lines ([`ChildError`]). Re-exported by
//! [`super::spawn`]; pure, no system calls.

use std::fmt;

use nix::errno::Errno;
use nix::sys::resource::Resource;

use super::process::exit_status_name;
use super::spawn::SpawnSpec;

/// The child-side step that failed; each maps to one of systemd's `EXIT_*` codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum ChildStep {
    /// Resetting the signal mask (`EXIT_SIGNAL_MASK`, 207).
    SignalMask = 1,
    /// `setpgid()` (`EXIT_SETSID`, 220).
    ProcessGroup,
    /// Moving, flagging or closing fds (`EXIT_FDS`, 202).
    Fds,
    /// Standard input (`EXIT_STDIN`, 208).
    Stdin,
    /// Standard output (`EXIT_STDOUT`, 209).
    Stdout,
    /// Standard error (`EXIT_STDERR`, 222).
    Stderr,
    /// `setpriority()` (`EXIT_NICE`, 201).
    Nice,
    /// `setrlimit()` (`EXIT_LIMITS`, 205).
    Limits,
    /// `setgroups()`/`setresgid()` (`EXIT_GROUP`, 216).
    Group,
    /// `setresuid()` (`EXIT_USER`, 217).
    User,
    /// `chroot()` for `RootDirectory=` (`EXIT_CHROOT`, 210).
    Chroot,
    /// `chdir()` (`EXIT_CHDIR`, 200).
    Chdir,
    /// `PR_SET_NO_NEW_PRIVS` for `NoNewPrivileges=` (`EXIT_NO_NEW_PRIVILEGES`, 227).
    NoNewPrivileges,
    /// Finding the executable: missing, not a regular file, not executable (`EXIT_EXEC`, 203).
    LocateExecutable,
    /// `execve()` itself (`EXIT_EXEC`, 203).
    Exec,
}

impl ChildStep {
    /// Every step, in child order.
    pub const ALL: [ChildStep; 15] = [
        ChildStep::SignalMask,
        ChildStep::ProcessGroup,
        ChildStep::Fds,
        ChildStep::Stdin,
        ChildStep::Stdout,
        ChildStep::Stderr,
        ChildStep::Nice,
        ChildStep::Limits,
        ChildStep::Group,
        ChildStep::User,
        ChildStep::Chroot,
        ChildStep::Chdir,
        ChildStep::NoNewPrivileges,
        ChildStep::LocateExecutable,
        ChildStep::Exec,
    ];

    /// systemd's exit code for a failure at this step (`src/shared/exit-status.h`).
    pub fn exit_code(self) -> i32 {
        match self {
            ChildStep::Chdir => 200,
            ChildStep::Nice => 201,
            ChildStep::Fds => 202,
            ChildStep::LocateExecutable | ChildStep::Exec => 203,
            ChildStep::Limits => 205,
            ChildStep::SignalMask => 207,
            ChildStep::Stdin => 208,
            ChildStep::Stdout => 209,
            ChildStep::Chroot => 210,
            ChildStep::NoNewPrivileges => 227,
            ChildStep::Group => 216,
            ChildStep::User => 217,
            ChildStep::ProcessGroup => 220,
            ChildStep::Stderr => 222,
        }
    }

    /// The step's name in `Failed at step NAME spawning …` (the exit status name: `EXEC`, …).
    pub fn name(self) -> &'static str {
        exit_status_name(self.exit_code()).unwrap_or("FAILURE")
    }

    /// Decodes the number the child wrote into the pipe.
    pub(super) fn from_raw(raw: i32) -> Option<ChildStep> {
        ChildStep::ALL.into_iter().find(|s| *s as i32 == raw)
    }
}

/// A failure reported by the child before `execve()` succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildError {
    /// The step that failed.
    pub step: ChildStep,
    /// Its errno.
    pub errno: Errno,
    /// Step-specific detail: for [`ChildStep::Limits`], the index into [`SpawnSpec::rlimits`].
    pub detail: i32,
}

impl ChildError {
    /// systemd's first log line, from `exec_child()`, e.g.
    /// `Failed to execute /bin/x: Exec format error`, or for a missing executable
    /// `Failed to locate executable /bin/nonexistent: No such file or directory`.
    pub fn detail_message(&self, spec: &SpawnSpec) -> String {
        let path = spec.path.display();
        let what = match self.step {
            ChildStep::SignalMask => "Failed to set process signal mask".to_string(),
            ChildStep::ProcessGroup => "Failed to create new process group".to_string(),
            ChildStep::Fds => "Failed to adjust passed file descriptors".to_string(),
            ChildStep::Stdin => "Failed to set up standard input".to_string(),
            ChildStep::Stdout => "Failed to set up standard output".to_string(),
            ChildStep::Stderr => "Failed to set up standard error output".to_string(),
            ChildStep::Nice => {
                "Failed to set up process scheduling priority (nice level)".to_string()
            }
            ChildStep::Limits => format!(
                "Failed to adjust resource limit {}",
                self.rlimit_name(spec).unwrap_or("RLIMIT_?")
            ),
            ChildStep::Group => "Changing group credentials failed".to_string(),
            ChildStep::User => format!("Failed to change UID to {}", spec.uid.unwrap_or(0)),
            ChildStep::Chroot => "Failed to change root directory".to_string(),
            ChildStep::Chdir => "Changing to the requested working directory failed".to_string(),
            ChildStep::NoNewPrivileges => "Failed to disable new privileges".to_string(),
            ChildStep::LocateExecutable => format!("Failed to locate executable {path}"),
            ChildStep::Exec => format!("Failed to execute {path}"),
        };
        format!("{what}: {}", self.errno.desc())
    }

    /// systemd's second log line, from `exec_spawn()`:
    /// `Failed at step EXEC spawning /bin/nonexistent: No such file or directory`.
    pub fn step_message(&self, spec: &SpawnSpec) -> String {
        format!(
            "Failed at step {} spawning {}: {}",
            self.step.name(),
            spec.path.display(),
            self.errno.desc()
        )
    }

    fn rlimit_name(&self, spec: &SpawnSpec) -> Option<&'static str> {
        let index = usize::try_from(self.detail).ok()?;
        let (resource, _, _) = spec.rlimits.get(index)?;
        Some(rlimit_name(*resource))
    }
}

impl fmt::Display for ChildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "failed at step {}: {}",
            self.step.name(),
            self.errno.desc()
        )
    }
}

/// `RLIMIT_NOFILE`-style name of a resource, as systemd logs it.
pub fn rlimit_name(resource: Resource) -> &'static str {
    match resource {
        Resource::RLIMIT_AS => "RLIMIT_AS",
        Resource::RLIMIT_CORE => "RLIMIT_CORE",
        Resource::RLIMIT_CPU => "RLIMIT_CPU",
        Resource::RLIMIT_DATA => "RLIMIT_DATA",
        Resource::RLIMIT_FSIZE => "RLIMIT_FSIZE",
        Resource::RLIMIT_LOCKS => "RLIMIT_LOCKS",
        Resource::RLIMIT_MEMLOCK => "RLIMIT_MEMLOCK",
        Resource::RLIMIT_MSGQUEUE => "RLIMIT_MSGQUEUE",
        Resource::RLIMIT_NICE => "RLIMIT_NICE",
        Resource::RLIMIT_NOFILE => "RLIMIT_NOFILE",
        Resource::RLIMIT_NPROC => "RLIMIT_NPROC",
        Resource::RLIMIT_RSS => "RLIMIT_RSS",
        Resource::RLIMIT_RTPRIO => "RLIMIT_RTPRIO",
        Resource::RLIMIT_RTTIME => "RLIMIT_RTTIME",
        Resource::RLIMIT_SIGPENDING => "RLIMIT_SIGPENDING",
        Resource::RLIMIT_STACK => "RLIMIT_STACK",
        _ => "RLIMIT_?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_has_a_named_exit_code() {
        for step in ChildStep::ALL {
            assert!(exit_status_name(step.exit_code()).is_some(), "{step:?}");
            assert_eq!(ChildStep::from_raw(step as i32), Some(step));
        }
        assert_eq!(ChildStep::from_raw(0), None);
        assert_eq!(ChildStep::Exec.name(), "EXEC");
        assert_eq!(ChildStep::Chdir.name(), "CHDIR");
        assert_eq!(ChildStep::Chroot.name(), "CHROOT");
        assert_eq!(ChildStep::NoNewPrivileges.name(), "NO_NEW_PRIVILEGES");
    }

    #[test]
    fn messages_use_systemds_wording() {
        let spec = SpawnSpec::new("/bin/nonexistent", vec!["x".into()]);
        let exec = ChildError {
            step: ChildStep::Exec,
            errno: Errno::ENOENT,
            detail: 0,
        };
        assert_eq!(
            exec.detail_message(&spec),
            "Failed to execute /bin/nonexistent: No such file or directory"
        );
        assert_eq!(
            exec.step_message(&spec),
            "Failed at step EXEC spawning /bin/nonexistent: No such file or directory"
        );
        let locate = ChildError {
            step: ChildStep::LocateExecutable,
            ..exec
        };
        assert_eq!(
            locate.detail_message(&spec),
            "Failed to locate executable /bin/nonexistent: No such file or directory"
        );
        assert_eq!(locate.step_message(&spec), exec.step_message(&spec));
    }

    #[test]
    fn limits_message_names_the_resource() {
        let mut spec = SpawnSpec::new("/bin/true", vec![]);
        spec.rlimits = vec![
            (Resource::RLIMIT_CORE, 0, 0),
            (Resource::RLIMIT_NOFILE, 1, 1),
        ];
        let err = ChildError {
            step: ChildStep::Limits,
            errno: Errno::EPERM,
            detail: 1,
        };
        assert_eq!(
            err.detail_message(&spec),
            "Failed to adjust resource limit RLIMIT_NOFILE: Operation not permitted"
        );
        let bad = ChildError { detail: 7, ..err };
        assert!(bad.detail_message(&spec).contains("RLIMIT_?"));
    }
}
