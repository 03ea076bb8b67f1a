//! Feeds arbitrary argv words and environments to `launch::expand_argv` (`$VAR`/`${VAR}`
//! expansion at exec time): it never panics, keeps words without `$` as they are, and keeps
//! every word with the `:` prefix.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sockunit::config::exec::ExecCommand;
use sockunit::runtime::launch::expand_argv;

fuzz_target!(|input: (Vec<String>, Vec<(String, String)>, bool)| {
    let (argv, env, no_env_expand) = input;
    let mut cmd = ExecCommand {
        path: argv.first().cloned().unwrap_or_default(),
        argv,
        flags: Default::default(),
        range: 0..0,
    };
    cmd.flags.no_env_expand = no_env_expand;
    let out = expand_argv(&cmd, &env);
    if no_env_expand || cmd.argv.iter().all(|w| !w.contains('$')) {
        assert_eq!(out, cmd.argv);
    }
    if env.is_empty() {
        assert!(out.len() <= cmd.argv.len());
    }
});
