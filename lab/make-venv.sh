#!/usr/bin/env bash
# Create (or update) a Python virtual environment from a pinned requirements file.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
venv=$1 requirements=$2
python=${PYTHON:-python3}
if [ ! -x "$venv/bin/python" ]; then
  say "creating $venv"
  "$python" -m venv "$venv" || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
fi
with_progress "installing $requirements into $venv" \
  "$venv/bin/pip" install --disable-pip-version-check -r "$requirements"
