#!/usr/bin/env python3
"""Record systemd 252's `-> Unit NAME:` dump header (dependency lines and the static fields
sockunit models) as golden files for tests/dump_header.rs.

usage: scripts/record-dump-header.py [--check] [CASEDIR...]   (default: every fixtures/conformance/*/)

For each case directory, every top-level *.socket and *.service entry is run through
`SYSTEMD_LOG_LEVEL=debug LC_ALL=C.UTF-8 systemd-analyze verify --man=no NAME` from inside the
case directory (system scope). From the header of the block named like the file (when its
`Unit Load State:` is `loaded`; the header ends where `Socket State:`/`Service State:` begins)
the lines whose key is in KEYS are kept, two-tab prefix stripped, the case directory's absolute
path replaced by `@CASE@`. Within one dependency kind systemd prints in hash-table order, so
those runs of lines (and `RequiresMountsFor:`) are sorted. Written to
fixtures/dump-header/<case>__<unit>.expected. With --check nothing is written; differences are
reported and the exit status is 1 if any.
"""
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "fixtures" / "conformance"
OUT = ROOT / "fixtures" / "dump-header"
HEADER = re.compile(r"^\t-> Unit (.+):$")

DEPS = ["Requires", "Requisite", "Wants", "BindsTo", "PartOf", "Upholds", "RequiredBy",
        "RequisiteOf", "WantedBy", "BoundBy", "UpheldBy", "ConsistsOf", "Conflicts",
        "ConflictedBy", "Before", "After", "OnSuccess", "OnSuccessOf", "OnFailure",
        "OnFailureOf", "Triggers", "TriggeredBy", "PropagatesReloadTo", "ReloadPropagatedFrom",
        "PropagatesStopTo", "StopPropagatedFrom", "JoinsNamespaceOf", "References",
        "ReferencedBy", "InSlice", "SliceOf", "RequiresMountsFor"]
KEYS = set(DEPS) | {
    "Description", "Instance", "Unit Load State", "Unit Active State",
    "State Change Timestamp", "Inactive Exit Timestamp", "Active Enter Timestamp",
    "Active Exit Timestamp", "Inactive Enter Timestamp", "May GC", "Need Daemon Reload",
    "Transient", "Perpetual", "Garbage Collection Mode", "Slice", "CGroup", "CGroup realized",
    "Fragment Path", "DropIn Path", "StopWhenUnneeded", "RefuseManualStart",
    "RefuseManualStop", "DefaultDependencies", "OnSuccessJobMode", "OnFailureJobMode",
    "IgnoreOnIsolate",
}


def header_of(stdout: str, unit: str):
    lines, inside = [], False
    for line in stdout.split("\n"):
        m = HEADER.match(line)
        if m:
            if inside:
                break
            inside = m.group(1) == unit
            continue
        if inside:
            if line in ("\t\tSocket State: dead", "\t\tService State: dead") \
                    or not line.startswith("\t\t"):
                break
            lines.append(line[2:])
    return lines if inside or lines else None


def select(lines, case: Path):
    if "Unit Load State: loaded" not in lines:
        return None
    out = []
    for l in lines:
        key = l.split(": ", 1)[0]
        if key in KEYS:
            out.append(l.replace(str(case), "@CASE@"))
    # sort runs of the same dependency kind
    res, i = [], 0
    while i < len(out):
        key = out[i].split(": ", 1)[0]
        j = i
        while j < len(out) and out[j].split(": ", 1)[0] == key:
            j += 1
        run = out[i:j]
        res.extend(sorted(run) if key in DEPS else run)
        i = j
    return res


def record_unit(case: Path, unit: str):
    env = dict(os.environ, SYSTEMD_LOG_LEVEL="debug", LC_ALL="C.UTF-8")
    p = subprocess.run(["systemd-analyze", "verify", "--man=no", unit], cwd=case, env=env,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    lines = header_of(p.stdout.decode("utf-8", errors="replace"), unit)
    return None if lines is None else select(lines, case)


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
