//! What a unit process is started with, computed before any syscall: its environment
//! (systemd's `build_environment` + `Environment=` + `PassEnvironment=`/`UnsetEnvironment=`),
//! its argv after `$VAR`/`${VAR}` expansion (`replace_env_argv`), and how its standard streams
//! are set up. Pure; [`super::sys::spawn`] turns the result into a process.

use crate::config::ExecContext;
use crate::config::exec::{ExecCommand, split_words};

/// Where a standard stream goes, decided from `StandardInput/Output/Error=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamPlan {
    /// `/dev/null`.
    Null,
    /// Keep the runtime's own stream (`inherit`, `tty`).
    Inherit,
    /// `journal`, `kmsg`, `syslog` (and their `+console` forms): the runtime has no journal;
    /// it reads the output through a pipe and logs each line as `IDENTIFIER[PID]: text`.
    Journal,
    /// The connection (`socket`), or stdin's fd for outputs that inherit a socket stdin.
    Socket,
    /// `file:PATH` (read for input, write without truncation for output).
    File(String),
    /// `append:PATH`.
    Append(String),
    /// `truncate:PATH`.
    Truncate(String),
    /// A named fd (`fd:NAME`), not supported by the runtime yet: treated as `Null` with a warning.
    Named(String),
}

/// `StandardInput=`/`StandardOutput=`/`StandardError=` value → plan. `data` (`StandardInputData=`)
/// is not supported and reads as `null`.
pub fn stream_plan(value: &str) -> StreamPlan {
    if let Some(p) = value.strip_prefix("file:") {
        return StreamPlan::File(p.to_owned());
    }
    if let Some(p) = value.strip_prefix("append:") {
        return StreamPlan::Append(p.to_owned());
    }
    if let Some(p) = value.strip_prefix("truncate:") {
        return StreamPlan::Truncate(p.to_owned());
    }
    if let Some(n) = value.strip_prefix("fd:") {
        return StreamPlan::Named(n.to_owned());
    }
    match value {
        "null" | "data" => StreamPlan::Null,
        "socket" => StreamPlan::Socket,
        v if v.starts_with("journal") || v.starts_with("kmsg") || v.starts_with("syslog") => {
            StreamPlan::Journal
        }
        _ => StreamPlan::Inherit,
    }
}

/// The three stream plans of a context, with systemd's fix-ups (`exec_context_fixup`-like):
/// output `inherit` copies stdin when stdin is a socket or file; error `inherit` copies output.
pub fn stdio_plans(exec: &ExecContext) -> [StreamPlan; 3] {
    let input = stream_plan(&exec.standard_input);
    let mut output = stream_plan(&exec.standard_output);
    if exec.standard_output == "inherit" && input == StreamPlan::Socket {
        output = StreamPlan::Socket;
    }
    let mut error = stream_plan(&exec.standard_error);
    if exec.standard_error == "inherit" {
        error = output.clone();
    }
    [input, output, error]
}

/// Inputs for the environment that are not in the unit file.
#[derive(Debug, Clone, Default)]
pub struct EnvInputs<'a> {
    /// The runtime's own environment (`PassEnvironment=` reads it; `PATH` default).
    pub manager_env: &'a [(String, String)],
    /// User manager: pass `HOME`, `USER`, `LOGNAME`, `SHELL`, `PATH` of the runtime through.
    pub user_scope: bool,
    /// `$MAINPID` for control processes while a main process runs.
    pub main_pid: Option<i32>,
    /// `$MANAGERPID`.
    pub manager_pid: i32,
    /// `$INVOCATION_ID`.
    pub invocation_id: &'a str,
    /// `$NOTIFY_SOCKET`.
    pub notify_socket: Option<&'a str>,
    /// `REMOTE_ADDR`/`REMOTE_PORT` of an `Accept=yes` connection.
    pub remote: (Option<&'a str>, Option<u32>),
    /// `HOME`, `USER`, `LOGNAME`, `SHELL` of `User=`.
    pub user_env: &'a [(String, String)],
    /// Assignments read from `EnvironmentFile=`.
    pub files_env: &'a [(String, String)],
}

fn lookup<'a>(env: &'a [(String, String)], key: &str) -> Option<&'a str> {
    env.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// Sets `key=value`, replacing an earlier assignment.
fn set(env: &mut Vec<(String, String)>, key: &str, value: &str) {
    match env.iter_mut().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = value.to_owned(),
        None => env.push((key.to_owned(), value.to_owned())),
    }
}

/// The environment of a unit process, in systemd 252's merge order (`build_environment` and
/// `exec_invoke`): built-in variables, the user's (`HOME`, `USER`, … for `User=`),
/// `PassEnvironment=`, `Environment=` (later assignments win), `EnvironmentFile=`, then
/// `UnsetEnvironment=` removals. `LISTEN_*` are added by the spawner.
pub fn environment(exec: &ExecContext, inputs: &EnvInputs<'_>) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = Vec::new();
    let path = if inputs.user_scope {
        lookup(inputs.manager_env, "PATH").unwrap_or(crate::load::executable::DEFAULT_PATH)
    } else {
        crate::load::executable::DEFAULT_PATH
    };
    set(&mut env, "PATH", path);
    if inputs.user_scope {
        for key in [
            "HOME",
            "USER",
            "LOGNAME",
            "SHELL",
            "LANG",
            "XDG_RUNTIME_DIR",
        ] {
            if let Some(v) = lookup(inputs.manager_env, key) {
                set(&mut env, key, v);
            }
        }
        set(&mut env, "MANAGERPID", &inputs.manager_pid.to_string());
    }
    if !inputs.invocation_id.is_empty() {
        set(&mut env, "INVOCATION_ID", inputs.invocation_id);
    }
    if let Some(pid) = inputs.main_pid {
        set(&mut env, "MAINPID", &pid.to_string());
    }
    if let Some(n) = inputs.notify_socket {
        set(&mut env, "NOTIFY_SOCKET", n);
    }
    if let Some(addr) = inputs.remote.0 {
        set(&mut env, "REMOTE_ADDR", addr);
    }
    if let Some(port) = inputs.remote.1 {
        set(&mut env, "REMOTE_PORT", &port.to_string());
    }
    for (k, v) in inputs.user_env {
        set(&mut env, k, v);
    }
    for key in &exec.pass_environment {
        if let Some(v) = lookup(inputs.manager_env, key) {
            set(&mut env, key, v);
        }
    }
    for assignment in &exec.environment {
        if let Some((k, v)) = assignment.split_once('=') {
            set(&mut env, k, v);
        }
    }
    for (k, v) in inputs.files_env {
        set(&mut env, k, v);
    }
    for u in &exec.unset_environment {
        match u.split_once('=') {
            Some((k, v)) => env.retain(|(ek, ev)| !(ek == k && ev == v)),
            None => env.retain(|(ek, _)| ek != u),
        }
    }
    env
}

/// `${NAME}` and `$$` inside a word (`replace_env` without extensions); unset names expand to
/// nothing.
fn replace_in_word(word: &str, env: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = word;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(stripped) = after.strip_prefix('$') {
            out.push('$');
            rest = stripped;
        } else if let Some(body) = after.strip_prefix('{')
            && let Some(end) = body.find('}')
            && !body[..end].contains(':')
        {
            out.push_str(lookup(env, &body[..end]).unwrap_or(""));
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// systemd's `replace_env_argv`: a word that is exactly `$NAME` becomes the variable split on
/// whitespace (nothing when unset); `${NAME}` inside a word is replaced as it is. Commands with
/// the `:` prefix are not expanded.
pub fn expand_argv(cmd: &ExecCommand, env: &[(String, String)]) -> Vec<String> {
    if cmd.flags.no_env_expand {
        return cmd.argv.clone();
    }
    let mut out = Vec::new();
    for word in &cmd.argv {
        let b = word.as_bytes();
        if b.first() == Some(&b'$') && !matches!(b.get(1), Some(b'{' | b'$')) {
            if let Some(v) = lookup(env, &word[1..]) {
                let words = split_words(v).unwrap_or_default();
                out.extend(words.into_iter().map(|(w, _)| w));
            }
            continue;
        }
        out.push(replace_in_word(word, env));
    }
    out
}

/// `WorkingDirectory=`: the directory and whether a missing one is fine (`-`); `~` is the home
/// directory from the environment.
pub fn working_directory(exec: &ExecContext, env: &[(String, String)]) -> Option<(String, bool)> {
    let wd = exec.working_directory.as_deref()?;
    let (missing_ok, wd) = match wd.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, wd),
    };
    let dir = if wd == "~" {
        lookup(env, "HOME").unwrap_or("/").to_owned()
    } else {
        wd.to_owned()
    };
    Some((dir, missing_ok))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(argv: &[&str]) -> ExecCommand {
        ExecCommand {
            path: argv[0].to_owned(),
            argv: argv.iter().map(|s| s.to_string()).collect(),
            flags: Default::default(),
            range: 0..0,
        }
    }

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn argv_expansion_follows_replace_env_argv() {
        // A lone `$` names the empty variable, which is never set: the word goes away.
        let e = env(&[("A", "one two"), ("B", "x")]);
        let c = cmd(&[
            "/bin/echo",
            "$A",
            "pre${B}post",
            "$$A",
            "${A}",
            "$UNSET",
            "$",
            "${B:-d}",
        ]);
        assert_eq!(
            expand_argv(&c, &e),
            [
                "/bin/echo",
                "one",
                "two",
                "prexpost",
                "$A",
                "one two",
                "${B:-d}"
            ]
        );
    }

    #[test]
    fn no_env_expand_keeps_words() {
        let mut c = cmd(&["/bin/echo", "$A"]);
        c.flags.no_env_expand = true;
        assert_eq!(expand_argv(&c, &env(&[("A", "1")])), ["/bin/echo", "$A"]);
    }

    #[test]
    fn environment_precedence_and_unset() {
        let exec = ExecContext {
            environment: vec![
                "A=1".into(),
                "B=2".into(),
                "A=3".into(),
                "HOSTVAR=env".into(),
            ],
            pass_environment: vec!["HOSTVAR".into()],
            unset_environment: vec!["B".into()],
            ..Default::default()
        };
        let manager = env(&[("HOSTVAR", "h"), ("PATH", "/x")]);
        let inputs = EnvInputs {
            manager_env: &manager,
            invocation_id: "abc",
            main_pid: Some(42),
            ..Default::default()
        };
        let got = environment(&exec, &inputs);
        assert_eq!(lookup(&got, "A"), Some("3"));
        assert_eq!(lookup(&got, "B"), None);
        // Environment= wins over PassEnvironment=.
        assert_eq!(lookup(&got, "HOSTVAR"), Some("env"));
        assert_eq!(lookup(&got, "MAINPID"), Some("42"));
        assert_eq!(
            lookup(&got, "PATH"),
            Some(crate::load::executable::DEFAULT_PATH)
        );
    }

    #[test]
    fn stdio_fixups() {
        let exec = ExecContext {
            standard_input: "socket".into(),
            standard_output: "inherit".into(),
            standard_error: "inherit".into(),
            ..Default::default()
        };
        assert_eq!(
            stdio_plans(&exec),
            [StreamPlan::Socket, StreamPlan::Socket, StreamPlan::Socket]
        );
        assert_eq!(
            stream_plan("append:/tmp/x"),
            StreamPlan::Append("/tmp/x".into())
        );
    }
}
