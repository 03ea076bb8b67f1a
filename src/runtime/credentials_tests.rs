//! Tests of credential resolution and the `Limit*=` mapping. The identity the runtime runs as
//! is passed in, so both the privileged and the unprivileged paths run on any machine; user
//! lookups use the synthesized `root`/`nobody` records, or read the expected values from the
//! user database.

use super::*;

const ROOT: RunningAs = RunningAs { uid: 0, gid: 0 };
const ALICE: RunningAs = RunningAs {
    uid: 1234,
    gid: 1234,
};

fn ctx(user: Option<&str>, group: Option<&str>, supp: &[&str]) -> ExecContext {
    ExecContext {
        user: user.map(str::to_owned),
        group: group.map(str::to_owned),
        supplementary_groups: supp.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

fn env(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn own_groups() -> Vec<u32> {
    nix::unistd::getgroups()
        .unwrap()
        .into_iter()
        .map(Gid::as_raw)
        .collect()
}

#[test]
fn nothing_set_changes_nothing() {
    for running in [ROOT, ALICE] {
        let c = resolve_credentials(&ExecContext::default(), running).unwrap();
        assert_eq!((c.uid, c.gid), (None, None));
        assert!(c.env.is_empty());
    }
}

#[test]
fn synthesized_root_and_nobody() {
    let c = resolve_credentials(&ctx(Some("root"), None, &[]), ROOT).unwrap();
    assert_eq!((c.uid, c.gid), (Some(0), Some(0)));
    // gid 0: no initgroups(), the groups stay the runtime's.
    assert_eq!(c.supplementary_groups, own_groups());
    let shell = if Path::new("/bin/bash").exists() {
        "/bin/bash"
    } else {
        "/bin/sh"
    };
    assert_eq!(
        c.env,
        env(&[
            ("HOME", "/root"),
            ("LOGNAME", "root"),
            ("USER", "root"),
            ("SHELL", shell)
        ])
    );
    let c = resolve_credentials(&ctx(Some("65534"), None, &[]), ROOT).unwrap();
    assert_eq!((c.uid, c.gid), (Some(65534), Some(65534)));
    assert_eq!(c.env, env(&[("LOGNAME", "nobody"), ("USER", "nobody")]));
}

#[test]
fn group_overrides_the_primary_group_and_supplementary_groups_append() {
    let c = resolve_credentials(&ctx(Some("nobody"), Some("0"), &["root"]), ROOT).unwrap();
    assert_eq!((c.uid, c.gid), (Some(65534), Some(0)));
    // gid 0 skips initgroups(); only SupplementaryGroups= remain.
    assert_eq!(c.supplementary_groups, [0]);
    let c = resolve_credentials(&ctx(None, None, &["nobody", "0"]), ROOT).unwrap();
    // Groups alone: the gid stays the runtime's, so the spawner applies the list.
    assert_eq!((c.uid, c.gid), (None, Some(0)));
    assert_eq!(c.supplementary_groups, [65534, 0]);
}

#[test]
fn user_from_the_database() {
    // Any user of the database other than root will do; the expected values come from it.
    let Some(u) = (1..1000)
        .filter_map(|id| User::from_uid(Uid::from_raw(id)).ok().flatten())
        .next()
    else {
        return;
    };
    let c = resolve_credentials(&ctx(Some(&u.name), None, &[]), ROOT).unwrap();
    assert_eq!((c.uid, c.gid), (Some(u.uid.as_raw()), Some(u.gid.as_raw())));
    let mut want = user_groups(&u.name, u.gid.as_raw()).unwrap();
    assert!(want.contains(&u.gid.as_raw()));
    assert_eq!(c.supplementary_groups, want);
    let get =
        |e: &[(String, String)], k: &str| e.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(get(&c.env, "LOGNAME"), Some(u.name.clone()));
    // Numeric: looked up by id, the record's name is used.
    let by_id = resolve_credentials(&ctx(Some(&u.uid.to_string()), None, &["0"]), ROOT).unwrap();
    want.push(0);
    assert_eq!(by_id.supplementary_groups, want);
    assert_eq!(get(&by_id.env, "USER"), Some(u.name));
}

#[test]
fn lookup_failures_use_systemds_texts() {
    let e = resolve_credentials(&ctx(Some("no-such-user-x"), None, &[]), ROOT).unwrap_err();
    assert_eq!(e.step, ChildStep::User);
    assert_eq!(
        e.message,
        "Failed to determine user credentials: No such process"
    );
    assert_eq!(
        e.step_message("/bin/true"),
        "Failed at step USER spawning /bin/true: No such process"
    );
    let e = resolve_credentials(&ctx(None, Some("no-such-group-x"), &[]), ROOT).unwrap_err();
    assert_eq!(
        (e.step, e.message.as_str()),
        (
            ChildStep::Group,
            "Failed to determine group credentials: No such process"
        )
    );
    let e = resolve_credentials(&ctx(None, None, &["no-such-group-x"]), ROOT).unwrap_err();
    assert_eq!(
        e.message,
        "Failed to determine supplementary groups: No such process"
    );
    assert_eq!(e.step.exit_code(), 216);
}

#[test]
fn unprivileged_runtime() {
    // The runtime's own identity is accepted and changes nothing.
    let me = RunningAs {
        uid: 65534,
        gid: 65534,
    };
    let c = resolve_credentials(&ctx(Some("nobody"), Some("nobody"), &[]), me).unwrap();
    assert_eq!((c.uid, c.gid), (None, None));
    assert_eq!(c.env, env(&[("LOGNAME", "nobody"), ("USER", "nobody")]));
    // Another user fails where systemd's user manager fails: initgroups().
    let e = resolve_credentials(&ctx(Some("nobody"), None, &[]), ALICE).unwrap_err();
    assert_eq!(
        (e.step, e.errno, e.message.as_str()),
        (
            ChildStep::Group,
            Errno::EPERM,
            "Failed to determine supplementary groups: Operation not permitted"
        )
    );
    assert_eq!(
        e.hint.as_deref(),
        Some("User=nobody needs privileges: sockunit run is running as uid 1234, not root")
    );
    // gid 0 skips initgroups(); setresgid() fails instead.
    let e = resolve_credentials(&ctx(Some("root"), None, &[]), ALICE).unwrap_err();
    assert_eq!(
        e.message,
        "Changing group credentials failed: Operation not permitted"
    );
    let e = resolve_credentials(&ctx(None, Some("nobody"), &[]), ALICE).unwrap_err();
    assert_eq!(
        e.message,
        "Changing group credentials failed: Operation not permitted"
    );
    assert!(e.hint.unwrap().starts_with("Group=nobody needs privileges"));
    let e = resolve_credentials(&ctx(None, None, &["nobody"]), ALICE).unwrap_err();
    assert!(e.hint.unwrap().starts_with("SupplementaryGroups= needs"));
}

#[test]
fn record_cleaning() {
    #[rustfmt::skip]
    let cases: &[(&str, &str, Option<&str>, Option<&str>)] = &[
        ("/home/a", "/bin/zsh", Some("/home/a"), Some("/bin/zsh")),
        ("/", "/bin/sh", None, Some("/bin/sh")),
        ("//", "/bin/sh", None, Some("/bin/sh")),
        ("", "/bin/sh", None, None),
        ("relative", "/bin/sh", None, Some("/bin/sh")),
        ("/h", "/usr/sbin/nologin", Some("/h"), None),
        ("/h", "/bin//false", Some("/h"), None),
        ("/h", "/usr/bin/true", Some("/h"), None),
        ("/h", "sh", Some("/h"), None),
        ("/h", "", Some("/h"), None),
    ];
    for (dir, shell, home, sh) in cases {
        let r = clean_record("u".into(), 1, 1, dir, shell);
        assert_eq!(
            (r.home.as_deref(), r.shell.as_deref()),
            (*home, *sh),
            "{dir} {shell}"
        );
    }
}

#[test]
fn numeric_ids() {
    assert_eq!(parse_id("0"), Some(0));
    assert_eq!(parse_id("1000"), Some(1000));
    for bad in [
        "",
        "01",
        "+1",
        "-1",
        " 1",
        "65535",
        "4294967295",
        "4294967296",
        "x",
    ] {
        assert_eq!(parse_id(bad), None, "{bad}");
    }
}

#[test]
fn limit_keys_map_to_resources() {
    use Resource::*;
    #[rustfmt::skip]
    let table = [
        ("LimitCPU", RLIMIT_CPU), ("LimitFSIZE", RLIMIT_FSIZE), ("LimitDATA", RLIMIT_DATA),
        ("LimitSTACK", RLIMIT_STACK), ("LimitCORE", RLIMIT_CORE), ("LimitRSS", RLIMIT_RSS),
        ("LimitNOFILE", RLIMIT_NOFILE), ("LimitAS", RLIMIT_AS), ("LimitNPROC", RLIMIT_NPROC),
        ("LimitMEMLOCK", RLIMIT_MEMLOCK), ("LimitLOCKS", RLIMIT_LOCKS),
        ("LimitSIGPENDING", RLIMIT_SIGPENDING), ("LimitMSGQUEUE", RLIMIT_MSGQUEUE),
        ("LimitNICE", RLIMIT_NICE), ("LimitRTPRIO", RLIMIT_RTPRIO), ("LimitRTTIME", RLIMIT_RTTIME),
    ];
    for (key, res) in table {
        assert_eq!(rlimit_resource(key), Some(res), "{key}");
        // Every key the config layer knows maps, and the names agree with the spawner's.
        assert!(crate::config::value::rlimit_kind(key).is_some());
        assert_eq!(
            crate::runtime::sys::spawn::rlimit_name(res),
            format!("RLIMIT_{}", &key[5..])
        );
    }
    assert_eq!(rlimit_resource("LimitFOO"), None);
    assert_eq!(rlimit_resource("NOFILE"), None);
    let limits = vec![
        ("LimitNOFILE".to_owned(), 1024, 4096),
        ("LimitCPU".to_owned(), 10, u64::MAX),
    ];
    assert_eq!(
        rlimits(&limits),
        [(RLIMIT_NOFILE, 1024, 4096), (RLIMIT_CPU, 10, u64::MAX)]
    );
}
