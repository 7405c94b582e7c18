#!/usr/bin/env bash
# Throughput of the effect dispatcher against the fake Seller API on loopback, with the client's
# rate limiter at Ozon's documented limits (50 requests/s per Client-Id, and the per-method ones).
#
#   bench/dispatch-bench.sh [POSTINGS]      (default 300)
#
# `sync` (without --apply) plans a ship, its labels and a buyer message for every posting of
# ozon-fake-api; then `ozon-rules apply` carries them all out and is timed. Prints effects per
# second, Seller API calls per second, and the calls' share of the 50/s per-account limit.
#
# Env: BUILD=.build (scratch path), CONFIG=release|debug (default release), FAKE_PORT (18091).
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT="${1:-300}"
BUILD="${BUILD:-.build}"
CONFIG="${CONFIG:-release}"
FAKE_PORT="${FAKE_PORT:-18091}"
for tool in jq curl; do command -v "$tool" >/dev/null || apt-get install -y "$tool" >/dev/null; done

swift build -c "$CONFIG" --scratch-path "$BUILD" --product ozon-rules >&2
swift build -c "$CONFIG" --scratch-path "$BUILD" --product ozon-fake-api >&2
BIN="$BUILD/$CONFIG/ozon-rules"
FAKE_BIN="$BUILD/$CONFIG/ozon-fake-api"

WORK="$(mktemp -d)"
FAKE_PID=""
cleanup() {
  if [ -n "$FAKE_PID" ] && kill -0 "$FAKE_PID" 2>/dev/null; then kill -TERM "$FAKE_PID"; wait "$FAKE_PID" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

jq -n --argjson n "$COUNT" '[range(1; $n + 1) | {
  posting_number: "\(1000000 + .)-0001-1", order_number: "\(1000000 + .)-0001", status: "awaiting_packaging",
  substatus: "posting_created", tpl_integration_type: "ozon", tracking_number: "", shipment_date: "2030-01-01T09:00:00Z",
  is_express: false, available_actions: ["cancel", "ship", "can_create_chat"],
  products: [{sku: 1734059281, offer_id: "MUG-330-BLUE", name: "Кружка", quantity: 1, price: "649.0000", currency_code: "RUB"}]}]' \
  >"$WORK/postings.json"
"$FAKE_BIN" --port "$FAKE_PORT" --client-id bench --api-key bench --postings "$WORK/postings.json" 2>"$WORK/fake.log" &
FAKE_PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$WORK/fake.log" 2>/dev/null && break; sleep 0.1; done

export OZON_CLIENT_ID=bench OZON_API_KEY=bench
API=(--api-url "http://127.0.0.1:$FAKE_PORT")
"$BIN" sync --db "$WORK/bench.sqlite" --rules bench/rules-dispatch "${API[@]}" --no-returns >&2
PLANNED=$("$BIN" outbox --db "$WORK/bench.sqlite" --state planned --format json | jq length)
CALLS_BEFORE=$(curl -s "http://127.0.0.1:$FAKE_PORT/fake/calls" | jq '[.received[]] | add')
START=$(date +%s.%N)
"$BIN" apply --db "$WORK/bench.sqlite" "${API[@]}" --ship-recheck-delay 0 --label-delay 0 >/dev/null
# Label jobs started in the first pass are polled in later passes (they never wait in the worker).
while [ "$("$BIN" outbox --db "$WORK/bench.sqlite" --state planned --state sending --format json | jq length)" != 0 ]; do
  sleep 1
  "$BIN" apply --db "$WORK/bench.sqlite" "${API[@]}" --ship-recheck-delay 0 --label-delay 0 >/dev/null
done
END=$(date +%s.%N)
CALLS_AFTER=$(curl -s "http://127.0.0.1:$FAKE_PORT/fake/calls" | jq '[.received[]] | add')
SENT=$("$BIN" outbox --db "$WORK/bench.sqlite" --state sent --format json | jq length)
ALL=$("$BIN" outbox --db "$WORK/bench.sqlite" --format json | jq length)
awk -v s="$START" -v e="$END" -v sent="$SENT" -v all="$ALL" -v planned="$PLANNED" -v calls=$((CALLS_AFTER - CALLS_BEFORE)) 'BEGIN {
  t = e - s
  printf "planned by sync: %d effects; carried out: %d of %d sent, in %.2f s (including 1 s waits for label jobs)\n", planned, sent, all, t
  printf "effects/s: %.1f; Seller API calls/s: %.1f (%.2f of the 50/s per-account limit)\n", sent / t, calls / t, calls / t / 50
}'
