#!/usr/bin/env bash
# `npm start`: prepare the machine, migrate, then run every service under one launcher.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
export DATABASE_NAME=${DATABASE_NAME:-refinery}
bash "$here/prepare.sh" "$DATABASE_NAME"
export PATH="$PWD/node_modules/.bin:$PATH"
node tools/migrate.mjs
exec node tools/launch.mjs
