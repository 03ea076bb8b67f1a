//! Real child processes through `sockunit::runtime::sys::{spawn, process}`.
//!
//! A Python probe (written to a tempdir) reports what the exec'd process sees: pid, `LISTEN_*`,
//! its open fds and their flags, stdio targets, cwd, umask, nice, limits. Signal state is read
//! with `cat /proc/self/status` instead, because Python itself ignores SIGPIPE and SIGXFSZ.
//!
//! Every test holds `SERIAL`: `reap()` waits for *any* child, and fd counting needs a process in
//! which no other test opens fds meanwhile. Forking from this multi-threaded harness is sound
//! only because the child side of `spawn()` never allocates; the global allocator below turns
//! that into a checked property: any allocation or free in a forked child `_exit`s it with 99,
//! which every test would see as a wrong exit status.

use std::alloc::{GlobalAlloc, Layout, System};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::resource::Resource;
use nix::sys::signal::{SigSet, SigmaskHow, Signal, pthread_sigmask};
use nix::unistd::Pid;
use serde_json::Value;
use sockunit::runtime::sys::process::{
    descendants, group_members, kill_group, kill_pid, reap, set_child_subreaper,
};
use sockunit::runtime::sys::spawn::{ChildStep, FileMode, SpawnSpec, Spawned, Stdio, spawn};
use sockunit::runtime::types::{ExitStatus, KillOutcome};

/// The test process's pid, recorded by its first allocation (before any fork).
static PARENT: AtomicI32 = AtomicI32::new(0);
/// Exit code of a forked child caught allocating.
const ALLOCATED_IN_CHILD: i32 = 99;

struct ForkCheckingAllocator;

impl ForkCheckingAllocator {
    fn check() {
        // SAFETY: getpid and _exit are async-signal-safe and touch no Rust state.
        let me = unsafe { libc::getpid() };
        match PARENT.compare_exchange(0, me, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => {}
            Err(parent) if parent == me => {}
            // SAFETY: as above; a forked child that allocates ends here.
            Err(_) => unsafe { libc::_exit(ALLOCATED_IN_CHILD) },
        }
    }
}

// SAFETY: every call forwards to `System` with the same arguments after a check that either
// returns or exits the process.
unsafe impl GlobalAlloc for ForkCheckingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Self::check();
        // SAFETY: forwarded unchanged; the caller upholds `alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        Self::check();
        // SAFETY: forwarded unchanged; `ptr` came from `System` via this allocator.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        Self::check();
        // SAFETY: forwarded unchanged; `ptr` came from `System` via this allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: ForkCheckingAllocator = ForkCheckingAllocator;

static SERIAL: Mutex<()> = Mutex::new(());
/// Statuses `reap()` returned for pids nobody was waiting for yet.
static REAPED: Mutex<Vec<(Pid, ExitStatus)>> = Mutex::new(Vec::new());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

const PROBE: &str = r#"
import fcntl, json, os, resource, sys
out = sys.argv[1]
fds = []
for name in os.listdir('/proc/self/fd'):
    try:
        os.fstat(int(name))   # the listing's own fd is closed by now
    except OSError:
        continue
    fds.append(int(name))
fds.sort()
def flags(fd):
    return {"cloexec": bool(fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC),
            "nonblock": bool(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_NONBLOCK),
            "link": os.readlink('/proc/self/fd/%d' % fd)}
if os.environ.get('PROBE_ECHO'):
    line = sys.stdin.readline()
    sys.stdout.write('echo:' + line)
    sys.stdout.flush()
if os.environ.get('PROBE_WRITE'):
    sys.stdout.write('out\n'); sys.stdout.flush()
    sys.stderr.write('err\n'); sys.stderr.flush()
mask = os.umask(0)
info = {"pid": os.getpid(), "pgid": os.getpgid(0), "env": dict(os.environ), "fds": fds,
        "flags": {str(fd): flags(fd) for fd in fds}, "cwd": os.getcwd(), "umask": mask,
        "nice": os.nice(0), "nofile": list(resource.getrlimit(resource.RLIMIT_NOFILE))}
with open(out + '.tmp', 'w') as f:
    json.dump(info, f)
os.rename(out + '.tmp', out)
"#;

fn python() -> PathBuf {
    for candidate in ["/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"] {
        if Path::new(candidate).exists() {
            return candidate.into();
        }
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join("python3"))
        .find(|p| p.exists())
        .expect("python3 on PATH")
}

/// Waits (polling `reap()`) until `pid` has been reaped; other pids' statuses are kept.
fn wait_for(pid: Pid) -> ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut seen = REAPED.lock().unwrap_or_else(|e| e.into_inner());
        seen.extend(reap());
        if let Some(i) = seen.iter().position(|(p, _)| *p == pid) {
            return seen.remove(i).1;
        }
        drop(seen);
        assert!(Instant::now() < deadline, "{pid} did not exit");
        std::thread::sleep(Duration::from_micros(200));
    }
}

struct Probe {
    dir: tempfile::TempDir,
}

impl Probe {
    fn new() -> Probe {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("probe.py"), PROBE).unwrap();
        Probe { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn spec(&self) -> SpawnSpec {
        let py = python();
        let argv = vec![
            py.display().to_string(),
            "-S".into(),
            self.path("probe.py").display().to_string(),
            self.path("out.json").display().to_string(),
        ];
        SpawnSpec::new(py, argv)
    }

    /// Spawns, waits, and returns the report plus how the probe exited.
    fn run(&self, spec: &SpawnSpec) -> (Spawned, Value) {
        let _ = std::fs::remove_file(self.path("out.json"));
        let spawned = spawn(spec).expect("fork");
        assert_eq!(spawned.exec_error, None);
        assert_eq!(wait_for(spawned.pid), ExitStatus::Exited(0));
        let text = std::fs::read_to_string(self.path("out.json")).unwrap();
        (spawned, serde_json::from_str(&text).unwrap())
    }
}

fn link(fd: RawFd) -> String {
    std::fs::read_link(format!("/proc/self/fd/{fd}"))
        .unwrap()
        .display()
        .to_string()
}

fn open_fd_count() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// An fd onto /dev/null with `FD_CLOEXEC` cleared: a leak candidate the child must close.
fn leaky_fd() -> OwnedFd {
    let fd: OwnedFd = std::fs::File::open("/dev/null").unwrap().into();
    // SAFETY: `fd` is ours; F_SETFD only changes its flags.
    assert_eq!(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFD, 0) }, 0);
    fd
}

fn close(fd: RawFd) {
    // SAFETY: the tests close only fds they created.
    unsafe { libc::close(fd) };
}

fn set_nonblock(fd: RawFd) {
    // SAFETY: plain fcntl on an fd the test owns.
    unsafe {
        libc::fcntl(
            fd,
            libc::F_SETFL,
            libc::fcntl(fd, libc::F_GETFL) | libc::O_NONBLOCK,
        )
    };
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect()
}

#[test]
fn listen_env_and_exactly_the_passed_fds() {
    let _g = serial();
    let probe = Probe::new();
    let (a, _a2) = UnixStream::pair().unwrap();
    let (b, _b2) = UnixStream::pair().unwrap();
    // Sources are non-blocking; NonBlocking=no must clear that in the child.
    set_nonblock(a.as_raw_fd());
    let leaks = [leaky_fd(), leaky_fd(), leaky_fd()];
    // SAFETY: dup2 onto a high, unused fd number.
    let raw = unsafe { libc::dup2(leaks[0].as_raw_fd(), 700) };
    assert_eq!(raw, 700);
    // SAFETY: `raw` is a fresh, valid fd nobody else owns.
    let high = unsafe { OwnedFd::from_raw_fd(raw) };
    let mut spec = probe.spec();
    spec.fds = vec![a.as_raw_fd(), b.as_raw_fd()];
    spec.fd_names = vec!["web".into(), "admin".into()];
    spec.listen_env = true;
    spec.env = vec!["A=1".into(), "LISTEN_FDS=99".into()];
    let (spawned, info) = probe.run(&spec);
    let env = &info["env"];
    assert_eq!(info["pid"], spawned.pid.as_raw());
    assert_eq!(env["LISTEN_PID"], spawned.pid.as_raw().to_string());
    assert_eq!(env["LISTEN_FDS"], "2");
    assert_eq!(env["LISTEN_FDNAMES"], "web:admin");
    assert_eq!(env["A"], "1");
    assert_eq!(ints(&info["fds"]), [0, 1, 2, 3, 4]);
    for (fd, source) in [("3", &a), ("4", &b)] {
        let f = &info["flags"][fd];
        assert_eq!(
            f["link"],
            link(source.as_raw_fd()),
            "fd {fd} is the right socket"
        );
        assert_eq!(f["cloexec"], false);
        assert_eq!(f["nonblock"], false);
    }
    // `new_process_group` defaults to true: the probe leads its own group.
    assert_eq!(info["pgid"], spawned.pid.as_raw());
    drop((leaks, high));
}

#[test]
fn non_blocking_sets_o_nonblock_and_no_listen_env_sets_nothing() {
    let _g = serial();
    let probe = Probe::new();
    let (a, _a2) = UnixStream::pair().unwrap();
    let mut spec = probe.spec();
    spec.fds = vec![a.as_raw_fd()];
    spec.non_blocking = true;
    spec.new_process_group = false;
    let (_, info) = probe.run(&spec);
    assert_eq!(ints(&info["fds"]), [0, 1, 2, 3]);
    assert_eq!(info["flags"]["3"]["nonblock"], true);
    assert_eq!(info["flags"]["3"]["cloexec"], false);
    assert!(info["env"].get("LISTEN_PID").is_none());
    assert!(info["env"].get("LISTEN_FDS").is_none());
    assert_eq!(info["pgid"], nix::unistd::getpgrp().as_raw());
}

/// Moves the fd `fd` to exactly `target`, keeping whatever sat there for `restore`.
fn force_fd(fd: RawFd, target: RawFd) -> Option<RawFd> {
    // SAFETY: F_DUPFD_CLOEXEC copies a possibly open fd out of the way; dup2 then reuses the
    // slot. The previous occupant is restored by `restore`.
    unsafe {
        let saved = libc::fcntl(target, libc::F_DUPFD_CLOEXEC, 100);
        assert_eq!(libc::dup2(fd, target), target);
        (saved >= 0).then_some(saved)
    }
}

fn restore(saved: Option<RawFd>, target: RawFd) {
    match saved {
        // SAFETY: puts the original occupant back and drops the temporary copy.
        Some(fd) => unsafe {
            libc::dup2(fd, target);
            libc::close(fd);
        },
        None => close(target),
    }
}

#[test]
fn fds_sitting_in_target_slots_are_swapped_correctly() {
    let _g = serial();
    let probe = Probe::new();
    let (a, _a2) = UnixStream::pair().unwrap();
    let (b, _b2) = UnixStream::pair().unwrap();
    let saved3 = force_fd(a.as_raw_fd(), 3);
    let saved4 = force_fd(b.as_raw_fd(), 4);
    let (link3, link4) = (link(3), link(4));
    let mut spec = probe.spec();
    spec.fds = vec![4, 3];
    spec.listen_env = true;
    let outcome = std::panic::catch_unwind(|| probe.run(&spec));
    restore(saved4, 4);
    restore(saved3, 3);
    let (_, info) = outcome.unwrap();
    assert_eq!(ints(&info["fds"]), [0, 1, 2, 3, 4]);
    assert_eq!(info["flags"]["3"]["link"], link4);
    assert_eq!(info["flags"]["4"]["link"], link3);
    assert_eq!(info["flags"]["3"]["cloexec"], false);
    assert_eq!(info["flags"]["4"]["cloexec"], false);
    assert_eq!(info["env"]["LISTEN_FDNAMES"], "unknown:unknown");
}

fn status_field(text: &str, key: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:\t")))
        .unwrap_or_else(|| panic!("{key} in {text}"))
        .trim()
        .to_string()
}

/// Runs `cat /proc/self/status` with `spec` tweaks and returns what it printed.
fn cat_status(tweak: impl FnOnce(&mut SpawnSpec)) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("status");
    let mut spec = SpawnSpec::new("/bin/cat", vec!["cat".into(), "/proc/self/status".into()]);
    spec.stdout = Stdio::File {
        path: out.clone(),
        mode: FileMode::Truncate,
    };
    tweak(&mut spec);
    let spawned = spawn(&spec).unwrap();
    assert_eq!(spawned.exec_error, None);
    assert_eq!(wait_for(spawned.pid), ExitStatus::Exited(0));
    std::fs::read_to_string(out).unwrap()
}

#[test]
fn signal_mask_and_dispositions_are_reset() {
    let _g = serial();
    let mut blocked = SigSet::empty();
    blocked.add(Signal::SIGCHLD);
    blocked.add(Signal::SIGTERM);
    let mut old = SigSet::empty();
    pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&blocked), Some(&mut old)).unwrap();
    let ours = std::fs::read_to_string("/proc/thread-self/status").unwrap();
    let plain = cat_status(|s| s.ignore_sigpipe = false);
    let sigpipe = cat_status(|_| {});
    pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&old), None).unwrap();
    // The test is meaningful: we block SIGCHLD+SIGTERM and (Rust's runtime) ignore SIGPIPE.
    let parent_blocked = u64::from_str_radix(&status_field(&ours, "SigBlk"), 16).unwrap();
    assert_eq!(parent_blocked & 0x14000, 0x14000);
    let parent_ignored = u64::from_str_radix(&status_field(&ours, "SigIgn"), 16).unwrap();
    assert_eq!(parent_ignored & 0x1000, 0x1000);
    assert_eq!(status_field(&plain, "SigBlk"), "0000000000000000");
    assert_eq!(status_field(&plain, "SigIgn"), "0000000000000000");
    assert_eq!(status_field(&sigpipe, "SigBlk"), "0000000000000000");
    assert_eq!(status_field(&sigpipe, "SigIgn"), "0000000000001000");
}

#[test]
fn credentials_apply_when_root() {
    let _g = serial();
    let status = cat_status(|s| {
        s.uid = Some(65534);
        s.gid = Some(65534);
        s.supplementary_groups = vec![65533];
    });
    if nix::unistd::geteuid().is_root() {
        assert_eq!(status_field(&status, "Uid"), "65534\t65534\t65534\t65534");
        assert_eq!(status_field(&status, "Gid"), "65534\t65534\t65534\t65534");
        assert_eq!(status_field(&status, "Groups"), "65533");
    } else {
        let uid = nix::unistd::getuid().to_string();
        assert!(status_field(&status, "Uid").starts_with(&uid));
    }
}

#[test]
fn stdio_null_and_inherit() {
    let _g = serial();
    let probe = Probe::new();
    let (_, info) = probe.run(&probe.spec());
    let flags = &info["flags"];
    assert_eq!(flags["0"]["link"], "/dev/null");
    assert_eq!(flags["1"]["link"], link(1));
    assert_eq!(flags["2"]["link"], link(2));
    let mut spec = probe.spec();
    spec.stdout = Stdio::Null;
    let (_, info) = probe.run(&spec);
    assert_eq!(info["flags"]["1"]["link"], "/dev/null");
    assert_eq!(
        info["flags"]["2"]["link"], "/dev/null",
        "stderr inherits stdout"
    );
}

fn write_probe(probe: &Probe, out: Stdio, err: Stdio, umask: u32) {
    let mut spec = probe.spec();
    spec.env = vec!["PROBE_WRITE=1".into()];
    spec.stdout = out;
    spec.stderr = err;
    spec.umask = umask;
    let (_, info) = probe.run(&spec);
    assert_eq!(info["umask"], umask);
}

#[test]
fn stdio_files_write_append_truncate() {
    let _g = serial();
    let probe = Probe::new();
    let file = |name: &str, mode| Stdio::File {
        path: probe.path(name),
        mode,
    };
    std::fs::write(probe.path("w"), "0123456789\n").unwrap();
    write_probe(&probe, file("w", FileMode::Write), Stdio::Inherit, 0o022);
    assert_eq!(
        std::fs::read_to_string(probe.path("w")).unwrap(),
        "out\nerr\n89\n"
    );
    std::fs::write(probe.path("a"), "old\n").unwrap();
    write_probe(&probe, file("a", FileMode::Append), Stdio::Null, 0o022);
    assert_eq!(
        std::fs::read_to_string(probe.path("a")).unwrap(),
        "old\nout\n"
    );
    std::fs::write(probe.path("t"), "a long old line\n").unwrap();
    let (t, t2) = (
        file("t", FileMode::Truncate),
        file("t2", FileMode::Truncate),
    );
    write_probe(&probe, t, t2, 0o022);
    assert_eq!(std::fs::read_to_string(probe.path("t")).unwrap(), "out\n");
    assert_eq!(std::fs::read_to_string(probe.path("t2")).unwrap(), "err\n");
    write_probe(&probe, file("new", FileMode::Append), Stdio::Inherit, 0o027);
    assert_eq!(
        std::fs::read_to_string(probe.path("new")).unwrap(),
        "out\nerr\n"
    );
    let mode = std::fs::metadata(probe.path("new"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640, "created with 0666 & ~UMask");
}

#[test]
fn stdio_socket_inetd_mode() {
    let _g = serial();
    let probe = Probe::new();
    let (mut ours, theirs) = UnixStream::pair().unwrap();
    set_nonblock(theirs.as_raw_fd());
    use std::io::{Read, Write};
    ours.write_all(b"ping\n").unwrap();
    let mut spec = probe.spec();
    spec.env = vec!["PROBE_ECHO=1".into()];
    spec.stdin = Stdio::Fd(theirs.as_raw_fd());
    spec.stdout = Stdio::Inherit;
    let (_, info) = probe.run(&spec);
    drop(theirs);
    let mut answer = String::new();
    ours.read_to_string(&mut answer).unwrap();
    assert_eq!(answer, "echo:ping\n");
    let flags = &info["flags"];
    assert!(flags["0"]["link"].as_str().unwrap().starts_with("socket:["));
    assert_eq!(
        flags["1"]["link"], flags["0"]["link"],
        "stdout inherits the socket"
    );
    assert_eq!(
        flags["2"]["link"], flags["0"]["link"],
        "stderr inherits stdout"
    );
    assert_eq!(flags["0"]["nonblock"], false);
    assert_eq!(ints(&info["fds"]), [0, 1, 2]);
}

#[test]
fn working_directory_missing_with_and_without_dash() {
    let _g = serial();
    let probe = Probe::new();
    let mut spec = probe.spec();
    spec.working_directory = Some((probe.dir.path().to_path_buf(), false));
    let (_, info) = probe.run(&spec);
    assert_eq!(
        info["cwd"],
        probe
            .dir
            .path()
            .canonicalize()
            .unwrap()
            .display()
            .to_string()
    );
    spec.working_directory = Some((probe.path("missing"), true));
    let (_, info) = probe.run(&spec);
    let here = std::env::current_dir().unwrap();
    assert_eq!(info["cwd"], here.display().to_string());
    spec.working_directory = Some((probe.path("missing"), false));
    let spawned = spawn(&spec).unwrap();
    let err = spawned.exec_error.expect("chdir fails");
    assert_eq!((err.step, err.errno), (ChildStep::Chdir, Errno::ENOENT));
    assert_eq!(wait_for(spawned.pid), ExitStatus::Exited(200));
    assert_eq!(
        err.detail_message(&spec),
        "Changing to the requested working directory failed: No such file or directory"
    );
    assert!(
        err.step_message(&spec)
            .starts_with("Failed at step CHDIR spawning ")
    );
}

fn failed_spawn(path: &Path) -> (SpawnSpec, sockunit::runtime::sys::spawn::ChildError) {
    let spec = SpawnSpec::new(path, vec!["x".into()]);
    let spawned = spawn(&spec).unwrap();
    let err = spawned.exec_error.expect("exec fails");
    assert_eq!(wait_for(spawned.pid), ExitStatus::Exited(203));
    (spec, err)
}

#[test]
fn exec_failures_report_step_and_errno() {
    let _g = serial();
    let (spec, err) = failed_spawn(Path::new("/bin/nonexistent"));
    assert_eq!(
        (err.step, err.errno),
        (ChildStep::LocateExecutable, Errno::ENOENT)
    );
    assert_eq!(err.step.exit_code(), 203);
    assert_eq!(
        err.detail_message(&spec),
        "Failed to locate executable /bin/nonexistent: No such file or directory"
    );
    assert_eq!(
        err.step_message(&spec),
        "Failed at step EXEC spawning /bin/nonexistent: No such file or directory"
    );
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    std::fs::write(&plain, "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (_, err) = failed_spawn(&plain);
    assert_eq!(
        (err.step, err.errno),
        (ChildStep::LocateExecutable, Errno::EACCES)
    );
    let (_, err) = failed_spawn(dir.path());
    assert_eq!(
        (err.step, err.errno),
        (ChildStep::LocateExecutable, Errno::EISDIR)
    );
    let garbage = dir.path().join("garbage");
    std::fs::write(&garbage, [0u8, 1, 2, 3, 4, 5, 6, 7]).unwrap();
    std::fs::set_permissions(&garbage, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (spec, err) = failed_spawn(&garbage);
    assert_eq!((err.step, err.errno), (ChildStep::Exec, Errno::ENOEXEC));
    let expected = format!("Failed to execute {}: Exec format error", garbage.display());
    assert_eq!(err.detail_message(&spec), expected);
}

#[test]
fn nice_and_rlimits_apply() {
    let _g = serial();
    let probe = Probe::new();
    let mut spec = probe.spec();
    spec.nice = Some(7);
    spec.rlimits = vec![(Resource::RLIMIT_NOFILE, 200, 300)];
    let (_, info) = probe.run(&spec);
    assert_eq!(info["nice"], 7);
    assert_eq!(ints(&info["nofile"]), [200, 300]);
}

fn sh(script: &str) -> SpawnSpec {
    SpawnSpec::new("/bin/sh", vec!["sh".into(), "-c".into(), script.into()])
}

#[test]
fn reap_reports_exact_exit_statuses() {
    let _g = serial();
    let mut segv = sh("kill -SEGV $$");
    segv.rlimits = vec![(Resource::RLIMIT_CORE, 0, 0)];
    let cases = [
        (sh("exit 0"), ExitStatus::Exited(0)),
        (sh("exit 1"), ExitStatus::Exited(1)),
        (sh("exit 77"), ExitStatus::Exited(77)),
        (sh("kill -TERM $$"), ExitStatus::Killed(libc::SIGTERM)),
        // A realtime signal, which `nix`'s `Signal` enum could not represent.
        (sh("kill -37 $$"), ExitStatus::Killed(37)),
        (segv, ExitStatus::Killed(libc::SIGSEGV)),
    ];
    for (spec, expected) in cases {
        let spawned = spawn(&spec).unwrap();
        assert_eq!(wait_for(spawned.pid), expected, "{:?}", spec.argv);
    }
}

#[test]
fn killing_the_process_group_reaches_the_grandchild() {
    let _g = serial();
    set_child_subreaper().unwrap();
    // `; exit 0` keeps any sh from exec'ing the last sleep: sh, and two sleeps under it.
    let spawned = spawn(&sh("sleep 100 & sleep 100; exit 0")).unwrap();
    let pgid = spawned.pid;
    let deadline = Instant::now() + Duration::from_secs(10);
    while group_members(pgid).len() < 3 {
        assert!(Instant::now() < deadline, "{:?}", group_members(pgid));
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(descendants(pgid).len(), 2, "two sleeps under sh");
    assert_eq!(kill_group(pgid, libc::SIGTERM), KillOutcome::Signalled);
    assert_eq!(wait_for(pgid), ExitStatus::Killed(libc::SIGTERM));
    // The background sleep, orphaned, was reparented to us (subreaper) and dies too.
    while !group_members(pgid).is_empty() {
        assert!(Instant::now() < deadline, "{:?}", group_members(pgid));
        REAPED
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(reap());
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(20));
    REAPED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .extend(reap());
    assert_eq!(kill_group(pgid, libc::SIGTERM), KillOutcome::Nothing);
    assert_eq!(kill_pid(pgid, 0), KillOutcome::Nothing);
}

#[test]
fn a_thousand_spawns_leak_no_fd_and_no_zombie() {
    let _g = serial();
    let before = open_fd_count();
    let spec = SpawnSpec::new("/bin/true", vec!["true".into()]);
    for _ in 0..1000 {
        let spawned = spawn(&spec).unwrap();
        assert_eq!(spawned.exec_error, None);
        assert_eq!(wait_for(spawned.pid), ExitStatus::Exited(0));
    }
    assert_eq!(open_fd_count(), before);
    assert!(reap().is_empty());
    let mut status = 0;
    // SAFETY: WNOHANG never blocks; `status` is writable storage.
    let ret = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
    assert!(
        ret == -1 && Errno::last() == Errno::ECHILD,
        "a child is left: {ret}"
    );
}

#[test]
fn passed_fds_are_not_consumed_in_the_parent() {
    let _g = serial();
    let (a, _a2): (UnixStream, UnixStream) = UnixStream::pair().unwrap();
    let owned: OwnedFd = a.into();
    let mut spec = SpawnSpec::new("/bin/true", vec!["true".into()]);
    spec.fds = vec![owned.as_raw_fd()];
    spec.stdin = Stdio::Fd(owned.as_raw_fd());
    let spawned = spawn(&spec).unwrap();
    assert_eq!(wait_for(spawned.pid), ExitStatus::Exited(0));
    // SAFETY: F_GETFD on our own fd only reads flags.
    assert!(unsafe { libc::fcntl(owned.as_raw_fd(), libc::F_GETFD) } >= 0);
}
