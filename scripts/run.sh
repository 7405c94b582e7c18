#!/usr/bin/env bash
# Runs the main job on the embedded default: the example rules over the
# example postings and returns, printed as a table.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build -c release --product ozon-rules >&2
exec .build/release/ozon-rules evaluate --rules examples/rules --now 2026-05-20T12:00:00Z --format table \
  examples/postings/fbs-v4-list.json examples/postings/fbs-v3-list.json examples/postings/fbs-stream.ndjson \
  examples/postings/returns-fbs.json examples/postings/returns-rfbs.json "$@"
