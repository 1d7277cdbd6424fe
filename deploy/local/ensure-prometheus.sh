#!/usr/bin/env bash
# Prometheus, promtool and amtool from Debian's packages, unpacked into .refinery/tools rather
# than installed: the tests run them against the repo's rules and dashboards, and nothing is
# started as a system service. Prints nothing once they are there.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."

tools="$PWD/.refinery/tools"
[ -x "$tools/usr/bin/promtool" ] && [ -x "$tools/usr/bin/amtool" ] && exit 0

log "Prometheus: unpacking Debian's prometheus and prometheus-alertmanager into $tools"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download prometheus prometheus-alertmanager >/dev/null 2>&1) || {
  as_root apt-get update -qq >&2
  (cd "$work" && apt-get download prometheus prometheus-alertmanager >&2)
}
mkdir -p "$tools"
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$tools"; done
"$tools/usr/bin/promtool" --version >/dev/null || die "promtool from $tools does not run"
