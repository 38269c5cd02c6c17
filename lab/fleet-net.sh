#!/usr/bin/env bash
# The benchmark fleet's own network (benchmarks/fleet): an internal podman bridge beside the lab's,
# so that 10 to 50 benchmark hosts never share addresses with `make demo` or the molecule scenarios.
#   fleet-net.sh up     create webedge-fleet (10.89.44.0/24, fd42:89:44::/64) if missing, add the
#                       unreachable fallback routes, start its anchor, then run the containment guard
#   fleet-net.sh down   remove the anchor and the network (the fallback routes stay: they only ever
#                       make a packet to those subnets fail instead of leaving the machine)
# Like lab/network.sh: netavark brings the bridge up with the first container on the network, so a
# small anchor container keeps it up, and lab/containment.py must pass before any packet is sent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
FLEET_NETWORK=${FLEET_NETWORK:-webedge-fleet}
FLEET_SUBNET4=${FLEET_SUBNET4:-10.89.44.0/24}
FLEET_SUBNET6=${FLEET_SUBNET6:-fd42:89:44::/64}
# The anchor's own addresses, above the hosts' (bench.py numbers them from .11): without them netavark gives it
# the address after the last one it handed out on a network of that name, which may be a host's.
FLEET_ANCHOR4=${FLEET_ANCHOR4:-10.89.44.254}
FLEET_ANCHOR6=${FLEET_ANCHOR6:-fd42:89:44::fe}
anchor=$FLEET_NETWORK-anchor
case ${1:-} in
up)
  # Every systemd container takes inotify instances of the machine's (root's) budget: at 128, the
  # kernel default, hosts past the twentieth or so hang in "initializing" ("Failed to create inotify
  # object: Too many open files"). Raise the limits (never lower them) for a fleet of 50.
  for setting in fs.inotify.max_user_instances=8192 fs.inotify.max_user_watches=1048576; do
    key=${setting%%=*} want=${setting#*=}
    have=$(sysctl -n "$key")
    if ((have < want)); then say "raising $key from $have to $want (50 systemd hosts)"; as_root sysctl -qw "$setting"; fi
  done
  if podman network exists "$FLEET_NETWORK"; then
    internal=$(podman network inspect --format '{{.Internal}}' "$FLEET_NETWORK")
    [ "$internal" = "true" ] || die "podman network $FLEET_NETWORK exists but is not --internal; remove it"
  else
    say "creating internal network $FLEET_NETWORK ($FLEET_SUBNET4, $FLEET_SUBNET6)"
    podman network create --internal --ipv6 --subnet "$FLEET_SUBNET4" --subnet "$FLEET_SUBNET6" \
      "$FLEET_NETWORK" >/dev/null
  fi
  python3 "$here/containment.py" --network "$FLEET_NETWORK" --allow-down --quiet
  if [ "$(podman inspect --format '{{.State.Running}}' "$anchor" 2>/dev/null)" != true ]; then
    podman rm -f "$anchor" >/dev/null 2>&1 || true
    podman run -d --name "$anchor" --label webedge.lab=fleet-anchor --network "$FLEET_NETWORK" \
      --ip "$FLEET_ANCHOR4" --ip6 "$FLEET_ANCHOR6" localhost/webedge-debian:12-base sleep infinity >/dev/null
  fi
  python3 "$here/containment.py" --network "$FLEET_NETWORK" --quiet
  ;;
down)
  podman rm -f "$anchor" >/dev/null 2>&1 || true
  if podman network exists "$FLEET_NETWORK"; then
    podman network rm -f "$FLEET_NETWORK" >/dev/null 2>&1 || true
  fi
  ;;
*) die "usage: fleet-net.sh up|down" ;;
esac
