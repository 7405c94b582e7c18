#!/usr/bin/env bash
# `ozon-rules evaluate` of POSTINGS generated v4 postings (NDJSON) with the example rules, on a
# file and on stdin, against `jq -c .` over the same file: wall time and peak memory of each, in
# ROUNDS alternating rounds (this machine's speed drifts, so every ratio is the median of its
# per-round ratios). Outputs are written to /dev/null; the stdin run's output is checked to be
# byte-identical to the file run's once.
#
#   bench/evaluate-bench.sh [POSTINGS] [ROUNDS]      (default 100000 3)
# OZON_RULES_BIN names a built binary; otherwise a release build is made.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-100000}
rounds=${2:-3}
now=2026-05-20T12:00:00Z
source bench/binary.sh
command -v jq >/dev/null || { echo "evaluate-bench: jq is not installed (Debian: apt-get install jq)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

scripts/generate-postings.py --count "$count" --format ndjson > "$work/postings.ndjson"
size=$(du -m "$work/postings.ndjson" | cut -f1)
echo "evaluate-bench: $count postings, $size MB, $(nproc) cores" >&2

"$bin" evaluate --rules examples/rules --now "$now" "$work/postings.ndjson" > "$work/file.out" 2>/dev/null || true
"$bin" evaluate --rules examples/rules --now "$now" - < "$work/postings.ndjson" > "$work/stdin.out" 2>/dev/null || true
cmp -s "$work/file.out" "$work/stdin.out" || { echo "evaluate-bench: stdin and file outputs differ" >&2; exit 1; }
rm -f "$work/file.out" "$work/stdin.out"

# Wall seconds and peak resident kilobytes of one command (its exit status is not the point:
# evaluate exits 1 when a posting has a rule error, as some generated ones do by design).
measure() {
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > /dev/null 2>&1 || true
  cat "$work/time"
}
for round in $(seq "$rounds"); do
  file=$(measure "$bin" evaluate --rules examples/rules --now "$now" "$work/postings.ndjson")
  stdin=$(measure sh -c 'exec "$0" evaluate --rules examples/rules --now "$1" - < "$2"' "$bin" "$now" "$work/postings.ndjson")
  jq=$(measure jq -c . "$work/postings.ndjson")
  echo "$file $stdin $jq" >> "$work/rounds"
  echo "round $round of $rounds: evaluate FILE ${file% *} s, evaluate - ${stdin% *} s, jq -c . ${jq% *} s" >&2
done

python3 - "$work/rounds" <<'PY'
import statistics, sys
rows = [list(map(float, line.split())) for line in open(sys.argv[1]) if line.strip()]
median = statistics.median
spread = lambda values: f"{min(values):.2f}-{max(values):.2f}"
file_ratio = [r[0] / r[4] for r in rows]
stdin_ratio = [r[2] / r[4] for r in rows]
print(f"{len(rows)} rounds; medians:")
print(f"evaluate FILE:  {median(r[0] for r in rows):6.2f} s, peak {median(r[1] for r in rows) / 1024:6.1f} MB")
print(f"evaluate -:     {median(r[2] for r in rows):6.2f} s, peak {median(r[3] for r in rows) / 1024:6.1f} MB")
print(f"jq -c .:        {median(r[4] for r in rows):6.2f} s")
print(f"evaluate FILE / jq = {median(file_ratio):.2f}  (target <= 1.2; rounds {spread(file_ratio)})")
print(f"evaluate -    / jq = {median(stdin_ratio):.2f}  (target <= 1.2; rounds {spread(stdin_ratio)})")
print(f"peak memory: {max(max(r[1], r[3]) for r in rows) / 1024:.1f} MB at most (target < 100 MB)")
PY
