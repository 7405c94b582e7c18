#!/usr/bin/env bash
# Ingest into PostgreSQL against SQLite, measured in the same run on the same input: N generated
# v4 postings (default 100,000; scripts/generate-postings.py, seed 42, as bench/ingest-bench.sh)
# ingested with the example rules by a release build, first into a fresh SQLite file, then into a
# fresh database of a throwaway PostgreSQL cluster on loopback (scripts/with-postgres.sh; or the
# server OZON_RULES_TEST_POSTGRES_URL names, where the script makes a new database). Each ingest is
# run ROUNDS times (default 1), alternating, each into a new store. Prints postings/s for each
# (wall clock, and CPU of ozon-rules itself; the server's CPU for PostgreSQL too), the rows stored,
# and the ratios PostgreSQL/SQLite.
#
#   bench/store-bench.sh                 # 100,000 postings
#   bench/store-bench.sh 20000 3         # fewer, three rounds
#   OZON_RULES_BIN=path/to/ozon-rules bench/store-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-100000}"
rounds="${2:-1}"

if [[ -z "${OZON_RULES_TEST_POSTGRES_URL:-}" && -z "${STORE_BENCH_IN_CLUSTER:-}" ]]; then
  STORE_BENCH_IN_CLUSTER=1 exec scripts/with-postgres.sh "$0" "$@"
fi
command -v psql >/dev/null || { echo "store-bench: psql is missing (Debian package postgresql-client)" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/ozon-rules-store-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

source bench/binary.sh

python3 scripts/generate-postings.py --count "$count" --seed 42 > "$work/postings.ndjson"
echo "input: $count postings, $(du -h "$work/postings.ndjson" | cut -f1) of NDJSON; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

server="$OZON_RULES_TEST_POSTGRES_URL"
base="${server%/*}"

# ingest LABEL DB SERVER_PID_QUERY: one ingest, printing `LABEL wall cpu server_cpu exit` for the summary.
ingest() {
  python3 - "$count" "$1" "$2" "$bin" "$work/postings.ndjson" "${3:-}" <<'PY'
import os, resource, subprocess, sys, time
count, label, db, binary, postings, server = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]

def server_cpu():
    # CPU seconds of every postgres process (the server does the store's work for PostgreSQL).
    if not server:
        return 0.0
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/comm") as f:
                name = f.read().strip()
        except OSError:
            continue
        if name in ("postgres", "postmaster"):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total

before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
before_server = server_cpu()
start = time.monotonic()
done = subprocess.run([binary, "ingest", "--rules", "examples/rules", "--db", db, "--now", "2026-05-20T12:00:00Z", postings],
                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.monotonic() - start
after = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (after.ru_utime - before_children.ru_utime) + (after.ru_stime - before_children.ru_stime)
server_seconds = server_cpu() - before_server
extra = f", server {server_seconds:.1f} s CPU" if server else ""
print(f"{label}: {wall:.1f} s wall ({count / wall:,.0f} postings/s), ozon-rules {cpu:.1f} s CPU ({count / cpu:,.0f} postings/s per core){extra}, exit {done.returncode}", file=sys.stderr)
if done.returncode not in (0, 1):
    sys.stderr.write(done.stderr.decode()[-2000:])
print(label, wall, cpu, server_seconds, done.returncode)
PY
}

: > "$work/results"
for round in $(seq 1 "$rounds"); do
  ingest sqlite "$work/store-$round.sqlite" >> "$work/results"
  sqlite3 "$work/store-$round.sqlite" "SELECT 'sqlite rows: postings ' || (SELECT count(*) FROM postings) || ', transitions ' || (SELECT count(*) FROM transitions) || ', hook runs ' || (SELECT count(*) FROM hook_runs)" >&2
  database="ozon_rules_bench_$$_$round"
  psql -q "$server" -c "CREATE DATABASE $database" >/dev/null
  ingest postgres "$base/$database" "$server" >> "$work/results"
  psql -tA "$base/$database" -c "SELECT 'postgres rows: postings ' || (SELECT count(*) FROM postings) || ', transitions ' || (SELECT count(*) FROM transitions) || ', hook runs ' || (SELECT count(*) FROM hook_runs) || ', database ' || pg_size_pretty(pg_database_size(current_database()))" >&2
done

python3 - "$count" "$work/results" <<'PY'
import statistics, sys
count = int(sys.argv[1])
rows = [line.split() for line in open(sys.argv[2])]
def median(kind, column):
    return statistics.median(float(r[column]) for r in rows if r[0] == kind)
sq_wall, pg_wall = median("sqlite", 1), median("postgres", 1)
sq_cpu, pg_cpu, pg_server = median("sqlite", 2), median("postgres", 2), median("postgres", 3)
print(f"ingest of {count:,} postings (median of {len(rows) // 2} round(s)):")
print(f"  SQLite     {count / sq_wall:8,.0f} postings/s wall, {sq_cpu:6.1f} s CPU")
print(f"  PostgreSQL {count / pg_wall:8,.0f} postings/s wall, {pg_cpu:6.1f} s CPU in ozon-rules + {pg_server:.1f} s in the server")
print(f"  PostgreSQL/SQLite: throughput {sq_wall / pg_wall:.2f}x, wall time {pg_wall / sq_wall:.2f}x, "
      f"client CPU {pg_cpu / sq_cpu:.2f}x, total CPU {(pg_cpu + pg_server) / sq_cpu:.2f}x")
PY
