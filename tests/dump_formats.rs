//! `sockunit dump --format seed|json`: golden outputs for fixture units, the JSON checked
//! against `docs/dump.schema.json`, and the origins of a few known lines.
//!
//! Goldens live in `fixtures/dump-formats/golden/<case>__<unit>.{seed,json}`, with the checkout
//! path replaced by `@ROOT@`; `SOCKUNIT_BLESS=1 cargo test --test dump_formats` rewrites them.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sockunit::cli::{dump_unit_json, dump_unit_seed, loader_for};
use sockunit::config::{ExecContext, KillContext, ServiceConfig, SocketConfig};
use sockunit::dump::json::{
    EXEC_FIELDS, Field, KILL_FIELDS, SERVICE_FIELDS, SOCKET_FIELDS, document,
};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// (directory under the repository, unit file) of every unit with goldens.
const UNITS: &[(&str, &str)] = &[
    ("fixtures/dump-formats", "full.socket"),
    ("fixtures/dump-formats", "accept.socket"),
    ("fixtures/dump-formats", "svc.service"),
    ("fixtures/conformance/01-basic-clean", "t.socket"),
    ("fixtures/conformance/68-dropin-adds-listen", "t.socket"),
    ("fixtures/conformance/76-dropin-order-reset", "t.socket"),
    ("fixtures/conformance/95-socket-listen-reset", "t.socket"),
    ("fixtures/conformance/m019-key-bindipv6-v6only", "t.socket"),
    ("fixtures/conformance/m110-key-socketuser-root", "t.socket"),
    ("fixtures/conformance/m134-key-env-invalid", "t.socket"),
    ("fixtures/conformance/m142-key-symlinks-reset", "t.socket"),
    ("fixtures/conformance/m194-listen-fifo-abs", "t.socket"),
    (
        "fixtures/conformance/m235-verdict-ok-accept-template",
        "t.socket",
    ),
    (
        "fixtures/conformance/78-dropin-service-execstart",
        "t.service",
    ),
    (
        "fixtures/conformance/h004-sys-sd-initctl",
        "systemd-initctl.socket",
    ),
];

fn unit_path(dir: &str, unit: &str) -> String {
    root().join(dir).join(unit).to_string_lossy().into_owned()
}

fn seed_text(dir: &str, unit: &str) -> String {
    let mut diags = Vec::new();
    let (loader, names, _) = loader_for(&[unit_path(dir, unit)], None, false, &mut diags);
    let mut verifier = sockunit::verify::Verifier::new(&loader);
    verifier.exec_check = false;
    let d = dump_unit_seed(&loader, &mut verifier, &names[0], &mut diags);
    let mut out = String::new();
    for l in d.header.iter().chain(&d.block) {
        out.push_str(l);
        out.push('\n');
    }
    out
}

fn json_of(dir: &str, unit: &str) -> Value {
    let mut diags = Vec::new();
    let (loader, names, _) = loader_for(&[unit_path(dir, unit)], None, false, &mut diags);
    let mut verifier = sockunit::verify::Verifier::new(&loader);
    verifier.exec_check = false;
    dump_unit_json(&loader, &mut verifier, &names[0], &mut diags).0
}

fn golden_name(dir: &str, unit: &str, ext: &str) -> PathBuf {
    let case = Path::new(dir).file_name().unwrap().to_string_lossy();
    root()
        .join("fixtures/dump-formats/golden")
        .join(format!("{case}__{unit}.{ext}"))
}

fn check_golden(path: &Path, actual: &str) -> Result<(), String> {
    let actual = actual.replace(&root().to_string_lossy().into_owned(), "@ROOT@");
    if std::env::var_os("SOCKUNIT_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &actual).unwrap();
        return Ok(());
    }
    let expected = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: {e} (SOCKUNIT_BLESS=1 records it)", path.display()))?;
    if expected == actual {
        Ok(())
    } else {
        Err(format!(
            "{} differs:\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        ))
    }
}

#[test]
fn seed_goldens() {
    assert!(UNITS.len() >= 10);
    let failures: Vec<String> = UNITS
        .iter()
        .filter_map(|(d, u)| check_golden(&golden_name(d, u, "seed"), &seed_text(d, u)).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn json_goldens() {
    let failures: Vec<String> = UNITS
        .iter()
        .filter_map(|(d, u)| {
            let text = serde_json::to_string_pretty(&json_of(d, u)).unwrap() + "\n";
            check_golden(&golden_name(d, u, "json"), &text).err()
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("docs/dump.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).expect("docs/dump.schema.json is a valid schema")
}

#[test]
fn json_output_matches_schema() {
    let validator = schema();
    let units: Vec<Value> = UNITS.iter().map(|(d, u)| json_of(d, u)).collect();
    let doc = document(units);
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
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
    for case in cases.iter().step_by(7) {
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
    assert!(checked >= 50, "only {checked} units checked");
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
