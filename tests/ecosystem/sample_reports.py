# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write sample report folders for validate_reports.py, beside the real runs of the lab scenario.

Usage: sample_reports.py OUT

OUT/repo is a user's repository (an INI inventory naming web1 and web2, a dynamic inventory script
for the third host); the sample fleet of the unit tests is reported with the hosts located in it:
- OUT/failing: web2 and the third host fail controls (results at the inventory line, and at the
  script);
- OUT/passing: web1 alone, nothing fails (an empty SARIF result list);
- OUT/unplaced: the same fleet with no source found (endpoint-only runs, inventories elsewhere);
- OUT/broken: a copy of OUT/failing whose first SARIF result lost its location and whose JUnit
  carries an attribute the schema forbids: validate_reports.py must reject it (the stage checks).
"""

from __future__ import annotations

import json
import os
import sys

from ansible_collections.webedge.https.plugins.plugin_utils.reporting.model import build_report
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.sources import locate_host
from ansible_collections.webedge.https.plugins.plugin_utils.reporting.writer import write_reports
from ansible_collections.webedge.https.tests.unit.helpers.reporting_fleet import HOSTILE, WHEN, sample_fleet


def make_repo(repo: str) -> str:
    os.makedirs(os.path.join(repo, "inventory"), exist_ok=True)
    with open(os.path.join(repo, "inventory", "hosts.ini"), "w", encoding="utf-8") as handle:
        handle.write("# the web fleet\n[web_servers]\nweb1 ansible_host=192.0.2.1\n  web2  ansible_host=192.0.2.2\n")
    script = os.path.join(repo, "inventory", "cloud.py")
    with open(script, "w", encoding="utf-8") as handle:
        handle.write("#!/usr/bin/env python3\nimport json\nprint(json.dumps({'_meta': {'hostvars': {}}}))\n")
    os.chmod(script, 0o755)
    return repo


def main() -> int:
    out = sys.argv[1]
    repo = make_repo(os.path.join(out, "repo"))
    fleet = sample_fleet()
    inventories = {"web1": "hosts.ini", "web2": "hosts.ini", HOSTILE: "cloud.py"}
    sources = {
        name: locate_host(
            name,
            source_root=repo,
            inventory_file=os.path.join(repo, "inventory", inventory),
            inventory_dir=os.path.join(repo, "inventory"),
        ).to_dict()
        for name, inventory in inventories.items()
    }
    write_reports(build_report(fleet, fail_on="high", generated_at=WHEN, sources=sources), os.path.join(out, "failing"))
    passing = {"web1": fleet["web1"]}
    write_reports(build_report(passing, generated_at=WHEN, sources=sources), os.path.join(out, "passing"))
    write_reports(build_report(fleet, generated_at=WHEN), os.path.join(out, "unplaced"))

    broken = os.path.join(out, "broken")
    write_reports(build_report(fleet, fail_on="high", generated_at=WHEN, sources=sources), broken)
    with open(os.path.join(broken, "compliance.sarif"), encoding="utf-8") as handle:
        log = json.load(handle)
    del log["runs"][0]["results"][0]["locations"]
    with open(os.path.join(broken, "compliance.sarif"), "w", encoding="utf-8") as handle:
        json.dump(log, handle, indent=2)
    junit = os.path.join(broken, "compliance-junit.xml")
    with open(junit, encoding="utf-8") as handle:
        text = handle.read().replace("<testsuites ", '<testsuites skipped="0" ', 1)
    with open(junit, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(f"sample reports in {out}: failing passing unplaced broken")
    return 0


if __name__ == "__main__":
    sys.exit(main())
