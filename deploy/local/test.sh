#!/usr/bin/env bash
# `npm test`: prepare the machine, lint and type-check, then jest (unit + integration
# against the real PostgreSQL and NATS). `npm run test:faults` (`--faults`): the same
# preparation, then only the long fault scenarios (*.faults.spec.ts), without the lint. It runs beside a running `npm start`: jest starts a
# nats-server of its own on a free port (libs/testing/src/jest), suites work in a database of
# their own, and every service a test starts gets a free port.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
config=()
faults=""
if [ "${1:-}" = --faults ]; then
  faults=1
  config=(--config jest.faults.config.js)
  shift
fi
export DATABASE_NAME=${TEST_DATABASE_NAME:-refinery_test}
bash "$here/prepare.sh" "$DATABASE_NAME" --tests
export PATH="$PWD/node_modules/.bin:$PATH"
# Every suite authenticates against the tenants and keys of ingestion's auth tables.
node tools/migrate.mjs >&2
if [ -z "$faults" ]; then
  echo "[test] lint, format and type-check" >&2
  npm run --silent lint
fi
echo "[test] jest${faults:+ (fault scenarios)}" >&2
results=$(mktemp)
trap 'rm -f "$results"' EXIT
status=0
# --forceExit: a suite whose set-up failed can leave a reconnecting client behind, and jest would
# wait on it forever; the failure is already reported, so exit instead of hanging CI.
jest "${config[@]}" --ci --forceExit --json --outputFile="$results" "$@" || status=$?
# One plain summary line, whatever reporter is in use.
node -e 'const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")); console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`)' "$results" || true
exit "$status"
