#!/usr/bin/env python3
"""Record `systemctl --user show` output of a real systemd 252 user manager as goldens for
tests/show.rs.

usage: scripts/record-show.py [--check] [--every N] [CASEDIR...]
  (default: every N-th (1) fixtures/conformance/*/ case whose expected.json says a unit loads
   cleanly: rc 0, not refused; templates are skipped)

Needs a running manager: start `/work/shared/tools/sd-user-manager.py DIR` in the background and
`export XDG_RUNTIME_DIR=DIR/rt`. For each case, the manager's unit directory
($XDG_RUNTIME_DIR/systemd/user) is emptied, the case's files (units, drop-in and .wants
directories) are copied in, `systemctl --user daemon-reload` runs, and then each clean unit is
shown on its own (`systemctl --user show -p <fixtures/show/properties.txt> UNIT`; one call per
unit, so only that unit and what it references are loaded, as in `sockunit show`). Units whose
LoadState is not `loaded` or that are active (the manager's own dbus.socket) are skipped. The
unit directory prefix becomes `@DIR@`, the runtime directory `@RT@` (tests/show.rs runs sockunit
with XDG_RUNTIME_DIR=/@RT@ and HOME=/root, as the manager ran); the words of
set-valued properties (dependencies, Names, RequiresMountsFor: hash-table order in systemd) are
sorted. Written to fixtures/show/<case>__<unit>.expected. With --check nothing is written;
differences are reported and the exit status is 1 if any.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "fixtures" / "conformance"
OUT = ROOT / "fixtures" / "show"
PROPS = [l.strip() for l in (OUT / "properties.txt").read_text().splitlines() if l.strip()]
# Properties whose words come from a hash set in systemd: compared as sorted words.
SETS = {"Names", "RequiresMountsFor", "Requires", "Requisite", "Wants", "BindsTo", "PartOf",
        "Upholds", "RequiredBy", "RequisiteOf", "WantedBy", "BoundBy", "UpheldBy", "ConsistsOf",
        "Conflicts", "ConflictedBy", "Before", "After", "OnSuccess", "OnSuccessOf", "OnFailure",
        "OnFailureOf", "Triggers", "TriggeredBy", "PropagatesReloadTo", "ReloadPropagatedFrom",
        "PropagatesStopTo", "StopPropagatedFrom", "JoinsNamespaceOf"}


def normalize(text: str, unit_dir: str, rt: str) -> str:
    out = []
    for line in text.splitlines():
        line = line.replace(unit_dir + "/", "@DIR@/").replace(rt, "@RT@")
        name, _, value = line.partition("=")
        if name in SETS and value:
            value = " ".join(sorted(value.split(" ")))
            line = f"{name}={value}"
        out.append(line)
    return "\n".join(out) + "\n"


def clean_units(case: Path) -> list:
    try:
        units = json.loads((case / "expected.json").read_text())["units"]
    except (OSError, ValueError, KeyError):
        return []
    return sorted(u for u, v in units.items()
                  if v.get("rc") == 0 and not v.get("refused") and "@." not in u
                  and u.rsplit(".", 1)[-1] in ("socket", "service") and (case / u).is_file())


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, env=os.environ)


def main():
    args = sys.argv[1:]
    check = "--check" in args
    every = 1
    if "--every" in args:
        i = args.index("--every")
        every = int(args[i + 1])
        del args[i:i + 2]
    args = [a for a in args if a != "--check"]
    rt = os.environ.get("XDG_RUNTIME_DIR")
    if not rt or not (Path(rt) / "systemd").exists():
        sys.exit("XDG_RUNTIME_DIR must point at a running sd-user-manager.py's rt/ directory")
    unit_dir = Path(rt) / "systemd" / "user"
    cases = [Path(a).resolve() for a in args] if args else \
        [c for c in sorted(CONF.iterdir()) if c.is_dir() and clean_units(c)][::every]
    OUT.mkdir(parents=True, exist_ok=True)
    written = differ = 0
    for case in cases:
        units = clean_units(case)
        if not units:
            continue
        shutil.rmtree(unit_dir, ignore_errors=True)
        unit_dir.mkdir(parents=True)
        for entry in case.iterdir():
            if entry.name == "expected.json":
                continue
            dest = unit_dir / entry.name
            if entry.is_symlink():
                os.symlink(os.readlink(entry), dest)
            elif entry.is_dir():
                shutil.copytree(entry, dest, symlinks=True)
            else:
                shutil.copy2(entry, dest)
        r = run(["systemctl", "--user", "daemon-reload"])
        if r.returncode != 0:
            print(f"{case.name}: daemon-reload failed: {r.stderr.strip()}", file=sys.stderr)
            continue
        for unit in units:
            r = run(["systemctl", "--user", "show", "-p", ",".join(PROPS), unit])
            if r.returncode != 0 or "\nLoadState=loaded\n" not in "\n" + r.stdout:
                continue
            if "\nActiveState=inactive\n" not in "\n" + r.stdout:
                continue  # a unit of the manager's own (dbus.socket) is running: not comparable
            text = normalize(r.stdout, str(unit_dir), rt)
            golden = OUT / f"{case.name}__{unit}.expected"
            if check:
                if not golden.exists() or golden.read_text() != text:
                    print(f"differs: {golden.name}")
                    differ += 1
            else:
                golden.write_text(text)
                written += 1
    shutil.rmtree(unit_dir, ignore_errors=True)
    unit_dir.mkdir(parents=True)
    run(["systemctl", "--user", "daemon-reload"])
    print(f"{written} written, {differ} differ", file=sys.stderr)
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
