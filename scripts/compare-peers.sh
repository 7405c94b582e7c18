#!/usr/bin/env bash
# Compares ozon-rules' hook throughput with its limit and a peer, in one run, on
# the same generated postings and the same rule files (examples/rules, or RULES;
# bench/rules-minimal does almost nothing, which leaves the cost of the bridge):
#   (a) ozon-rules bench, one job;
#   (b) plain lua5.4 running the rules from a Lua driver (bench/driver.lua): the limit;
#   (c) Python driving the rules through lupa (bench/lupa_driver.py): a peer;
# then prints a/b, a/c and the speed-up of --jobs 2 over --jobs 1, beside the machine's own
# two-core scaling: two plain lua5.4 drivers at once against one (two busy virtual cores here
# can each run slower than one alone, and --jobs 2 scales no better than the machine does).
#
# This machine's speed drifts (shared virtual cores), so one long run of each
# would compare different machines. Instead the measurements alternate in
# ROUNDS short rounds (a, b, c, jobs 1, jobs 2 in each), and every ratio is
# the median of its per-round ratios.
#
#   scripts/compare-peers.sh [POSTINGS] [SECONDS] [ROUNDS] [RULES]
# (SCRATCH_PATH names the build folder, .build by default.)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-2000}
seconds=${2:-2}
rounds=${3:-5}
rules=${4:-examples/rules}
now_iso=2026-05-20T12:00:00Z
now_unix=1779278400
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

scripts/bootstrap.sh
python3 -c "import lupa" 2>/dev/null || pip install --quiet lupa >&2
scratch=${SCRATCH_PATH:-.build}  # another build folder: SCRATCH_PATH=.build-x scripts/compare-peers.sh
swift build -c release --product ozon-rules --scratch-path "$scratch" >&2
bin=$scratch/release/ozon-rules

scripts/generate-postings.py --count "$count" > "$work/postings.ndjson"
"$bin" bench --rules "$rules" --now "$now_iso" --dump-normalized "$work/normalized.ndjson" "$work/postings.ndjson"

figure() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
bench() { "$bin" bench --rules "$rules" --now "$now_iso" --jobs "$1" --duration "$seconds" --format json "$work/postings.ndjson"; }
driver() { lua5.4 bench/driver.lua "$rules" "$work/normalized.ndjson" "$seconds" "$now_unix" "$now_iso"; }
for round in $(seq "$rounds"); do
  a=$(bench 1 | figure transitions_per_cpu_second)
  b=$(driver)
  c=$(python3 bench/lupa_driver.py "$rules" "$work/normalized.ndjson" "$seconds" "$now_unix" "$now_iso")
  j1=$(bench 1 | figure transitions_per_second)
  j2=$(bench 2 | figure transitions_per_second)
  # Each driver is single-threaded, so its per-CPU-second figure is its share of the wall rate.
  pair=$( (driver & driver & wait) | awk '{ total += $1 } END { print total }')
  echo "$a $b $c $j1 $j2 $pair" >> "$work/rounds"
  echo "round $round of $rounds: a=$a b=$b c=$c jobs1=$j1 jobs2=$j2 two-drivers=$pair" >&2
done

python3 - "$work/rounds" "$(nproc)" "$rules" <<'PY'
import statistics, sys
rows = [list(map(float, line.split())) for line in open(sys.argv[1]) if line.strip()]
cores = sys.argv[2]
median = lambda values: statistics.median(values)
a, b, c, j1, j2, pair = (median([row[i] for row in rows]) for i in range(6))
print(f"rules: {sys.argv[3]}; {len(rows)} rounds; medians:")
print(f"(a) ozon-rules bench, 1 job:        {a:10.0f} transitions per CPU second")
print(f"(b) plain lua5.4 driver (the limit): {b:10.0f} transitions per CPU second")
print(f"(c) Python + lupa driver (a peer):   {c:10.0f} transitions per CPU second")
ab = median([row[0] / row[1] for row in rows])
ac = median([row[0] / row[2] for row in rows])
jobs = median([row[4] / row[3] for row in rows])
spread = lambda values: f"{min(values):.2f}-{max(values):.2f}"
print(f"a/b = {ab:.2f}   (target >= 1.0; rounds {spread([row[0] / row[1] for row in rows])})")
print(f"a/c = {ac:.2f}   (target >= 1.3 on the example rules; rounds {spread([row[0] / row[2] for row in rows])})")
bc = median([row[1] / row[2] for row in rows])
print(f"b/c = {bc:.2f}   (the limit over the peer: a/c stays below this while a <= b)")
print(f"--jobs 2 / --jobs 1 = {jobs:.2f}  ({j1:.0f} -> {j2:.0f} transitions/s wall, {cores} cores; target >= 1.8 on 2 cores;"
      f" rounds {spread([row[4] / row[3] for row in rows])})")
machine = median([row[5] / row[1] for row in rows])
print(f"two lua5.4 drivers at once / one = {machine:.2f}  (this machine's own two-core scaling, in the same rounds;"
      f" rounds {spread([row[5] / row[1] for row in rows])})")
PY
