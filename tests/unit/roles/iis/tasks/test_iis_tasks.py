# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/iis/tasks/: the certificate material and the PKCS#12 archive stay in no_log tasks, and reach the
host only as sensitive parameters of win_powershell."""

from __future__ import annotations

import re

import yaml

from ansible_collections.webedge.https.tests.unit.helpers.roles import tasks


def test_every_task_that_carries_the_pfx_has_no_log():
    # a task that reads __iis_pfx (the archive and its password), or the PEM material
    reads = re.compile(r"__iis_pfx(\[|\s*\||\.)|__iis_material\[")
    carrying = [t for t in tasks("iis") if reads.search(yaml.safe_dump(t)) and not t["name"].startswith("Validate the")]
    assert len(carrying) >= 2  # the packing and the import
    assert all(t.get("no_log") is True for t in carrying), [t["name"] for t in carrying if t.get("no_log") is not True]


def test_the_visible_certificate_task_strips_the_secrets():
    (task,) = [t for t in tasks("iis", "certificates.yml") if t["name"].startswith("Validate the site certificates")]
    assert "no_log" not in task
    assert "rejectattr('key', 'in', ['pfx_base64', 'password'])" in task["vars"]["__iis_public"]


def test_powershell_secrets_go_through_sensitive_parameters():
    for task in tasks("iis"):
        module = task.get("ansible.windows.win_powershell")
        if module is None:
            continue
        assert "pfx" not in yaml.safe_dump(module.get("parameters", {})).lower(), task["name"]
