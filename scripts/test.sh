#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, runs the Swift test suite
# (unit, golden and end-to-end tests that drive the built binary), the store tests against a
# throwaway PostgreSQL cluster as well as SQLite (scripts/with-postgres.sh).
# The suites that run several processes against one store and kill them (two `serve` on one
# PostgreSQL store, `sync --apply` SIGKILLed six times) run afterwards on their own: beside the
# parallel run they compete for the two cores with every other test and time out on a slow machine.
# SWIFT_SCRATCH_PATH=.build-x builds in another folder.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --test
scratch=(${SWIFT_SCRATCH_PATH:+--scratch-path "$SWIFT_SCRATCH_PATH"})
swift build "${scratch[@]}"
heavy='MultiProcessTests|ExactlyOnceCrashTests'
# Swift Testing starts every test at once by default. On two cores its cooperative pool has two
# threads, and with 500 tests queued on them a fake server's answer can wait longer than a
# client's 20 s timeout. Three tests a core keeps the run as fast and the waits short.
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH="${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-$(( $(nproc) * 3 ))}"
scripts/with-postgres.sh sh -c '
  swift test "$@" --parallel --skip "'"$heavy"'" && swift test "$@" --filter "'"$heavy"'"
' test-suites "${scratch[@]}"
