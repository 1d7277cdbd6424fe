#!/usr/bin/env bash
# Builds and installs pgvector from Debian's source package when the server lacks the
# `vector` extension (Debian's stable suite has no pgvector for PostgreSQL 15).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

available() { [ "$(psql_super -d postgres -c "select count(*) from pg_available_extensions where name = 'vector'")" = 1 ]; }
available && { log "pgvector: already available"; exit 0; }

server_version=$(psql_super -d postgres -c "show server_version_num")
major=$((server_version / 10000))
log "pgvector: building from Debian's source package for PostgreSQL $major (about 30 s)"

apt_install "postgresql-server-dev-$major" build-essential dpkg-dev
src_list=/etc/apt/sources.list.d/refinery-trixie-src.list
if [ ! -f "$src_list" ]; then
  # Sources only: no binary packages are taken from trixie.
  echo "deb-src http://deb.debian.org/debian trixie main" | as_root tee "$src_list" >/dev/null
  apt_updated=""
fi
[ -n "$apt_updated" ] || { as_root apt-get update -qq >&2; apt_updated=1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"  # lets apt fetch as its sandbox user
(cd "$work" && apt-get source -qq --download-only pgvector >&2 && dpkg-source -x --no-check ./*.dsc src >&2)
pg_config="/usr/lib/postgresql/$major/bin/pg_config"
[ -x "$pg_config" ] || pg_config=$(command -v pg_config)
make -s -C "$work/src" PG_CONFIG="$pg_config" >&2
as_root make -s -C "$work/src" PG_CONFIG="$pg_config" install >&2
available || die "pgvector: built and installed, but PostgreSQL still lists no 'vector' extension"
log "pgvector: installed"
