//! Feeds arbitrary bytes to the `EnvironmentFile=` parser: `parse_env_file` and `load_env_file`
//! never panic, and what `load_environment_files` returns for the same bytes read from a file
//! has only valid environment names and equals `load_env_file`'s list without the invalid names
//! (see `tests/runtime_props.rs` for the same checks as properties).

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sockunit::runtime::envfile::{
    env_name_is_valid, load_env_file, load_environment_files, parse_env_file,
};

/// `[A-Za-z_][A-Za-z0-9_]*`, written out independently of `env_name_is_valid`.
fn is_env_name(k: &str) -> bool {
    let b = k.as_bytes();
    !b.is_empty()
        && !b[0].is_ascii_digit()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

/// One scratch file per fuzzing process (no glob characters in its path).
fn scratch() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("sockunit-fuzz-envfile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("env")
    })
}

fuzz_target!(|bytes: &[u8]| {
    let raw = parse_env_file(bytes);
    let nul = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    for a in &raw {
        assert!(!a.key.is_empty(), "empty key in {a:?}");
        assert!(!a.key.contains(&0) && !a.value.contains(&0), "NUL in {a:?}");
        assert!(
            !a.key.iter().any(|c| matches!(c, b'\n' | b'\r')),
            "newline in key {a:?}"
        );
        assert!(
            !matches!(a.key.last(), Some(b' ' | b'\t'))
                && !matches!(a.key.first(), Some(b' ' | b'\t')),
            "key not trimmed: {a:?}"
        );
        assert!(
            a.key.len() + a.value.len() <= nul,
            "assignment longer than the input: {a:?}"
        );
    }
    let loaded = load_env_file("fuzz.env", bytes);
    if let Ok(list) = &loaded {
        for (i, (k, _)) in list.iter().enumerate() {
            assert!(list[..i].iter().all(|(e, _)| e != k), "key {k:?} twice");
        }
    }

    let path = scratch();
    std::fs::write(path, bytes).unwrap();
    let spec = path.to_str().unwrap().to_owned();
    let mut log = Vec::new();
    let files = load_environment_files(std::slice::from_ref(&spec), &mut |m| log.push(m));
    match (&loaded, &files) {
        (Ok(list), Ok(env)) => {
            for (k, _) in env {
                assert!(is_env_name(k), "invalid name {k:?} returned");
                assert!(env_name_is_valid(k));
            }
            let valid: Vec<(String, String)> = list
                .iter()
                .filter(|(k, _)| is_env_name(k))
                .cloned()
                .collect();
            assert_eq!(&valid, env);
        }
        (Err(_), Err(msg)) => {
            assert_eq!(msg, "Failed to load environment files: Invalid argument");
            let ignored = load_environment_files(&[format!("-{spec}")], &mut |_| {});
            assert_eq!(ignored, Ok(Vec::new()));
        }
        (l, f) => panic!("load_env_file {l:?} but load_environment_files {f:?}"),
    }
});
