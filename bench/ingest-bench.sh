#!/usr/bin/env bash
# Ingest throughput of the posting store: N generated v4 postings (default 100,000; 1-5 products
# each, offer_ids from examples/rules/catalog.json, mostly awaiting_packaging, made by
# scripts/generate-postings.py with seed 42) ingested with the example rules into a fresh SQLite
# file by a release build. Prints postings/s (wall clock and CPU time, since other work on the
# machine slows the wall clock), the database size, and the time of a second, idempotent ingest
# of the same file and of a replay with the same rules.
#
#   bench/ingest-bench.sh            # 100,000 postings
#   bench/ingest-bench.sh 20000      # fewer
#   OZON_RULES_BIN=path/to/ozon-rules bench/ingest-bench.sh   # an already built binary
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-100000}"
work="$(mktemp -d "${TMPDIR:-/tmp}/ozon-rules-ingest-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

source bench/binary.sh

python3 scripts/generate-postings.py --count "$count" --seed 42 > "$work/postings.ndjson"
echo "input: $count postings, $(du -h "$work/postings.ndjson" | cut -f1) of NDJSON; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

# timed LABEL COMMAND...: runs the command, prints wall and CPU seconds and postings/s.
timed() {
  python3 - "$count" "$@" <<'PY'
import resource, subprocess, sys, time
count, label, command = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
start = time.monotonic()
done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.monotonic() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = usage.ru_utime + usage.ru_stime
print(f"{label}: {wall:.1f} s wall ({count / wall:,.0f} postings/s), {cpu:.1f} s CPU ({count / cpu:,.0f} postings/s per core), exit {done.returncode}")
PY
}

timed "first ingest" "$bin" ingest --rules examples/rules --db "$work/store.sqlite" --now 2026-05-20T12:00:00Z "$work/postings.ndjson"
python3 - "$work/store.sqlite" <<'PY'
import os, sqlite3, sys
path = sys.argv[1]
con = sqlite3.connect(path)
con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # so the size is the database's own
rows = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("postings", "transitions", "hook_runs")}
errors = con.execute("SELECT count(*) FROM hook_runs WHERE error_code IS NOT NULL").fetchone()[0]
con.close()
size = os.path.getsize(path)
print(f"database: {size / 1e6:.1f} MB ({size / max(rows['postings'], 1):,.0f} bytes per posting); rows: {rows}; hook errors: {errors}")
PY
timed "second ingest (nothing to do)" "$bin" ingest --rules examples/rules --db "$work/store.sqlite" --now 2026-05-21T12:00:00Z "$work/postings.ndjson"
timed "replay with the same rules" "$bin" replay --rules examples/rules --db "$work/store.sqlite" --format json
