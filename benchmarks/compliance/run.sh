#!/usr/bin/env bash
# The compliance play and tls_probe against testssl.sh and sslyze, on the compliance lab
# (extensions/molecule/compliance: the right host, and a host with one right server block
# listening on 100 ports). Not part of `make test`.
#
# Usage: benchmarks/compliance/run.sh [--keep-lab] [--check-goals] [--reps N] [--json-out FILE]
#   Brings the lab up with `molecule converge -s compliance` (reusing it when it runs), runs
#   bench.py once, then `molecule destroy -s compliance` unless --keep-lab.
# Goals (checked by bench.py with --check-goals): the whole play >= 50x faster than testssl.sh's
# default run on one endpoint; the whole play >= 3x faster than sslyze on 10 and on 50 endpoints.
# probe_task_100 / probe_task_1 is printed without a goal (README: why it cannot be 3 on 2 cores).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
keep=0 args=()
while (($#)); do
  case $1 in
    --keep-lab) keep=1 ;;
    --check-goals) args+=(--check-goals) ;;
    --json-out | --reps) args+=("$1" "$2"); shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

export PATH="$repo/.venv/bin:$PATH"
if [[ -n "${BENCH_SOURCE:-}" && "${BENCH_SOURCE}" != worktree ]]; then
  source "$here/../lib.sh"
  bench_tree=$(mktemp -d /tmp/bench-compliance-tree.XXXXXX)
  expose_collection "$bench_tree"   # a commit of the collection (../lib.sh); molecule's scenario stays the checkout's
elif [[ -z "${ANSIBLE_COLLECTIONS_PATH:-}" ]]; then
  export ANSIBLE_COLLECTIONS_PATH="$repo/.build/collections"
fi
cd "$repo"
# The trap's last status becomes the script's: an `[ ... ] && ...` that is false here made every run exit 1.
cleanup() {
  ((keep)) || molecule destroy -s compliance >/dev/null 2>&1 || true
  if [ -n "${bench_tree:-}" ]; then rm -rf "$bench_tree"; fi
}
trap cleanup EXIT INT TERM

echo "== lab: molecule converge -s compliance (log: /tmp/bench-compliance-converge.log)"
if ! molecule converge -s compliance >/tmp/bench-compliance-converge.log 2>&1; then
  tail -n 40 /tmp/bench-compliance-converge.log >&2
  exit 1
fi
ca=$(ls -d "$HOME"/.ansible/tmp/molecule.*.compliance/ca/ca.crt 2>/dev/null | head -n 1)
inventory=$(ls -d "$HOME"/.ansible/tmp/molecule.*.compliance/inventory 2>/dev/null | head -n 1)
address() { podman inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$1"; }

"$repo/.venv/bin/python" "$here/bench.py" --ca-file "$ca" --inventory "$inventory" \
  --good-address "$(address compliance-good)" --faults-address "$(address compliance-faults)" "${args[@]}"
