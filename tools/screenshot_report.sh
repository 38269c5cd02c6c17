#!/usr/bin/env bash
# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Render an HTML report with headless Chromium (no network) and save a PNG screenshot.
#   tools/screenshot_report.sh reports/compliance.html [out.png] [WIDTHxHEIGHT]
set -euo pipefail
html=${1:?usage: $0 REPORT.html [OUT.png] [WIDTHxHEIGHT]}
out=${2:-${html%.html}.png}
size=${3:-1280x1600}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "no chromium found (Debian: apt-get install -y chromium)" >&2; exit 2; }
abs=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
out_abs=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
  --disable-sync --no-first-run --user-data-dir="$profile" --screenshot="$out_abs" \
  --window-size="${size/x/,}" "file://$abs" >/dev/null 2>&1
[ -s "$out_abs" ] || { echo "no screenshot written to $out_abs" >&2; exit 1; }
echo "$out_abs"
