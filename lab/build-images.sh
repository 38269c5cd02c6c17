#!/usr/bin/env bash
# Build the lab images from Debian's packages: a minimal base per release by
# debootstrap + podman import, then the host layer (lab/images/host.Containerfile).
# Each image carries a label with the hash of its definition and is rebuilt
# only when that hash changes. Usage: build-images.sh [12] [13]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
releases=("$@"); ((${#releases[@]})) || releases=(12 13)
mirror=${LAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}

codename() { case $1 in 12) echo bookworm;; 13) echo trixie;; *) die "unknown Debian release $1";; esac; }
image_hash() { podman image inspect --format '{{index .Labels "webedge.lab.hash"}}' "$1" 2>/dev/null || true; }

build_base() {  # $1 = release
  local rel=$1 name="localhost/webedge-debian:$1-base" code hash root
  code=$(codename "$rel")
  hash=$(printf "base-v1 %s %s" "$code" "$mirror" | sha256sum | cut -c1-16)  # bump v1 to force a rebuild
  if [ "$(image_hash "$name")" = "$hash" ]; then say "$name is up to date"; return; fi
  root=$(mktemp -d /var/tmp/webedge-debootstrap.XXXXXX)
  with_progress "debootstrap Debian $rel ($code) into $root" \
    debootstrap --variant=minbase --include=ca-certificates "$code" "$root" "$mirror"
  printf 'deb %s %s main\n' "$mirror" "$code" > "$root/etc/apt/sources.list"
  with_progress "importing $name" \
    bash -c "tar -C '$root' -c . | podman import --change 'LABEL webedge.lab.hash=$hash' --change 'CMD [\"/bin/bash\"]' - '$name'"
  rm -rf "$root"
}

# --network host for builds: under netavark the build network has no working DNS
# here, and RUN apt-get must reach Debian's mirror (builds send nothing to the lab).
build_host() {  # $1 = release
  local rel=$1 name="localhost/webedge-lab:debian$1" base="localhost/webedge-debian:$1-base" hash
  hash=$(cat "$here/images/host.Containerfile" "$here/images/ssh-hostkeys.service" <(image_hash "$base") | sha256sum | cut -c1-16)
  if [ "$(image_hash "$name")" = "$hash" ]; then say "$name is up to date"; return; fi
  with_progress "building $name" \
    podman build --network host --build-arg "BASE=$base" --label "webedge.lab.hash=$hash" \
      -t "$name" -f "$here/images/host.Containerfile" "$here/images"
}

# Firewall variants: name, packages, units left disabled (a scenario enables them).
variants=(
  "firewalld|firewalld|firewalld"
  "ufw|ufw|ufw"
  "iptables|iptables-persistent netfilter-persistent|netfilter-persistent"
  # not a firewall: the compliance lab's other TLS stacks (extensions/molecule/compliance)
  "tls|gnutls-bin stunnel4 haproxy lighttpd lighttpd-mod-openssl|haproxy lighttpd"
  # the exposure scenario (extensions/molecule/exposure): podman (netavark, crun) inside a lab host behind
  # each firewall, busybox for the container it runs, nmap for the scanning host
  "exposure|podman netavark aardvark-dns crun busybox-static nmap|podman.socket"
  "exposure-firewalld|firewalld podman netavark aardvark-dns crun busybox-static|firewalld podman.socket"
  "exposure-ufw|ufw podman netavark aardvark-dns crun busybox-static|ufw podman.socket"
)
build_variant() {  # $1 = release, $2 = "name|packages|units"
  local rel=$1 vname pkgs units name base="localhost/webedge-lab:debian$1" hash
  IFS='|' read -r vname pkgs units <<<"$2"
  name="localhost/webedge-lab:debian$rel-$vname"
  hash=$(cat "$here/images/variant.Containerfile" <(echo "$2") <(image_hash "$base") | sha256sum | cut -c1-16)
  if [ "$(image_hash "$name")" = "$hash" ]; then say "$name is up to date"; return; fi
  with_progress "building $name" \
    podman build --network host --build-arg "BASE=$base" --build-arg "PACKAGES=$pkgs" --build-arg "DISABLE=$units" \
      --label "webedge.lab.hash=$hash" -t "$name" -f "$here/images/variant.Containerfile" "$here/images"
}

# The lab's ACME server (Debian 12 only): Debian's pebble package on a lab host (lab/images/pebble/).
build_pebble() {  # $1 = release
  local rel=$1 name="localhost/webedge-lab:debian$1-pebble" base="localhost/webedge-lab:debian$1" hash
  hash=$(cat "$here"/images/pebble/* <(image_hash "$base") | sha256sum | cut -c1-16)
  if [ "$(image_hash "$name")" = "$hash" ]; then say "$name is up to date"; return; fi
  with_progress "building $name" \
    podman build --network host --build-arg "BASE=$base" --label "webedge.lab.hash=$hash" \
      -t "$name" -f "$here/images/pebble/Containerfile" "$here/images/pebble"
}

for rel in "${releases[@]}"; do
  build_base "$rel"
  build_host "$rel"
  for v in "${variants[@]}"; do build_variant "$rel" "$v"; done
  if [ "$rel" = 12 ]; then build_pebble "$rel"; fi
done
podman image prune -f >/dev/null 2>&1 || true
