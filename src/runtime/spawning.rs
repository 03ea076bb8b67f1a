//! Spawning a unit's processes: the service's main and control processes with the sockets'
//! fds (or the connection), and the shared path every spawn takes — `EnvironmentFile=`,
//! credentials, the environment, `$VAR` expansion, stdio (journal pipes included), limits —
//! into [`super::sys::spawn`].

use std::os::fd::{AsRawFd, RawFd};

use super::credentials::{self, RunningAs};
use super::journal::LineSplitter;
use super::launch::{self, EnvInputs, StreamPlan};
use super::manager::{Manager, Rt, UnitId};
use super::service_unit::{Role, ServiceCommand, ServiceEvent};
use super::sys::spawn;
use super::{envfile, notify_msg};
use crate::config::ExecContext;
use crate::config::exec::ExecCommand;

impl Manager<'_> {
    pub(super) fn service_spawn(
        &mut self,
        id: UnitId,
        cmd: ServiceCommand,
        index: usize,
        role: Role,
    ) -> ServiceEvent {
        let name = self.name(id);
        let Some(Rt::Service(s)) = self.rt_mut(id) else {
            return ServiceEvent::SpawnFailed {
                role,
                error: "No such unit".to_owned(),
            };
        };
        let Some(command) = s.config.commands(cmd.key()).get(index).cloned() else {
            return ServiceEvent::SpawnFailed {
                role,
                error: "No such command".to_owned(),
            };
        };
        let remote = s
            .conn
            .as_ref()
            .map(|(c, _)| (c.remote_addr.clone(), c.remote_port))
            .unwrap_or((None, None));
        let exec = s.config.exec.clone();
        let main_pid = s.main_pid;
        let invocation = s.invocation_id.clone();
        let non_blocking = s.config.non_blocking;
        let notify =
            notify_msg::needs_notify_socket(s.m.params().notify_access(), role == Role::Control);
        let control_main = if role == Role::Control {
            main_pid
        } else {
            None
        };
        let (all_fds, all_names) = self.collect_fds(id);
        let named: Vec<(String, RawFd)> = all_names
            .iter()
            .cloned()
            .zip(all_fds.iter().copied())
            .collect();
        let (fds, names) = if role == Role::Main {
            (all_fds, all_names)
        } else {
            (Vec::new(), Vec::new())
        };
        let conn_fd = match self.rt_mut(id) {
            Some(Rt::Service(s)) => s.conn.as_ref().map(|(c, _)| c.fd.as_raw_fd()),
            _ => None,
        };
        let inputs = SpawnInputs {
            exec: &exec,
            main_pid: control_main,
            remote: (remote.0.as_deref(), remote.1),
            invocation_id: &invocation,
            notify,
            fds,
            names,
            conn: conn_fd,
            non_blocking,
            named,
        };
        match self.spawn_command(&name, &command, inputs) {
            Ok((pid, exec_ok)) => {
                self.pids.insert(pid, (id, role));
                if let Some(Rt::Service(s)) = self.rt_mut(id) {
                    match role {
                        Role::Main => s.main_pid = Some(pid),
                        Role::Control => s.control_pid = Some(pid),
                    }
                    s.pgids.push(pid);
                    // spawn() returns after execve() succeeded or failed: Type=exec learns
                    // it at once (an exec failure arrives as exit status 203 instead).
                    s.exec_ok_pending = role == Role::Main && exec_ok;
                }
                ServiceEvent::Spawned { role }
            }
            Err(error) => ServiceEvent::SpawnFailed { role, error },
        }
    }

    /// The fds a main process gets: the connection (`Accept=yes`), or every port of every
    /// socket that triggers the service, in order, named by `FileDescriptorName=` or the
    /// socket's id.
    pub(super) fn collect_fds(&mut self, id: UnitId) -> (Vec<RawFd>, Vec<String>) {
        let Some(Rt::Service(s)) = self.unit(id).map(|u| &u.rt) else {
            return (Vec::new(), Vec::new());
        };
        if let Some((c, _)) = &s.conn {
            // systemd 252 names the per-connection fd "connection", whatever the socket's
            // FileDescriptorName= says.
            return (vec![c.fd.as_raw_fd()], vec!["connection".to_owned()]);
        }
        let mut fds = Vec::new();
        let mut names = Vec::new();
        for &sock in &s.triggered_by {
            let Some(u) = self.unit(sock) else { continue };
            if let Rt::Socket(so) = &u.rt {
                let label = so
                    .config
                    .fd_name
                    .clone()
                    .unwrap_or_else(|| u.spec.name.clone());
                for p in &so.ports {
                    fds.push(p.fd.as_raw_fd());
                    names.push(label.clone());
                }
            }
        }
        (fds, names)
    }

    /// Spawns one command with `inputs`; logs systemd's lines when it cannot be executed.
    /// `Err` (the `strerror` text) only when no process was created: an unreadable
    /// `EnvironmentFile=`, unresolvable credentials, or a failed fork.
    pub(super) fn spawn_command(
        &mut self,
        unit: &str,
        cmd: &ExecCommand,
        inputs: SpawnInputs<'_>,
    ) -> Result<(i32, bool), String> {
        let exec = inputs.exec;
        let mut log = |m: String| self.obs.log(Some(unit), &m);
        let files_env = match envfile::load_environment_files(&exec.environment_files, &mut log) {
            Ok(v) => v,
            Err(msg) => {
                self.obs.log(Some(unit), &msg);
                let errno = msg.rsplit(": ").next().unwrap_or(&msg).to_owned();
                return Err(errno);
            }
        };
        let creds = match credentials::resolve_credentials(exec, RunningAs::current()) {
            Ok(c) => c,
            Err(e) => {
                self.obs.log(Some(unit), &e.message);
                self.obs.log(Some(unit), &e.step_message(&cmd.path));
                if let Some(h) = &e.hint {
                    self.obs.log(Some(unit), h);
                }
                return Err(e.errno.desc().to_owned());
            }
        };
        let notify_path = self.notify.as_ref().map(|n| n.path().display().to_string());
        let env = launch::environment(
            exec,
            &EnvInputs {
                manager_env: &self.settings.env,
                user_scope: self.settings.user_scope,
                main_pid: inputs.main_pid,
                manager_pid: std::process::id() as i32,
                invocation_id: inputs.invocation_id,
                notify_socket: if inputs.notify {
                    notify_path.as_deref()
                } else {
                    None
                },
                remote: (inputs.remote.0, inputs.remote.1),
                user_env: &creds.env,
                files_env: &files_env,
            },
        );
        let argv = launch::expand_argv(cmd, &env);
        let conn = inputs.conn;
        let [i, o, e] = launch::stdio_plans(exec);
        let journal = if o == StreamPlan::Journal || e == StreamPlan::Journal {
            match super::sys::stream::pipe() {
                Ok(p) => Some(p),
                Err(err) => {
                    self.obs
                        .log(Some(unit), &format!("Failed to create stdout pipe: {err}"));
                    None
                }
            }
        } else {
            None
        };
        let journal_fd = journal.as_ref().map(|(_, w)| w.as_raw_fd());
        let stdio = |p: StreamPlan, input: bool| match p {
            StreamPlan::Journal if !input => {
                journal_fd.map_or(spawn::Stdio::Inherit, spawn::Stdio::Fd)
            }
            StreamPlan::Journal => spawn::Stdio::Null,
            StreamPlan::Named(n) => inputs
                .named
                .iter()
                .find(|(name, _)| *name == n)
                .map_or(spawn::Stdio::Null, |(_, fd)| spawn::Stdio::Fd(*fd)),
            StreamPlan::Null => spawn::Stdio::Null,
            StreamPlan::Inherit => {
                if input {
                    spawn::Stdio::Null
                } else {
                    spawn::Stdio::Inherit
                }
            }
            StreamPlan::Socket => conn.map_or(spawn::Stdio::Null, spawn::Stdio::Fd),
            StreamPlan::File(f) => spawn::Stdio::File {
                path: f.into(),
                mode: if input {
                    spawn::FileMode::Read
                } else {
                    spawn::FileMode::Write
                },
            },
            StreamPlan::Append(f) => spawn::Stdio::File {
                path: f.into(),
                mode: spawn::FileMode::Append,
            },
            StreamPlan::Truncate(f) => spawn::Stdio::File {
                path: f.into(),
                mode: spawn::FileMode::Truncate,
            },
        };
        let path = match crate::load::executable::find_executable(&cmd.path, None) {
            Ok(p) => p,
            Err(_) => cmd.path.clone().into(),
        };
        let mut spec = spawn::SpawnSpec::new(path, argv);
        spec.env = env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        spec.listen_env = !inputs.fds.is_empty();
        spec.fds = inputs.fds;
        spec.fd_names = inputs.names;
        spec.non_blocking = inputs.non_blocking;
        spec.stdin = stdio(i, true);
        spec.stdout = stdio(o, false);
        spec.stderr = stdio(e, false);
        spec.working_directory =
            launch::working_directory(exec, &env).map(|(d, ok)| (d.into(), ok));
        spec.umask = exec.umask;
        spec.nice = exec.nice.map(|n| n as i32);
        spec.ignore_sigpipe = exec.ignore_sigpipe;
        spec.rlimits = credentials::rlimits(&exec.limits);
        spec.uid = creds.uid;
        spec.gid = creds.gid;
        spec.supplementary_groups = creds.supplementary_groups;
        spec.new_process_group = true;
        spec.root_directory = exec.root_directory.as_ref().map(Into::into);
        spec.no_new_privileges = exec.no_new_privileges;
        let result = spawn::spawn(&spec);
        if let (Ok(sp), Some((read, write))) = (&result, journal) {
            drop(write);
            let ident = LineSplitter::identifier(exec, &cmd.path);
            self.add_stream(read, LineSplitter::new(&ident, sp.pid.as_raw()));
        }
        match result {
            Ok(sp) => {
                if let Some(err) = &sp.exec_error {
                    self.obs.log(Some(unit), &err.detail_message(&spec));
                    self.obs.log(Some(unit), &err.step_message(&spec));
                }
                Ok((sp.pid.as_raw(), sp.exec_error.is_none()))
            }
            Err(e) => {
                let text = e.to_string();
                self.obs.log(
                    Some(unit),
                    &format!("Failed to spawn '{}': {text}", cmd.path),
                );
                Err(text)
            }
        }
    }
}

/// Everything a spawn needs besides the command.
pub(super) struct SpawnInputs<'x> {
    /// The unit's execution context.
    pub exec: &'x ExecContext,
    /// `$MAINPID` (control processes of a service with a main process).
    pub main_pid: Option<i32>,
    /// `REMOTE_ADDR`/`REMOTE_PORT`.
    pub remote: (Option<&'x str>, Option<u32>),
    /// `$INVOCATION_ID`.
    pub invocation_id: &'x str,
    /// Set `$NOTIFY_SOCKET`.
    pub notify: bool,
    /// fds to pass at 3…, with their names.
    pub fds: Vec<RawFd>,
    /// `LISTEN_FDNAMES`.
    pub names: Vec<String>,
    /// The connection (`StandardInput=socket`).
    pub conn: Option<RawFd>,
    /// `NonBlocking=`.
    pub non_blocking: bool,
    /// The sockets' fds by name, for `StandardInput/Output/Error=fd:NAME`.
    pub named: Vec<(String, RawFd)>,
}
