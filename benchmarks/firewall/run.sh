#!/usr/bin/env bash
# webedge.https.firewall_port against ansible.builtin.iptables, ansible.posix.firewalld and
# community.general.ufw (opening 50 ports, one task against one task per port), and its idempotent
# re-run on hosts with 5,000 foreign rules against ansible.builtin.ping. Not part of `make test`.
#
# Usage: benchmarks/firewall/run.sh [--check-goals] [--reps N] [--idem-reps N] [--ports N] [--rules N]
#                                   [--backends iptables,firewalld,ufw] [--idem-backends nftables,iptables]
#                                   [--no-profile] [--json-out FILE]
# Env:   PATH gets .venv/bin first; lab images localhost/webedge-lab:debian12{,-iptables,-firewalld,-ufw}.
# Goals: peer/ours >= 10x on every backend, and the idempotent re-run within 2x of ping
#        (checked only with --check-goals: exit 1 when one is missed).
# Every lab host is a fresh container named bench-fw-*, on --network none; all are removed on exit.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export PATH="$repo/.venv/bin:$PATH"

work=$(mktemp -d /tmp/bench-firewall.XXXXXX)
cleanup() {
  local names
  names=$(podman ps -a --format '{{.Names}}' | grep '^bench-fw-' || true)
  [ -n "$names" ] && podman rm -f $names >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

source "$here/../lib.sh"
expose_collection "$work"   # the checkout, or HEAD with BENCH_SOURCE=head

python3 "$here/bench.py" --work "$work" "$@"
