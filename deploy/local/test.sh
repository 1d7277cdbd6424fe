#!/usr/bin/env bash
# `npm test`: prepare the machine, lint and type-check, then jest (unit + integration
# against the real PostgreSQL and NATS) in a database of its own.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
export DATABASE_NAME=${TEST_DATABASE_NAME:-refinery_test}
bash "$here/prepare.sh" "$DATABASE_NAME"
export PATH="$PWD/node_modules/.bin:$PATH"
echo "[test] lint and type-check" >&2
eslint . --max-warnings 0
tsc -p tsconfig.json --noEmit
echo "[test] jest" >&2
jest --ci "$@"
