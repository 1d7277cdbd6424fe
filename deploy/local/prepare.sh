#!/usr/bin/env bash
# Everything `npm start` and `npm test` need before they run: dependencies, PostgreSQL,
# NATS, pgvector, a build, the local secrets, and the database with one role and schema per
# service (each role with its own password from .refinery/secrets.env).
# Usage: prepare.sh <database>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
cd "$here/../.."

bash "$here/ensure-deps.sh"
export PATH="$PWD/node_modules/.bin:$PATH"
bash "$here/ensure-infra.sh"
bash "$here/ensure-prometheus.sh"
log "building"
node tools/build.mjs
node tools/secrets.mjs write
DATABASE_NAME="$1" node --env-file=.refinery/secrets.env dist/libs/persistence/src/cli/provision.js
