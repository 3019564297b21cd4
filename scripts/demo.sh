#!/usr/bin/env bash
# `make demo`: the whole product on the embedded default. Starts the simulated pool (testbed) and
# a local Redis, runs examples/demo.yaml through the engine (BullMQ queues, load and migration
# workers), prints the per-action table, the migration and the verdicts, and writes the report.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${MIGRASCOPE_DEMO_OUT:-migrascope-results}"
mkdir -p "$out"
bin/migrascope run examples/demo.yaml --testbed --results-dir "$out" --report "$out/demo-report.html" --json "$out/demo-status.json"
echo
echo "Open the report: $out/demo-report.html"
