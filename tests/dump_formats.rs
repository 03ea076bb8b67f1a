//! `sockunit dump --format systemd|seed|json`: insta snapshots of every fixture unit in each
//! format, every JSON document checked against `docs/dump.schema.json`, and the origins of a
//! few known lines.
//!
//! Snapshots (`tests/snapshots/dump_formats/`, one per unit and format):
//! - `systemd`, `seed` and `json` for every unit file of `fixtures/examples/` and
//!   `fixtures/dump-formats/`;
//! - `seed` and `json` for every unit of `fixtures/dump/` (the 973 corpus units systemd loads;
//!   their `systemd` format is compared with systemd's own dump by `tests/dump.rs` and
//!   `tests/dump_header.rs` instead), and for a few units systemd refuses ([`REFUSED`]).
//!
//! Host facts are pinned ([`pin_host`]) and the checkout path is `@ROOT@`, so the snapshots
//! do not depend on the machine. Review changes with `cargo insta review`, or accept them all
//! with `INSTA_UPDATE=always INSTA_FORCE_PASS=1 cargo test --test dump_formats`.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sockunit::cli::{dump_unit, dump_unit_json, dump_unit_seed, loader_for};
use sockunit::config::{ExecContext, KillContext, ServiceConfig, SocketConfig};
use sockunit::dump::json::{
    EXEC_FIELDS, Field, KILL_FIELDS, SERVICE_FIELDS, SOCKET_FIELDS, document,
};
use sockunit::load::Loader;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Replaces the host facts specifiers and addresses expand to with fixed ones.
fn pin_host(loader: &mut Loader) {
    let h = &mut loader.host;
    h.hostname = "snapshot-host.example".into();
    h.pretty_hostname = "Snapshot Host".into();
    h.machine_id = "0123456789abcdef0123456789abcdef".into();
    h.boot_id = "fedcba9876543210fedcba9876543210".into();
    h.kernel_release = "6.1.0-snapshot".into();
    h.architecture = "x86-64".into();
    h.os_release = [
        ("ID", "debian"),
        ("VERSION_ID", "12"),
        ("BUILD_ID", ""),
        ("VARIANT_ID", ""),
        ("IMAGE_ID", ""),
        ("IMAGE_VERSION", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    h.tmp_dir = "/tmp".into();
    h.ipv6 = true;
    h.interfaces = vec![("lo".into(), 1), ("eth0".into(), 2)];
}

/// A loader for one unit file (its directory searched first), host facts pinned.
fn load(file: &Path) -> (Loader, sockunit::load::name::UnitName) {
    let mut diags = Vec::new();
    let (mut loader, names, _) = loader_for(
        &[file.to_string_lossy().into_owned()],
        None,
        false,
        &mut diags,
    );
    pin_host(&mut loader);
    let name = names.into_iter().next().expect("one unit");
    (loader, name)
}

fn unit_path(dir: &str, unit: &str) -> PathBuf {
    root().join(dir).join(unit)
}

fn lines_text<'a>(lines: impl Iterator<Item = &'a String>) -> String {
    let mut out = String::new();
    for l in lines {
        out.push_str(l);
        out.push('\n');
    }
    out
}

fn seed_of(file: &Path) -> String {
    let (loader, name) = load(file);
    let mut verifier = sockunit::verify::Verifier::new(&loader);
    verifier.exec_check = false;
    let d = dump_unit_seed(&loader, &mut verifier, &name, &mut Vec::new());
    lines_text(d.header.iter().chain(&d.block))
}

fn systemd_of(file: &Path) -> String {
    let (loader, name) = load(file);
    let mut verifier = sockunit::verify::Verifier::new(&loader);
    verifier.exec_check = false;
    let d = dump_unit(&loader, &mut verifier, &name, &mut Vec::new());
    lines_text(d.header.iter().chain(&d.block))
}

fn json_file(file: &Path) -> Value {
    let (loader, name) = load(file);
    let mut verifier = sockunit::verify::Verifier::new(&loader);
    verifier.exec_check = false;
    dump_unit_json(&loader, &mut verifier, &name, &mut Vec::new()).0
}

fn json_of(dir: &str, unit: &str) -> Value {
    json_file(&unit_path(dir, unit))
}

fn seed_text(dir: &str, unit: &str) -> String {
    seed_of(&unit_path(dir, unit))
}

/// The checkout path as `@ROOT@`.
fn redact(text: &str) -> String {
    text.replace(&root().to_string_lossy().into_owned(), "@ROOT@")
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap() + "\n"
}

fn schema_errors(validator: &jsonschema::Validator, unit: Value) -> Vec<String> {
    let doc = document(vec![unit]);
    validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Runs `check` (insta assertions) and records its name when it fails, so one run reports
/// every changed snapshot rather than the first.
fn collect(failures: &mut Vec<String>, name: &str, check: impl FnOnce()) {
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(check)).is_err() {
        failures.push(name.to_owned());
    }
}

fn snapshot_settings(input: &str) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/dump_formats");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_input_file(input);
    settings.set_omit_expression(true);
    settings
}

/// Every unit file of `fixtures/examples/` and `fixtures/dump-formats/` in all three formats.
#[test]
fn fixture_units_in_every_format() {
    let validator = schema();
    let (mut count, mut failures) = (0, Vec::new());
    for dir in ["fixtures/examples", "fixtures/dump-formats"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.is_file()
                    && p.extension()
                        .is_some_and(|e| e == "socket" || e == "service")
            })
            .collect();
        files.sort();
        let short = dir.trim_start_matches("fixtures/");
        for f in files {
            let unit = f.file_name().unwrap().to_string_lossy().into_owned();
            let name = format!("{short}__{unit}");
            let json = json_file(&f);
            let errors = schema_errors(&validator, json.clone());
            assert!(errors.is_empty(), "{name}: {}", errors.join("\n"));
            let settings = snapshot_settings(&format!("{dir}/{unit}"));
            let texts = [
                ("systemd", redact(&systemd_of(&f))),
                ("seed", redact(&seed_of(&f))),
                ("json", redact(&pretty(&json))),
            ];
            for (format, text) in texts {
                let snapshot = format!("{format}@{name}");
                collect(&mut failures, &snapshot, || {
                    settings.bind(|| insta::assert_snapshot!(snapshot.clone(), text));
                });
            }
            count += 1;
        }
    }
    assert!(count >= 9, "only {count} fixture units");
    assert!(failures.is_empty(), "snapshots differ: {failures:?}");
}

/// Conformance units systemd refuses (so `fixtures/dump/` has no golden for them) whose seed
/// and JSON dumps still show what was read: drop-in resets before the refusal, a unit that
/// fails to load.
const REFUSED: [&str; 3] = [
    "76-dropin-order-reset__t.socket",
    "95-socket-listen-reset__t.socket",
    "33-section-lowercase__t.socket",
];

/// Every unit of `fixtures/dump/` (`<case>__<unit>.expected` names
/// `fixtures/conformance/<case>/<unit>`) in the seed and JSON formats; the JSON validates.
#[test]
fn corpus_units_in_seed_and_json() {
    let validator = schema();
    let mut goldens: Vec<String> = std::fs::read_dir(root().join("fixtures/dump"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".expected").map(str::to_owned))
        .collect();
    goldens.sort();
    assert!(
        goldens.len() >= 900,
        "too few corpus units: {}",
        goldens.len()
    );
    goldens.extend(REFUSED.iter().map(|s| (*s).to_owned()));
    let (mut schema_failures, mut failures) = (Vec::new(), Vec::new());
    for stem in &goldens {
        let (case, unit) = stem.split_once("__").unwrap();
        let file = root().join("fixtures/conformance").join(case).join(unit);
        let json = json_file(&file);
        let errors = schema_errors(&validator, json.clone());
        if !errors.is_empty() {
            schema_failures.push(format!("{stem}: {}", errors.join("; ")));
        }
        let settings = snapshot_settings(&format!("fixtures/conformance/{case}/{unit}"));
        for (format, text) in [
            ("seed", redact(&seed_of(&file))),
            ("json", redact(&pretty(&json))),
        ] {
            let snapshot = format!("{format}@{stem}");
            collect(&mut failures, &snapshot, || {
                settings.bind(|| insta::assert_snapshot!(snapshot.clone(), text));
            });
        }
    }
    assert!(
        schema_failures.is_empty(),
        "{} documents fail the schema:\n{}",
        schema_failures.len(),
        schema_failures.join("\n")
    );
    assert!(
        failures.is_empty(),
        "{} snapshots differ: {failures:?}",
        failures.len()
    );
}

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("docs/dump.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).expect("docs/dump.schema.json is a valid schema")
}

/// Every conformance unit's JSON (also units that fail to load) validates.
#[test]
fn json_output_matches_schema_for_the_conformance_corpus() {
    let validator = schema();
    let dir = root().join("fixtures/conformance");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let mut checked = 0;
    for case in &cases {
        let mut diags = Vec::new();
        let arg = case.to_string_lossy().into_owned();
        let (loader, names, _) = loader_for(&[arg], None, false, &mut diags);
        for name in &names {
            let mut verifier = sockunit::verify::Verifier::new(&loader);
            verifier.exec_check = false;
            let v = dump_unit_json(&loader, &mut verifier, name, &mut diags).0;
            let doc = document(vec![v]);
            let errors: Vec<String> = validator
                .iter_errors(&doc)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(
                errors.is_empty(),
                "{}: {}",
                case.display(),
                errors.join("\n")
            );
            checked += 1;
        }
    }
    assert!(checked >= 1000, "only {checked} units checked");
}

fn pos(file: &str, line: usize, column: usize) -> Value {
    json!({"file": root().join(file).to_string_lossy(), "line": line, "column": column})
}

#[test]
fn json_origins_of_known_lines() {
    let v = json_of("fixtures/dump-formats", "full.socket");
    let s = &v["socket"];
    let fragment = "fixtures/dump-formats/full.socket";
    let dropin = "fixtures/dump-formats/full.socket.d/10-override.conf";
    // Set in the fragment, overridden in the drop-in: the drop-in's line.
    assert_eq!(s["backlog"]["value"], json!(64));
    assert_eq!(s["backlog"]["origin"], pos(dropin, 2, 1));
    // Set in the fragment only.
    assert_eq!(s["socket_mode"]["value"], json!(0o600));
    assert_eq!(s["socket_mode"]["origin"], pos(fragment, 12, 1));
    // Never set: the default.
    assert_eq!(s["directory_mode"]["value"], json!(0o755));
    assert_eq!(s["directory_mode"]["origin"], json!("default"));
    assert!(s["directory_mode"].get("resets").is_none());
    // Derived by systemd.
    assert_eq!(s["fd_name"]["value"], json!("full.socket"));
    assert_eq!(
        s["fd_name"]["origin"],
        json!({"implicit": "fdname-unit-name"})
    );
    assert_eq!(s["service"]["value"], json!("full.service"));
    assert_eq!(
        s["service"]["origin"],
        json!({"implicit": "socket-triggers-same-name-service"})
    );
    // A list with one origin per element, in the fragment.
    let listens = s["listens"]["value"].as_array().unwrap();
    assert_eq!(listens.len(), 2);
    assert_eq!(listens[0]["origin"], pos(fragment, 8, 1));
    assert_eq!(listens[1]["origin"], pos(fragment, 9, 1));
    assert_eq!(listens[1]["value"]["kind"], json!("Fifo"));
    assert_eq!(s["listens"]["resets"], json!([]));
    // A list reset in the drop-in, then refilled there.
    let env = &s["exec"]["environment"];
    assert_eq!(env["resets"], json!([pos(dropin, 3, 1)]));
    assert_eq!(
        env["value"],
        json!([{"value": "C=3", "origin": pos(dropin, 4, 1)}])
    );
    // One assignment, two commands: both point at it.
    let stop_pre = s["exec_stop_pre"]["value"].as_array().unwrap();
    assert_eq!(stop_pre.len(), 2);
    assert_eq!(stop_pre[0]["origin"], pos(fragment, 17, 1));
    assert_eq!(stop_pre[1]["origin"], pos(fragment, 17, 1));
    assert_eq!(
        stop_pre[0]["value"]["argv"],
        json!(["/bin/echo", "hello world", "x"])
    );
    let start_pre = &s["exec_start_pre"];
    assert_eq!(start_pre["resets"], json!([pos(dropin, 5, 1)]));
    assert_eq!(start_pre["value"][0]["origin"], pos(dropin, 6, 1));
    // Limits, keyed by directive.
    let nofile = &s["exec"]["limits"]["value"]["LimitNOFILE"];
    assert_eq!(nofile["value"], json!({"soft": 4096, "hard": 4096}));
    assert_eq!(nofile["origin"], pos(fragment, 21, 1));
    // [Unit] dependencies keep their lines.
    let deps = v["unit"]["dependencies"]["value"].as_array().unwrap();
    assert_eq!(
        deps[0]["value"],
        json!({"kind": "Wants", "name": "foo.service"})
    );
    assert_eq!(deps[0]["origin"], pos(fragment, 4, 1));
    assert_eq!(v["unit"]["description"]["origin"], pos(fragment, 3, 1));
}

#[test]
fn json_implicit_and_service_origins() {
    let a = json_of("fixtures/dump-formats", "accept.socket");
    let burst = &a["socket"]["trigger_limit_burst"];
    assert_eq!(burst["value"], json!(200));
    assert_eq!(
        burst["origin"],
        json!({"implicit": "accept-trigger-limit-burst"})
    );
    // Accept=yes: no triggered service of the same name.
    assert_eq!(a["socket"]["service"]["value"], Value::Null);
    assert_eq!(a["socket"]["service"]["origin"], json!("default"));

    let s = json_of("fixtures/dump-formats", "svc.service");
    let svc = &s["service"];
    let fragment = "fixtures/dump-formats/svc.service";
    let dropin = "fixtures/dump-formats/svc.service.d/override.conf";
    // TimeoutSec= sets both; TimeoutStopSec= in the drop-in overrides the stop one.
    assert_eq!(svc["timeout_start_usec"]["origin"], pos(fragment, 8, 1));
    assert_eq!(svc["timeout_stop_usec"]["value"], json!(5_000_000));
    assert_eq!(svc["timeout_stop_usec"]["origin"], pos(dropin, 2, 1));
    let exec_start = &svc["commands"]["value"]["ExecStart"];
    assert_eq!(exec_start["resets"], json!([pos(fragment, 6, 1)]));
    assert_eq!(exec_start["value"][0]["origin"], pos(fragment, 7, 1));
    assert_eq!(
        svc["notify_access"]["origin"],
        json!({"implicit": "notify-access-main"})
    );
    let nofile = &svc["exec"]["limits"]["value"]["LimitNOFILE"];
    assert_eq!(nofile["value"], json!({"soft": 1024, "hard": 2048}));
    assert_eq!(nofile["origin"], pos(dropin, 3, 1));
}

/// Implicit and default dependencies carry the rule that added them; `RequiresMountsFor=`
/// paths their assignment or rule.
#[test]
fn json_dependency_origins() {
    let v = json_of("fixtures/dump-formats", "full.socket");
    let deps = v["unit"]["dependencies"]["value"].as_array().unwrap();
    let origin_of = |kind: &str, name: &str| -> Vec<Value> {
        deps.iter()
            .filter(|d| d["value"] == json!({"kind": kind, "name": name}))
            .map(|d| d["origin"].clone())
            .collect()
    };
    let fragment = "fixtures/dump-formats/full.socket";
    assert_eq!(origin_of("Wants", "foo.service"), [pos(fragment, 4, 1)]);
    assert_eq!(
        origin_of("Triggers", "full.service"),
        [json!({"implicit": "socket-triggers-service"})]
    );
    assert_eq!(
        origin_of("After", "sysinit.target"),
        [json!({"default": "default-dependencies"})]
    );
    assert_eq!(
        origin_of("Conflicts", "shutdown.target"),
        [json!({"default": "default-dependencies"})]
    );
    assert_eq!(
        origin_of("InSlice", "system.slice"),
        [json!({"implicit": "slice"})]
    );
    assert_eq!(
        origin_of("After", "-.mount"),
        [json!({"implicit": "requires-mounts-for"})]
    );
    // StandardOutput=journal in the fragment: ordered after journald (system manager).
    assert_eq!(
        origin_of("After", "systemd-journald.socket"),
        [json!({"implicit": "exec-journal-output"})]
    );
    let mounts = &v["unit"]["requires_mounts_for"];
    assert_eq!(
        mounts["value"],
        json!([{"value": "/run/sockunit-dump.fifo", "origin": {"implicit": "socket-paths"}}])
    );
    assert_eq!(mounts["origin"], json!("default"));

    // The dump header lists the same dependencies with systemd's masks.
    let header = systemd_of(&unit_path("fixtures/dump-formats", "full.socket"));
    for line in [
        "\t\tTriggers: full.service (origin-implicit)",
        "\t\tAfter: sysinit.target (origin-default)",
        "\t\tAfter: systemd-journald.socket (origin-file)",
        "\t\tRequiresMountsFor: /run/sockunit-dump.fifo (origin-file)",
    ] {
        assert!(
            header.contains(&format!("{line}\n")),
            "header lacks {line:?}"
        );
    }

    // A unit that did not load has no derived dependencies.
    let bad = json_of("fixtures/conformance/33-section-lowercase", "t.socket");
    assert_eq!(bad["load_state"], json!("bad-setting"));
    let derived = bad["unit"]["dependencies"]["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["origin"].get("file").is_none())
        .count();
    assert_eq!(derived, 0);
    assert_eq!(bad["unit"]["requires_mounts_for"]["value"], json!([]));
}

/// docs/dump-json.md documents every dependency rule, and the schema accepts exactly them.
#[test]
fn dependency_rules_are_documented() {
    use sockunit::show::rule;
    let doc = std::fs::read_to_string(root().join("docs/dump-json.md")).unwrap();
    for r in rule::ALL {
        assert!(
            doc.contains(&format!("| `{r}` |")),
            "docs/dump-json.md lacks the rule {r}"
        );
    }
    let text = std::fs::read_to_string(root().join("docs/dump.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let enumerated: Vec<&str> = schema["$defs"]["dependencyRule"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let mut mount_rules: Vec<&str> = schema["$defs"]["mountList"]["properties"]["value"]["items"]
        ["properties"]["origin"]["oneOf"][1]["properties"]["implicit"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    mount_rules.retain(|r| !enumerated.contains(r));
    let mut all: Vec<&str> = enumerated.into_iter().chain(mount_rules).collect();
    all.sort_unstable();
    let mut want = rule::ALL.to_vec();
    want.sort_unstable();
    assert_eq!(all, want);
}

/// Every serialized field has an entry in the field tables (so it gets real origins), and
/// every table entry is a serialized field.
#[test]
fn field_tables_cover_the_typed_config() {
    fn check(value: Value, fields: &[Field], what: &str) {
        let Value::Object(obj) = value else {
            panic!("{what} is not an object")
        };
        for k in obj.keys() {
            assert!(
                fields.iter().any(|f| f.name == k),
                "{what}.{k} has no field table entry"
            );
        }
        for f in fields {
            assert!(obj.contains_key(f.name), "{what} has no field {}", f.name);
        }
    }
    check(
        serde_json::to_value(SocketConfig::default()).unwrap(),
        SOCKET_FIELDS,
        "SocketConfig",
    );
    check(
        serde_json::to_value(ServiceConfig::default()).unwrap(),
        SERVICE_FIELDS,
        "ServiceConfig",
    );
    check(
        serde_json::to_value(ExecContext::default()).unwrap(),
        EXEC_FIELDS,
        "ExecContext",
    );
    check(
        serde_json::to_value(KillContext::default()).unwrap(),
        KILL_FIELDS,
        "KillContext",
    );
}

/// Seed-specific spellings.
#[test]
fn seed_names_and_quoting() {
    use sockunit::dump::seed::{seed_load_state, seed_socket_state};
    assert_eq!(seed_socket_state("failed"), "maintainance");
    assert_eq!(seed_socket_state("listening"), "listening");
    assert_eq!(seed_load_state("bad-setting"), "failed");
    let text = seed_text("fixtures/dump-formats", "full.socket");
    assert!(text.contains("\tBindIPv6Only: yes\n"));
    assert!(text.contains("\tListenFIFO: /run/sockunit-dump.fifo\n"));
    assert!(text.contains("\t→ StopPre:\n\t\tCommand Line: /bin/echo 'hello world' x\n"));
    assert!(text.contains("\tStandardOutput: syslog\n"));
}

/// docs/dump-json.md lists every field of the tables.
#[test]
fn json_doc_lists_every_field() {
    let doc = std::fs::read_to_string(root().join("docs/dump-json.md")).unwrap();
    for (prefix, fields) in [
        ("socket", SOCKET_FIELDS),
        ("service", SERVICE_FIELDS),
        ("exec", EXEC_FIELDS),
        ("kill", KILL_FIELDS),
    ] {
        for f in fields {
            let row = format!("| `{prefix}.{}` |", f.name);
            assert!(doc.contains(&row), "docs/dump-json.md lacks {row}");
        }
    }
}

/// The schema is strict enough to catch a wrong origin, a missing field and an unknown one.
#[test]
fn schema_rejects_malformed_documents() {
    let validator = schema();
    let good = document(vec![json_of("fixtures/dump-formats", "full.socket")]);
    assert!(validator.is_valid(&good));
    let mut bad = good.clone();
    bad["units"][0]["socket"]["backlog"]["origin"] = json!("somewhere");
    assert!(!validator.is_valid(&bad));
    let mut bad = good.clone();
    bad["units"][0]["socket"]
        .as_object_mut()
        .unwrap()
        .remove("backlog");
    assert!(!validator.is_valid(&bad));
    let mut bad = good.clone();
    bad["units"][0]["socket"]["no_such_field"] = json!({"value": 1, "origin": "default"});
    assert!(!validator.is_valid(&bad));
    let mut bad = good;
    bad["units"][0]["socket"]["listens"]["value"][0]["origin"] = json!({"file": "x"});
    assert!(!validator.is_valid(&bad));
}
