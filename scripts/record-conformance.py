#!/usr/bin/env python3
"""Record systemd's verdicts for the conformance corpus.

usage: scripts/record-conformance.py [CASEDIR...]   (default: every fixtures/conformance/*/)

For each case directory, every top-level entry whose name ends in .socket or .service (sorted by
name; symlinks and directories included, exactly like /work/shared/tools/verify-diff.py) is
checked with `systemd-analyze verify --man=no NAME` run from inside the case directory, with
SYSTEMD_LOG_LEVEL unset and LC_ALL=C.UTF-8.  The result is written to CASEDIR/expected.json:

  {"units": {"t.socket": {"refused": true, "rc": 1,
                          "flagged": [["t.socket", 3]],
                          "stderr": ["$CASE/t.socket:3: Unknown key ...", ...]}}}

`flagged` is the sorted set of (basename, line) pairs taken from stderr lines that match
^(/\\S+?):(\\d+):  (the regex verify-diff.py uses); in `stderr` the absolute case directory is
replaced by $CASE; lines that are not valid UTF-8 are decoded with errors="replace".
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "fixtures" / "conformance"
LOC = re.compile(r"^(/\S+?):(\d+): ")


def record_unit(case: Path, unit: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "SYSTEMD_LOG_LEVEL"}
    env["LC_ALL"] = "C.UTF-8"
    p = subprocess.run(["systemd-analyze", "verify", "--man=no", unit], cwd=case, env=env,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    # decode as a whole and split like verify-diff.py (text=True, errors="replace", splitlines)
    lines = p.stderr.decode("utf-8", errors="replace").splitlines()
    flagged = sorted({(Path(m.group(1)).name, int(m.group(2)))
                      for m in (LOC.match(l) for l in lines) if m})
    prefixes = sorted({str(case), os.path.realpath(case)}, key=len, reverse=True)

    def scrub(l):
        for pre in prefixes:
            l = l.replace(pre, "$CASE")
        return l

    return {"refused": p.returncode != 0, "rc": p.returncode,
            "flagged": [list(f) for f in flagged],
            "stderr": [scrub(l) for l in lines]}


def record_case(case: Path) -> dict:
    case = case.resolve()
    units = sorted(p.name for p in case.iterdir() if p.suffix in (".socket", ".service"))
    result = {"units": {u: record_unit(case, u) for u in units}}
    text = json.dumps(result, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    out = case / "expected.json"
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")
    return result


def main(argv):
    cases = [Path(a) for a in argv] if argv else sorted(
        p for p in DEFAULT_DIR.iterdir() if p.is_dir())
    for case in cases:
        if not case.is_dir():
            sys.exit(f"not a directory: {case}")
        res = record_case(case)
        summary = ", ".join(
            f"{u}: {'REFUSED' if r['refused'] else 'ok'}"
            + (f" {len(r['flagged'])} flagged" if r["flagged"] else "")
            for u, r in res["units"].items())
        print(f"{case.name}: {summary}")


if __name__ == "__main__":
    main(sys.argv[1:])
