#!/usr/bin/env bash
# Renders a results folder's report.html to a PNG with headless Chromium, offline, and proves the page
# loads nothing from outside: it fails if the HTML references an external resource, and Chromium runs
# with every host name unresolvable and a proxy that does not exist.
#
#   scripts/ci/report-screenshot.sh <results dir> [out.png]      (needs: apt-get install -y chromium)
#
# What to look at in the PNG: the verdict and tables, then one chart per section — the percentile
# spectrum (one line per stream on the 0% … 99.9% log axis), offered vs achieved rate (ingest and
# queries), freshness (or "no freshness probes in this run") and latency over time per stream.
set -euo pipefail
dir=${1:?usage: scripts/ci/report-screenshot.sh <results dir> [out.png]}
html="$dir/report.html"
png=${2:-$dir/report.png}
[ -f "$html" ] || { echo "report-screenshot: $html not found (run 'starling report $dir' first)" >&2; exit 1; }
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "report-screenshot: chromium not found; apt-get install -y chromium" >&2; exit 1; }

# 1. No reference that would load anything: src/href/xlink:href/action/poster attributes, CSS url()
#    or @import, <link>, <script>, <iframe>, <img>, <object>, <embed>.
if grep -Eion '(src|href|xlink:href|action|poster|data)[[:space:]]*=|url\(|@import|<(link|script|iframe|img|object|embed|image)[[:space:]>]' "$html"; then
    echo "report-screenshot: $html references a resource (lines above)" >&2
    exit 1
fi

# 2. Render offline: no DNS, a dead proxy, no extensions or background networking. The window is
#    1280 wide and tall enough for every chart (REPORT_HEIGHT overrides; at least 3000).
svgs=$(grep -o '<svg' "$html" | wc -l)
height=${REPORT_HEIGHT:-$(( 1200 + 260 * svgs > 3000 ? 1200 + 260 * svgs : 3000 ))}
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$profile" --no-first-run --disable-extensions --disable-background-networking \
    --disable-component-update --disable-sync --disable-default-apps \
    --host-resolver-rules="MAP * ~NOTFOUND" --proxy-server="127.0.0.1:9" \
    --window-size=1280,"$height" --screenshot="$png" "file://$(realpath "$html")" 2>"$profile/chromium.log" || {
    cat "$profile/chromium.log" >&2
    exit 1
}
echo "report-screenshot: $png, 1280×$height ($svgs inline SVG charts, no external references)"
