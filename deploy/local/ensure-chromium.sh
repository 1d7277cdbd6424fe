#!/usr/bin/env bash
# Debian's Chromium for the review console's browser test (playwright-core drives it), with a
# font so that pages render text. Installed once; prints nothing when it is there. The test
# tools' own browser downloads are never used.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -q . && exit 0
log "Chromium: not installed; installing Debian's package"
apt_install chromium fonts-dejavu-core fontconfig
/usr/bin/chromium --version >/dev/null || die "Chromium from Debian does not start"
