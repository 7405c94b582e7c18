#!/usr/bin/env bash
# `serve` ×2 against ×1 on one PostgreSQL store, measured in the same run: N distinct
# TYPE_NEW_POSTING notifications (default 4,000) are posted, spread evenly over the instances, by
# 8 concurrent senders; each instance's worker reads the posting back from a fake Seller API on
# loopback (ozon-fake-api), runs the example rules and commits the transition with its planned
# effects (no --apply: the figure is the processing, not Ozon's rate limit). Prints notifications
# fully processed per second (first send to empty inbox) for each, the ratio ×2/×1, and the push
# answers' latency percentiles while the instances work.
#
#   bench/serve-scale-bench.sh            # 4,000 notifications
#   bench/serve-scale-bench.sh 10000
#   OZON_RULES_BIN=... OZON_FAKE_BIN=... bench/serve-scale-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-4000}"

if [[ -z "${OZON_RULES_TEST_POSTGRES_URL:-}" && -z "${SCALE_BENCH_IN_CLUSTER:-}" ]]; then
  SCALE_BENCH_IN_CLUSTER=1 exec scripts/with-postgres.sh "$0" "$@"
fi
command -v psql >/dev/null || { echo "serve-scale-bench: psql is missing (Debian package postgresql-client)" >&2; exit 1; }

source bench/binary.sh
if [[ -n "${OZON_FAKE_BIN:-}" ]]; then
  fake_bin="$OZON_FAKE_BIN"
else
  swift build -c release --product ozon-fake-api >&2
  fake_bin="$(swift build -c release --show-bin-path)/ozon-fake-api"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/ozon-rules-scale-bench.XXXXXX")"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

server="$OZON_RULES_TEST_POSTGRES_URL"
base="${server%/*}"
cat >"$work/posting.json" <<'JSON'
{"posting_number":"0-0-1","order_number":"0-0","status":"awaiting_packaging","substatus":"posting_created",
 "tpl_integration_type":"ozon","tracking_number":"","shipment_date":"2030-01-01T09:00:00Z","is_express":false,
 "analytics_data":{"city":"Казань","region":"Татарстан","delivery_type":"PVZ"},
 "products":[{"sku":1734059281,"offer_id":"MUG-330-BLUE","name":"Кружка","quantity":2,"price":"649.0000","currency_code":"RUB"}]}
JSON
fake_port=18190
"$fake_bin" --port "$fake_port" --client-id bench --api-key bench --any-posting "$work/posting.json" 2>"$work/fake.log" &
pids+=($!)
for _ in $(seq 1 100); do grep -q "listening on" "$work/fake.log" 2>/dev/null && break; sleep 0.1; done
echo "input: $count notifications; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

# round INSTANCES: one measurement on a fresh database; prints `INSTANCES seconds p50 p99 max`.
round() {
  local instances="$1" database="ozon_rules_scale_$$_$1"
  psql -q "$server" -c "CREATE DATABASE $database" >/dev/null
  local db="$base/$database" ports=()
  local serve_pids=()
  for i in $(seq 1 "$instances"); do
    local port=$((18200 + 10 * instances + i))
    OZON_CLIENT_ID=bench OZON_API_KEY=bench "$bin" serve --listen "127.0.0.1:$port" --db "$db" --rules examples/rules \
      --api-url "http://127.0.0.1:$fake_port" --api-rate 100000 --tick-interval 0 --poll-requests 0 \
      2>"$work/serve-$instances-$i.log" &
    serve_pids+=($!)
    pids+=($!)
    ports+=("$port")
  done
  for i in $(seq 1 "$instances"); do
    for _ in $(seq 1 200); do grep -q "listening on" "$work/serve-$instances-$i.log" 2>/dev/null && break; sleep 0.1; done
  done
  python3 - "$count" "$instances" "$db" "${ports[@]}" <<'PY'
import http.client, json, subprocess, sys, threading, time
count, instances, db, ports = int(sys.argv[1]), sys.argv[2], sys.argv[3], [int(p) for p in sys.argv[4:]]
latencies, lock = [], threading.Lock()
def send(lane):
    conns = {p: http.client.HTTPConnection("127.0.0.1", p, timeout=10) for p in ports}
    for i in range(lane, count, 8):
        port = ports[i % len(ports)]
        body = json.dumps({"message_type": "TYPE_NEW_POSTING", "posting_number": f"9{i:07d}-0001-1",
                           "in_process_at": "2026-05-14T08:00:00Z", "warehouse_id": 15, "seller_id": 7,
                           "products": [{"sku": 1734059281, "quantity": 2}]})
        started = time.monotonic()
        c = conns[port]
        c.request("POST", "/", body, {"Content-Type": "application/json"})
        r = c.getresponse(); r.read()
        if r.status != 200: raise SystemExit(f"push answered {r.status}")
        with lock: latencies.append(time.monotonic() - started)
start = time.monotonic()
threads = [threading.Thread(target=send, args=(lane,)) for lane in range(8)]
for t in threads: t.start()
for t in threads: t.join()
def pending():
    out = subprocess.run(["psql", "-tA", db, "-c", "SELECT count(*) FROM inbox WHERE state = 'pending'"], capture_output=True, text=True)
    return int(out.stdout.strip() or 1)
while pending() > 0: time.sleep(0.05)
seconds = time.monotonic() - start
latencies.sort()
pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
print(instances, seconds, pick(0.5), pick(0.99), latencies[-1] * 1000)
PY
  for pid in "${serve_pids[@]}"; do kill -TERM "$pid"; wait "$pid" || true; done
  psql -tA "$db" -c "SELECT 'stored: ' || (SELECT count(*) FROM transitions) || ' transitions, ' || (SELECT count(*) FROM effects) || ' effects planned, inbox done ' || (SELECT count(*) FROM inbox WHERE state = 'done')" >&2
}

one=$(round 1)
two=$(round 2)
python3 - "$count" "$one" "$two" <<'PY'
import sys
count = int(sys.argv[1])
def parse(text):
    n, s, p50, p99, mx = text.split()
    return int(n), float(s), float(p50), float(p99), float(mx)
for n, s, p50, p99, mx in (parse(sys.argv[2]), parse(sys.argv[3])):
    print(f"serve ×{n}: {count / s:,.0f} notifications fully processed/s ({s:.1f} s); push answer p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {mx:.1f} ms")
print(f"×2 / ×1: {parse(sys.argv[2])[1] / parse(sys.argv[3])[1]:.2f}")
PY
