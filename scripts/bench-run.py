#!/usr/bin/env python3
"""Speed, idle cost and hygiene of `sockunit run`, measured against `systemd-socket-activate` in
one run.

Prints a table and ratios (release build; every server in a temp dir with `--control` there,
every process stopped at the end):
  1. Accept=yes throughput: N sequential connections (default 2,000, best of 3 rounds) to an
     AF_UNIX stream socket whose per-connection service is `/bin/cat` in inetd mode
     (`StandardInput=socket`); the client sends a line, shuts down its write side and reads the
     echo to EOF. Peer: `systemd-socket-activate --accept --inetd -l PATH /bin/cat`. Both
     servers run side by side and their rounds alternate, so both see the same load from the
     rest of the machine. Also the server's own CPU (utime+stime, children excluded) per
     connection, each round.
     Not the same work: sockunit loads an instance unit per connection (`bench@N-PID-UID`,
     unloaded again once dead), runs the socket and service state machines (trace off), forks
     and re-executes itself to set up the child (fd packing, environment, signal reset), reads
     /proc to track the unit's processes, and logs two lines; systemd-socket-activate forks and
     execs, logs, and reaps in a SIGCHLD handler, with no unit or state at all.
  2. Accept=no activation latency: time from connect() to the first byte of the reply, over M
     cycles (default 50), for a Python echo (`socket.socket(fileno=3).accept()`, one reply,
     exit) started on traffic. sockunit: one runtime; between cycles the script waits until the
     socket is back to `listening` and the service `dead` (its control socket).
     `systemd-socket-activate -l PATH CMD` waits for the first connection attempt and then
     execs CMD in place of itself (no fork, no supervision: one activation per process), so the
     peer is started afresh for each cycle and the clock starts once it listens; the figure
     compares the same thing (a listening socket, connect, the service started on traffic,
     first byte) but the peer's activation is a bare execve(). The two tools' cycles
     alternate.
  3. Idle cost: CPU ticks of `sockunit run` with 100 listening sockets over 5 s, and its VmRSS
     with 100 and with 1,000 sockets (each `sN.socket` + `sN.service`); the RSS of
     `systemd-socket-activate -l ...` with as many sockets as a reference.
  4. Hygiene: the server's open fds before and after the throughput run, and zombies among its
     children after it.
Targets (proposed with this script): idle CPU 0 ticks; fds before == after; 0 zombies;
throughput >= 0.5x of systemd-socket-activate; activation latency <= 2x of it plus 5 ms;
RSS < 32 MiB with 1,000 sockets. The exit status is non-zero only when a run is broken (a
server that does not come up, a refused or wrong echo, a timeout), never for a missed target.

Options: --connections N, --cycles M, --rounds R, --idle-seconds S, --quick (N=300, M=10,
R=1).
The socket units set TriggerLimitIntervalSec=0 and the services StartLimitIntervalSec=0: the
defaults (20 triggers per 2 s, 200 with Accept=yes; 5 starts per 10 s) would stop a benchmark
on real systemd as well.
"""
import argparse, json, os, resource, shutil, signal, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEER = shutil.which("systemd-socket-activate")
PYTHON = sys.executable
HZ = os.sysconf("SC_CLK_TCK")

ECHO_PY = """\
import socket
listener = socket.socket(fileno=3)
conn, _ = listener.accept()
conn.sendall(conn.recv(64))
conn.close()
"""


class Broken(Exception):
    """A run that cannot be measured."""


PROCS = []
LOGS = []


def spawn(cmd, cwd, log):
    """Starts a server; its stdout/stderr go to `log`. Raised fd limit for 1,000 sockets."""

    def pre():
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        want = max(soft, min(hard, 8192))
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    LOGS.append(log)
    out = open(log, "ab")
    p = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                         preexec_fn=pre)
    out.close()
    PROCS.append(p)
    return p


def stop(p, timeout=10):
    """SIGTERM, then SIGKILL after `timeout` s; returns the exit status."""
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    if p in PROCS:
        PROCS.remove(p)
    return p.returncode


def stop_all():
    for p in list(PROCS):
        stop(p, timeout=5)


# ---------------------------------------------------------------- /proc readings


def ticks(pid):
    """utime + stime of the process itself, in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def vmrss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise Broken(f"no VmRSS for {pid}")


def fds(pid):
    d = f"/proc/{pid}/fd"
    out = {}
    for n in os.listdir(d):
        try:
            out[int(n)] = os.readlink(os.path.join(d, n))
        except OSError:
            pass
    return out


def children(pid):
    """(pid, state) of every process whose parent is `pid`."""
    out = []
    for n in os.listdir("/proc"):
        if not n.isdigit():
            continue
        try:
            with open(f"/proc/{n}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append((int(n), fields[0]))
    return out


def settle(pid, timeout=10):
    """Waits until `pid` has no live child (zombies are counted, not waited for)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(state == "Z" for _, state in children(pid)):
            return
        time.sleep(0.02)


def unix_listening(path):
    """Whether an AF_UNIX socket bound to `path` is listening (/proc/net/unix, __SO_ACCEPTCON)."""
    with open("/proc/net/unix") as f:
        next(f)
        for line in f:
            parts = line.split()
            if len(parts) >= 8 and parts[7] == path and int(parts[3], 16) & 0x10000:
                return True
    return False


def wait_for(what, cond, proc, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise Broken(f"{what}: server exited with status {proc.returncode}")
        if cond():
            return
        time.sleep(0.002)
    raise Broken(f"{what}: timed out after {timeout} s")


# ---------------------------------------------------------------- sockunit helpers


def control(path, request):
    """One request over sockunit's control socket."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(10)
        s.connect(path)
        s.sendall(json.dumps(request).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    return json.loads(data)


def unit_subs(ctl, units):
    """{unit: sub-state} of the named units (None while the control socket is not up)."""
    if not os.path.exists(ctl):
        return None
    try:
        r = control(ctl, {"op": "status", "units": units})
    except (ConnectionRefusedError, FileNotFoundError):
        return None
    return {u["name"]: u["sub"] for u in r.get("units", [])}


def sockunit_up(bin_, work, args, ctl, sockets, log):
    """Starts `sockunit run ARGS` and waits until every socket in `sockets` listens."""
    p = spawn([bin_, "run", "--control", ctl, *args], work, log)

    def ready():
        subs = unit_subs(ctl, sockets)
        return subs is not None and all(subs.get(s) == "listening" for s in sockets)

    wait_for("sockunit run start-up", ready, p, timeout=60)
    return p


# ---------------------------------------------------------------- workloads


def echo_once(path, payload=b"ping\n"):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(10)
        s.connect(path)
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    if data != payload:
        raise Broken(f"echo through {path}: got {data!r}")


class Server:
    """A running server under test: its process and the socket path clients use."""

    def __init__(self, proc, path):
        self.proc, self.path = proc, path
        self.rates, self.cpu = [], []

    def warm_up(self):
        for _ in range(20):  # page cache, first-use allocations
            echo_once(self.path)
        settle(self.proc.pid)
        self.fds_before = fds(self.proc.pid)
        self.rss_before = vmrss_kib(self.proc.pid)

    def round(self, n):
        pid = self.proc.pid
        t0, c0 = time.perf_counter(), ticks(pid)
        for _ in range(n):
            echo_once(self.path)
        wall = time.perf_counter() - t0
        settle(pid)
        self.rates.append(n / wall)
        self.cpu.append((ticks(pid) - c0) * 1000 / HZ / n)

    def result(self):
        pid = self.proc.pid
        settle(pid)
        after = fds(pid)
        best = max(range(len(self.rates)), key=lambda i: self.rates[i])
        return {
            "rate": self.rates[best],
            "cpu_ms": self.cpu[best],
            "rounds": list(zip(self.rates, self.cpu)),
            "fds": (len(self.fds_before), len(after)),
            "fd_diff": sorted(set(after.items()) - set(self.fds_before.items())),
            "zombies": sum(1 for _, state in children(pid) if state == "Z"),
            "rss_kib": (self.rss_before, vmrss_kib(pid)),
        }


def first_byte_ms(path):
    """ms from connect() to the first byte of the reply; then reads the echo to EOF."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(30)
        t0 = time.perf_counter()
        s.connect(path)
        s.sendall(b"x")
        first = s.recv(1)
        t1 = time.perf_counter()
        if first != b"x":
            raise Broken(f"activation echo through {path}: got {first!r}")
        while s.recv(4096):
            pass
    finally:
        s.close()
    return (t1 - t0) * 1000


def stats(samples):
    s = sorted(samples)
    return {"min": s[0], "median": s[len(s) // 2], "p90": s[min(len(s) - 1, int(len(s) * 0.9))]}


# ---------------------------------------------------------------- the measurements


def bench_accept(bin_, work, n, rounds):
    """Both servers up at once; their rounds alternate, so both see the same machine load."""
    d = os.path.join(work, "su-accept")
    os.mkdir(d)
    path = os.path.join(d, "bench.sock")
    with open(os.path.join(d, "bench.socket"), "w") as f:
        f.write(f"[Socket]\nListenStream={path}\nAccept=yes\nTriggerLimitIntervalSec=0\n")
    with open(os.path.join(d, "bench@.service"), "w") as f:
        f.write("[Unit]\nStartLimitIntervalSec=0\n[Service]\nExecStart=/bin/cat\n"
                "StandardInput=socket\n")
    ctl = os.path.join(d, "control")
    su = Server(sockunit_up(bin_, d, ["bench.socket"], ctl, ["bench.socket"],
                            os.path.join(d, "log")), path)
    servers = [su]
    sa = None
    if PEER:
        d = os.path.join(work, "sa-accept")
        os.mkdir(d)
        path = os.path.join(d, "bench.sock")
        p = spawn([PEER, "--accept", "--inetd", "-l", path, "/bin/cat"], d,
                  os.path.join(d, "log"))
        wait_for("systemd-socket-activate start-up", lambda: unix_listening(path), p)
        sa = Server(p, path)
        servers.append(sa)
    for s in servers:
        s.warm_up()
    for _ in range(rounds):
        for s in servers:
            s.round(n)
    results = [s.result() for s in servers]
    status = stop(su.proc)
    if status != 0:
        raise Broken(f"sockunit run (Accept=yes) exited {status} on SIGTERM")
    if sa:
        stop(sa.proc)
    return results[0], (results[1] if sa else None)


def peer_latency_once(d, script):
    """One activation through a fresh `systemd-socket-activate -l PATH python3 echo.py`."""
    path = os.path.join(d, "echo.sock")
    if os.path.exists(path):
        os.unlink(path)
    p = spawn([PEER, "-l", path, PYTHON, script], d, os.path.join(d, "log"))
    wait_for("systemd-socket-activate start-up", lambda: unix_listening(path), p)
    ms = first_byte_ms(path)
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        raise Broken("the echo started by systemd-socket-activate did not exit")
    stop(p)
    return ms


def bench_latency(bin_, work, cycles):
    """Activation latency; the two tools' cycles alternate."""
    d = os.path.join(work, "su-latency")
    os.mkdir(d)
    path = os.path.join(d, "echo.sock")
    with open(os.path.join(d, "echo.py"), "w") as f:
        f.write(ECHO_PY)
    with open(os.path.join(d, "echo.socket"), "w") as f:
        f.write(f"[Socket]\nListenStream={path}\nTriggerLimitIntervalSec=0\n")
    with open(os.path.join(d, "echo.service"), "w") as f:
        f.write(f"[Unit]\nStartLimitIntervalSec=0\n[Service]\n"
                f"ExecStart={PYTHON} {os.path.join(d, 'echo.py')}\n")
    ctl = os.path.join(d, "control")
    p = sockunit_up(bin_, d, ["echo.socket"], ctl, ["echo.socket"], os.path.join(d, "log"))
    peer_dir = os.path.join(work, "sa-latency")
    os.mkdir(peer_dir)
    script = os.path.join(peer_dir, "echo.py")
    with open(script, "w") as f:
        f.write(ECHO_PY)
    ours, theirs = [], []
    want = {"echo.socket": "listening", "echo.service": "dead"}
    back = lambda: unit_subs(ctl, list(want)) == want
    for _ in range(cycles):
        wait_for("echo.socket back to listening", back, p)
        ours.append(first_byte_ms(path))
        if PEER:
            theirs.append(peer_latency_once(peer_dir, script))
    wait_for("echo.socket back to listening", back, p)
    settle(p.pid)
    zombies = sum(1 for _, state in children(p.pid) if state == "Z")
    status = stop(p)
    if status != 0:
        raise Broken(f"sockunit run (Accept=no) exited {status} on SIGTERM")
    return stats(ours), zombies, (stats(theirs) if theirs else None)


def write_idle_units(d, count):
    names = []
    for i in range(count):
        with open(os.path.join(d, f"s{i}.socket"), "w") as f:
            f.write(f"[Socket]\nListenStream={os.path.join(d, f's{i}.sock')}\n")
        with open(os.path.join(d, f"s{i}.service"), "w") as f:
            f.write("[Service]\nExecStart=/bin/true\n")
        names.append(f"s{i}.socket")
    return names


def bench_sockunit_idle(bin_, work, count, idle_s):
    d = os.path.join(work, f"su-idle-{count}")
    os.mkdir(d)
    names = write_idle_units(d, count)
    ctl = os.path.join(d, "control")
    t0 = time.perf_counter()
    p = sockunit_up(bin_, d, names, ctl, names, os.path.join(d, "log"))
    startup = time.perf_counter() - t0
    time.sleep(1)  # let start-up work finish
    cpu = None
    if idle_s:
        c0 = ticks(p.pid)
        time.sleep(idle_s)
        cpu = ticks(p.pid) - c0
    rss = vmrss_kib(p.pid)
    nfds = len(fds(p.pid))
    status = stop(p)
    if status != 0:
        raise Broken(f"sockunit run ({count} sockets) exited {status} on SIGTERM")
    return {"startup_ms": startup * 1000, "ticks": cpu, "rss_kib": rss, "fds": nfds}


def bench_peer_idle(work, count, idle_s):
    d = os.path.join(work, f"sa-idle-{count}")
    os.mkdir(d)
    paths = [os.path.join(d, f"s{i}.sock") for i in range(count)]
    args = [a for path in paths for a in ("-l", path)]
    p = spawn([PEER, *args, "/bin/true"], d, os.path.join(d, "log"))
    wait_for("systemd-socket-activate start-up", lambda: unix_listening(paths[-1]), p)
    time.sleep(1)
    cpu = None
    if idle_s:
        c0 = ticks(p.pid)
        time.sleep(idle_s)
        cpu = ticks(p.pid) - c0
    r = {"ticks": cpu, "rss_kib": vmrss_kib(p.pid), "fds": len(fds(p.pid))}
    stop(p)
    return r


# ---------------------------------------------------------------- report


def mark(ok):
    return "ok" if ok else "MISSED"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--connections", type=int, default=2000)
    ap.add_argument("--cycles", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--idle-seconds", type=float, default=5)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    if a.quick:
        a.connections, a.cycles, a.rounds = 300, 10, 1
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    bin_ = os.path.join(ROOT, "target/release/sockunit")
    if not PEER:
        print("systemd-socket-activate not found: printing sockunit alone", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="sockunit-bench-") as work:
        try:
            results = measure_all(bin_, work, a)
        except Broken:
            stop_all()
            for log in LOGS[-2:]:
                with open(log, errors="replace") as f:
                    tail = [line.rstrip("\n") for line in f.readlines()[-10:]]
                print(f"--- last lines of {os.path.relpath(log, work)}:", *tail, sep="\n  ",
                      file=sys.stderr)
            raise
    report(a, *results)


def measure_all(bin_, work, a):
    su_acc, sa_acc = bench_accept(bin_, work, a.connections, a.rounds)
    su_lat, su_lat_zombies, sa_lat = bench_latency(bin_, work, a.cycles)
    su_100 = bench_sockunit_idle(bin_, work, 100, a.idle_seconds)
    su_1000 = bench_sockunit_idle(bin_, work, 1000, 0)
    sa_100 = bench_peer_idle(work, 100, a.idle_seconds) if PEER else None
    sa_1000 = bench_peer_idle(work, 1000, 0) if PEER else None
    return su_acc, sa_acc, su_lat, su_lat_zombies, sa_lat, su_100, su_1000, sa_100, sa_1000


def report(a, su_acc, sa_acc, su_lat, su_lat_zombies, sa_lat, su_100, su_1000, sa_100, sa_1000):
    n = a.connections
    rows = [("", "sockunit run", "systemd-socket-activate", "ratio")]

    def row(label, su, sa, fmt, ratio=None):
        rows.append((label, fmt(su), fmt(sa) if sa is not None else "-",
                     ratio if ratio is not None else ""))

    mib = lambda k: f"{k / 1024:.1f} MiB"
    ms = lambda v: f"{v:.2f} ms"
    row(f"Accept=yes, {n} conns, best of {a.rounds}", su_acc["rate"],
        sa_acc and sa_acc["rate"], lambda v: f"{v:.0f} conn/s",
        sa_acc and f"{su_acc['rate'] / sa_acc['rate']:.2f}x (su/sa)")
    row("  server CPU per connection (that round)", su_acc["cpu_ms"], sa_acc and sa_acc["cpu_ms"],
        lambda v: f"{v:.3f} ms",
        sa_acc and f"{su_acc['cpu_ms'] / max(sa_acc['cpu_ms'], 1e-3):.1f}x")
    if a.rounds > 1:
        per_round = lambda v: " ".join(f"{r:.0f}" for r, _ in v) + " conn/s"
        row("  each round", su_acc["rounds"], sa_acc and sa_acc["rounds"], per_round)
        row("  server CPU per connection, each round", su_acc["rounds"],
            sa_acc and sa_acc["rounds"], lambda v: " ".join(f"{c:.2f}" for _, c in v) + " ms")
    row("  fds before -> after", su_acc["fds"], sa_acc and sa_acc["fds"],
        lambda v: f"{v[0]} -> {v[1]}")
    row("  zombies after", su_acc["zombies"], sa_acc and sa_acc["zombies"], str)
    row("  RSS before -> after the rounds", su_acc["rss_kib"], sa_acc and sa_acc["rss_kib"],
        lambda v: f"{mib(v[0])} -> {mib(v[1])}")
    row(f"Accept=no activation, {a.cycles} cycles: min", su_lat["min"],
        sa_lat and sa_lat["min"], ms, sa_lat and f"{su_lat['min'] / sa_lat['min']:.2f}x (su/sa)")
    row("  median", su_lat["median"], sa_lat and sa_lat["median"], ms,
        sa_lat and f"{su_lat['median'] / sa_lat['median']:.2f}x (su/sa)")
    row("  p90", su_lat["p90"], sa_lat and sa_lat["p90"], ms)
    row(f"idle CPU, 100 sockets, {a.idle_seconds:g} s", su_100["ticks"],
        sa_100 and sa_100["ticks"], lambda v: f"{v} ticks")
    row("RSS, 100 sockets", su_100["rss_kib"], sa_100 and sa_100["rss_kib"], mib,
        sa_100 and f"{su_100['rss_kib'] / sa_100['rss_kib']:.1f}x (su/sa)")
    row("RSS, 1000 sockets", su_1000["rss_kib"], sa_1000 and sa_1000["rss_kib"], mib,
        sa_1000 and f"{su_1000['rss_kib'] / sa_1000['rss_kib']:.1f}x (su/sa)")
    row("open fds, 100 / 1000 sockets", (su_100["fds"], su_1000["fds"]),
        sa_100 and (sa_100["fds"], sa_1000["fds"]), lambda v: f"{v[0]} / {v[1]}")
    row("start-up to listening, 100 / 1000", (su_100["startup_ms"], su_1000["startup_ms"]),
        None, lambda v: f"{v[0]:.0f} / {v[1]:.0f} ms")

    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    if su_acc["fd_diff"]:
        print("fds open after the throughput run that were not before:", su_acc["fd_diff"])

    print("\ntargets:")
    print(f"  idle CPU 0 ticks: {mark(su_100['ticks'] == 0)}")
    print(f"  fds before == after: {mark(su_acc['fds'][0] == su_acc['fds'][1])}")
    print(f"  0 zombies: {mark(su_acc['zombies'] == 0 and su_lat_zombies == 0)}")
    print(f"  RSS < 32 MiB with 1000 sockets: {mark(su_1000['rss_kib'] < 32 * 1024)}")
    if sa_acc:
        print(f"  throughput >= 0.5x systemd-socket-activate: "
              f"{mark(su_acc['rate'] >= 0.5 * sa_acc['rate'])}")
    if sa_lat:
        print(f"  activation latency (median) <= 2x systemd-socket-activate + 5 ms: "
              f"{mark(su_lat['median'] <= 2 * sa_lat['median'] + 5)}")


if __name__ == "__main__":
    try:
        main()
    except Broken as e:
        print(f"broken run: {e}", file=sys.stderr)
        sys.exit(1)
    finally:
        stop_all()
