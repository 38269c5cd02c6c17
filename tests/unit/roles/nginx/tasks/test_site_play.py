# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/site.yml, the Linux play that runs the nginx (or Apache) role: the tls role is imported (its tasks are
the play's, without an include task per host), the web server role is one include chosen by the host's group."""

from __future__ import annotations

import yaml

from ansible_collections.webedge.https.tests.unit.helpers.roles import ROOT


def test_the_tls_role_is_imported_and_the_web_server_role_is_one_include():
    plays = yaml.safe_load((ROOT / "playbooks" / "site.yml").read_text())
    (linux,) = [p for p in plays if p["hosts"] == "nginx_servers:apache_servers"]
    roles = [(key, t[key]) for t in linux["tasks"] for key in t if key.endswith("_role")]
    imported = [args for key, args in roles if key == "ansible.builtin.import_role"]
    assert [args["name"] for args in imported] == ["webedge.https.tls"]
    assert "tasks_from" not in imported[0]
    included = [args["name"] for key, args in roles if key == "ansible.builtin.include_role"]
    # the web server (by group, one task) and the ACME entry point (after the web server serves the challenges)
    assert included == [
        "webedge.https.{{ 'nginx' if inventory_hostname in groups['nginx_servers'] | default([]) else 'apache' }}",
        "webedge.https.tls",
    ]
