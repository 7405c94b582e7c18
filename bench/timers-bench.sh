#!/usr/bin/env bash
# What timers cost (SPEC §7.1), measured in one run on one input: N generated v4 postings
# (default 100,000; scripts/generate-postings.py, seed 42) ingested with the example rules into a
# fresh SQLite file, once with timers.lua and once with a copy of the rules without it, ROUNDS
# times (default 1) alternating; then `tick` over every timer the last ingest armed, at a time
# when all are due. Prints postings/s of each ingest and the ratio with/without, the timers
# armed, and the tick's timers/s.
#
#   bench/timers-bench.sh               # 100,000 postings
#   bench/timers-bench.sh 20000 3       # fewer, three rounds
#   OZON_RULES_BIN=path/to/ozon-rules bench/timers-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-100000}"
rounds="${2:-1}"

work="$(mktemp -d "${TMPDIR:-/tmp}/ozon-rules-timers-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
source bench/binary.sh

python3 scripts/generate-postings.py --count "$count" --seed 42 > "$work/postings.ndjson"
cp -r examples/rules "$work/no-timers"
rm "$work/no-timers/timers.lua"
echo "input: $count postings; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

# run LABEL COMMAND...: prints `LABEL seconds` (wall clock) for the summary.
run() {
  local label="$1"; shift
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>"$work/$label.err" || { echo "$label failed:"; tail -5 "$work/$label.err"; exit 1; }
  end=$(date +%s.%N)
  echo "$label $(echo "$end - $start" | bc -l)"
}

: > "$work/results"
for round in $(seq 1 "$rounds"); do
  rm -f "$work"/with.sqlite* "$work"/without.sqlite*
  run without "$bin" ingest --rules "$work/no-timers" --db "$work/without.sqlite" --now 2026-05-20T12:00:00Z "$work/postings.ndjson" >> "$work/results"
  run with "$bin" ingest --rules examples/rules --db "$work/with.sqlite" --now 2026-05-20T12:00:00Z "$work/postings.ndjson" >> "$work/results"
done
armed=$(sqlite3 "$work/with.sqlite" "SELECT count(*) FROM timers WHERE state = 'armed'")
run tick "$bin" tick --rules examples/rules --db "$work/with.sqlite" --now 2031-01-01T00:00:00Z >> "$work/results"
fired=$(sqlite3 "$work/with.sqlite" "SELECT count(*) FROM timers WHERE state = 'fired'")

python3 - "$count" "$armed" "$fired" "$work/results" <<'PY'
import sys
count, armed, fired = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rows = [line.split() for line in open(sys.argv[4])]
best = {}
for label, seconds in rows:
    best[label] = min(best.get(label, float("inf")), float(seconds))
without, with_, tick = best["without"], best["with"], best["tick"]
print(f"ingest without timers.lua: {without:.1f} s ({count / without:,.0f} postings/s)")
print(f"ingest with timers.lua:    {with_:.1f} s ({count / with_:,.0f} postings/s), {armed:,} timers armed")
print(f"ingest throughput with/without timers.lua: {without / with_:.2f}")
print(f"tick: {fired:,} timers fired in {tick:.1f} s ({fired / tick:,.0f} timers/s)")
PY
