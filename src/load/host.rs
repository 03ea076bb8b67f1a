//! Facts about the machine that specifiers expand to, gathered once (this is the only I/O the
//! specifier machinery does; expansion itself is pure).

use std::collections::HashMap;

use super::paths::{Environment, Scope};

/// Everything the system, user and directory specifiers need.
#[derive(Debug, Clone, Default)]
pub struct HostInfo {
    /// `%H`
    pub hostname: String,
    /// `%q`
    pub pretty_hostname: String,
    /// `%m`
    pub machine_id: String,
    /// `%b`
    pub boot_id: String,
    /// `%v`
    pub kernel_release: String,
    /// `%a`
    pub architecture: String,
    /// `/etc/os-release` (or `/usr/lib/os-release`) fields.
    pub os_release: HashMap<String, String>,
    /// `%u`, `%U`, `%g`, `%G`, `%h`, `%s` of the manager's user.
    pub user: String,
    /// `%U`
    pub uid: u32,
    /// `%g`
    pub group: String,
    /// `%G`
    pub gid: u32,
    /// `%h`
    pub home: String,
    /// `%s`
    pub shell: String,
    /// `%t`
    pub runtime_dir: String,
    /// `%S`
    pub state_dir: String,
    /// `%C`
    pub cache_dir: String,
    /// `%E`
    pub config_dir: String,
    /// `%L`
    pub logs_dir: String,
    /// `%T`
    pub tmp_dir: String,
    /// `%V`
    pub var_tmp_dir: String,
    /// Whether the kernel has IPv6 (port-only `Listen*=` binds `[::]` then).
    pub ipv6: bool,
    /// Network interfaces: (name, index), for `[v6]:port%ifname`.
    pub interfaces: Vec<(String, u32)>,
}

fn read_trimmed(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

fn parse_env_file(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().to_owned(),
                v.trim().trim_matches(['"', '\'']).to_owned(),
            )
        })
        .collect()
}

impl HostInfo {
    /// Reads hostname, machine and boot ids, os-release and the manager's user.
    pub fn gather(scope: Scope, env: &Environment) -> HostInfo {
        let uts = nix::sys::utsname::uname().ok();
        let uts_str = |f: fn(&nix::sys::utsname::UtsName) -> &std::ffi::OsStr| {
            uts.as_ref()
                .map(|u| f(u).to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let hostname = uts_str(|u| u.nodename());
        let os_release = std::fs::read_to_string("/etc/os-release")
            .or_else(|_| std::fs::read_to_string("/usr/lib/os-release"))
            .map(|t| parse_env_file(&t))
            .unwrap_or_default();
        let pretty = std::fs::read_to_string("/etc/machine-info")
            .ok()
            .and_then(|t| parse_env_file(&t).remove("PRETTY_HOSTNAME"))
            .unwrap_or_else(|| hostname.clone());
        let (uid, gid) = match scope {
            Scope::System => (0, 0),
            Scope::User => (
                nix::unistd::getuid().as_raw(),
                nix::unistd::getgid().as_raw(),
            ),
        };
        let pw = nix::unistd::User::from_uid(uid.into()).ok().flatten();
        let gr = nix::unistd::Group::from_gid(gid.into()).ok().flatten();
        let tmp = env
            .tmpdir
            .clone()
            .filter(|t| t.starts_with('/'))
            .unwrap_or_else(|| "/tmp".into());
        let (runtime, state, cache, config, logs) = match scope {
            Scope::System => (
                "/run".to_owned(),
                "/var/lib".to_owned(),
                "/var/cache".to_owned(),
                "/etc".to_owned(),
                "/var/log".to_owned(),
            ),
            Scope::User => {
                let config = env.config_home();
                (
                    env.xdg_runtime_dir.clone().unwrap_or_default(),
                    config.clone(),
                    env.cache_home(),
                    config.clone(),
                    format!("{config}/log"),
                )
            }
        };
        HostInfo {
            pretty_hostname: pretty,
            machine_id: read_trimmed("/etc/machine-id"),
            boot_id: read_trimmed("/proc/sys/kernel/random/boot_id").replace('-', ""),
            kernel_release: uts_str(|u| u.release()),
            architecture: architecture_name(&uts_str(|u| u.machine())),
            os_release,
            user: pw
                .as_ref()
                .map_or_else(|| uid.to_string(), |p| p.name.clone()),
            uid,
            group: gr
                .as_ref()
                .map_or_else(|| gid.to_string(), |g| g.name.clone()),
            gid,
            home: pw
                .as_ref()
                .map_or_else(|| "/".into(), |p| p.dir.display().to_string()),
            shell: pw
                .as_ref()
                .map_or_else(|| "/bin/sh".into(), |p| p.shell.display().to_string()),
            runtime_dir: runtime,
            state_dir: state,
            cache_dir: cache,
            config_dir: config,
            logs_dir: logs,
            tmp_dir: tmp,
            var_tmp_dir: "/var/tmp".to_owned(),
            ipv6: std::path::Path::new("/proc/net/if_inet6").exists(),
            interfaces: interfaces(),

            hostname,
        }
    }

    /// `%l`: the hostname up to the first dot.
    pub fn short_hostname(&self) -> &str {
        self.hostname.split('.').next().unwrap_or_default()
    }
}

/// systemd's architecture names (`uname -m` → `%a`).
fn architecture_name(machine: &str) -> String {
    match machine {
        "x86_64" => "x86-64",
        "i386" | "i486" | "i586" | "i686" => "x86",
        "aarch64" => "arm64",
        "aarch64_be" => "arm64-be",
        "ppc64le" => "ppc64-le",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        other => other,
    }
    .to_owned()
}

/// Interface names and indexes from `/sys/class/net`.
fn interfaces() -> Vec<(String, u32)> {
    let mut v: Vec<(String, u32)> = std::fs::read_dir("/sys/class/net")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_owned();
            let index = std::fs::read_to_string(e.path().join("ifindex"))
                .ok()?
                .trim()
                .parse()
                .ok()?;
            Some((name, index))
        })
        .collect();
    v.sort_by_key(|(_, i)| *i);
    v
}
