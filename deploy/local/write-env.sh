#!/usr/bin/env bash
# Creates .env at the repository root for `docker compose`, or adds what it lacks: a generated
# password per Postgres role and NATS user, the operator and demo API keys, Grafana's admin
# password. Values already there are kept. Needs Node.js 18 or later.
# Usage: deploy/local/write-env.sh [file]   (default: .env)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
cd "$here/../.."
node=node
[ -x node_modules/.bin/node ] && node=node_modules/.bin/node
command -v "$node" >/dev/null || die "Node.js is needed to generate the secrets"
"$node" tools/secrets.mjs write "${1:-.env}"
