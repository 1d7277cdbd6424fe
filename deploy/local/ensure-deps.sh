#!/usr/bin/env bash
# Installs npm dependencies when node_modules is missing or older than package-lock.json.
# Runs under whatever node npm found first (the machine's, on a fresh clone); everything
# after this uses the Node 24 that the `node` devDependency puts in node_modules/.bin.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."

stamp=node_modules/.refinery-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -x node_modules/.bin/node ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
log "installing npm dependencies"
# `npm install` rather than `npm ci`: registries that serve only this platform's builds of
# optional native packages (swc, nx) leave the others out of the lock file, which npm ci
# then refuses as out of sync. With the lock file present, npm install keeps its versions.
npm install --no-audit --no-fund --loglevel=error >&2
echo "$want" > "$stamp"
