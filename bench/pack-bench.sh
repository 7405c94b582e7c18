#!/usr/bin/env bash
# Time to render the packing document (`ozon-rules pack`) for a batch of N generated postings
# (default 500; scripts/generate-postings.py, seed 42, all set to awaiting_packaging) ingested with
# the example rules into a fresh SQLite file: once as HTML, once as PDF through headless
# Chromium. Prints wall seconds, the document's size, its slips and cards, and the PDF's pages.
#
#   bench/pack-bench.sh              # 500 postings
#   bench/pack-bench.sh 2000
#   OZON_RULES_BIN=path/to/ozon-rules bench/pack-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-500}"
work="$(mktemp -d "${TMPDIR:-/tmp}/ozon-rules-pack-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

source bench/binary.sh

# Every generated posting waits for packing, so the batch is all N of them.
python3 scripts/generate-postings.py --count "$count" --seed 42 \
  | python3 -c 'import json, sys
for line in sys.stdin:
    p = json.loads(line); p["status"] = "awaiting_packaging"; print(json.dumps(p, ensure_ascii=False))' > "$work/postings.ndjson"
"$bin" ingest --rules examples/rules --db "$work/store.sqlite" --now 2026-05-20T12:00:00Z "$work/postings.ndjson" >/dev/null
echo "input: $count postings ingested; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

# timed LABEL FILE COMMAND...: the command's wall seconds and the file it wrote.
timed() {
  local label="$1" file="$2"; shift 2
  local start end
  start=$(date +%s%N)
  "$@" 2>"$work/stderr" || { echo "$label failed (exit $?): $(cat "$work/stderr")" >&2; exit 1; }
  end=$(date +%s%N)
  printf '%s: %d.%02d s wall, %s; %s\n' "$label" $(((end - start) / 1000000000)) $(((end - start) / 10000000 % 100)) \
    "$(du -h "$file" | cut -f1)" "$(sed 's/^ozon-rules: [^:]*: //' "$work/stderr")"
}

timed "pack --format html" "$work/pack.html" "$bin" pack --db "$work/store.sqlite" --rules examples/rules --output "$work/pack.html"
timed "pack --format pdf" "$work/pack.pdf" "$bin" pack --db "$work/store.sqlite" --rules examples/rules --format pdf --output "$work/pack.pdf"
if command -v pdfinfo >/dev/null; then echo "PDF: $(pdfinfo "$work/pack.pdf" | grep '^Pages:' | tr -s ' ')"; fi
