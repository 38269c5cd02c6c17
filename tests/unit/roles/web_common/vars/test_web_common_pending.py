# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/web_common/vars/main.yml, __web_common_pending: web_common's part of the question the nginx and Apache roles
ask before they include their apply (begin, their writes, commit). Over every combination of what the read can find,
it says yes when any of begin's or commit's steps would do something, and when it says no, every one of them is
skipped: the certificate loop is empty, no OCSP read runs (the read itself reads the responders of certificates that
are there before it), and commit's include is not included."""

from __future__ import annotations

import itertools
from typing import Any, Dict

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.roles import load, render, task

VARS = load("web_common", "vars/main.yml")
TRIGGERS = ["certificate", "stapling", "remove_file", "remove_link", "unloaded", "directory", "leftover"]


def variables(on: Dict[str, bool], keep_backups: bool) -> Dict[str, Any]:
    # stapling with a chain: begin.yml reads the responder only of a certificate it installs
    site = {"name": "www", "install_certificate": on["certificate"], "ocsp_stapling": True, "chain_path": None}
    if on["stapling"]:
        site["chain_path"] = "/etc/nginx/tls/www.chain.pem"
    other = {"name": "api", "install_certificate": False, "ocsp_stapling": False, "chain_path": "/etc/api.chain.pem"}
    found = {
        "unloaded": [],
        "directories": ["/var/www/acme"] if on["directory"] else [],
        "leftovers": ["/etc/nginx/conf.d/a.conf.1.2024-01-01@00:00:00~"] if on["leftover"] else [],
    }
    return {
        **VARS,
        "web_common_sites": [site, other],
        "web_common_remove_files": ["/etc/nginx/conf.d/old.conf"] if on["remove_file"] else [],
        "web_common_remove_links": [{"path": "/etc/nginx/sites-enabled/default"}] if on["remove_link"] else [],
        "web_common_keep_backups": keep_backups,
        "__web_common_unloaded": {"changed": on["unloaded"], "stdout": ""},
        # the read's findings, as web_files_state gives them (without this run's plan, and with it: the same here)
        "__web_common_found": found,
        "__web_common_state": found,
        # nothing of this run registered yet: the apply has not run
        "web_common_written": [],
        "web_common_rollback_commands": [],
    }


def begin_and_commit_would_act(values: Dict[str, Any]) -> bool:
    certificates = render(task("web_common", "begin.yml", "Install the site certificates and keys")["loop"], values)
    ocsp = task(
        "web_common", "begin.yml", "Read the OCSP responder of each certificate installed here that comes with a chain"
    )
    ocsp_runs = [render("{{ " + ocsp["when"] + " }}", {**values, "item": s}) for s in values["web_common_sites"]]
    (commit,) = load("web_common", "tasks/commit.yml")
    commit_included = render("{{ " + commit["when"] + " }}", {**values, "ansible_check_mode": False})
    return bool(certificates) or any(ocsp_runs) or bool(commit_included)


@pytest.mark.parametrize("keep_backups", [False, True])
def test_pending_exactly_when_begin_or_commit_would_act(keep_backups: bool) -> None:
    for combination in itertools.product([False, True], repeat=len(TRIGGERS)):
        on = dict(zip(TRIGGERS, combination))
        values = variables(on, keep_backups)
        pending = render("{{ __web_common_pending }}", values)
        assert pending is begin_and_commit_would_act(values), on
        # and each trigger alone is enough (a kept copy is not a leftover to remove; a chain to staple alone is not:
        # the read read its responder)
        expected = any(v for k, v in on.items() if k not in ("leftover", "stapling"))
        expected = expected or (on["leftover"] and not keep_backups)
        assert pending is expected, on


def test_the_leftovers_are_counted_without_the_runs_plan_never_fewer() -> None:
    # before the apply, no plan excludes this run's copies: every copy the read finds counts
    assert "exclude" not in VARS["__web_common_found"]
    assert "exclude" in VARS["__web_common_state"]
