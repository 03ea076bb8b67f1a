//! Property tests of the runtime's pure parsers, the same checks as the cargo-fuzz targets
//! `envfile`, `notify`, `journal` and `exec_argv` (`fuzz/`), over inputs built from the bytes
//! that matter to each format:
//!
//! - `EnvironmentFile=` (`runtime::envfile`): parsing never panics; `load_environment_files`
//!   returns only valid environment names, exactly `load_env_file`'s list without the invalid
//!   ones, and fails (or, with `-`, skips the file) exactly when `load_env_file` does.
//! - `sd_notify()` datagrams (`runtime::notify_msg::parse_message`): never panics, consumes at
//!   most one passed fd, a barrier message carries nothing else.
//! - Output lines (`runtime::journal::LineSplitter`): the same lines whatever the chunking of
//!   the stream, none longer than the line limit (plus `IDENTIFIER[PID]: ` and the newline).
//! - `$VAR` expansion (`runtime::launch::expand_argv`): never panics, keeps words without `$`
//!   and every word of a `:` command.
//!
//! `PROPTEST_CASES` overrides the case count (default 512 per property).

use proptest::prelude::*;
use sockunit::config::exec::ExecCommand;
use sockunit::runtime::envfile::{
    env_name_is_valid, load_env_file, load_environment_files, parse_env_file,
};
use sockunit::runtime::journal::{LINE_MAX, LineSplitter, LogLine};
use sockunit::runtime::launch::expand_argv;
use sockunit::runtime::notify_msg::{extra_fds_warning, parse, parse_message};

/// Bytes, shown as an escaped byte string so failures can be pasted back as tests.
#[derive(Clone)]
struct Bytes(Vec<u8>);

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "b\"{}\" ({} bytes)", self.0.escape_ascii(), self.0.len())
    }
}

/// Up to `max` pieces from `tokens` (weight 8) and `phrases` (weight 1), concatenated.
fn built(
    tokens: &'static [&'static [u8]],
    phrases: &'static [&'static [u8]],
    max: usize,
) -> impl Strategy<Value = Bytes> {
    let piece = prop_oneof![
        8 => prop::sample::select(tokens).prop_map(<[u8]>::to_vec),
        1 => prop::sample::select(phrases).prop_map(<[u8]>::to_vec),
    ];
    prop::collection::vec(piece, 0..max).prop_map(|parts| Bytes(parts.concat()))
}

/// 512 cases per property unless `PROPTEST_CASES` says otherwise.
fn config() -> ProptestConfig {
    let cases = if std::env::var_os("PROPTEST_CASES").is_some() {
        ProptestConfig::default().cases
    } else {
        512
    };
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

// ------------------------------------------------------------------ EnvironmentFile=

const ENV_TOKENS: &[&[u8]] = &[
    b"=",
    b"#",
    b";",
    b"\\",
    b"'",
    b"\"",
    b" ",
    b"\t",
    b"\n",
    b"\r",
    b"\0",
    b"A",
    b"_",
    b"1",
    b"x",
    b"$",
    b"`",
    "é".as_bytes(),
    b"\xff",
    b"\xef\xb7\x90",
];

const ENV_PHRASES: &[&[u8]] = &[
    b"A=1\n",
    b"export B=2\n",
    b"C=\"x\" \"y\"\n",
    b"D='a\nb'\n",
    b"E=a\\\nb\n",
    b"# c \\\nF=1\n",
    b"A=again\r\n",
    b"=x\n",
    b"9=x\n",
];

/// `[A-Za-z_][A-Za-z0-9_]*`, written out independently of `env_name_is_valid`.
fn is_env_name(k: &str) -> bool {
    let b = k.as_bytes();
    !b.is_empty()
        && !b[0].is_ascii_digit()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

fn check_envfile(bytes: &[u8], dir: &std::path::Path) -> Result<(), TestCaseError> {
    let nul = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    for a in parse_env_file(bytes) {
        prop_assert!(!a.key.is_empty(), "empty key in {:?}", a);
        prop_assert!(
            !a.key.contains(&0) && !a.value.contains(&0),
            "NUL in {:?}",
            a
        );
        prop_assert!(
            !a.key.iter().any(|c| matches!(c, b'\n' | b'\r')),
            "newline in key {:?}",
            a
        );
        prop_assert!(
            !matches!(a.key.first(), Some(b' ' | b'\t'))
                && !matches!(a.key.last(), Some(b' ' | b'\t')),
            "key not trimmed: {:?}",
            a
        );
        prop_assert!(a.key.len() + a.value.len() <= nul, "longer than the input");
    }
    let loaded = load_env_file("props.env", bytes);
    if let Ok(list) = &loaded {
        for (i, (k, _)) in list.iter().enumerate() {
            prop_assert!(list[..i].iter().all(|(e, _)| e != k), "key {:?} twice", k);
        }
    }
    let path = dir.join("env");
    std::fs::write(&path, bytes).unwrap();
    let spec = path.to_str().unwrap().to_owned();
    let files = load_environment_files(std::slice::from_ref(&spec), &mut |_| {});
    match (&loaded, &files) {
        (Ok(list), Ok(env)) => {
            for (k, _) in env {
                prop_assert!(is_env_name(k), "invalid name {:?} returned", k);
                prop_assert!(env_name_is_valid(k));
            }
            let valid: Vec<(String, String)> = list
                .iter()
                .filter(|(k, _)| is_env_name(k))
                .cloned()
                .collect();
            prop_assert_eq!(&valid, env);
        }
        (Err(_), Err(msg)) => {
            prop_assert_eq!(msg, "Failed to load environment files: Invalid argument");
            let ignored = load_environment_files(&[format!("-{spec}")], &mut |_| {});
            prop_assert_eq!(ignored, Ok(Vec::new()));
        }
        (l, f) => prop_assert!(
            false,
            "load_env_file {:?}, load_environment_files {:?}",
            l,
            f
        ),
    }
    Ok(())
}

// ------------------------------------------------------------------ sd_notify()

const NOTIFY_TOKENS: &[&[u8]] = &[
    b"READY=1",
    b"RELOADING=1",
    b"STOPPING=1",
    b"MAINPID=",
    b"STATUS=",
    b"ERRNO=",
    b"EXTEND_TIMEOUT_USEC=",
    b"WATCHDOG=",
    b"WATCHDOG_USEC=",
    b"FDNAME=",
    b"FDSTORE=1",
    b"FDSTOREREMOVE=1",
    b"BARRIER=1",
    b"1",
    b"0",
    b"-",
    b"0x1f",
    b"EIO",
    b"EWOULDBLOCK",
    b"trigger",
    b"4095",
    b"4096",
    b"2147483648",
    b"18446744073709551616",
    b"\n",
    b"\r",
    b"\\",
    b"\0",
    b" ",
    b"\xff",
    b"\xef\xb7\x90",
    b":",
];

const NOTIFY_PHRASES: &[&[u8]] = &[
    b"READY=1\nSTATUS=ok\n",
    b"BARRIER=1",
    b"MAINPID=1\n",
    b"FDSTORE=1\nFDNAME=x\n",
];

fn check_notify(datagram: &[u8], n_fds: usize) -> Result<(), TestCaseError> {
    let p = parse_message(datagram, n_fds);
    prop_assert!(p.fds_consumed <= n_fds.min(1), "{:?} with {} fds", p, n_fds);
    if p.barrier {
        prop_assert_eq!(&p.notification, &Default::default());
        prop_assert!(p.warnings.is_empty() && p.main_pid.is_none(), "{:?}", p);
    }
    prop_assert_eq!(p.notification.main_pid, matches!(p.main_pid, Some(Ok(_))));
    if let Some(Ok(pid)) = p.main_pid {
        prop_assert!(pid > 0);
    }
    prop_assert_eq!(parse(datagram), parse_message(datagram, 0).notification);
    let _ = p.debug_line(1);
    let _ = extra_fds_warning(&p, n_fds, true);
    Ok(())
}

// ------------------------------------------------------------------ output lines

const LINE_TOKENS: &[&[u8]] = &[
    b"\n", b"\0", b"\r", b" ", b"\t", b"<", b">", b"3", b"0", b"9", b"a", b"bc", b"\xff",
];

const LINE_PHRASES: &[&[u8]] = &[b"<3>", b"<007>", b"<8>", b"line\n", b"  \r\n"];

const PREFIX: &[u8] = b"props[42]: ";

fn splitter(line_max: Option<usize>, level_prefix: bool) -> LineSplitter {
    let s = LineSplitter::new("props", 42).with_level_prefix(level_prefix);
    match line_max {
        Some(n) => s.with_line_max(n),
        None => s,
    }
}

fn split_all(mut s: LineSplitter, chunks: &[&[u8]]) -> Vec<LogLine> {
    let mut out = Vec::new();
    for c in chunks {
        out.extend(s.feed(c));
    }
    out.extend(s.finish());
    out
}

/// `stream` cut at the given lengths (each taken modulo what is left, the rest last).
fn chunked<'a>(stream: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut chunks = Vec::new();
    let mut rest = stream;
    for &c in cuts {
        let (head, tail) = rest.split_at(c % (rest.len() + 1));
        chunks.push(head);
        rest = tail;
    }
    chunks.push(rest);
    chunks
}

fn check_lines(
    stream: &[u8],
    cuts: &[usize],
    line_max: Option<usize>,
    level_prefix: bool,
) -> Result<(), TestCaseError> {
    let whole = split_all(splitter(line_max, level_prefix), &[stream]);
    let chunks = chunked(stream, cuts);
    let pieces = split_all(splitter(line_max, level_prefix), &chunks);
    prop_assert_eq!(
        &whole,
        &pieces,
        "chunk lengths {:?}",
        chunks.iter().map(|c| c.len()).collect::<Vec<_>>()
    );
    let mut bytewise = splitter(line_max, level_prefix);
    let mut lines = Vec::new();
    for b in stream {
        lines.extend(bytewise.feed(std::slice::from_ref(b)));
    }
    lines.extend(bytewise.finish());
    prop_assert_eq!(&whole, &lines, "byte by byte");

    let max = line_max.unwrap_or(LINE_MAX);
    for l in &whole {
        prop_assert!(!l.message.is_empty());
        prop_assert!(l.message.len() <= max, "{} > {}", l.message.len(), max);
        prop_assert!(l.text.len() <= PREFIX.len() + LINE_MAX + 1);
        prop_assert!(!l.message.contains(&b'\n') && !l.message.contains(&0));
        prop_assert!(l.priority <= 7);
        prop_assert_eq!(&l.text, &[PREFIX, &l.message[..], b"\n"].concat());
    }
    Ok(())
}

// ------------------------------------------------------------------ $VAR expansion

const WORD_TOKENS: &[&str] = &[
    "$", "{", "}", "$$", "${", "A", "B", "_", "1", ":", "-", " ", "\t", "\"", "'", "\\", "é", "x",
];

fn word(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORD_TOKENS), 0..max).prop_map(|p| p.concat())
}

fn check_argv(
    argv: Vec<String>,
    env: &[(String, String)],
    no_env_expand: bool,
) -> Result<(), TestCaseError> {
    let mut cmd = ExecCommand {
        path: argv.first().cloned().unwrap_or_default(),
        argv,
        flags: Default::default(),
        range: 0..0,
    };
    cmd.flags.no_env_expand = no_env_expand;
    let out = expand_argv(&cmd, env);
    if no_env_expand || cmd.argv.iter().all(|w| !w.contains('$')) {
        prop_assert_eq!(&out, &cmd.argv);
    }
    if env.is_empty() {
        prop_assert!(out.len() <= cmd.argv.len());
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn envfile_names_are_valid(bytes in built(ENV_TOKENS, ENV_PHRASES, 48)) {
        let dir = tempfile::tempdir().unwrap();
        check_envfile(&bytes.0, dir.path())?;
    }

    #[test]
    fn envfile_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let dir = tempfile::tempdir().unwrap();
        check_envfile(&bytes, dir.path())?;
    }

    #[test]
    fn notify_never_panics(bytes in built(NOTIFY_TOKENS, NOTIFY_PHRASES, 24), n_fds in 0usize..4) {
        check_notify(&bytes.0, n_fds)?;
    }

    #[test]
    fn lines_do_not_depend_on_chunking(
        stream in built(LINE_TOKENS, LINE_PHRASES, 64),
        cuts in prop::collection::vec(0usize..64, 0..12),
        line_max in prop::option::of(1usize..24),
        level_prefix in any::<bool>(),
    ) {
        check_lines(&stream.0, &cuts, line_max, level_prefix)?;
    }

    #[test]
    fn argv_expansion_never_panics(
        argv in prop::collection::vec(word(6), 0..6),
        env in prop::collection::vec((word(3), word(8)), 0..4),
        no_env_expand in any::<bool>(),
    ) {
        check_argv(argv, &env, no_env_expand)?;
    }
}

/// Chunking at journald's own limit: lines of `LINE_MAX - 1 ..= LINE_MAX + 1` bytes, with the
/// terminator or a cut on every side of the boundary. Too slow for many cases in debug, so a
/// fixed handful.
#[test]
fn lines_do_not_depend_on_chunking_at_line_max() {
    for len in [LINE_MAX - 1, LINE_MAX, LINE_MAX + 1, 2 * LINE_MAX] {
        for end in [&b"\n"[..], b"\0", b"", b" \n", b"\r\n"] {
            let stream = [&vec![b'y'; len][..], end, b"next\n"].concat();
            for cuts in [
                vec![],
                vec![len - 1],
                vec![len],
                vec![len + 1],
                vec![1, LINE_MAX - 2, 1],
            ] {
                let chunks = chunked(&stream, &cuts);
                let whole = split_all(splitter(None, true), &[&stream]);
                assert_eq!(
                    whole,
                    split_all(splitter(None, true), &chunks),
                    "len {len}, end {end:?}, cuts {cuts:?}"
                );
                for l in &whole {
                    assert!(l.message.len() <= LINE_MAX);
                    assert!(l.text.len() <= PREFIX.len() + LINE_MAX + 1);
                }
            }
        }
    }
}
