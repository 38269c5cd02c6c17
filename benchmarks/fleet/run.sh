#!/usr/bin/env bash
# The fleet benchmark: ansible -m ping, webedge.https.compliance and webedge.https.site (first
# converge and idempotent re-run) over 10, 25 and 50 lab hosts, then the settings that matter at
# 50 (bench.py says what is measured). Not part of `make test`.
#
# Usage: benchmarks/fleet/run.sh [bench.py options: --sizes 10,25,50 --reps 2 --forks 25
#                                 --no-settings --no-podman --profile --json-out FILE --keep]
# Needs the lab images (make lab) and the venv (make venv); py-spy for --profile (.build/venv-bench: make bench).
# The hosts live on their own internal network webedge-fleet (lab/fleet-net.sh), which is created
# here and removed on exit with every fleet host; lab/containment.py runs before any packet.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export PATH="$repo/.venv/bin:$repo/.build/venv-bench/bin:$PATH"
work=$(mktemp -d /tmp/bench-fleet.XXXXXX)
keep=0
for a in "$@"; do [ "$a" = --keep ] && keep=1; done
cleanup() {
  local rc=$?
  # the ssh ControlPersist masters of this run (they would linger until their timeout)
  for sock in "$work"/cp/*; do [ -S "$sock" ] && ssh -O exit -o ControlPath="$sock" x >/dev/null 2>&1 || true; done
  if ((!keep)); then
    mapfile -t names < <(podman ps -a --filter label=webedge.lab=fleet --format '{{.Names}}' 2>/dev/null || true)
    ((${#names[@]})) && podman rm -f -t 0 "${names[@]}" >/dev/null 2>&1 || true
    bash "$repo/lab/fleet-net.sh" down
  fi
  # the logs of every measured run stay for a look afterwards
  mkdir -p "$repo/.build/bench" && rm -rf "$repo/.build/bench/fleet-logs"
  [ -d "$work/logs" ] && cp -r "$work/logs" "$repo/.build/bench/fleet-logs"
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

source "$here/../lib.sh"
expose_collection "$work"   # the checkout, or HEAD with BENCH_SOURCE=head

bash "$repo/lab/fleet-net.sh" up
python3 "$here/bench.py" --work "$work" "$@"
