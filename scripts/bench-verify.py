#!/usr/bin/env python3
"""Speed and memory of `sockunit verify`, measured against `systemd-analyze verify` in one run.

Prints, each as best of 5 runs (wall and user+sys CPU via getrusage of the child):
  1. the same set of real unit files (every regular *.socket/*.service of the host's system and
     user unit directories, copied to one temp dir) verified by each tool in ONE invocation,
     and the ratio;
  2. one small unit (process start included);
  3. peak RSS of `sockunit verify` on 10,000 generated units in one run.
Issue 3's targets: ratio >= 50, one unit < 5 ms CPU, 10k units < 20 MiB.
"""
import glob, os, resource, shutil, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
BIN = os.path.join(ROOT, "target/release/sockunit")


def measure(cmd, cwd):
    """(wall ms, cpu ms, max rss KiB) of one run of cmd."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(p.pid, 0)
    wall = (time.perf_counter() - t) * 1000
    cpu = (usage.ru_utime + usage.ru_stime) * 1000
    return wall, cpu, usage.ru_maxrss


def best(cmd, cwd, runs=5):
    results = [measure(cmd, cwd) for _ in range(runs)]
    return min(r[0] for r in results), min(r[1] for r in results), max(r[2] for r in results)


with tempfile.TemporaryDirectory() as work:
    host = os.path.join(work, "host")
    os.mkdir(host)
    for f in sorted(glob.glob("/lib/systemd/system/*.s*") + glob.glob("/usr/lib/systemd/user/*.s*")):
        name = os.path.basename(f)
        if (name.endswith((".socket", ".service")) and os.path.isfile(f) and not os.path.islink(f)
                and os.path.getsize(f) > 0 and not os.path.exists(os.path.join(host, name))):
            shutil.copy(f, host)
    units = sorted(n for n in os.listdir(host))
    ours = best([BIN, "verify", "--format", "json", *units], host)
    theirs = best(["systemd-analyze", "verify", "--man=no", *units], host)
    print(f"{len(units)} host units, one invocation:")
    print(f"  sockunit         wall {ours[0]:7.1f} ms   cpu {ours[1]:7.1f} ms")
    print(f"  systemd-analyze  wall {theirs[0]:7.1f} ms   cpu {theirs[1]:7.1f} ms")
    print(f"  ratio            wall {theirs[0] / ours[0]:6.1f}x    cpu {theirs[1] / max(ours[1], 0.01):6.1f}x")

    one = os.path.join(work, "one")
    os.mkdir(one)
    open(os.path.join(one, "one.socket"), "w").write("[Socket]\nListenStream=127.0.0.1:7777\n")
    open(os.path.join(one, "one.service"), "w").write("[Service]\nExecStart=/bin/true\n")
    ours = best([BIN, "verify", "one.socket"], one, runs=20)
    theirs = best(["systemd-analyze", "verify", "--man=no", "one.socket"], one)
    print(f"one small unit: sockunit cpu {ours[1]:.1f} ms (wall {ours[0]:.1f}),"
          f" systemd-analyze cpu {theirs[1]:.1f} ms (wall {theirs[0]:.1f})")

    many = os.path.join(work, "many")
    os.mkdir(many)
    for i in range(5000):
        open(os.path.join(many, f"u{i}.socket"), "w").write(
            f"[Unit]\nDescription=generated {i}\n[Socket]\nListenStream=127.0.0.1:{1024 + i}\nBacklog=16\n")
        open(os.path.join(many, f"u{i}.service"), "w").write(
            f"[Unit]\nDescription=generated {i}\n[Service]\nExecStart=/bin/true\n")
    wall, cpu, rss = measure([BIN, "verify", "--format", "json", "."], many)
    print(f"10000 generated units, one run: wall {wall:.0f} ms, cpu {cpu:.0f} ms, peak RSS {rss / 1024:.1f} MiB")
