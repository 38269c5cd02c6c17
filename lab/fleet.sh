#!/usr/bin/env bash
# Start or remove lab hosts for the demo: real Debian systems (systemd as PID 1)
# on the internal lab network, reached by Ansible through podman exec.
#   fleet.sh up NAME:IMAGE [NAME:IMAGE ...]   start (replacing stale ones) and wait for boot
#   fleet.sh down NAME [NAME ...]             remove
set -euo pipefail
source "$(dirname "$0")/lib.sh"
action=$1; shift
case $action in
up)
  for spec in "$@"; do
    name=${spec%%:*} image=${spec#*:}
    podman rm -f "$name" >/dev/null 2>&1 || true   # a leftover from an interrupted run
    say "starting lab host $name ($image)"
    podman run -d --name "$name" --hostname "$name" --systemd=always \
      --cap-add NET_ADMIN,NET_RAW --network "$LAB_NETWORK" --label webedge.lab=demo \
      "$image" /sbin/init >/dev/null
  done
  for spec in "$@"; do
    name=${spec%%:*}
    for _ in $(seq 1 60); do
      state=$(podman exec "$name" systemctl is-system-running 2>/dev/null || true)
      case $state in running|degraded) break;; esac
      sleep 1
    done
    say "$name: systemd $state"
  done
  ;;
down)
  for name in "$@"; do podman rm -f "$name" >/dev/null 2>&1 || true; done
  ;;
*) die "usage: fleet.sh up NAME:IMAGE... | down NAME..." ;;
esac
