#!/usr/bin/env bash
# Checks the HTML replay report in a real browser (Debian's chromium, headless):
# ingests the example postings, replays them against a copy of the example rules with two
# dearer tariffs, writes the report, loads it in chromium and fails on any console error or
# if the page's script did not run to its end. Keeps the report when given a path:
#
#   scripts/replay-html-check.sh                 # check only
#   scripts/replay-html-check.sh replay.html     # check and keep the report
#
# Needs chromium (apt-get install chromium). OZON_RULES_BIN picks an already built binary.
set -euo pipefail
cd "$(dirname "$0")/.."
keep="${1:-}"
browser="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
if [[ -z "$browser" ]]; then
  echo "replay-html-check: chromium is not installed (apt-get install chromium)" >&2
  exit 2
fi
if [[ -n "${OZON_RULES_BIN:-}" ]]; then
  bin="$OZON_RULES_BIN"
else
  swift build --product ozon-rules >&2
  bin="$(swift build --show-bin-path)/ozon-rules"
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/ozon-rules-replay-html.XXXXXX")"
trap 'rm -rf "$work"' EXIT

"$bin" ingest --rules examples/rules --db "$work/store.sqlite" --now 2026-05-20T12:00:00Z examples/postings/* >/dev/null
cp -r examples/rules "$work/rules-next"
sed -i \
  -e 's/{    1000,     rub(109), rub(119), rub(129), rub(149), rub(189) },/{    1000,     rub(109), rub(119), rub(129), rub(199), rub(189) },/' \
  -e 's/{    3000,     rub(169), rub(209), rub(249), rub(319), rub(459) },/{    3000,     rub(169), rub(209), rub(249), rub(399), rub(459) },/' \
  "$work/rules-next/lib/tariffs.lua"
"$bin" replay --rules "$work/rules-next" --db "$work/store.sqlite" --format html --output "$work/replay.html"

"$browser" --headless --disable-gpu --no-sandbox --no-first-run --user-data-dir="$work/profile" \
  --enable-logging=stderr --v=0 --virtual-time-budget=2000 --dump-dom "file://$work/replay.html" \
  >"$work/dom.html" 2>"$work/browser.log"

status=0
if grep -E ':CONSOLE|Uncaught' "$work/browser.log"; then
  echo "replay-html-check: the page wrote to the console (above)" >&2
  status=1
fi
if ! grep -q 'data-ready="yes"' "$work/dom.html"; then
  echo "replay-html-check: the page's script did not finish" >&2
  status=1
fi
if ! grep -q '<svg id="carrier-mix"' "$work/dom.html"; then
  echo "replay-html-check: no carrier chart in the page" >&2
  status=1
fi
if grep -Eq 'src=|href=|url\(' "$work/replay.html"; then
  echo "replay-html-check: the page refers to outside resources" >&2
  status=1
fi
bars="$(grep -o 'data-bars="[0-9]*"' "$work/dom.html" || true)"
[[ -n "$keep" ]] && cp "$work/replay.html" "$keep"
if [[ $status -eq 0 ]]; then
  echo "replay-html-check: ok ($bars, $(wc -c <"$work/replay.html") bytes)${keep:+, kept as $keep}"
fi
exit $status
