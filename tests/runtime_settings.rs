//! `docs/runtime-settings.md` stays current, and `sockunit run`'s list of ignored settings is
//! computed from real unit files (fragment plus drop-ins).

use sockunit::load::Loader;
use sockunit::load::name::UnitName;
use sockunit::load::paths::{Environment, Scope, SearchPath};
use sockunit::runtime::unenforced::{Family, unenforced, unenforced_settings};

#[test]
fn runtime_settings_doc_is_fresh() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/runtime-settings.md");
    let want = sockunit::runtime::unenforced::settings_table();
    if std::env::var_os("SOCKUNIT_UPDATE_DOCS").is_some() {
        std::fs::write(path, &want).unwrap();
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/runtime-settings.md is stale: run SOCKUNIT_UPDATE_DOCS=1 cargo test --test runtime_settings"
    );
}

fn load(dir: &std::path::Path, name: &str) -> sockunit::load::LoadedUnit {
    let env = Environment {
        unit_path: Some(dir.display().to_string()),
        ..Default::default()
    };
    let loader = Loader::new(
        SearchPath::new(Scope::System, None, &env),
        Scope::System,
        &env,
    );
    let mut diags = Vec::new();
    loader.load(&UnitName::parse(name).unwrap(), &mut diags)
}

#[test]
fn ignored_settings_of_a_unit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("svc.service"),
        "[Unit]\n\
         Description=x\n\
         [Service]\n\
         ExecStart=/bin/true\n\
         PrivateTmp=yes\n\
         ProtectSystem=strict\n\
         MemoryMax=1G\n\
         NoNewPrivileges=no\n\
         ReadWritePaths=/var/lib/x\n\
         TasksMax=infinity\n\
         User=nobody\n\
         LimitNOFILE=1024\n\
         CapabilityBoundingSet=CAP_NET_BIND_SERVICE\n",
    )
    .unwrap();
    std::fs::create_dir(d.join("svc.service.d")).unwrap();
    std::fs::write(
        d.join("svc.service.d/10-override.conf"),
        "[Service]\nPrivateTmp=no\nReadWritePaths=\nReadWritePaths=/srv\nSystemCallFilter=@system-service\n",
    )
    .unwrap();
    let unit = load(d, "svc.service");
    assert_eq!(
        unenforced_settings(&unit),
        [
            ("ProtectSystem".to_owned(), 6),
            ("MemoryMax".to_owned(), 7),
            ("CapabilityBoundingSet".to_owned(), 13),
            ("ReadWritePaths".to_owned(), 4),
            ("SystemCallFilter".to_owned(), 5),
        ]
    );
    let all = unenforced(&unit);
    assert_eq!(all[1].family, Family::ControlGroups);
    assert!(all[3].path.ends_with("svc.service.d/10-override.conf"));
    assert_eq!(
        all[0].message(),
        format!(
            "{}:6: ProtectSystem= is not enforced by sockunit run (namespaces and sandboxing), ignoring.",
            d.join("svc.service").display()
        )
    );
}

#[test]
fn socket_units_too() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("s.socket"),
        "[Socket]\nListenStream=80\nSmackLabel=x\nIPAddressDeny=any\nBacklog=10\n",
    )
    .unwrap();
    assert_eq!(
        unenforced_settings(&load(d, "s.socket")),
        [
            ("SmackLabel".to_owned(), 3),
            ("IPAddressDeny".to_owned(), 4)
        ]
    );
}
