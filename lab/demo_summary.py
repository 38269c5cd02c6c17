"""Print the `make demo` fleet summary: one row per lab host.

Usage: demo_summary.py BEFORE.json AFTER.json INVENTORY.json FIREWALL_DIR

BEFORE/AFTER are the compliance reports (compliance.json) of the two audits, INVENTORY the output
of `ansible-inventory --list`, FIREWALL_DIR the tree of `ansible -m webedge.https.firewall_info -t`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Dict, List


def load(path: str) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def counts(report: Dict[str, Any]) -> Dict[str, Dict[str, int]]:
    out = {}
    for host in report.get("hosts", []):
        c = host.get("counts", {})
        out[host["name"]] = {"passed": c.get("pass", 0), "failed": c.get("fail", 0) + c.get("error", 0)}
    return out


def server_of(name: str, inventory: Dict[str, Any]) -> str:
    for group, label in (("nginx_servers", "nginx"), ("apache_servers", "Apache"), ("iis_servers", "IIS")):
        if name in inventory.get(group, {}).get("hosts", []):
            return label
    return "?"


def backend_of(name: str, firewall_dir: Path) -> str:
    path = firewall_dir / name
    if not path.is_file():
        return "?"
    info = json.loads(path.read_text(encoding="utf-8"))
    active = info.get("active_backends") or []
    if not active:
        return "none"
    variant = next((b.get("variant") for b in info.get("backends", []) if b.get("name") == active[0]), None)
    return active[0] + (f" ({variant})" if variant else "")


def table(rows: List[List[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: List[str]) -> int:
    before, after = load(argv[1]), load(argv[2])
    inventory, firewall_dir = load(argv[3]), Path(argv[4])
    hostvars = inventory.get("_meta", {}).get("hostvars", {})
    b, a = counts(before), counts(after)
    rows = [["host", "firewall backend", "server", "TLS profile", "before: passed/failed", "after: passed/failed"]]
    for name in sorted(set(b) | set(a)):
        server = server_of(name, inventory)
        hv = hostvars.get(name, {})
        profile = hv.get("nginx_tls_profile" if server == "nginx" else "apache_tls_profile", "intermediate")
        rows.append(
            [
                name,
                backend_of(name, firewall_dir),
                server,
                str(profile),
                "{passed}/{failed}".format(**b.get(name, {"passed": 0, "failed": 0})),
                "{passed}/{failed}".format(**a.get(name, {"passed": 0, "failed": 0})),
            ]
        )
    print()
    print("Fleet summary (controls of the compliance catalog per host; failed includes undecided)")
    print()
    print(table(rows))
    print()
    for label, report in (("before", before), ("after", after)):
        s = report.get("summary", {})
        verdict = "FAILED" if s.get("threshold_exceeded") else "passed"
        failing = ", ".join(s.get("threshold_failures") or []) or "none"
        print(
            f"{label:>6}: {s.get('hosts_passing', 0)}/{s.get('hosts', 0)} hosts pass; gate (fail_on "
            f"{report.get('fail_on', '?')}) {verdict}; controls over the threshold: {failing}"
        )
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
