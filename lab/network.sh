#!/usr/bin/env bash
# The lab network: an internal podman bridge (no route out of the machine),
# dual stack so every scenario can prove IPv4 and IPv6 with real packets.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
if podman network exists "$LAB_NETWORK"; then
  internal=$(podman network inspect --format '{{.Internal}}' "$LAB_NETWORK")
  [ "$internal" = "true" ] || die "podman network $LAB_NETWORK exists but is not --internal; remove it"
  exit 0
fi
say "creating internal network $LAB_NETWORK ($LAB_SUBNET4, $LAB_SUBNET6)"
podman network create --internal --ipv6 --subnet "$LAB_SUBNET4" --subnet "$LAB_SUBNET6" "$LAB_NETWORK" >/dev/null
