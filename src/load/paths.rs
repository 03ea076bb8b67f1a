//! The unit search path, in systemd 252's priority order (`systemd-analyze unit-paths`).

use std::path::{Path, PathBuf};

/// System manager or per-user manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// `systemctl --system`.
    System,
    /// `systemctl --user`.
    User,
}

/// The process environment the search path depends on, captured once so tests can set it.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// `$SYSTEMD_UNIT_PATH`.
    pub unit_path: Option<String>,
    /// `$HOME`.
    pub home: Option<String>,
    /// `$XDG_RUNTIME_DIR`.
    pub xdg_runtime_dir: Option<String>,
    /// `$XDG_CONFIG_HOME`.
    pub xdg_config_home: Option<String>,
    /// `$XDG_CONFIG_DIRS`.
    pub xdg_config_dirs: Option<String>,
    /// `$XDG_DATA_HOME`.
    pub xdg_data_home: Option<String>,
    /// `$XDG_DATA_DIRS`.
    pub xdg_data_dirs: Option<String>,
    /// `$XDG_CACHE_HOME`.
    pub xdg_cache_home: Option<String>,
    /// `$TMPDIR`.
    pub tmpdir: Option<String>,
}

impl Environment {
    /// Reads the variables from this process's environment.
    pub fn from_process() -> Environment {
        let var = |k: &str| std::env::var(k).ok();
        Environment {
            unit_path: var("SYSTEMD_UNIT_PATH"),
            home: var("HOME"),
            xdg_runtime_dir: var("XDG_RUNTIME_DIR"),
            xdg_config_home: var("XDG_CONFIG_HOME"),
            xdg_config_dirs: var("XDG_CONFIG_DIRS"),
            xdg_data_home: var("XDG_DATA_HOME"),
            xdg_data_dirs: var("XDG_DATA_DIRS"),
            xdg_cache_home: var("XDG_CACHE_HOME"),
            tmpdir: var("TMPDIR"),
        }
    }

    fn nonempty(v: &Option<String>) -> Option<&str> {
        v.as_deref().filter(|s| !s.is_empty())
    }

    /// `$XDG_CONFIG_HOME`, or `~/.config`.
    pub fn config_home(&self) -> String {
        Self::nonempty(&self.xdg_config_home)
            .map_or_else(|| format!("{}/.config", self.home_dir()), str::to_owned)
    }

    /// `$XDG_CACHE_HOME`, or `~/.cache`.
    pub fn cache_home(&self) -> String {
        Self::nonempty(&self.xdg_cache_home)
            .map_or_else(|| format!("{}/.cache", self.home_dir()), str::to_owned)
    }

    /// `$HOME`, or `/`.
    pub fn home_dir(&self) -> &str {
        Self::nonempty(&self.home).unwrap_or("/")
    }
}

/// The directories units are looked up in, highest priority first, already under `--root`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPath {
    /// The directories, highest priority first.
    pub dirs: Vec<PathBuf>,
    /// The `--root` they live under, if any.
    pub root: Option<PathBuf>,
}

impl SearchPath {
    /// systemd's `lookup_paths_init()`: `$SYSTEMD_UNIT_PATH` replaces the defaults unless it
    /// ends in `:`, which appends them; duplicates keep their first place.
    pub fn new(scope: Scope, root: Option<&Path>, env: &Environment) -> SearchPath {
        let defaults = || match scope {
            Scope::System => system_dirs(),
            Scope::User => user_dirs(env),
        };
        let mut dirs: Vec<String> = match env.unit_path.as_deref() {
            Some(value) => {
                let mut v: Vec<String> = value
                    .split(':')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect();
                if value.ends_with(':') {
                    v.extend(defaults());
                }
                v
            }
            None => defaults(),
        };
        let mut seen = std::collections::HashSet::new();
        dirs.retain(|d| seen.insert(d.clone()));
        let dirs = dirs
            .into_iter()
            .map(|d| match root {
                Some(r) => r.join(d.trim_start_matches('/')),
                None => PathBuf::from(d),
            })
            .collect();
        SearchPath {
            dirs,
            root: root.map(Path::to_path_buf),
        }
    }

    /// Puts `front` before everything else (as `systemd-analyze verify` does for the
    /// directories of the files it is given), keeping first occurrences only.
    pub fn prepend(&mut self, front: &[PathBuf]) {
        let mut dirs = front.to_vec();
        dirs.append(&mut self.dirs);
        let mut seen = std::collections::HashSet::new();
        dirs.retain(|d| seen.insert(d.clone()));
        self.dirs = dirs;
    }
}

fn system_dirs() -> Vec<String> {
    [
        "/etc/systemd/system.control",
        "/run/systemd/system.control",
        "/run/systemd/transient",
        "/run/systemd/generator.early",
        "/etc/systemd/system",
        "/etc/systemd/system.attached",
        "/run/systemd/system",
        "/run/systemd/system.attached",
        "/run/systemd/generator",
        "/usr/local/lib/systemd/system",
        "/lib/systemd/system",
        "/usr/lib/systemd/system",
        "/run/systemd/generator.late",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn user_dirs(env: &Environment) -> Vec<String> {
    let config = env.config_home();
    let data_home = Environment::nonempty(&env.xdg_data_home)
        .map_or_else(|| format!("{}/.local/share", env.home_dir()), str::to_owned);
    let config_dirs = Environment::nonempty(&env.xdg_config_dirs).unwrap_or("/etc/xdg");
    let data_dirs =
        Environment::nonempty(&env.xdg_data_dirs).unwrap_or("/usr/local/share:/usr/share");
    let runtime = Environment::nonempty(&env.xdg_runtime_dir);
    let mut v = vec![format!("{config}/systemd/user.control")];
    if let Some(rt) = runtime {
        v.extend(
            ["user.control", "transient", "generator.early"].map(|s| format!("{rt}/systemd/{s}")),
        );
    }
    v.push(format!("{config}/systemd/user"));
    v.extend(
        config_dirs
            .split(':')
            .filter(|s| !s.is_empty())
            .map(|d| format!("{d}/systemd/user")),
    );
    v.push("/etc/systemd/user".to_owned());
    if let Some(rt) = runtime {
        v.push(format!("{rt}/systemd/user"));
    }
    v.push("/run/systemd/user".to_owned());
    if let Some(rt) = runtime {
        v.push(format!("{rt}/systemd/generator"));
    }
    v.push(format!("{data_home}/systemd/user"));
    v.extend(
        data_dirs
            .split(':')
            .filter(|s| !s.is_empty())
            .map(|d| format!("{d}/systemd/user")),
    );
    v.push("/usr/local/lib/systemd/user".to_owned());
    v.push("/usr/lib/systemd/user".to_owned());
    if let Some(rt) = runtime {
        v.push(format!("{rt}/systemd/generator.late"));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(p: &SearchPath) -> Vec<String> {
        p.dirs.iter().map(|d| d.display().to_string()).collect()
    }

    #[test]
    fn unit_path_replaces_or_extends_defaults() {
        let env = Environment {
            unit_path: Some("/x:/y:/x".into()),
            ..Default::default()
        };
        assert_eq!(
            strs(&SearchPath::new(Scope::System, None, &env)),
            ["/x", "/y"]
        );
        let env = Environment {
            unit_path: Some("/x:".into()),
            ..Default::default()
        };
        let p = strs(&SearchPath::new(Scope::System, None, &env));
        assert_eq!(p[0], "/x");
        assert_eq!(p[1], "/etc/systemd/system.control");
        assert_eq!(p.len(), 14);
    }

    #[test]
    fn root_prefixes_every_dir() {
        let p = SearchPath::new(
            Scope::System,
            Some(Path::new("/r")),
            &Environment::default(),
        );
        assert!(p.dirs.iter().all(|d| d.starts_with("/r")));
        assert_eq!(p.dirs[4], PathBuf::from("/r/etc/systemd/system"));
    }

    #[test]
    fn user_dirs_match_systemd_analyze_unit_paths() {
        let env = Environment {
            home: Some("/home/u".into()),
            xdg_runtime_dir: Some("/tmp/xr".into()),
            ..Default::default()
        };
        let p = strs(&SearchPath::new(Scope::User, None, &env));
        assert_eq!(
            p,
            [
                "/home/u/.config/systemd/user.control",
                "/tmp/xr/systemd/user.control",
                "/tmp/xr/systemd/transient",
                "/tmp/xr/systemd/generator.early",
                "/home/u/.config/systemd/user",
                "/etc/xdg/systemd/user",
                "/etc/systemd/user",
                "/tmp/xr/systemd/user",
                "/run/systemd/user",
                "/tmp/xr/systemd/generator",
                "/home/u/.local/share/systemd/user",
                "/usr/local/share/systemd/user",
                "/usr/share/systemd/user",
                "/usr/local/lib/systemd/user",
                "/usr/lib/systemd/user",
                "/tmp/xr/systemd/generator.late",
            ]
        );
    }
}
