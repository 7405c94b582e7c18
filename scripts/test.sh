#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, runs the Swift test suite
# (unit, golden and end-to-end tests that drive the built binary).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --test
swift build
swift test --parallel
