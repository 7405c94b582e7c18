#!/usr/bin/env bash
# Load test of the push endpoint: wrk on loopback against `ozon-rules serve`, bounded in time.
# Every request is a distinct TYPE_NEW_POSTING notification, written durably to the inbox before
# its answer. Prints requests/s and the latency percentiles of the answers, then checks that
# every 200 answer left exactly one row in the inbox.
#
#   scripts/serve-load.sh [DURATION_S] [CONNECTIONS]      (defaults: 15 s, 32 connections)
#
# By default the worker runs while the answers are measured: it reads each posting back from a
# fake Seller API on loopback (ozon-fake-api) and runs bench/rules-slow, whose three hooks take
# about 0.5 s each, so it is busy the whole time. WORKER=0 measures the endpoint alone.
#
# Env: BUILD=.build (scratch path), CONFIG=release|debug (default release), PORT (default 18089),
# FAKE_PORT (default 18090), RULES (default bench/rules-slow).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-15}"
CONNECTIONS="${2:-32}"
BUILD="${BUILD:-.build}"
CONFIG="${CONFIG:-release}"
PORT="${PORT:-18089}"

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)" >&2
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
for tool in pkg-config sqlite3; do
  command -v "$tool" >/dev/null || apt-get install -y "$tool" >/dev/null
done
pkg-config --exists lua5.4 || apt-get install -y liblua5.4-dev >/dev/null

swift build -c "$CONFIG" --scratch-path "$BUILD" --product ozon-rules >&2
swift build -c "$CONFIG" --scratch-path "$BUILD" --product ozon-fake-api >&2
BIN="$BUILD/$CONFIG/ozon-rules"
FAKE_BIN="$BUILD/$CONFIG/ozon-fake-api"
FAKE_PORT="${FAKE_PORT:-18090}"
RULES="${RULES:-bench/rules-slow}"

WORK="$(mktemp -d)"
SERVER_PID=""
FAKE_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; fi
  if [ -n "$FAKE_PID" ] && kill -0 "$FAKE_PID" 2>/dev/null; then kill -TERM "$FAKE_PID"; wait "$FAKE_PID" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

EXTRA=(--no-worker)
if [ "${WORKER:-1}" = 1 ]; then
  cat >"$WORK/posting.json" <<'JSON'
{"posting_number":"0-0-1","order_number":"0-0","status":"awaiting_packaging","substatus":"posting_created",
 "tpl_integration_type":"ozon","tracking_number":"","shipment_date":"2030-01-01T09:00:00Z","is_express":false,
 "products":[{"sku":1734059281,"offer_id":"MUG-330-BLUE","name":"Кружка","quantity":2,"price":"649.0000","currency_code":"RUB"}]}
JSON
  "$FAKE_BIN" --port "$FAKE_PORT" --client-id load --api-key load --any-posting "$WORK/posting.json" 2>"$WORK/fake.log" &
  FAKE_PID=$!
  for _ in $(seq 1 100); do grep -q "listening on" "$WORK/fake.log" 2>/dev/null && break; sleep 0.1; done
  EXTRA=(--api-url "http://127.0.0.1:$FAKE_PORT" --instruction-limit 2000000000 --timeout-ms 5000)
fi
OZON_CLIENT_ID=load OZON_API_KEY=load "$BIN" serve --listen "127.0.0.1:$PORT" --db "$WORK/load.sqlite" \
  --rules "$RULES" "${EXTRA[@]}" 2>"$WORK/serve.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$WORK/serve.log" 2>/dev/null && break
  sleep 0.1
done
grep -q "listening on" "$WORK/serve.log" || { cat "$WORK/serve.log" >&2; exit 1; }

timeout $((DURATION + 30)) wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s --latency \
  -s scripts/webhook-load.lua "http://127.0.0.1:$PORT/" | tee "$WORK/wrk.txt"

kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""
ROWS=$(sqlite3 "$WORK/load.sqlite" "SELECT count(*) FROM inbox")
DONE=$(sqlite3 "$WORK/load.sqlite" "SELECT count(*) FROM inbox WHERE state = 'done'")
HOOKS=$(sqlite3 "$WORK/load.sqlite" "SELECT count(*), coalesce(round(avg(duration_ns) / 1e6), 0) FROM hook_runs" | tr '|' ' ')
echo "worker: $DONE notification(s) processed during the run; hook runs and their mean ms: $HOOKS"
REQUESTS=$(sed -n 's/^requests=\([0-9]*\).*/\1/p' "$WORK/wrk.txt")
NON2XX=$(sed -n 's/.*non2xx=\([0-9]*\).*/\1/p' "$WORK/wrk.txt")
echo "inbox rows: $ROWS; requests completed: $REQUESTS; non-2xx: $NON2XX"
# wrk counts requests it completed; a request cut off at the deadline may still have been stored.
if [ "$NON2XX" != 0 ] || [ "$ROWS" -lt "$REQUESTS" ]; then
  echo "FAIL: some notifications were refused or not stored" >&2
  exit 1
fi
P99=$(sed -n 's/.*p99=\([0-9.]*\).*/\1/p' "$WORK/wrk.txt")
awk -v p="$P99" 'BEGIN { if (p + 0 >= 1500) { print "FAIL: p99 " p " ms is not under Ozon'"'"'s 1.5 s"; exit 1 } }'
echo "OK: p99 ${P99} ms"
