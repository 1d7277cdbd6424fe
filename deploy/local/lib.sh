# Shared helpers for the local scripts. Sourced, not run.
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGSUPERUSER=${PGSUPERUSER:-postgres}
NATS_URL=${NATS_URL:-nats://127.0.0.1:4222}

log() { printf '\033[36m[setup]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[setup] %s\033[0m\n' "$*" >&2; exit 1; }

# Root can install packages directly; anyone else goes through sudo.
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq >&2; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >&2
}

psql_super() { psql -h "$PGHOST" -p "$PGPORT" -U "$PGSUPERUSER" -v ON_ERROR_STOP=1 -qAt "$@"; }

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
