#!/usr/bin/env bash
# Runs the syntax-layer benchmark (benches/syntax.rs, release) and prints one throughput line per
# benchmark, in MB/s (10^6 bytes) and MiB/s. Extra arguments go to criterion (e.g. a name filter:
# scripts/bench-syntax.sh parse_all_sections).
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo bench --bench syntax -- "$@" 2>&1 | tee "$log" >&2

# Criterion prints, per benchmark:
#   syntax/parse_all_sections
#                           time:   [a ms b ms c ms]
#                           thrpt:  [x MiB/s y MiB/s z MiB/s]
# (the name and "time:" may share a line when the name is short). The middle figure is the
# estimate.
awk '
    /^syntax\// { name = $1; seen = 0 }
    /thrpt:/ && !seen && !/%/ {
        seen = 1
        gsub(/[\[\]]/, "")
        for (i = 1; i <= NF; i++) if ($i == "thrpt:") { v = $(i + 3); u = $(i + 4) }
        f = (u == "GiB/s") ? 1024 : (u == "KiB/s") ? 1 / 1024 : (u == "B/s") ? 1 / 1048576 : 1
        mib = v * f
        printf "%s: %.1f MB/s (%.1f MiB/s)\n", name, mib * 1.048576, mib
    }
' "$log"
