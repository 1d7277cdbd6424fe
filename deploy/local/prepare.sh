#!/usr/bin/env bash
# Everything `npm start` and `npm test` need before they run: dependencies, PostgreSQL,
# NATS, pgvector, Chromium (tests only), a build, the local secrets, and the database with one
# role and schema per service (each role with its own password from .refinery/secrets.env).
# Usage: prepare.sh <database> [--tests]
#   --tests (npm test): nats-server only installed, not started, since the tests run one of
#   their own; and role passwords left as they are. Roles are the whole server's, not one
#   database's: a platform running from another clone logs in with the passwords its own
#   secrets.env set, and the tests, which log in under trust authentication, need none.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
cd "$here/../.."
database=$1
tests=""
[ "${2:-}" = --tests ] && tests=1

bash "$here/ensure-deps.sh"
export PATH="$PWD/node_modules/.bin:$PATH"
NATS_INSTALL_ONLY=$tests bash "$here/ensure-infra.sh"
bash "$here/ensure-prometheus.sh"
# The review console's browser test drives Debian's Chromium; `npm start` needs none.
if [ -n "$tests" ]; then bash "$here/ensure-chromium.sh"; fi
log "building"
node tools/build.mjs
node tools/secrets.mjs write
DATABASE_NAME="$database" node --env-file=.refinery/secrets.env \
  dist/libs/persistence/src/cli/provision.js ${tests:+--keep-role-passwords}
