#!/usr/bin/env bash
# Screenshot a built book page in headless Chromium with the network cut off, to check that
# plotly figures and formulas are drawn from the page itself (no CDN).
#   tools/screenshot.sh _build/html/notebooks/01_introduction.html out.png [height]
# Needs Debian's chromium (apt-get install chromium) and root for `unshare --net`.
set -euo pipefail
page=$(realpath "$1"); out=${2:-screenshot.png}; height=${3:-2400}
run=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
     --disable-background-networking --disable-component-update --disable-sync
     --user-data-dir="$(mktemp -d)" --window-size=1200,"$height" --virtual-time-budget=15000
     --hide-scrollbars --screenshot="$out" "file://$page")
if [ "$(id -u)" = 0 ] && unshare --net -- true 2>/dev/null; then unshare --net -- "${run[@]}"; else "${run[@]}"; fi
