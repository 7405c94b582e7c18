#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, runs the Swift test suite
# (unit, golden and end-to-end tests that drive the built binary), the store tests against a
# throwaway PostgreSQL cluster as well as SQLite (scripts/with-postgres.sh).
# SWIFT_SCRATCH_PATH=.build-x builds in another folder.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --test
scratch=(${SWIFT_SCRATCH_PATH:+--scratch-path "$SWIFT_SCRATCH_PATH"})
swift build "${scratch[@]}"
scripts/with-postgres.sh swift test "${scratch[@]}" --parallel
