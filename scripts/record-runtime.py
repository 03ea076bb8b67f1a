#!/usr/bin/env python3
"""Records the expected state sequences of the runtime conformance corpus from a real systemd 252
user manager (../shared/tools/sd-user-manager.py). Needs root.

usage: scripts/record-runtime.py [-j JOBS] [--runs N] [--keep] [CASE...]

For each case directory fixtures/runtime/CASE/ (or fixtures/runtime/pending/CASE/) it, N times
(default 2):
  1. starts a fresh user manager in its own temp dir and in its own cgroup subtree (so managers
     running side by side never share `app.slice/UNIT` cgroups), with the case's unit files in
     `$XDG_RUNTIME_DIR/systemd/user/`;
  2. runs the case's `scenario` with `systemctl --user` (the language is in
     fixtures/runtime/README.md);
  3. cuts the manager's console.log at the end of the scenario and keeps, per unit of the case
     (and per `Accept=yes` instance, its name normalized to `PREFIX@NR-….service`), the states it
     went through (`Changed FROM -> TO`) and its `Failed with result 'R'.` lines, plus the
     `snapshot` answers.
If all runs agree it writes fixtures/runtime/CASE/expected.json; otherwise it prints the
difference and writes nothing (move the case to pending/ with a NOTE).
"""
import argparse, json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fixtures" / "runtime"
TOOL = ROOT.parent / "shared" / "tools" / "sd-user-manager.py"
HIERARCHIES = ["systemd", "unified"]
SNAP_PROPS = ["SubState", "Result", "NAccepted", "NConnections", "NRefused"]
NOT_UNITS = {"scenario", "expected.json", "NOTE"}
CHANGED = re.compile(r"^(\S+): Changed (\S+) -> (\S+)$")
FAILED = re.compile(r"^(\S+): Failed with result '([^']+)'\.$")
INSTANCE = re.compile(r"^([^@]+)@(\d+)-.*\.service$")
SETTLE = 0.5


def normalize(unit):
    """`x@0-127.0.0.1:39001-127.0.0.1:5555.service` -> `x@0-….service`."""
    m = INSTANCE.match(unit)
    return f"{m.group(1)}@{m.group(2)}-….service" if m else unit


def case_units(case_dir):
    return sorted(p.name for p in case_dir.iterdir() if p.is_file() and p.name not in NOT_UNITS)


def ours(unit, names):
    """Whether a (normalized) unit name belongs to the case: one of its files, or an instance
    of one of its templates."""
    if unit in names:
        return True
    m = re.match(r"^([^@]+)@", unit)
    return bool(m) and f"{m.group(1)}@.service" in names


def parse_scenario(text):
    steps = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = "" if raw.strip().startswith("#") else raw.strip()
        if line:
            steps.append((n, line.split()))
    return steps


class Log:
    """The manager's debug log, read incrementally from a start offset."""

    def __init__(self, path, start):
        self.path, self.pos, self.lines = path, start, []
        self.partial = b""

    def poll(self):
        with open(self.path, "rb") as f:
            f.seek(self.pos)
            data = f.read()
        self.pos += len(data)
        data = self.partial + data
        *full, self.partial = data.split(b"\n")
        self.lines.extend(l.decode("utf-8", "replace") for l in full)
        return self.lines

    def states(self, unit):
        """Normalized unit -> list of states entered (the `to` of each change)."""
        out = []
        for l in self.poll():
            m = CHANGED.match(l)
            if m and normalize(m.group(1)) == unit:
                out.append(m.group(3))
        return out


class Manager:
    def __init__(self, case_dir, keep):
        self.tmp = Path(tempfile.mkdtemp(prefix="rr-", dir="/tmp"))
        self.keep = keep
        self.rt = self.tmp / "rt"
        unit_dir = self.rt / "systemd" / "user"
        unit_dir.mkdir(parents=True)
        for name in case_units(case_dir):
            shutil.copy(case_dir / name, unit_dir / name)
        self.cg = f"rconf-{os.getpid()}-{self.tmp.name}"
        self.env = dict(os.environ, XDG_RUNTIME_DIR=str(self.rt))
        cg = self.cg

        def enter_cgroup():
            for h in HIERARCHIES:
                d = Path("/sys/fs/cgroup") / h / cg
                d.mkdir(exist_ok=True)
                (d / "cgroup.procs").write_text(str(os.getpid()))

        self.proc = subprocess.Popen(
            [sys.executable, str(TOOL), str(self.tmp)], preexec_fn=enter_cgroup,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while time.time() < deadline:
            r = self.systemctl("is-system-running", capture=True)
            if r.stdout.strip() in ("running", "degraded"):
                break
            time.sleep(0.1)
        else:
            self.close()
            raise RuntimeError("user manager did not come up")
        self.console = self.tmp / "console.log"

    def systemctl(self, *args, capture=False):
        return subprocess.run(["systemctl", "--user", *args], env=self.env, text=True,
                              stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for base in Path("/sys/fs/cgroup").iterdir():
            top = base / self.cg
            if top.is_dir():
                for d in sorted(top.rglob("*"), key=lambda p: -len(p.parts)):
                    if d.is_dir():
                        try:
                            d.rmdir()
                        except OSError:
                            pass
                try:
                    top.rmdir()
                except OSError:
                    pass
        if not self.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)


def read_to_eof(s, timeout):
    s.settimeout(timeout)
    end = time.time() + timeout
    try:
        while time.time() < end:
            if not s.recv(4096):
                return "eof"
        return "timeout"
    except socket.timeout:
        return "timeout"
    except OSError as e:
        return f"error:{e.errno}"
    finally:
        s.close()


def open_conn(kind, addr):
    if kind == "tcp":
        host, port = addr.rsplit(":", 1)
        s = socket.create_connection((host, int(port)), timeout=5)
    elif kind == "unix":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(addr)
    else:
        raise ValueError(f"unknown address kind {kind}")
    return s


def run_scenario(m, steps, log, verbose):
    held, snapshots, notes = [], [], []
    t = lambda a: a.replace("%t", str(m.rt))
    for n, w in steps:
        op, args = w[0], w[1:]
        if verbose:
            print(f"  [{n}] {' '.join(w)}", file=sys.stderr)
        if op in ("start", "stop"):
            m.systemctl("--no-block", op, args[0])
        elif op == "sleep":
            time.sleep(float(args[0]))
        elif op in ("connect", "hold"):
            try:
                s = open_conn(args[0], t(args[1]))
            except OSError as e:
                notes.append(f"line {n}: connect failed: {e}")
                continue
            if op == "hold":
                held.append(s)
            else:
                r = read_to_eof(s, float(args[2]) if len(args) > 2 else 3.0)
                if r != "eof":
                    notes.append(f"line {n}: connect: {r}")
        elif op == "release":
            for s in held:
                s.close()
            held.clear()
        elif op == "send-dgram":
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            try:
                s.sendto((args[1] if len(args) > 1 else "x").encode(), t(args[0]))
            except OSError as e:
                notes.append(f"line {n}: send-dgram: {e}")
            s.close()
        elif op == "write-fifo":
            try:
                fd = os.open(t(args[0]), os.O_WRONLY | os.O_NONBLOCK)
                os.write(fd, (args[1] if len(args) > 1 else "x").encode())
                os.close(fd)
            except OSError as e:
                notes.append(f"line {n}: write-fifo: {e}")
        elif op in ("wait", "wait-count"):
            unit, state = args[0], args[1]
            count = int(args[2]) if op == "wait-count" else None
            rest = args[3:] if op == "wait-count" else args[2:]
            secs = float(rest[0]) if rest else 10.0
            end = time.time() + secs
            while True:
                seen = log.states(unit)
                if count is None and (seen[-1] if seen else "dead") == state:
                    break
                if count is not None and seen.count(state) >= count:
                    break
                if time.time() > end:
                    notes.append(f"line {n}: wait timed out ({' '.join(w)}), states {seen}")
                    break
                time.sleep(0.02)
        elif op == "snapshot":
            r = m.systemctl("show", args[0], *[f"-p{p}" for p in SNAP_PROPS], capture=True)
            got = dict(l.partition("=")[::2] for l in r.stdout.splitlines())
            snap = {"line": n, "unit": args[0]}
            for k in SNAP_PROPS:
                if k in got:
                    snap[k] = int(got[k]) if k.startswith("N") else got[k]
            snapshots.append(snap)
        else:
            raise ValueError(f"line {n}: unknown step {op}")
    for s in held:
        s.close()
    return snapshots, notes


def record_once(case_dir, keep, verbose):
    names = case_units(case_dir)
    steps = parse_scenario((case_dir / "scenario").read_text())
    m = Manager(case_dir, keep)
    try:
        log = Log(m.console, m.console.stat().st_size)
        snapshots, notes = run_scenario(m, steps, log, verbose)
        time.sleep(SETTLE)
        lines = log.poll()
    finally:
        m.close()
    units, bad = {}, []
    for l in lines:
        if mc := CHANGED.match(l):
            u, frm, to = normalize(mc.group(1)), mc.group(2), mc.group(3)
            if not ours(u, names):
                continue
            rec = units.setdefault(u, {"states": [frm], "results": []})
            if rec["states"][-1] != frm:
                bad.append(f"{u}: non-contiguous change {frm} -> {to} after {rec['states']}")
            rec["states"].append(to)
            if "pinned" in to or "before-auto-restart" in to:
                bad.append(f"{u}: state {to} does not exist in 252")
        elif mf := FAILED.match(l):
            u = normalize(mf.group(1))
            if ours(u, names):
                units.setdefault(u, {"states": [], "results": []})["results"].append(mf.group(2))
    for u, rec in units.items():
        if not rec["states"]:
            bad.append(f"{u}: 'Failed with result' without a state change")
    return {"case": case_dir.name, "units": dict(sorted(units.items())),
            "snapshots": snapshots}, notes + bad


def render(version, runs, r):
    """expected.json, one unit and one snapshot per line."""
    j = lambda v: json.dumps(v, ensure_ascii=False)
    units = ",\n".join(f"  {j(u)}: {j(v)}" for u, v in r["units"].items())
    snaps = ",\n".join(f"  {j(s)}" for s in r["snapshots"])
    return (f'{{\n "recorded_with": {j(version)},\n "runs": {runs},\n "case": {j(r["case"])},\n'
            f' "units": {{\n{units}\n }},\n "snapshots": [\n{snaps}\n ]\n}}\n')


def record(case_dir, runs, keep, verbose):
    results = []
    for i in range(runs):
        r, notes = record_once(case_dir, keep, verbose)
        results.append((r, notes))
    first, notes = results[0]
    msgs = [f"{case_dir.name}: {x}" for x in notes]
    stable = all(r == first for r, _ in results[1:])
    if not stable:
        for i, (r, _) in enumerate(results[1:], 2):
            if r != first:
                msgs.append(f"{case_dir.name}: UNSTABLE: run 1 and run {i} differ:\n"
                            f"    run 1: {json.dumps(first)}\n    run {i}: {json.dumps(r)}")
    else:
        version = subprocess.run(["/lib/systemd/systemd", "--version"], capture_output=True,
                                 text=True).stdout.splitlines()[0]
        (case_dir / "expected.json").write_text(render(version, runs, first))
    return case_dir.name, stable, msgs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-j", "--jobs", type=int, default=4)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--keep", action="store_true", help="keep the managers' temp dirs")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("cases", nargs="*")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("needs root (the user manager is started under unshare -m)")
    all_cases = {p.parent.name: p.parent for p in sorted(CORPUS.glob("*/scenario"))}
    all_cases.update({p.parent.name: p.parent for p in sorted(CORPUS.glob("pending/*/scenario"))})
    names = a.cases or sorted(all_cases)
    missing = [c for c in names if c not in all_cases]
    if missing:
        sys.exit(f"no such case: {' '.join(missing)}")
    with ThreadPoolExecutor(a.jobs) as pool:
        futs = [pool.submit(record, all_cases[c], a.runs, a.keep, a.verbose) for c in names]
        unstable = 0
        for f in futs:
            name, stable, msgs = f.result()
            unstable += not stable
            print(f"{'ok      ' if stable else 'UNSTABLE'} {name}", flush=True)
            for x in msgs:
                print(f"    {x}", flush=True)
    print(f"{len(names) - unstable}/{len(names)} cases stable", file=sys.stderr)
    sys.exit(1 if unstable else 0)


if __name__ == "__main__":
    main()
