#!/usr/bin/env bash
# Makes sure PostgreSQL (with pgvector) and NATS with JetStream answer on this machine.
# Servers already running are used as they are: never restarted or reconfigured.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
here=$(dirname "$0")

ensure_postgres() {
  port_open "$PGHOST" "$PGPORT" && return 0
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    log "PostgreSQL: not installed; installing Debian's package"
    apt_install postgresql
    local conf; conf=$(ls -d /etc/postgresql/*/main | head -1)
    # Only on a server this script just installed: let local TCP clients in without a password.
    sed -i '1i host all all 127.0.0.1/32 trust' "$conf/pg_hba.conf"
  fi
  log "PostgreSQL: starting"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  for _ in $(seq 30); do port_open "$PGHOST" "$PGPORT" && return 0; sleep 1; done
  die "PostgreSQL did not come up on $PGHOST:$PGPORT"
}

# Debian puts it in /usr/sbin, which is not on an ordinary user's PATH.
nats_server_bin() { PATH="$PATH:/usr/sbin:/usr/local/sbin" command -v nats-server; }

ensure_nats() {
  local host=127.0.0.1 port=4222
  # Needed even when a server already runs: the tests and benches start their own.
  nats_server_bin >/dev/null || { log "NATS: not installed; installing Debian's package"; apt_install nats-server; }
  # npm test starts a server of its own on a free port: it needs the binary only.
  [ -n "${NATS_INSTALL_ONLY:-}" ] && return 0
  port_open "$host" "$port" && return 0
  log "NATS: starting with JetStream"
  as_root mkdir -p /var/lib/nats-server
  as_root start-stop-daemon --start --oknodo --background --exec "$(nats_server_bin)" -- \
    -a "$host" -p "$port" -js -sd /var/lib/nats-server -l /var/log/nats-server.log
  for _ in $(seq 30); do port_open "$host" "$port" && return 0; sleep 1; done
  die "NATS did not come up on $host:$port"
}

ensure_postgres
ensure_nats
bash "$here/ensure-pgvector.sh"
