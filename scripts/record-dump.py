#!/usr/bin/env python3
"""Record systemd 252's socket_dump/service_dump blocks as golden files for tests/dump.rs.

usage: scripts/record-dump.py [--check] [CASEDIR...]   (default: every fixtures/conformance/*/)

For each case directory, every top-level *.socket and *.service entry is run through
`SYSTEMD_LOG_LEVEL=debug LC_ALL=C.UTF-8 systemd-analyze verify --man=no NAME` from inside the
case directory. systemd prints `unit_dump` on stdout: one `\t-> Unit NAME:` block per loaded
unit. From the block named like the file (when its `Unit Load State:` is `loaded`) the lines
from `Socket State:`/`Service State:` up to (not including) the cgroup context (`CPUAccounting:`)
are kept, with the two-tab prefix stripped (exec command lines keep their extra tab; the
hash-ordered `SystemCallFilter:` set is sorted; this host's machine id becomes
`@MACHINE_ID@`), and written to fixtures/dump/<case>__<unit>.expected. Units that do not load are skipped (and an
old golden for them removed). With --check nothing is written; differences are reported and
the exit status is 1 if any.
"""
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "fixtures" / "conformance"
OUT = ROOT / "fixtures" / "dump"
HEADER = re.compile(r"^\t-> Unit (.+):$")


def unit_blocks(stdout: str) -> dict:
    blocks, current = {}, None
    for line in stdout.split("\n"):
        m = HEADER.match(line)
        if m:
            current = blocks.setdefault(m.group(1), [])
            continue
        if current is not None:
            current.append(line)
    return blocks


def type_block(block: list) -> list | None:
    if "\t\tUnit Load State: loaded" not in block:
        return None
    start = next((i for i, l in enumerate(block)
                  if l in ("\t\tSocket State: dead", "\t\tService State: dead")), None)
    if start is None:
        return None
    out = []
    for l in block[start:]:
        if l.startswith("\t\tCPUAccounting:") or not l.startswith("\t\t"):
            break
        out.append(stable(l[2:]))
    return out


def machine_id() -> str:
    try:
        return Path("/etc/machine-id").read_text().strip()
    except OSError:
        return ""


MACHINE_ID = machine_id()


def stable(line: str) -> str:
    if MACHINE_ID:
        line = line.replace(MACHINE_ID, "@MACHINE_ID@")
    return sort_filter(line)


def sort_filter(line: str) -> str:
    """systemd prints the resolved SystemCallFilter= set in hash-table order, which changes
    from run to run; the golden keeps the names sorted (a leading ~ stays in front)."""
    key = "SystemCallFilter: "
    if not line.startswith(key):
        return line
    rest = line[len(key):]
    tilde = "~" if rest.startswith("~") else ""
    return key + tilde + " ".join(sorted(rest[len(tilde):].split()))


def record_unit(case: Path, unit: str):
    env = dict(os.environ, SYSTEMD_LOG_LEVEL="debug", LC_ALL="C.UTF-8")
    p = subprocess.run(["systemd-analyze", "verify", "--man=no", unit], cwd=case, env=env,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    stdout = p.stdout.decode("utf-8", errors="replace")
    block = unit_blocks(stdout).get(unit)
    return None if block is None else type_block(block)


def jobs(cases):
    for case in cases:
        for p in sorted(case.iterdir()):
            if p.suffix in (".socket", ".service") and not p.is_dir():
                yield case, p.name


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    cases = [Path(a).resolve() for a in args] if args else sorted(
        p for p in CONF.iterdir() if p.is_dir())
    OUT.mkdir(parents=True, exist_ok=True)
    work = list(jobs(cases))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 4) as pool:
        results = list(pool.map(lambda j: record_unit(*j), work))
    written = skipped = differ = 0
    for (case, unit), lines in zip(work, results):
        out = OUT / f"{case.name}__{unit}.expected"
        if lines is None:
            skipped += 1
            if out.exists() and not check:
                out.unlink()
            continue
        text = "\n".join(lines) + "\n"
        old = out.read_text(encoding="utf-8") if out.exists() else None
        if old != text:
            differ += 1
            if check:
                print(f"differs: {out.name}")
            else:
                out.write_text(text, encoding="utf-8")
        written += 1
    print(f"{written} recorded, {skipped} skipped (not loaded), {differ} changed")
    if check and differ:
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
