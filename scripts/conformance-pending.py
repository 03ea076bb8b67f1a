#!/usr/bin/env python3
"""Prints the `CASE/UNIT` lines where `sockunit verify` disagrees with the recorded systemd
verdict (same rule as tests/conformance.rs and ../shared/tools/verify-diff.py), then the
agreement figure on stderr. Use it to refresh fixtures/conformance/pending.txt:
    scripts/conformance-pending.py > fixtures/conformance/pending.txt
"""
import json, os, subprocess, sys
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target/release/sockunit")
subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
corpus = os.path.join(ROOT, "fixtures/conformance")


def check(case):
    out = []
    golden = json.load(open(os.path.join(corpus, case, "expected.json")))
    for unit, want in sorted(golden["units"].items()):
        p = subprocess.run([BIN, "verify", "--format", "json", unit], cwd=os.path.join(corpus, case),
                           capture_output=True, text=True, errors="replace")
        flagged = set()
        for line in p.stdout.splitlines():
            d = json.loads(line)
            if d.get("line") is not None:
                flagged.add((os.path.basename(d["file"]), d["line"]))
        ok = (p.returncode == 1) == want["refused"] and flagged == {tuple(f) for f in want["flagged"]}
        out.append((f"{case}/{unit}", ok))
    return out


cases = sorted(c for c in os.listdir(corpus) if os.path.exists(os.path.join(corpus, c, "expected.json")))
with ThreadPoolExecutor(4) as pool:
    results = [r for rs in pool.map(check, cases) for r in rs]
print("# Units that do not agree with systemd yet (tests/conformance.rs); shrink only.")
for key, ok in results:
    if not ok:
        print(key)
agree = sum(ok for _, ok in results)
print(f"agreement {agree}/{len(results)}", file=sys.stderr)
