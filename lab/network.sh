#!/usr/bin/env bash
# The lab network: an internal podman bridge (no route out of the machine),
# dual stack so every scenario can prove IPv4 and IPv6 with real packets.
# netavark brings the bridge (and its address) up with the first container on
# the network, so a small anchor container keeps it up; then the containment
# guard checks that the kernel routes each lab subnet to the bridge and never to
# a gateway (lab/containment.py). Needs the base image (make images).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
if podman network exists "$LAB_NETWORK"; then
  internal=$(podman network inspect --format '{{.Internal}}' "$LAB_NETWORK")
  [ "$internal" = "true" ] || die "podman network $LAB_NETWORK exists but is not --internal; remove it"
else
  say "creating internal network $LAB_NETWORK ($LAB_SUBNET4, $LAB_SUBNET6)"
  podman network create --internal --ipv6 --subnet "$LAB_SUBNET4" --subnet "$LAB_SUBNET6" "$LAB_NETWORK" >/dev/null
fi
# Unreachable fallback routes first, so nothing can leave even before the bridge is up.
python3 "$here/containment.py" --network "$LAB_NETWORK" --allow-down --quiet
anchor=webedge-lab-anchor
if [ "$(podman inspect --format '{{.State.Running}}' "$anchor" 2>/dev/null)" != true ]; then
  podman rm -f "$anchor" >/dev/null 2>&1 || true   # a leftover from an earlier boot
  podman run -d --name "$anchor" --label webedge.lab=anchor --network "$LAB_NETWORK" \
    localhost/webedge-debian:12-base sleep infinity >/dev/null
fi
python3 "$here/containment.py" --network "$LAB_NETWORK"
