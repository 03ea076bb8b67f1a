//! Table-driven tests of the `EnvironmentFile=` parser and loader (expected values follow
//! systemd 252's `parse_env_file_internal()` state machine).

use super::*;

/// (what, file contents, expected assignments).
type Case = (
    &'static str,
    &'static [u8],
    &'static [(&'static str, &'static str)],
);
/// What loading gave, and the messages logged.
type Loaded = (Result<Vec<(String, String)>, String>, Vec<String>);

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn parse_table() {
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("plain lines", b"A=1\nB=2\n", &[("A", "1"), ("B", "2")]),
        ("no trailing newline", b"A=1\nB=2", &[("A", "1"), ("B", "2")]),
        ("CRLF", b"A=1\r\nB=2\r\n", &[("A", "1"), ("B", "2")]),
        ("lone CR ends a line", b"A=1\rB=2", &[("A", "1"), ("B", "2")]),
        ("whitespace trimmed", b"  A = 1  \n\tB\t=\t2\t", &[("A", "1"), ("B", "2")]),
        ("inner whitespace kept", b"A=a  b\tc", &[("A", "a  b\tc")]),
        ("comments", b"# one\n; two\n  # three\nA=1", &[("A", "1")]),
        ("hash inside a value", b"A=1 # not a comment", &[("A", "1 # not a comment")]),
        ("comment continued by backslash", b"# c \\\nA=1\nB=2", &[("B", "2")]),
        ("empty value", b"A=\nB=", &[("A", ""), ("B", "")]),
        ("empty quoted value", b"A=''\nB=\"\"", &[("A", ""), ("B", "")]),
        ("line without =", b"A\nB=1\nC", &[("B", "1")]),
        ("repeated key replaces in place", b"A=1\nB=2\nA=3", &[("A", "3"), ("B", "2")]),
        ("single quotes are literal", b"A='x \\n $y \"z'", &[("A", "x \\n $y \"z")]),
        ("single quotes span lines", b"A='a\nb'\nB=1", &[("A", "a\nb"), ("B", "1")]),
        ("single quote then trailing spaces", b"A='x y'   \n", &[("A", "x y")]),
        ("double quote escapes", b"A=\"q\\\"x\\\\y\\$z\\`w\\n\"", &[("A", "q\"x\\y$z`w\\n")]),
        ("double quote continuation", b"A=\"a\\\nb\"", &[("A", "ab")]),
        ("CR inside double quotes", b"A=\"x\r\ny\"", &[("A", "x\r\ny")]),
        ("quotes glue after whitespace", b"A=\"x\" \"y\" 'z'", &[("A", "xyz")]),
        ("quotes literal inside unquoted text", b"A=x \"y\"", &[("A", "x \"y\"")]),
        ("text after a quote", b"A=  'x'y z  ", &[("A", "xy z")]),
        ("unquoted escapes", b"A=a\\ b\\\\c\\\"d", &[("A", "a b\\c\"d")]),
        ("escaped trailing space kept", b"A=a\\ \nB=1", &[("A", "a "), ("B", "1")]),
        ("unquoted continuation", b"A=a\\\n  b\nB=1", &[("A", "a  b"), ("B", "1")]),
        ("escaped CR is eaten too", b"A=a\\\rb", &[("A", "ab")]),
        ("leading backslash", b"A=\\x", &[("A", "x")]),
        ("unterminated double quote", b"A=\"abc", &[("A", "abc")]),
        ("unterminated single quote", b"A='abc\n", &[("A", "abc\n")]),
        ("trailing backslash at EOF", b"A=abc\\", &[("A", "abc")]),
        ("NUL ends the file", b"A=1\0B=2", &[("A", "1")]),
        ("export is not special", b"export A=1", &[("export A", "1")]),
        ("invalid names still parse", b"1A=x\nA-B=y", &[("1A", "x"), ("A-B", "y")]),
        ("equals in value", b"A=b=c", &[("A", "b=c")]),
        ("blank file", b"\n\n  \n", &[]),
    ];
    for (what, input, want) in cases {
        let got = load_env_file("/f", input).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(got, pairs(want), "{what}");
    }
}

#[test]
fn line_numbers_follow_systemds_counter() {
    let got: Vec<u32> = parse_env_file(b"A=1\n# c\nB=2\nC='x\ny'")
        .iter()
        .map(|a| a.line)
        .collect();
    // The counter is bumped before the push, and not inside quotes.
    assert_eq!(got, [2, 4, 4]);
}

#[test]
fn invalid_utf8_fails_the_file() {
    assert_eq!(
        load_env_file("/f", b"A=1\nB=\xff\n"),
        Err("/f:3: invalid UTF-8 value for key B: '\u{FFFD}', ignoring.".to_owned())
    );
    assert_eq!(
        load_env_file("/f", b"K\xc3=1"),
        Err("/f:1: invalid UTF-8 in key 'K\u{FFFD}', ignoring.".to_owned())
    );
    // Noncharacters are invalid for systemd too.
    assert!(load_env_file("/f", "A=\u{FFFE}".as_bytes()).is_err());
    assert_eq!(
        load_env_file("/f", "A=é".as_bytes()),
        Ok(pairs(&[("A", "é")]))
    );
}

#[test]
fn env_names() {
    for ok in ["A", "_", "a_1", "PATH", "_9"] {
        assert!(env_name_is_valid(ok), "{ok}");
    }
    for bad in ["", "1A", "A-B", "A B", "A.B", "é", "A=B"] {
        assert!(!env_name_is_valid(bad), "{bad}");
    }
}

/// Loads `specs` with paths relative to `dir` (`@` stands for the directory).
fn load(dir: &Path, specs: &[&str]) -> Loaded {
    let base = dir.display().to_string();
    let specs: Vec<String> = specs.iter().map(|s| s.replace('@', &base)).collect();
    let mut logs = Vec::new();
    let r = load_environment_files(&specs, &mut |m| logs.push(m.replace(&base, "@")));
    (r, logs)
}

#[test]
fn missing_and_optional_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("a.env"), "A=1\n").unwrap();
    let enoent = Err("Failed to load environment files: No such file or directory".to_owned());
    assert_eq!(load(d, &["@/missing"]).0, enoent);
    assert_eq!(load(d, &["@/*.none"]).0, enoent);
    assert_eq!(
        load(d, &["-@/missing", "@/a.env"]).0,
        Ok(pairs(&[("A", "1")]))
    );
    assert_eq!(load(d, &["-@/*.none"]).0, Ok(Vec::new()));
    assert_eq!(
        load(d, &["relative.env"]).0,
        Err("Failed to load environment files: Invalid argument".to_owned())
    );
    assert_eq!(load(d, &["-relative.env"]).0, Ok(Vec::new()));
    // A directory cannot be read.
    assert_eq!(
        load(d, &["@"]).0,
        Err("Failed to load environment files: Is a directory".to_owned())
    );
}

#[test]
fn globs_merge_in_order_and_invalid_assignments_are_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("10-a.env"), "A=1\nB=1\n1X=bad\n").unwrap();
    std::fs::write(d.join("20-b.env"), "A=2\nC=2\n").unwrap();
    std::fs::write(d.join("late.conf"), "B=3\n").unwrap();
    let (r, logs) = load(d, &["@/*.env", "@/late.conf"]);
    assert_eq!(r, Ok(pairs(&[("A", "2"), ("B", "3"), ("C", "2")])));
    assert_eq!(
        logs,
        ["Ignoring invalid environment assignment '1X=bad': @/10-a.env"]
    );
}

#[test]
fn invalid_utf8_file_fails_unless_optional() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("bad.env"), b"A=\xff\n").unwrap();
    std::fs::write(d.join("good.env"), b"G=1\n").unwrap();
    let (r, logs) = load(d, &["@/bad.env"]);
    assert_eq!(
        r,
        Err("Failed to load environment files: Invalid argument".to_owned())
    );
    assert_eq!(
        logs,
        ["@/bad.env:2: invalid UTF-8 value for key A: '\u{FFFD}', ignoring."]
    );
    let (r, logs) = load(d, &["-@/bad.env", "@/good.env"]);
    assert_eq!(r, Ok(pairs(&[("G", "1")])));
    assert_eq!(logs.len(), 1);
}
