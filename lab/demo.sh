#!/usr/bin/env bash
# `make demo`: the main job on a lab fleet of four hosts (inventory/lab), one per firewall:
#   web1 debian12           nftables   nginx
#   web2 debian12-iptables  iptables   Apache
#   web3 debian12-firewalld firewalld  nginx
#   web4 debian13-ufw       ufw        Apache
# and the lab's ACME server, Pebble (host acme, debian12-pebble), which issues their certificates.
# 1. start the fleet (lab/fleet.sh) and give each host its own policy-drop firewall
# 2. make Pebble ready (it resolves the hosts' names; this machine gets its CA, root and an account key)
# 3. compliance audit: fails, the fleet serves nothing yet (expected)
# 4. site.yml in check mode (predicts, changes nothing), then for real: firewall, a key made on each
#    host, its certificate from Pebble over HTTP-01 (ACME), nginx / Apache
# 5. compliance audit again: passes
# 6. a fleet summary, the reports (HTML, JUnit, SARIF, JSON, Markdown) and a screenshot of the HTML one
# The Makefile has installed what this needs (Debian packages, .venv, lab images, network).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/lab/lib.sh"
cd "$root"
inventory=$root/inventory/lab
reports=$root/reports
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$root/.build/collections}
export ANSIBLE_FORCE_COLOR=${ANSIBLE_FORCE_COLOR:-1}
export ANSIBLE_STDOUT_CALLBACK=${ANSIBLE_STDOUT_CALLBACK:-default}
export ANSIBLE_CALLBACKS_ENABLED=${ANSIBLE_CALLBACKS_ENABLED:-ansible.posix.profile_tasks}
export ANSIBLE_DISPLAY_SKIPPED_HOSTS=${ANSIBLE_DISPLAY_SKIPPED_HOSTS:-false}
start=$SECONDS
step() { say "[$((SECONDS-start))s] $*"; }
# ansible-playbook with a heartbeat: a long task (the audit probes, a service
# start) can run longer than ten seconds without printing anything.
playbook() {
  ( while sleep 8; do printf '  ... [%ss] still running\n' "$((SECONDS-start))" >&2; done ) &
  local heartbeat=$! rc=0
  ansible-playbook "$@" || rc=$?
  kill "$heartbeat" 2>/dev/null; wait "$heartbeat" 2>/dev/null || true
  return "$rc"
}

step "1/6 starting the lab fleet (inventory/lab)"
mapfile -t specs < <(ansible-inventory -i "$inventory" --list | python3 -c '
import json, sys
inv = json.load(sys.stdin)
for name, v in sorted(inv["_meta"]["hostvars"].items()):
    if "lab_image" in v:
        print(name + ":" + v["lab_image"] + "@" + v["lab_address"] + "," + v.get("lab_ipv6", ""))
')
((${#specs[@]})) || die "no lab hosts in $inventory"
bash "$root/lab/fleet.sh" up "${specs[@]}"
# Before the first packet to a lab address: the kernel must route the lab subnets to the bridge.
python3 "$root/lab/containment.py" || die "lab traffic would not stay on this machine (see above); nothing was sent"
playbook -i "$inventory" playbooks/demo/prepare-lab.yml

step "2/6 the lab ACME server (Pebble on host acme): names of the hosts, its CA and root, an account key"
playbook -i "$inventory" playbooks/demo/acme-lab.yml

audit() {  # $1 = report directory name
  rm -rf "${reports:?}/$1"
  playbook -i "$inventory" webedge.https.compliance -e "compliance_report_dest=$reports/$1"
}

step "3/6 compliance audit BEFORE (expected to fail: the fleet serves nothing yet)"
if audit demo-before; then
  die "the compliance audit passed before site.yml: the lab hosts are not fresh (make demo-clean, then make demo)"
fi
[ -s "$reports/demo-before/compliance.json" ] || die "the audit failed without writing its reports (see above)"
step "the audit failed as expected; its verdict and hosts (all findings: $reports/demo-before/compliance.md):"
sed -n '3,/^### /p' "$reports/demo-before/compliance.md" | sed '$d' >&2
step "continuing"

step "4/6 site.yml in check mode (predicts the changes, makes none)"
playbook -i "$inventory" webedge.https.site --check
step "4/6 site.yml: firewall, certificates (ACME from Pebble, keys made on the hosts), nginx / Apache"
playbook -i "$inventory" webedge.https.site

step "5/6 compliance audit AFTER (must pass)"
audit demo-after || die "the compliance audit failed after site.yml; see $reports/demo-after/compliance.md"

step "6/6 fleet summary and reports"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
ansible-inventory -i "$inventory" --list > "$work/inventory.json"
ANSIBLE_DEPRECATION_WARNINGS=false ansible -i "$inventory" web_servers -m webedge.https.firewall_info \
  -t "$work/firewall" -o > /dev/null \
  || die "could not read the firewalls of the lab hosts"
python3 "$root/lab/demo_summary.py" "$reports/demo-before/compliance.json" "$reports/demo-after/compliance.json" \
  "$work/inventory.json" "$work/firewall"
html=$(ls "$reports"/demo-after/*.html | head -1)
png=$reports/demo-after/report.png
rm -f "$png"
with_progress "rendering $html in headless chromium" bash "$root/tools/screenshot_report.sh" "$html" "$png"
[ -s "$png" ] || die "no screenshot at $png"
python3 - "$png" <<'EOF' || die "$png is not a usable PNG"
import struct, sys
data = open(sys.argv[1], "rb").read(32)
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
width, height = struct.unpack(">II", data[16:24])
assert width > 100 and height > 100, f"{width}x{height}"
EOF
say "reports before: $reports/demo-before/ (compliance.html, compliance-junit.xml, compliance.sarif, compliance.json, compliance.md)"
say "reports after:  $reports/demo-after/  (the same, and report.png: the HTML report as a browser shows it)"
step "done; the fleet keeps running (ansible-playbook -i inventory/lab ...); remove it with: make demo-clean"
