#!/usr/bin/env bash
# `make demo`: start the lab fleet and run the main job against it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/lab/lib.sh"
bash "$root/lab/fleet.sh" up web1:localhost/webedge-lab:debian12
say "running playbooks/demo/first.yml against the lab fleet"
ansible-playbook -i "$root/inventory/lab/hosts.yml" "$root/playbooks/demo/first.yml"
say "the fleet keeps running; remove it with: make demo-clean"
