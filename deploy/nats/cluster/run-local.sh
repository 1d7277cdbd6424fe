#!/usr/bin/env bash
# The three-node cluster of node.conf on this machine, on 127.0.0.1 only:
#
#   node  clients  routes  monitoring  store
#   n1    42221    62221   18221       <store dir>/n1
#   n2    42222    62222   18222       <store dir>/n2
#   n3    42223    62223   18223       <store dir>/n3
#
# Usage: deploy/nats/cluster/run-local.sh [store dir]    (default .refinery/nats-cluster)
# with every password of nats-server.conf in the environment (set -a; . ./.env; set +a), and
# REFINERY_NATS_ROUTE_PASSWORD, made up here when unset. Ctrl-C stops the three. Point the
# services at all three:
#   NATS_URL=nats://127.0.0.1:42221,nats://127.0.0.1:42222,nats://127.0.0.1:42223
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
store=${1:-$here/../../../.refinery/nats-cluster}
mkdir -p "$store"
store=$(cd "$store" && pwd)
bin=$(PATH="$PATH:/usr/sbin:/usr/local/sbin" command -v nats-server) ||
  { echo "nats-server is not installed (deploy/local/ensure-infra.sh installs it)" >&2; exit 1; }

# Letters and digits, from a letter on: nats-server reads the value as a token.
export REFINERY_NATS_ROUTE_PASSWORD=${REFINERY_NATS_ROUTE_PASSWORD:-p$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')}
routes=()
for i in 1 2 3; do routes+=("nats://route:$REFINERY_NATS_ROUTE_PASSWORD@127.0.0.1:6222$i"); done
export NATS_ROUTES="[$(IFS=,; echo "${routes[*]}")]"
export NATS_HOST=127.0.0.1

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait; }
trap stop EXIT INT TERM
for i in 1 2 3; do
  NATS_SERVER_NAME=n$i NATS_CLIENT_PORT=4222$i NATS_CLUSTER_PORT=6222$i \
    NATS_MONITOR_PORT=1822$i NATS_STORE_DIR="$store/n$i" \
    "$bin" -c "$here/node.conf" &
  pids+=($!)
done
echo "NATS_URL=nats://127.0.0.1:42221,nats://127.0.0.1:42222,nats://127.0.0.1:42223" >&2
wait
