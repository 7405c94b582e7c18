#!/usr/bin/env bash
# Compares ozon-rules' hook throughput with its limit and a peer, in one run, on
# the same generated postings and the same rule files (examples/rules):
#   (a) ozon-rules bench, one job;
#   (b) plain lua5.4 running the rules from a Lua driver (bench/driver.lua): the limit;
#   (c) Python driving the rules through lupa (bench/lupa_driver.py): a peer;
# then prints a/b, a/c and the speed-up of --jobs 2 over --jobs 1.
#
#   scripts/compare-peers.sh [POSTINGS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-2000}
seconds=${2:-5}
now_iso=2026-05-20T12:00:00Z
now_unix=1779278400
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

scripts/bootstrap.sh
python3 -c "import lupa" 2>/dev/null || pip install --quiet lupa >&2
swift build -c release --product ozon-rules >&2
bin=.build/release/ozon-rules

scripts/generate-postings.py --count "$count" > "$work/postings.ndjson"
"$bin" bench --rules examples/rules --now "$now_iso" --dump-normalized "$work/normalized.ndjson" "$work/postings.ndjson"

figure() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
a=$("$bin" bench --rules examples/rules --now "$now_iso" --jobs 1 --duration "$seconds" --format json "$work/postings.ndjson" | figure transitions_per_cpu_second)
b=$(lua5.4 bench/driver.lua examples/rules "$work/normalized.ndjson" "$seconds" "$now_unix" "$now_iso")
c=$(python3 bench/lupa_driver.py examples/rules "$work/normalized.ndjson" "$seconds" "$now_unix" "$now_iso")
j1=$("$bin" bench --rules examples/rules --now "$now_iso" --jobs 1 --duration "$seconds" --format json "$work/postings.ndjson" | figure transitions_per_second)
j2=$("$bin" bench --rules examples/rules --now "$now_iso" --jobs 2 --duration "$seconds" --format json "$work/postings.ndjson" | figure transitions_per_second)

python3 - "$a" "$b" "$c" "$j1" "$j2" "$(nproc)" <<'PY'
import sys
a, b, c, j1, j2 = map(float, sys.argv[1:6])
cores = sys.argv[6]
print(f"(a) ozon-rules bench, 1 job:        {a:10.0f} transitions per CPU second")
print(f"(b) plain lua5.4 driver (the limit): {b:10.0f} transitions per CPU second")
print(f"(c) Python + lupa driver (a peer):   {c:10.0f} transitions per CPU second")
print(f"a/b = {a / b:.2f}   (target >= 0.8)")
print(f"a/c = {a / c:.2f}   (target >= 3)")
print(f"--jobs 2 / --jobs 1 = {j2 / j1:.2f}  ({j1:.0f} -> {j2:.0f} transitions/s wall, {cores} cores; target >= 1.7 on 2 cores)")
PY
