//! Table tests for `config_parse_exec()`: systemd 252's `TEST(config_parse_exec)` cases, the
//! argv dumps and messages observed with the installed `systemd-analyze verify` (252.38).

use super::*;

/// `t.socket`'s specifiers, enough for the cases below.
fn expand(s: &str) -> Result<String, SpecifierError> {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match it.next() {
            None => out.push('%'),
            Some('%') => out.push('%'),
            Some('n') => out.push_str("t.socket"),
            Some('p') => out.push('t'),
            Some('i') => {}
            Some(x) if x.is_ascii_alphanumeric() => return Err(SpecifierError::Unknown(x)),
            Some(x) => {
                out.push('%');
                out.push(x);
            }
        }
    }
    Ok(out)
}

fn parse(v: &str) -> Result<ExecParse, ExecFatal> {
    parse_exec(v, "ExecStartPre", &expand)
}

/// Each accepted command as `path|argv joined by '|'|-` (the last part: `-` when
/// ignore_failure).
fn summary(p: &ExecParse) -> Vec<String> {
    p.commands
        .iter()
        .map(|c| {
            let ig = if c.flags.ignore_failure { "-" } else { "" };
            format!("{}|{}|{ig}", c.path, c.argv.join("|"))
        })
        .collect()
}

fn messages(w: &[ValueError]) -> Vec<String> {
    w.iter().map(|e| e.message.clone()).collect()
}

#[test]
fn accepted_commands() {
    // (value, commands as summary(), warnings)
    let long = format!("/bin/echo {}", "x".repeat(1024 * 1024 - 100 - 11));
    let long_arg = "x".repeat(1024 * 1024 - 100 - 11);
    let long_cmd = format!("/bin/echo|/bin/echo|{long_arg}|");
    let cases: Vec<(&str, Vec<&str>, Vec<&str>)> = vec![
        ("/RValue r1", vec!["/RValue|/RValue|r1|"], vec![]),
        (
            "/RValue///slashes r1///",
            vec!["/RValue/slashes|/RValue///slashes|r1///|"],
            vec![],
        ),
        (
            "@/RValue///slashes2 ///argv0 r1",
            vec!["/RValue/slashes2|///argv0|r1|"],
            vec![],
        ),
        (
            "-@/RValue///slashes3 argv0a r1",
            vec!["/RValue/slashes3|argv0a|r1|-"],
            vec![],
        ),
        (
            "@-/RValue///slashes4 argv0b r1",
            vec!["/RValue/slashes4|argv0b|r1|-"],
            vec![],
        ),
        (
            "-@/RValue argv0 r1 ; /goo/goo boo",
            vec!["/RValue|argv0|r1|-", "/goo/goo|/goo/goo|boo|"],
            vec![],
        ),
        (
            "-@/RValue argv0 r1 ; ; /goo/goo boo",
            vec!["/RValue|argv0|r1|-", "/goo/goo|/goo/goo|boo|"],
            vec![],
        ),
        ("-@/RValue argv0 r1 ; ", vec!["/RValue|argv0|r1|-"], vec![]),
        ("-@/RValue argv0 r1 ;", vec!["/RValue|argv0|r1|-"], vec![]),
        (
            "-@/RValue argv0 r1 ';'",
            vec!["/RValue|argv0|r1|;|-"],
            vec![],
        ),
        ("/bin/find \\;", vec!["/bin/find|/bin/find|;|"], vec![]),
        (
            "/sbin/find \\; /x",
            vec!["/sbin/find|/sbin/find|;|/x|"],
            vec![],
        ),
        (
            "/sbin/find \\;x",
            vec!["/sbin/find|/sbin/find|\\;x|"],
            vec!["Ignoring unknown escape sequences: \"\\;x\""],
        ),
        ("/bin/find \\073", vec!["/bin/find|/bin/find|;|"], vec![]),
        ("/bin/find \";\"", vec!["/bin/find|/bin/find|;|"], vec![]),
        (
            "/sbin/find \";\" /x",
            vec!["/sbin/find|/sbin/find|;|/x|"],
            vec![],
        ),
        (
            "\"/PATH WITH SPACES/daemon\" -1 -2",
            vec!["/PATH WITH SPACES/daemon|/PATH WITH SPACES/daemon|-1|-2|"],
            vec![],
        ),
        (
            "\"/PATH WITH SPACES/daemon -1 -2\"",
            vec!["/PATH WITH SPACES/daemon -1 -2|/PATH WITH SPACES/daemon -1 -2|"],
            vec![],
        ),
        (
            "\"/PATH WITH SPACES/daemon\" \"-1\" '-2'",
            vec!["/PATH WITH SPACES/daemon|/PATH WITH SPACES/daemon|-1|-2|"],
            vec![],
        ),
        (
            "\"/PATH\\sWITH\\sSPACES/daemon\" '-1 -2'",
            vec!["/PATH WITH SPACES/daemon|/PATH WITH SPACES/daemon|-1 -2|"],
            vec![],
        ),
        (
            "\"/PATH\\x20WITH\\x20SPACES/daemon\" \"-1 -2\"",
            vec!["/PATH WITH SPACES/daemon|/PATH WITH SPACES/daemon|-1 -2|"],
            vec![],
        ),
        ("/path\\s", vec!["/path |/path |"], vec![]),
        (
            "/bin/grep '\\w+\\K'",
            vec!["/bin/grep|/bin/grep|\\w+\\K|"],
            vec!["Ignoring unknown escape sequences: \"\\w+\\K\""],
        ),
        (long.as_str(), vec![long_cmd.as_str()], vec![]),
        // Observed with systemd-analyze (252.38).
        (
            "/bin/echo \\; y ; /bin/b \";\" ';' \\073 ; ; /c",
            vec!["/bin/echo|/bin/echo|;|y|", "/bin/b|/bin/b|;|;|;|", "/c|/c|"],
            vec![],
        ),
        ("/bin/x; y", vec!["/bin/x;|/bin/x;|y|"], vec![]),
        ("/bin/x ;y", vec!["/bin/x|/bin/x|;y|"], vec![]),
        ("\";\" /bin/q", vec!["/bin/q|/bin/q|"], vec![]),
        (
            "/bin/echo \\\\; z",
            vec!["/bin/echo|/bin/echo|\\;|z|"],
            vec![],
        ),
        (
            "/bin/echo \"\\;\" w",
            vec!["/bin/echo|/bin/echo|\\;|w|"],
            vec!["Ignoring unknown escape sequences: \"\\;\""],
        ),
        (
            "/bin/echo a\\ b",
            vec!["/bin/echo|/bin/echo|a\\ b|"],
            vec!["Ignoring unknown escape sequences: \"a\\ b\""],
        ),
        ("/bin/.", vec!["/bin|/bin/.|"], vec![]),
        ("/bin/..", vec!["/bin/..|/bin/..|"], vec![]),
        (
            "/bin/echo \\x25n",
            vec!["/bin/echo|/bin/echo|t.socket|"],
            vec![],
        ),
        (
            "/usr//bin/./env x",
            vec!["/usr/bin/env|/usr//bin/./env|x|"],
            vec![],
        ),
        (
            "-echo ok ; /bin/true",
            vec!["echo|echo|ok|-", "/bin/true|/bin/true|"],
            vec![],
        ),
        ("/bin/echo x ;", vec!["/bin/echo|/bin/echo|x|"], vec![]),
        (
            "echo %n %p %i %% %%n",
            vec!["echo|echo|t.socket|t||%|%n|"],
            vec![],
        ),
        (
            "/bin/echo \\x00 \\u0000 \\400 \\777 \\xzz \\U00110000",
            vec!["/bin/echo|/bin/echo|\\x00|\\u0000|\\400|\\777|\\xzz|\\U00110000|"],
            vec![
                "Ignoring unknown escape sequences: \"\\x00\"",
                "Ignoring unknown escape sequences: \"\\u0000\"",
                "Ignoring unknown escape sequences: \"\\400\"",
                "Ignoring unknown escape sequences: \"\\777\"",
                "Ignoring unknown escape sequences: \"\\xzz\"",
                "Ignoring unknown escape sequences: \"\\U00110000\"",
            ],
        ),
        (
            "/bin/echo \\xc3\\xa9 \\u00e9 \\U0001F600",
            vec!["/bin/echo|/bin/echo|é|é|😀|"],
            vec![],
        ),
    ];
    for (value, want, warns) in cases {
        let got = parse(value).unwrap_or_else(|e| panic!("{value:?}: {e:?}"));
        let short: String = value.chars().take(60).collect();
        assert_eq!(summary(&got), want, "{short:?}");
        assert_eq!(messages(&got.warnings), warns, "{short:?}");
        assert!(!got.reset && got.warnings.iter().all(|w| !w.fatal));
    }
}

#[test]
fn dropped_with_warning() {
    // Parse errors that do not refuse the unit: the command (and the rest) is dropped.
    let cases = [
        (
            "--/RValue argv0 r1",
            "Neither a valid executable name nor an absolute path, ignoring: -/RValue",
        ),
        (
            "-@-/RValue argv0 r1",
            "Neither a valid executable name nor an absolute path, ignoring: -/RValue",
        ),
        ("- /path", "Empty path in command line, ignoring: '- /path'"),
        ("-", "Empty path in command line, ignoring: '-'"),
        (
            "-bin/foo",
            "Neither a valid executable name nor an absolute path, ignoring: bin/foo",
        ),
        (
            "-+!/bin/x",
            "Neither a valid executable name nor an absolute path, ignoring: !/bin/x",
        ),
        (
            "-!!!/bin/x",
            "Neither a valid executable name nor an absolute path, ignoring: !/bin/x",
        ),
        ("-@ x", "Empty path in command line, ignoring: '-@ x'"),
        (
            "-/bin/echo \"unterminated",
            "Unbalanced quoting, ignoring: \"-/bin/echo \"unterminated\"",
        ),
        (
            "\"/bin/echo",
            "Unbalanced quoting, ignoring: \"\"/bin/echo\"",
        ),
        (
            "-/bin/%z x",
            "Failed to resolve unit specifiers in '/bin/%z', ignoring: Invalid slot",
        ),
        (
            "-/bin/x %z",
            "Failed to resolve unit specifiers in %z, ignoring: Invalid slot",
        ),
        (
            "-/bin/",
            "Executable path specifies a directory, ignoring: /bin/",
        ),
        ("-/bin/e\"x", "Unbalanced quoting, ignoring: \"-/bin/e\"x\""),
    ];
    for (value, msg) in cases {
        let got = parse(value).unwrap_or_else(|e| panic!("{value:?}: {e:?}"));
        assert!(got.commands.is_empty(), "{value:?}");
        assert_eq!(messages(&got.warnings), [msg], "{value:?}");
        assert!(!got.warnings[0].fatal);
    }
    // Earlier commands of the line survive.
    let got = parse("-echo ok ; /bin/true ; -@ x").unwrap();
    assert_eq!(summary(&got), ["echo|echo|ok|-", "/bin/true|/bin/true|"]);
    assert_eq!(
        messages(&got.warnings),
        ["Empty path in command line, ignoring: '-@ x'"]
    );
}

#[test]
fn fatal() {
    // (value, earlier warnings, fatal message)
    let cases: Vec<(&str, Vec<&str>, &str)> = vec![
        (
            "/RValue/ argv0 r1",
            vec![],
            "Executable path specifies a directory: /RValue/",
        ),
        (
            "@/RValue",
            vec![],
            "Empty executable name or zeroeth argument: @/RValue",
        ),
        ("@", vec![], "Empty path in command line: '@'"),
        (
            "/path 'foo",
            vec![],
            "Unbalanced quoting, ignoring: \"/path 'foo\"",
        ),
        (
            "/path 'foo\\",
            vec![],
            "Unbalanced quoting, ignoring: \"/path 'foo\\\"",
        ),
        (
            "/path\\",
            vec!["Ignoring unknown escape sequences: \"/path\\\""],
            "Executable name contains special characters: /path\\",
        ),
        (
            "bin/foo",
            vec![],
            "Neither a valid executable name nor an absolute path: bin/foo",
        ),
        (
            "./foo",
            vec![],
            "Neither a valid executable name nor an absolute path: ./foo",
        ),
        (
            "..",
            vec![],
            "Neither a valid executable name nor an absolute path: ..",
        ),
        (
            "/bin/echo \"unterminated",
            vec![],
            "Unbalanced quoting, ignoring: \"/bin/echo \"unterminated\"",
        ),
        (
            "/bin/echo %z",
            vec![],
            "Failed to resolve unit specifiers in %z: Invalid slot",
        ),
        (
            "/bin/%z x",
            vec![],
            "Failed to resolve unit specifiers in '/bin/%z': Invalid slot",
        ),
        (
            "/bin/e\\ho x",
            vec!["Ignoring unknown escape sequences: \"/bin/e\\ho\""],
            "Executable name contains special characters: /bin/e\\ho",
        ),
        (
            "/bin/true ; /bin/echo \"x",
            vec![],
            "Unbalanced quoting, ignoring: \"/bin/echo \"x\"",
        ),
        (
            ";/bin/x",
            vec![],
            "Neither a valid executable name nor an absolute path: ;/bin/x",
        ),
        (
            "-/bin/echo ok ; @/x",
            vec![],
            "Empty executable name or zeroeth argument: @/x",
        ),
        (
            "/a ; ; @/x",
            vec![],
            "Empty executable name or zeroeth argument: ; @/x",
        ),
        (
            "+!/bin/x",
            vec![],
            "Neither a valid executable name nor an absolute path: !/bin/x",
        ),
    ];
    for (value, warns, msg) in cases {
        let e = parse(value).expect_err(value);
        assert_eq!(messages(&e.warnings), warns, "{value:?}");
        assert_eq!(e.error.message, msg, "{value:?}");
        assert!(e.error.fatal);
    }
    // systemd's own "invalid character" loop: \a \b \f \n \r \t \v \\ \' \" \x in the path.
    for c in "abfnrtv\\'\"x".chars() {
        let value = format!("/path\\{c}");
        let e = parse(&value).expect_err(&value);
        assert!(
            e.error
                .message
                .starts_with("Executable name contains special characters: ")
        );
    }
}

#[test]
fn prefixes() {
    let flags = |v: &str| parse(v).unwrap().commands[0].flags;
    let f = flags("-@:+/bin/x y");
    assert!(f.ignore_failure && f.at && f.no_env_expand && f.full_privileges);
    assert!(!f.no_setuid && !f.ambient);
    let f = flags("!/bin/x");
    assert!(f.no_setuid && !f.ambient);
    let f = flags("!!/bin/x");
    assert!(!f.no_setuid && f.ambient);
    let f = flags(":-!!/bin/x");
    assert!(f.ambient && f.no_env_expand && f.ignore_failure);
}

#[test]
fn reset_and_ranges() {
    assert_eq!(
        parse("").unwrap(),
        ExecParse {
            reset: true,
            ..ExecParse::default()
        }
    );
    let got = parse("/a x ; /b  y").unwrap();
    let ranges: Vec<_> = got.commands.iter().map(|c| c.range.clone()).collect();
    assert_eq!(ranges, [0..4, 7..12]);
    let e = parse("/bin/echo %z").unwrap_err();
    assert_eq!(e.error.range, Some(10..12));
    let got = parse("/bin/echo a\\qb").unwrap();
    assert_eq!(got.warnings[0].range, Some(10..14));
}

#[test]
fn command_line_quoting() {
    // (argv as parsed from the value, the dump line) — all observed in systemd's debug dump.
    let cases = [
        (
            "/bin/echo a\"b c\"d 'x'y \"q\\\"uote\" \\x41\\101\\u00e9",
            "/bin/echo \"ab cd\" xy \"q\\\"uote\" AAé",
        ),
        ("@/bin/echo zero first second", "zero first second"),
        ("echo %n %p %i %% %%n", "echo t.socket t \"\" % %n"),
        (
            "/bin/echo \"\" '' a\\tb \\a \\x7f \\x01 \"[x]\" \"a{b}\" \"#~=\" \"x*y\" \"\\$FOO\" \"`x`\" \"\\\\\" 'it''s' \"a]b\" \\U0001F600 é",
            "/bin/echo \"\" \"\" \"a\\tb\" \"\\a\" \"\\177\" \"\\001\" \"[x]\" a{b} #~= \"x*y\" \"\\\\\\$FOO\" \"\\`x\\`\" \"\\\\\" its a]b 😀 é",
        ),
        ("/bin/echo \\;x", "/bin/echo \"\\\\;x\""),
        ("/bin/echo \\; y", "/bin/echo \";\" y"),
        ("/bin/x; y", "\"/bin/x;\" y"),
        ("/bin/echo a\\ b", "/bin/echo \"a\\\\ b\""),
        (
            "/bin/echo \"hello world\" \"$FOO\" \"${BAR}\"",
            "/bin/echo \"hello world\" \"\\$FOO\" \"\\${BAR}\"",
        ),
        ("/bin/echo \"a\\\\qb\"", "/bin/echo \"a\\\\qb\""),
        ("/bin/echo ok!", "/bin/echo \"ok!\""),
    ];
    for (value, line) in cases {
        let got = parse(value).unwrap();
        assert_eq!(quote_command_line(&got.commands[0].argv), line, "{value:?}");
    }
}

#[test]
fn simplify() {
    let cases = [
        ("/RValue///slashes", "/RValue/slashes"),
        ("///foo//./bar/.", "/foo/bar"),
        (".//./foo//./bar/.", "foo/bar"),
        ("/", "/"),
        (".", "."),
        ("./", "."),
        ("/a/../b/", "/a/../b"),
        ("foo", "foo"),
    ];
    for (a, b) in cases {
        assert_eq!(path_simplify(a), b, "{a:?}");
    }
}
