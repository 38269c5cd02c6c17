# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/nginx/vars/main.yml: what the safe apply removes (site files of sites no longer listed, the
distribution's default site) and what it hands to the shared steps, rendered by Ansible's templar."""

from __future__ import annotations

from typing import Any, Dict

from ansible_collections.webedge.https.tests.unit.helpers.roles import load, render

ROLE = {**load("nginx", "defaults/main.yml"), **load("nginx", "vars/main.yml")}
SITES = [{"name": "www", "server_names": ["www.lab.test"]}, {"name": "api", "server_names": ["api.lab.test"]}]


def found(*names: str) -> Dict[str, Any]:
    return {"files": [{"path": f"/etc/nginx/conf.d/webedge-site-{n}.conf", "islnk": False} for n in names]}


def variables(**registered: Any) -> Dict[str, Any]:
    return {**ROLE, "nginx_sites": SITES, **registered}


def test_site_files_of_sites_no_longer_listed_are_removed():
    context = variables(__nginx_found=found("www", "old", "api"), __nginx_default_stat={"skipped": True})
    assert render("{{ __nginx_stale_files }}", context) == ["/etc/nginx/conf.d/webedge-site-old.conf"]
    assert render("{{ __nginx_stale_links }}", context) == []


def test_the_default_site_link_is_removed_with_its_target_kept_for_a_rollback():
    stat = {"stat": {"exists": True, "islnk": True, "isreg": False, "lnk_target": "/etc/nginx/sites-available/default"}}
    context = variables(__nginx_found={"skipped": True}, __nginx_default_stat=stat)
    assert render("{{ __nginx_stale_files }}", context) == []
    assert render("{{ __nginx_stale_links }}", context) == [
        {"path": "/etc/nginx/sites-enabled/default", "link": "/etc/nginx/sites-available/default"}
    ]


def test_a_default_site_that_is_a_regular_file_is_removed_with_a_copy():
    stat = {"stat": {"exists": True, "islnk": False, "isreg": True}}
    context = variables(__nginx_found=found("www"), __nginx_default_stat=stat)
    assert render("{{ __nginx_stale_files }}", context) == ["/etc/nginx/sites-enabled/default"]


def test_nothing_is_removed_when_purging_and_the_default_site_are_left_alone():
    # the find and stat tasks are skipped (nginx_purge_sites, nginx_remove_default_site false)
    context = variables(__nginx_found={"skipped": True}, __nginx_default_stat={"skipped": True})
    assert render("{{ __nginx_stale_files + __nginx_stale_links }}", context) == []
    # ... or the default site does not exist
    context = variables(__nginx_found={"files": []}, __nginx_default_stat={"stat": {"exists": False}})
    assert render("{{ __nginx_stale_files + __nginx_stale_links }}", context) == []
