//! Integration tests of the load layer on real directory trees: search-path precedence, every
//! drop-in form, masking, aliases and linked units, templates and specifiers, `.wants/` and
//! `.requires/`, `$SYSTEMD_UNIT_PATH`, `--root`, and hostile input.
//!
//! Expectations come from systemd 252 (`systemd-analyze verify` with `SYSTEMD_UNIT_PATH` set to
//! the same trees, and `SYSTEMD_LOG_LEVEL=debug` for the `Fragment Path:`/`DropIn Path:` dump);
//! the tests that were checked that way say so.

mod common;

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use sockunit::diagnostic::{Code, Diagnostic, Severity};
use sockunit::load::name::UnitName;
use sockunit::load::paths::{Environment, Scope, SearchPath};
use sockunit::load::{LoadState, LoadedUnit, Loader};
use tempfile::TempDir;

const LISTEN: &str = "[Socket]\nListenStream=/run/t.sock\n";

// ---------------------------------------------------------------------------------------------
// helpers

/// Writes `content` to `path`, creating parent directories.
fn write(path: &Path, content: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

/// Creates the symlink `link -> target`, creating the link's parent directories.
fn link(target: impl AsRef<Path>, link: &Path) {
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    symlink(target, link).unwrap();
}

/// A temporary tree with search directories `a` (higher priority) and `b`.
struct Tree {
    tmp: TempDir,
}

impl Tree {
    fn new() -> Tree {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("a")).unwrap();
        std::fs::create_dir(tmp.path().join("b")).unwrap();
        Tree { tmp }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(rel);
        write(&p, content);
        p
    }

    fn link(&self, target: impl AsRef<Path>, rel: &str) -> PathBuf {
        let p = self.path(rel);
        link(target, &p);
        p
    }

    /// `$SYSTEMD_UNIT_PATH=<tmp>/a:<tmp>/b` (no trailing `:`, so host units stay out).
    fn env(&self) -> Environment {
        let unit_path = format!("{}:{}", self.path("a").display(), self.path("b").display());
        Environment {
            unit_path: Some(unit_path),
            ..Default::default()
        }
    }

    fn loader(&self) -> Loader {
        let env = self.env();
        let search = SearchPath::new(Scope::System, None, &env);
        Loader::new(search, Scope::System, &env)
    }

    /// Loads `name` with a fresh loader (the name map is built after the tree is complete).
    fn load(&self, name: &str) -> (LoadedUnit, Vec<Diagnostic>) {
        load(&self.loader(), name)
    }

    /// `paths` relative to the tree root, for readable assertions.
    fn rel(&self, paths: &[PathBuf]) -> Vec<String> {
        paths
            .iter()
            .map(|p| {
                p.strip_prefix(self.tmp.path())
                    .unwrap_or(p)
                    .display()
                    .to_string()
            })
            .collect()
    }

    fn rel1(&self, p: &Option<PathBuf>) -> Option<String> {
        p.as_ref()
            .map(|p| self.rel(std::slice::from_ref(p)).remove(0))
    }
}

fn load(loader: &Loader, name: &str) -> (LoadedUnit, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let unit = loader.load(&UnitName::parse(name).unwrap(), &mut diags);
    (unit, diags)
}

/// Every value assigned to `key`, across the fragment and drop-ins, in application order.
fn values(unit: &LoadedUnit, key: &str) -> Vec<String> {
    unit.files
        .iter()
        .flat_map(|f| f.syntax.assignments.iter())
        .filter(|a| a.key == key)
        .map(|a| a.value.text.clone())
        .collect()
}

/// `Description=` after specifier expansion, as the config layer computes it.
fn description(loader: &Loader, unit: &LoadedUnit, diags: &mut Vec<Diagnostic>) -> Option<String> {
    sockunit::config::interpret(
        unit,
        &loader.specifiers(unit),
        &loader.host,
        loader.scope,
        diags,
    )
    .description
}

fn codes(diags: &[Diagnostic]) -> Vec<Code> {
    diags.iter().map(|d| d.code).collect()
}

/// `sockunit verify` with the host's `$SYSTEMD_UNIT_PATH` removed.
fn sockunit() -> Command {
    let mut cmd = Command::cargo_bin("sockunit").unwrap();
    cmd.env_remove("SYSTEMD_UNIT_PATH");
    cmd
}

/// The JSON lines `sockunit verify --format json` printed.
fn json_lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// search path precedence

#[test]
fn first_search_dir_fragment_wins_and_lower_one_is_ignored() {
    let t = Tree::new();
    t.write("a/t.socket", "[Socket]\nListenStream=/run/a.sock\n");
    t.write(
        "b/t.socket",
        "[Socket]\nListenStream=/run/b.sock\nBacklog=9\n",
    );
    let (u, diags) = t.load("t.socket");
    assert_eq!(u.state, LoadState::Loaded);
    assert_eq!(t.rel1(&u.fragment).as_deref(), Some("a/t.socket"));
    assert_eq!(u.files.len(), 1);
    assert_eq!(values(&u, "ListenStream"), ["/run/a.sock"]);
    assert!(
        values(&u, "Backlog").is_empty(),
        "b/t.socket must not be read"
    );
    assert!(diags.is_empty(), "{diags:?}");
}

#[test]
fn fragment_only_in_lower_dir_is_found() {
    let t = Tree::new();
    t.write("b/t.socket", LISTEN);
    let (u, _) = t.load("t.socket");
    assert_eq!(u.state, LoadState::Loaded);
    assert_eq!(t.rel1(&u.fragment).as_deref(), Some("b/t.socket"));
}

#[test]
fn missing_unit_is_not_found() {
    let t = Tree::new();
    t.write("a/other.socket", LISTEN);
    let (u, _) = t.load("t.socket");
    assert_eq!(u.state, LoadState::NotFound);
    assert_eq!(u.fragment, None);
    assert!(u.files.is_empty());
}

// ---------------------------------------------------------------------------------------------
// drop-ins

#[test]
fn dropin_unit_dir_applies_after_fragment() {
    let t = Tree::new();
    t.write(
        "a/t.socket",
        "[Socket]\nListenStream=/run/t.sock\nBacklog=1\n",
    );
    t.write("a/t.socket.d/10-x.conf", "[Socket]\nBacklog=2\n");
    let (u, diags) = t.load("t.socket");
    assert_eq!(u.state, LoadState::Loaded);
    assert_eq!(t.rel(&u.dropin_paths), ["a/t.socket.d/10-x.conf"]);
    assert_eq!(u.files.len(), 2);
    assert_eq!(u.files[0].source.path(), t.path("a/t.socket"));
    assert_eq!(values(&u, "Backlog"), ["1", "2"]);
    assert!(diags.is_empty(), "{diags:?}");
}

#[test]
fn dropin_template_dir_applies_to_instance() {
    let t = Tree::new();
    t.write("a/t@.socket", LISTEN);
    t.write("a/t@.socket.d/10.conf", "[Socket]\nBacklog=1\n");
    t.write("b/t@x.socket.d/20.conf", "[Socket]\nBacklog=2\n");
    t.write("a/t@y.socket.d/30.conf", "[Socket]\nBacklog=3\n");
    let (u, _) = t.load("t@x.socket");
    assert_eq!(u.state, LoadState::Loaded);
    assert_eq!(u.id.as_str(), "t@x.socket");
    assert_eq!(
        t.rel(&u.dropin_paths),
        ["a/t@.socket.d/10.conf", "b/t@x.socket.d/20.conf"]
    );
    assert_eq!(values(&u, "Backlog"), ["1", "2"]);
}

/// Checked against systemd 252: `a/foo-.socket.d/10.conf` beats `b/foo-bar-baz.socket.d/10.conf`
/// (within one unit name the search dir is the outer loop), `README` and `.hidden.conf` are
/// ignored; dump: `DropIn Path: a/foo-.socket.d/10.conf`, `DropIn Path: b/foo-bar-.socket.d/20.conf`.
#[test]
fn dropin_dash_prefix_chain_only_conf_and_not_hidden() {
    let t = Tree::new();
    t.write("b/foo-bar-baz.socket", LISTEN);
    t.write("a/foo-.socket.d/10.conf", "[Socket]\nBacklog=1\n");
    t.write("b/foo-bar-baz.socket.d/10.conf", "[Socket]\nBacklog=2\n");
    t.write("b/foo-bar-.socket.d/20.conf", "[Socket]\nBacklog=3\n");
    t.write("b/foo-bar-baz.socket.d/README", "[Socket]\nBacklog=4\n");
    t.write(
        "b/foo-bar-baz.socket.d/.hidden.conf",
        "[Socket]\nBacklog=5\n",
    );
    t.write(
        "b/foo-bar-baz.socket.d/30.conf.bak",
        "[Socket]\nBacklog=6\n",
    );
    let (u, _) = t.load("foo-bar-baz.socket");
    assert_eq!(u.state, LoadState::Loaded);
    assert_eq!(
        t.rel(&u.dropin_paths),
        ["a/foo-.socket.d/10.conf", "b/foo-bar-.socket.d/20.conf"]
    );
    assert_eq!(values(&u, "Backlog"), ["1", "3"]);
}

#[test]
fn dropin_dash_prefix_chain_both_levels_apply() {
    let t = Tree::new();
    t.write("a/foo-bar-baz.socket", LISTEN);
    t.write("a/foo-bar-.socket.d/10.conf", "[Socket]\nBacklog=1\n");
    t.write("a/foo-.socket.d/20.conf", "[Socket]\nBacklog=2\n");
    t.write("a/foo-bar-baz.socket.d/30.conf", "[Socket]\nBacklog=3\n");
    // Not prefixes of foo-bar-baz: must not apply.
    t.write("a/foo-baz-.socket.d/40.conf", "[Socket]\nBacklog=4\n");
    t.write("a/foo.socket.d/50.conf", "[Socket]\nBacklog=5\n");
    let (u, _) = t.load("foo-bar-baz.socket");
    assert_eq!(
        t.rel(&u.dropin_paths),
        [
            "a/foo-bar-.socket.d/10.conf",
            "a/foo-.socket.d/20.conf",
            "a/foo-bar-baz.socket.d/30.conf"
        ]
    );
    assert_eq!(values(&u, "Backlog"), ["1", "2", "3"]);
}

#[test]
fn dropin_type_level_dir_applies() {
    let t = Tree::new();
    t.write("a/t.socket", LISTEN);
    t.write("b/socket.d/50-all.conf", "[Socket]\nSocketMode=0640\n");
    t.write("b/service.d/50-all.conf", "[Socket]\nSocketMode=0600\n");
    let (u, _) = t.load("t.socket");
    assert_eq!(t.rel(&u.dropin_paths), ["b/socket.d/50-all.conf"]);
    assert_eq!(values(&u, "SocketMode"), ["0640"]);
}

#[test]
fn dropin_same_name_first_search_dir_wins() {
    let t = Tree::new();
    t.write("b/t.socket", LISTEN);
    t.write("a/t.socket.d/10.conf", "[Socket]\nBacklog=1\n");
    t.write("b/t.socket.d/10.conf", "[Socket]\nBacklog=2\n");
    let (u, _) = t.load("t.socket");
    assert_eq!(t.rel(&u.dropin_paths), ["a/t.socket.d/10.conf"]);
    assert_eq!(values(&u, "Backlog"), ["1"]);
}

#[test]
fn dropin_unit_dir_beats_type_level_dir_in_same_search_dir() {
    let t = Tree::new();
    t.write("a/t.socket", LISTEN);
    t.write("a/t.socket.d/10.conf", "[Socket]\nBacklog=1\n");
    t.write("a/socket.d/10.conf", "[Socket]\nBacklog=2\n");
    let (u, _) = t.load("t.socket");
    assert_eq!(t.rel(&u.dropin_paths), ["a/t.socket.d/10.conf"]);
    assert_eq!(values(&u, "Backlog"), ["1"]);
}

/// Checked against systemd 252: the type-level directories are added after every unit-specific
/// one, so `b/t.socket.d/20.conf` beats `a/socket.d/20.conf` although `a` is the higher dir.
#[test]
fn dropin_unit_dir_in_lower_search_dir_beats_type_level_in_higher() {
    let t = Tree::new();
    t.write("b/t.socket", LISTEN);
    t.write("a/socket.d/20.conf", "[Socket]\nBacklog=3\n");
    t.write("b/t.socket.d/20.conf", "[Socket]\nBacklog=4\n");
    let (u, _) = t.load("t.socket");
    assert_eq!(t.rel(&u.dropin_paths), ["b/t.socket.d/20.conf"]);
    assert_eq!(values(&u, "Backlog"), ["4"]);
}

#[test]
fn dropins_sorted_by_file_name_regardless_of_dir() {
    let t = Tree::new();
    t.write("a/t.socket", LISTEN);
    t.write("a/t.socket.d/30-c.conf", "[Socket]\nBacklog=30\n");
    t.write("b/t.socket.d/10-a.conf", "[Socket]\nBacklog=10\n");
    t.write("a/socket.d/20-b.conf", "[Socket]\nBacklog=20\n");
    t.write("b/socket.d/05-z.conf", "[Socket]\nBacklog=5\n");
    let (u, _) = t.load("t.socket");
    assert_eq!(
        t.rel(&u.dropin_paths),
        [
            "b/socket.d/05-z.conf",
            "b/t.socket.d/10-a.conf",
            "a/socket.d/20-b.conf",
            "a/t.socket.d/30-c.conf"
        ]
    );
    assert_eq!(values(&u, "Backlog"), ["5", "10", "20", "30"]);
}

/// Checked against systemd 252: a `/dev/null` symlink and an empty file in `a/t.socket.d/` are
/// listed as `DropIn Path:` and suppress `b/t.socket.d/{10,20}.conf` (Backlog stays default).
#[test]
fn empty_or_dev_null_dropin_shadows_lower_one() {
    let t = Tree::new();
    t.write("a/t.socket", LISTEN);
    t.link("/dev/null", "a/t.socket.d/10.conf");
    t.write("a/t.socket.d/20.conf", "");
    t.write("b/t.socket.d/10.conf", "[Socket]\nBacklog=7\n");
    t.write("b/t.socket.d/20.conf", "[Socket]\nBacklog=8\n");
    let (u, diags) = t.load("t.socket");
    assert_eq!(u.state, LoadState::Loaded);
    assert_eq!(
        t.rel(&u.dropin_paths),
        ["a/t.socket.d/10.conf", "a/t.socket.d/20.conf"]
    );
    assert_eq!(u.files.len(), 1, "masking drop-ins contribute no file");
    assert!(values(&u, "Backlog").is_empty());
    assert!(diags.is_empty(), "{diags:?}");
}

#[test]
fn dropin_subdirectory_named_conf_is_not_a_dropin() {
    let t = Tree::new();
    t.write("a/t.socket", LISTEN);
    std::fs::create_dir_all(t.path("a/t.socket.d/10.conf")).unwrap();
    t.write("a/t.socket.d/20.conf", "[Socket]\nBacklog=2\n");
    let (u, _) = t.load("t.socket");
    assert_eq!(t.rel(&u.dropin_paths), ["a/t.socket.d/20.conf"]);
}

// ---------------------------------------------------------------------------------------------
// masking

#[test]
fn empty_fragment_is_masked() {
    let t = Tree::new();
    t.write("a/t.socket", "");
    let (u, _) = t.load("t.socket");
    assert_eq!(u.state, LoadState::Masked);
}

#[test]
fn dev_null_symlink_fragment_is_masked() {
    let t = Tree::new();
    t.link("/dev/null", "a/t.socket");
    let (u, _) = t.load("t.socket");
    assert_eq!(u.state, LoadState::Masked);
}

#[test]
fn mask_in_higher_dir_hides_lower_fragment() {
    let t = Tree::new();
    t.link("/dev/null", "a/t.socket");
    t.write("b/t.socket", LISTEN);
    let (u, _) = t.load("t.socket");
    assert_eq!(u.state, LoadState::Masked);
    assert!(values(&u, "ListenStream").is_empty());
}

// ---------------------------------------------------------------------------------------------
// aliases and linked units

/// Checked against systemd 252: loading `alias.socket` dumps `-> Unit t.socket:`,
/// `Alias: alias.socket`, `Fragment Path: b/t.socket`.
#[test]
fn alias_symlink_loads_target_with_both_names() {
    let t = Tree::new();
    t.write("b/t.socket", LISTEN);
    t.link("t.socket", "b/alias.socket");
    let loader = t.loader();
    let (u, _) = load(&loader, "alias.socket");
    assert_eq!(u.state, LoadState::Loaded);
    assert_eq!(u.id.as_str(), "t.socket");
    assert_eq!(u.names[0], "t.socket", "id comes first");
    assert!(
        u.names.contains(&"alias.socket".to_owned()),
        "{:?}",
        u.names
    );
    assert_eq!(t.rel1(&u.fragment).as_deref(), Some("b/t.socket"));

    let (u, _) = load(&loader, "t.socket");
    assert_eq!(u.id.as_str(), "t.socket");
    let mut names = u.names.clone();
    names.sort();
    assert_eq!(names, ["alias.socket", "t.socket"]);
}

#[test]
fn alias_symlink_in_higher_dir_to_fragment_in_lower_dir() {
    let t = Tree::new();
    t.write("b/t.socket", LISTEN);
    t.link("../b/t.socket", "a/alias.socket");
    let (u, _) = t.load("alias.socket");
    assert_eq!(u.state, LoadState::Loaded);
    assert_eq!(u.id.as_str(), "t.socket");
    assert_eq!(t.rel1(&u.fragment).as_deref(), Some("b/t.socket"));
}

/// Checked against systemd 252 (same tree): `alias.socket.d/15.conf` applies to t.socket, but
/// `b/t.socket.d/10.conf` beats `a/alias.socket.d/10.conf` (the unit's own name is searched in
/// every dir before its aliases). Dump: `DropIn Path: b/t.socket.d/10.conf`,
/// `a/alias.socket.d/15.conf`, `b/t.socket.d/20.conf`; `Backlog: 4`.
#[test]
fn alias_dropin_dir_applies_to_target() {
    let t = Tree::new();
    t.write("b/t.socket", LISTEN);
    t.link("t.socket", "b/alias.socket");
    t.write("a/alias.socket.d/10.conf", "[Socket]\nBacklog=1\n");
    t.write("a/alias.socket.d/15.conf", "[Socket]\nBacklog=5\n");
    t.write("b/t.socket.d/10.conf", "[Socket]\nBacklog=2\n");
    t.write("a/socket.d/20.conf", "[Socket]\nBacklog=3\n");
    t.write("b/t.socket.d/20.conf", "[Socket]\nBacklog=4\n");
    let expected = [
        "b/t.socket.d/10.conf",
        "a/alias.socket.d/15.conf",
        "b/t.socket.d/20.conf",
    ];
    for name in ["t.socket", "alias.socket"] {
        let (u, _) = t.load(name);
        assert_eq!(t.rel(&u.dropin_paths), expected, "loading {name}");
        assert_eq!(values(&u, "Backlog"), ["2", "5", "4"], "loading {name}");
    }
}

/// Checked against systemd 252: `Linked unit file: a/linked.socket → out/target.socket`; the
/// dump says `-> Unit linked.socket:`, `Fragment Path: a/linked.socket`, and its Listen comes
/// from the target.
#[test]
fn symlink_outside_search_path_is_linked_unit() {
    let t = Tree::new();
    t.write(
        "out/target.socket",
        "[Socket]\nListenStream=/run/linked.sock\n",
    );
    t.link(t.path("out/target.socket"), "a/linked.socket");
    let (u, _) = t.load("linked.socket");
    assert_eq!(u.state, LoadState::Loaded);
    assert_eq!(u.id.as_str(), "linked.socket");
    assert_eq!(u.names, ["linked.socket"]);
    assert_eq!(t.rel1(&u.fragment).as_deref(), Some("a/linked.socket"));
    assert_eq!(values(&u, "ListenStream"), ["/run/linked.sock"]);
}

/// Checked against systemd 252: `bad.socket: symlink target "b.service" has incompatible
/// suffix, rejecting.` then `Unit bad.socket not found.`
#[test]
fn alias_with_different_type_is_ignored() {
    let t = Tree::new();
    t.write("b/b.service", "[Service]\nExecStart=/bin/true\n");
    t.link("b.service", "a/bad.socket");
    let loader = t.loader();
    let (u, _) = load(&loader, "bad.socket");
    assert_eq!(u.state, LoadState::NotFound);
    assert!(
        loader
            .scan_problems()
            .iter()
            .any(|(p, _)| p.ends_with("a/bad.socket")),
        "{:?}",
        loader.scan_problems()
    );
    let (s, _) = load(&loader, "b.service");
    assert_eq!(s.state, LoadState::Loaded);
    assert_eq!(
        s.names,
        ["b.service"],
        "the rejected alias is not a name of b.service"
    );
}

// ---------------------------------------------------------------------------------------------
// templates, instances, specifiers

#[test]
fn instance_falls_back_to_template() {
    let t = Tree::new();
    t.write("b/foo@.socket", LISTEN);
    let (u, _) = t.load("foo@bar.socket");
    assert_eq!(u.state, LoadState::Loaded);
    assert_eq!(u.id.as_str(), "foo@bar.socket");
    assert_eq!(u.names[0], "foo@bar.socket");
    assert_eq!(t.rel1(&u.fragment).as_deref(), Some("b/foo@.socket"));
}

#[test]
fn instance_file_wins_over_template() {
    let t = Tree::new();
    t.write(
        "a/foo@.socket",
        "[Socket]\nListenStream=/run/template.sock\n",
    );
    t.write(
        "b/foo@bar.socket",
        "[Socket]\nListenStream=/run/instance.sock\n",
    );
    let (u, _) = t.load("foo@bar.socket");
    assert_eq!(u.id.as_str(), "foo@bar.socket");
    assert_eq!(t.rel1(&u.fragment).as_deref(), Some("b/foo@bar.socket"));
    assert_eq!(values(&u, "ListenStream"), ["/run/instance.sock"]);
}

#[test]
fn bare_template_without_instance_file_is_not_found_for_other_type() {
    let t = Tree::new();
    t.write("a/foo@.socket", LISTEN);
    let (u, _) = t.load("foo@bar.service");
    assert_eq!(u.state, LoadState::NotFound);
}

/// Checked against systemd 252 (`a-b\x2dc@.socket` loaded as `a-b\x2dc@x-y\x2dz.socket`):
/// `n=a-b\x2dc@x-y\x2dz.socket N=a-b\x2dc@x-y\x2dz p=a-b\x2dc P=a/b-c i=x-y\x2dz I=x/y-z
/// f=/x/y-z j=b\x2dc J=b-c`.
#[test]
fn unit_specifiers_in_description_of_instance() {
    let t = Tree::new();
    t.write(
        r"a/a-b\x2dc@.socket",
        "[Unit]\nDescription=n=%n N=%N p=%p P=%P i=%i I=%I f=%f j=%j J=%J\n[Socket]\nListenStream=/run/x.sock\n",
    );
    let loader = t.loader();
    let (u, mut diags) = load(&loader, r"a-b\x2dc@x-y\x2dz.socket");
    assert_eq!(u.state, LoadState::Loaded);
    let d = description(&loader, &u, &mut diags);
    assert_eq!(
        d.as_deref(),
        Some(
            r"n=a-b\x2dc@x-y\x2dz.socket N=a-b\x2dc@x-y\x2dz p=a-b\x2dc P=a/b-c i=x-y\x2dz I=x/y-z f=/x/y-z j=b\x2dc J=b-c"
        )
    );
    assert!(diags.is_empty(), "{diags:?}");
}

/// The example in the reference (verified on systemd 252).
#[test]
fn unit_specifiers_simple_instance() {
    let t = Tree::new();
    t.write("a/echo@.socket", "[Unit]\nDescription=inst %i I=%I p=%p n=%n N=%N f=%f j=%j\n[Socket]\nListenStream=/run/e.sock\n");
    let loader = t.loader();
    let (u, mut diags) = load(&loader, "echo@foo.socket");
    let d = description(&loader, &u, &mut diags);
    assert_eq!(
        d.as_deref(),
        Some("inst foo I=foo p=echo n=echo@foo.socket N=echo@foo f=/foo j=echo")
    );
}

/// Checked against systemd 252: `Description: web-front.socket|web-front|web-front||front|
/// /web/front|<dir>/a/web-front.socket|100%`.
#[test]
fn unit_specifiers_plain_unit() {
    let t = Tree::new();
    t.write(
        "a/web-front.socket",
        "[Unit]\nDescription=%n|%N|%p|%i|%j|%f|%y|100%%\n[Socket]\nListenStream=/run/w.sock\n",
    );
    let loader = t.loader();
    let (u, mut diags) = load(&loader, "web-front.socket");
    let d = description(&loader, &u, &mut diags);
    let frag = t.path("a/web-front.socket");
    assert_eq!(
        d,
        Some(format!(
            "web-front.socket|web-front|web-front||front|/web/front|{}|100%",
            frag.display()
        ))
    );
}

/// Checked against systemd 252: `z.socket:2: Failed to resolve unit specifiers in 'bad %z here',
/// ignoring: Invalid slot`, and the dump's Description falls back to the unit name.
#[test]
fn unknown_specifier_warns_and_drops_description() {
    let t = Tree::new();
    t.write(
        "a/z.socket",
        "[Unit]\nDescription=bad %z here\n[Socket]\nListenStream=/run/x.sock\n",
    );
    let loader = t.loader();
    let (u, mut diags) = load(&loader, "z.socket");
    assert_eq!(u.state, LoadState::Loaded);
    let d = description(&loader, &u, &mut diags);
    assert_eq!(d, None);
    let spec: Vec<_> = diags
        .iter()
        .filter(|d| d.code == Code::UnknownSpecifier)
        .collect();
    assert_eq!(spec.len(), 1, "{diags:?}");
    assert_eq!(spec[0].severity, Severity::Warning);
    assert_eq!(spec[0].line, Some(2));
    assert_eq!(spec[0].unit.as_deref(), Some("z.socket"));
    assert_eq!(
        spec[0].message,
        "Failed to resolve unit specifiers in 'bad %z here', ignoring: Invalid slot"
    );
}

#[test]
fn unknown_specifier_keeps_earlier_description() {
    let t = Tree::new();
    t.write(
        "a/z.socket",
        "[Unit]\nDescription=good %n\n[Socket]\nListenStream=/run/x.sock\n",
    );
    t.write("a/z.socket.d/10.conf", "[Unit]\nDescription=bad %z\n");
    let loader = t.loader();
    let (u, mut diags) = load(&loader, "z.socket");
    assert_eq!(
        description(&loader, &u, &mut diags).as_deref(),
        Some("good z.socket")
    );
    assert_eq!(codes(&diags), [Code::UnknownSpecifier]);
}

// ---------------------------------------------------------------------------------------------
// .wants/ and .requires/

/// Checked against systemd 252: dump shows `Wants: w.service (origin-file)` and
/// `Requires: r.service (origin-file)` (a dangling symlink still counts).
#[test]
fn wants_and_requires_dirs_add_dependencies() {
    let t = Tree::new();
    t.write("a/t.socket", LISTEN);
    t.write("a/w.service", "[Service]\nExecStart=/bin/true\n");
    t.link("../w.service", "a/t.socket.wants/w.service");
    t.link("/nonexistent/r.service", "a/t.socket.requires/r.service");
    t.link("/nonexistent/x.service", "b/socket.wants/x.service");
    let (u, diags) = t.load("t.socket");
    assert_eq!(u.state, LoadState::Loaded);
    assert_eq!(u.wants, ["w.service", "x.service"]);
    assert_eq!(u.requires, ["r.service"]);
    assert!(diags.is_empty(), "{diags:?}");
}

#[test]
fn regular_file_in_wants_dir_warns() {
    let t = Tree::new();
    t.write("a/t.socket", LISTEN);
    t.write("a/t.socket.wants/plain.service", "junk");
    t.link("/nonexistent/w.service", "a/t.socket.wants/w.service");
    let (u, diags) = t.load("t.socket");
    assert_eq!(u.state, LoadState::Loaded);
    assert_eq!(u.wants, ["w.service"]);
    let bad: Vec<_> = diags
        .iter()
        .filter(|d| d.code == Code::BadDependencyDropin)
        .collect();
    assert_eq!(bad.len(), 1, "{diags:?}");
    assert_eq!(bad[0].severity, Severity::Warning);
    assert_eq!(bad[0].unit.as_deref(), Some("t.socket"));
    assert!(
        bad[0].message.contains(
            &t.path("a/t.socket.wants/plain.service")
                .display()
                .to_string()
        )
    );
}

/// systemd 252 prints `t.socket: Wants dependency dropin <path> is not a symlink, ignoring.`
/// (`unit_dependency_to_string(UNIT_WANTS)` is "Wants").
#[test]

fn regular_file_in_wants_dir_message_matches_systemd() {
    let t = Tree::new();
    t.write("a/t.socket", LISTEN);
    let plain = t.write("a/t.socket.wants/plain.service", "junk");
    let plain_req = t.write("a/t.socket.requires/p.service", "junk");
    let (_, diags) = t.load("t.socket");
    let msgs: Vec<_> = diags
        .iter()
        .filter(|d| d.code == Code::BadDependencyDropin)
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(
        msgs,
        [
            format!(
                "Wants dependency dropin {} is not a symlink, ignoring.",
                plain.display()
            ),
            format!(
                "Requires dependency dropin {} is not a symlink, ignoring.",
                plain_req.display()
            ),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// $SYSTEMD_UNIT_PATH

#[test]
fn unit_path_without_trailing_colon_replaces_defaults() {
    let t = Tree::new();
    let search = SearchPath::new(Scope::System, None, &t.env());
    assert_eq!(search.dirs, [t.path("a"), t.path("b")]);
}

#[test]
fn unit_path_with_trailing_colon_appends_defaults() {
    let t = Tree::new();
    let env = Environment {
        unit_path: Some(format!(
            "{}:{}:",
            t.path("a").display(),
            t.path("b").display()
        )),
        ..Default::default()
    };
    let search = SearchPath::new(Scope::System, None, &env);
    assert_eq!(search.dirs[..2], [t.path("a"), t.path("b")]);
    assert_eq!(search.dirs[2], PathBuf::from("/etc/systemd/system.control"));
    assert!(search.dirs.contains(&PathBuf::from("/etc/systemd/system")));
    assert!(
        search
            .dirs
            .contains(&PathBuf::from("/usr/lib/systemd/system"))
    );
    assert_eq!(
        search.dirs.last(),
        Some(&PathBuf::from("/run/systemd/generator.late"))
    );
    assert_eq!(search.dirs.len(), 2 + 13);
}

#[test]
fn unit_path_duplicates_keep_first_place() {
    let t = Tree::new();
    let (a, b) = (t.path("a"), t.path("b"));
    let env = Environment {
        unit_path: Some(format!("{}:{}:{}", b.display(), a.display(), b.display())),
        ..Default::default()
    };
    let search = SearchPath::new(Scope::System, None, &env);
    assert_eq!(search.dirs, [b, a]);
}

// ---------------------------------------------------------------------------------------------
// --root

#[test]
fn root_absolute_alias_symlink_resolves_inside_root() {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    write(&r.join("usr/lib/systemd/system/t.socket"), LISTEN);
    link(
        "/usr/lib/systemd/system/t.socket",
        &r.join("etc/systemd/system/alias.socket"),
    );
    write(
        &r.join("etc/systemd/system/t.socket.d/10.conf"),
        "[Socket]\nBacklog=3\n",
    );
    let env = Environment::default();
    let search = SearchPath::new(Scope::System, Some(r), &env);
    assert!(search.dirs.iter().all(|d| d.starts_with(r)));
    let loader = Loader::new(search, Scope::System, &env);
    let (u, _) = load(&loader, "alias.socket");
    assert_eq!(u.state, LoadState::Loaded);
    assert_eq!(u.id.as_str(), "t.socket");
    assert_eq!(u.fragment, Some(r.join("usr/lib/systemd/system/t.socket")));
    assert_eq!(values(&u, "Backlog"), ["3"]);
}

#[test]
fn cli_verify_root_unit_name_ok() {
    let root = tempfile::tempdir().unwrap();
    let etc = root.path().join("etc/systemd/system");
    write(
        &etc.join("t.socket"),
        "[Unit]\nDescription=T\n[Socket]\nListenStream=/run/t.sock\n",
    );
    write(&etc.join("t.service"), "[Service]\nExecStart=/bin/true\n");
    let verify = || {
        let out = sockunit()
            .args(["verify", "--format", "json", "--root"])
            .arg(root.path())
            .arg("t.socket")
            .output()
            .unwrap();
        (out.status.code(), json_lines(&out.stdout))
    };
    // A bare root lacks the targets of the default dependencies: systemd 252 says
    // "Failed to create t.socket/start: Unit sysinit.target not found." and exits 1.
    let (code, lines) = verify();
    assert_eq!(code, Some(1), "{lines:?}");
    assert_eq!(
        lines.last().unwrap()["code"],
        "start-job-failed",
        "{lines:?}"
    );
    assert_eq!(
        lines.last().unwrap()["message"],
        "Failed to create t.socket/start: Unit sysinit.target not found."
    );
    for target in ["sysinit.target", "sockets.target", "shutdown.target"] {
        write(
            &root.path().join("usr/lib/systemd/system").join(target),
            "[Unit]\nDescription=x\n",
        );
    }
    let (code, lines) = verify();
    assert_eq!(code, Some(0), "{lines:?}");
    assert!(lines.iter().all(|l| l["severity"] != "error"), "{lines:?}");
}

#[test]
fn cli_verify_root_missing_unit_not_found() {
    let root = tempfile::tempdir().unwrap();
    write(&root.path().join("etc/systemd/system/t.socket"), LISTEN);
    let out = sockunit()
        .args(["verify", "--format", "json", "--root"])
        .arg(root.path())
        .arg("missing.socket")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out.stdout);
    let nf: Vec<_> = lines.iter().filter(|l| l["code"] == "not-found").collect();
    assert_eq!(nf.len(), 1, "{lines:?}");
    assert_eq!(nf[0]["severity"], "error");
    assert_eq!(nf[0]["unit"], "missing.socket");
    assert_eq!(nf[0]["message"], "Unit missing.socket not found.");
    for key in [
        "file", "line", "column", "unit", "severity", "code", "message",
    ] {
        assert!(nf[0].get(key).is_some(), "key {key} missing in {}", nf[0]);
    }
}

#[test]
fn cli_verify_root_socket_without_service_refused() {
    let root = tempfile::tempdir().unwrap();
    write(&root.path().join("etc/systemd/system/t.socket"), LISTEN);
    let out = sockunit()
        .args(["verify", "--format", "json", "--root"])
        .arg(root.path())
        .arg("t.socket")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out.stdout);
    assert!(
        lines.iter().any(|l| l["code"] == "service-not-loaded"),
        "{lines:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// bad input

/// systemd 252 ignores a drop-in directory that is a symlink loop silently and loads the unit.
#[test]
fn dropin_dir_symlink_loop_does_not_break_loading() {
    let t = Tree::new();
    t.write("a/t.socket", LISTEN);
    t.link("t.socket.d", "a/t.socket.d");
    t.link("t.socket.wants", "a/t.socket.wants");
    t.write("b/t.socket.d/10.conf", "[Socket]\nBacklog=2\n");
    let (u, diags) = t.load("t.socket");
    assert_eq!(u.state, LoadState::Loaded);
    assert_eq!(t.rel(&u.dropin_paths), ["b/t.socket.d/10.conf"]);
    assert_eq!(values(&u, "Backlog"), ["2"]);
    assert!(u.wants.is_empty());
    // sockunit reports the loop (systemd 252 says nothing); it must at least not be an error.
    assert!(
        diags.iter().all(|d| d.severity < Severity::Error),
        "{diags:?}"
    );
}

/// Checked against systemd 252: `d.socket: Failed to open b/d.socket: No such file or
/// directory` then `Unit d.socket not found.` (load state not-found, not error).
#[test]

fn dangling_symlink_fragment_outside_search_path_is_not_found() {
    let t = Tree::new();
    t.link("/nonexistent/d.socket", "b/d.socket");
    let (u, _) = t.load("d.socket");
    assert_eq!(u.state, LoadState::NotFound);
}

#[test]
fn dangling_symlink_fragment_does_not_load() {
    let t = Tree::new();
    t.link("/nonexistent/d.socket", "b/d.socket");
    let (u, _) = t.load("d.socket");
    assert!(
        matches!(u.state, LoadState::NotFound | LoadState::Error(_)),
        "{:?}",
        u.state
    );
    assert!(u.files.is_empty());
}

/// Checked against systemd 252: `Unit e.socket not found.`
#[test]
fn dangling_alias_inside_search_path_is_not_found() {
    let t = Tree::new();
    t.link("gone.socket", "b/e.socket");
    let (u, _) = t.load("e.socket");
    assert_eq!(u.state, LoadState::NotFound);
    assert!(u.files.is_empty());
}

/// Checked against systemd 252: `Cannot load unit x.socket: Too many levels of symbolic links`,
/// then `Unit x.socket not found.`
#[test]
fn alias_symlink_loop_is_not_found() {
    let t = Tree::new();
    t.link("y.socket", "a/x.socket");
    t.link("x.socket", "a/y.socket");
    let (u, _) = t.load("x.socket");
    assert_eq!(u.state, LoadState::NotFound);
}

#[test]
fn unreadable_fragment_is_load_error() {
    if nix::unistd::geteuid().is_root() {
        eprintln!("skipped: root can read a mode-000 file");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let t = Tree::new();
    let f = t.write("a/t.socket", LISTEN);
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o000)).unwrap();
    let (u, _) = t.load("t.socket");
    assert_eq!(u.state, LoadState::Error("Permission denied"));
    assert!(u.files.is_empty());
}

/// Checked against systemd 252 (same first line): `g.socket:1: String is not UTF-8 clean,
/// ignoring assignment` then `Unit g.socket failed to load properly, …: Invalid argument`.
#[test]
fn binary_garbage_fragment_is_load_error() {
    let t = Tree::new();
    let mut bytes = b"\xff\xfe\x00garbage\x80\x81\n".to_vec();
    let mut rng = common::Rng(0x5eed_1234_abcd_0001);
    bytes.extend((0..4000).map(|_| rng.next() as u8));
    t.write("a/g.socket", bytes);
    let (u, _) = t.load("g.socket");
    assert_eq!(u.state, LoadState::Error("Invalid argument"));
}

/// Checked against systemd 252 with the same bytes: `10.conf:2:` and `:3: Assignment outside of
/// section. Ignoring.`, `:4: String is not UTF-8 clean, ignoring assignment`, and the unit stays
/// `loaded` with `DropIn Path: a/u.socket.d/10.conf` (drop-in parse failures are ignored).
#[test]
fn binary_garbage_dropin_warns_and_unit_still_loads() {
    let t = Tree::new();
    t.write("a/t.socket", LISTEN);
    let bytes: Vec<u8> = (0..30).flat_map(|_| 0..=255u8).collect();
    t.write("a/t.socket.d/10.conf", bytes);
    let (u, diags) = t.load("t.socket");
    assert_eq!(u.state, LoadState::Loaded);
    assert_eq!(t.rel(&u.dropin_paths), ["a/t.socket.d/10.conf"]);
    assert_eq!(values(&u, "ListenStream"), ["/run/t.sock"]);
    let got: Vec<_> = diags.iter().map(|d| (d.code, d.line)).collect();
    assert_eq!(
        got,
        [
            (Code::AssignmentOutsideSection, Some(2)),
            (Code::AssignmentOutsideSection, Some(3)),
            (Code::InvalidUtf8, Some(4)),
        ]
    );
}

#[test]
fn hundred_thousand_line_fragment_loads_quickly() {
    let t = Tree::new();
    let mut text = String::from("[Unit]\nDescription=big\n[Socket]\nListenStream=/run/big.sock\n");
    for i in 0..100_000 {
        text.push_str(&format!("Backlog={i}\n"));
    }
    t.write("a/big.socket", text);
    let loader = t.loader();
    let start = Instant::now();
    let (u, mut diags) = load(&loader, "big.socket");
    let d = description(&loader, &u, &mut diags);
    let elapsed = start.elapsed();
    assert_eq!(u.state, LoadState::Loaded);
    assert_eq!(u.files[0].syntax.assignments.len(), 100_002);
    assert_eq!(
        values(&u, "Backlog").last().map(String::as_str),
        Some("99999")
    );
    assert_eq!(d.as_deref(), Some("big"));
    assert!(diags.is_empty(), "{} diagnostics", diags.len());
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
}

/// Checked against systemd 252: `Fragment Path: b/t.socket`.
#[test]
fn fragment_that_is_a_directory_is_not_loaded() {
    let t = Tree::new();
    std::fs::create_dir_all(t.path("a/t.socket")).unwrap();
    t.write("b/t.socket", LISTEN);
    let (u, _) = t.load("t.socket");
    // A directory is not a unit file: the name map skips it and the lower fragment is used.
    assert_eq!(u.state, LoadState::Loaded);
    assert_eq!(t.rel1(&u.fragment).as_deref(), Some("b/t.socket"));
}
