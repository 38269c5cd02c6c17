#!/usr/bin/env bash
# Install and configure what the lab needs on the machine that runs it:
# podman with the runc runtime, debootstrap, and the podman settings this
# kind of machine needs (see lab-notes: crun fails on hybrid cgroups and the
# default ulimits exceed the hard limits). Safe to run twice; quick when done.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

packages=(podman runc debootstrap uidmap containernetworking-plugins iptables nftables
          openssl curl testssl.sh rsync make git
          chromium)  # chromium: headless screenshots of the HTML reports (make demo)
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
  say "writing $conf (runc runtime, cgroupfs, ulimits within this machine's hard limits)"
  as_root mkdir -p /etc/containers
  as_root cp "$want" "$conf"
fi
