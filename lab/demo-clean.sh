#!/usr/bin/env bash
# `make demo-clean`: remove the demo fleet's lab hosts.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mapfile -t names < <(podman ps -a --filter label=webedge.lab=demo --format '{{.Names}}' 2>/dev/null || true)
((${#names[@]})) && bash "$root/lab/fleet.sh" down "${names[@]}"
echo "demo fleet removed"
