#!/usr/bin/env bash
# Start or remove lab hosts for the demo: real Debian systems (systemd as PID 1)
# on the internal lab network, reached by Ansible through podman exec.
#   fleet.sh up NAME:IMAGE[@IPV4[,IPV6]] ...   start (replacing stale ones) and wait for boot
#   fleet.sh down NAME [NAME ...]              remove
# A fixed address (inside the lab subnets) lets the inventory name it; without
# one podman picks the next free address.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
action=${1:-}; shift || true
case $action in
up)
  for spec in "$@"; do
    name=${spec%%:*} rest=${spec#*:}
    image=${rest%%@*} addrs=()
    if [[ $rest == *@* ]]; then
      IFS=, read -r ip4 ip6 <<<"${rest#*@}"
      [ -n "$ip4" ] && addrs+=(--ip "$ip4")
      [ -n "${ip6:-}" ] && addrs+=(--ip6 "$ip6")
    fi
    podman rm -f "$name" >/dev/null 2>&1 || true   # a leftover from an interrupted run
    say "starting lab host $name ($image${addrs[*]:+ ${addrs[*]}})"
    podman run -d --name "$name" --hostname "$name" --systemd=always \
      --cap-add NET_ADMIN,NET_RAW --network "$LAB_NETWORK" "${addrs[@]}" --label webedge.lab=demo \
      "$image" /sbin/init >/dev/null
  done
  for spec in "$@"; do
    name=${spec%%:*} state=unknown
    for i in $(seq 1 90); do
      state=$(podman exec "$name" systemctl is-system-running 2>/dev/null || true)
      case $state in running|degraded) break;; esac
      ((i % 8 == 0)) && say "$name: still booting (systemd: ${state:-starting}, ${i}s)"
      sleep 1
    done
    case $state in
      running|degraded) say "$name: systemd $state" ;;
      *) die "$name did not finish booting in 90s (systemd: ${state:-no answer})" ;;
    esac
  done
  ;;
down)
  for name in "$@"; do podman rm -f "$name" >/dev/null 2>&1 || true; done
  ;;
*) die "usage: fleet.sh up NAME:IMAGE[@IPV4[,IPV6]]... | down NAME..." ;;
esac
