-- wrk script for scripts/serve-load.sh: every request is a distinct TYPE_NEW_POSTING
-- notification (its own posting number), so none is answered as a duplicate.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"message_type":"TYPE_NEW_POSTING","posting_number":"%d%07d-0001-1","in_process_at":"2026-05-14T08:00:00Z",'
    .. '"warehouse_id":15,"seller_id":7,"products":[{"sku":1734059281,"quantity":2}]}', id, counter)
  return wrk.format("POST", "/", { ["Content-Type"] = "application/json" }, body)
end

function done(summary, latency, requests)
  io.write(string.format("requests=%d duration_s=%.2f rps=%.1f\n", summary.requests, summary.duration / 1e6,
    summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency_ms p50=%.2f p90=%.2f p99=%.2f p99.9=%.2f max=%.2f\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000))
  io.write(string.format("errors connect=%d read=%d write=%d timeout=%d non2xx=%d\n", summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout, summary.errors.status))
end
