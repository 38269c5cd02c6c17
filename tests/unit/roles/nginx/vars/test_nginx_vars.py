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
    return {
        "files": [{"path": f"/etc/nginx/conf.d/webedge-site-{n}.conf", "islnk": False, "isreg": True} for n in names]
    }


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
    # one find over both directories (tasks/apply.yml) finds the default site; no stat is needed for a file
    files = found("www")["files"] + [{"path": "/etc/nginx/sites-enabled/default", "islnk": False, "isreg": True}]
    context = variables(__nginx_found={"files": files}, __nginx_default_stat={"skipped": True})
    assert render("{{ __nginx_default_found | selectattr('islnk') | list }}", context) == []
    assert render("{{ __nginx_stale_files }}", context) == ["/etc/nginx/sites-enabled/default"]


def test_the_find_says_when_the_default_site_is_a_link_whose_target_the_stat_reads():
    files = [{"path": "/etc/nginx/sites-enabled/default", "islnk": True, "isreg": False}]
    context = variables(__nginx_found={"files": files}, __nginx_default_stat={"skipped": True})
    # Compared as text: ansible-core 2.17 and 2.18 render the number so.
    assert str(render("{{ __nginx_default_found | selectattr('islnk') | list | length }}", context)) == "1"
    assert render("{{ __nginx_stale_files }}", context) == []


def test_only_our_site_files_in_the_conf_dir_are_purged():
    files = [
        {"path": "/etc/nginx/conf.d/webedge-site-old.conf", "islnk": True, "isreg": False},  # a link: left alone
        {"path": "/etc/nginx/sites-enabled/webedge-site-old.conf", "islnk": False, "isreg": True},  # not the conf dir
        {"path": "/etc/nginx/conf.d/default", "islnk": False, "isreg": True},  # not the default site's path
    ]
    context = variables(__nginx_found={"files": files}, __nginx_default_stat={"skipped": True})
    assert render("{{ __nginx_stale_files + __nginx_stale_links }}", context) == []
    # nginx_purge_sites false: site files are kept even when the find ran for the default site
    context = variables(__nginx_found=found("old"), __nginx_default_stat={"skipped": True}, nginx_purge_sites=False)
    assert render("{{ __nginx_stale_files }}", context) == []


def test_the_version_is_read_again_only_when_the_first_read_found_no_nginx():
    before = {"rc": 2, "stderr": "", "msg": "[Errno 2] No such file or directory: b'nginx'"}
    after = {"rc": 0, "stderr": "nginx version: nginx/1.22.1\nbuilt with OpenSSL 3.0.20 7 Apr 2026\n"}
    context = variables(__nginx_build_found=before, __nginx_build_installed=after)
    assert render("{{ __nginx_version }} {{ __nginx_openssl_version }}", context) == "1.22.1 3.0.20"
    context = variables(__nginx_build_found=after, __nginx_build_installed={"skipped": True, "changed": False})
    assert render("{{ __nginx_version }}", context) == "1.22.1"
    # tasks/install.yml not included (nginx found): a second read left by an earlier run of the role is not used
    older = {"rc": 0, "stderr": "nginx version: nginx/1.18.0\n"}
    context = variables(__nginx_build_found=after, __nginx_build_installed=older)
    assert render("{{ __nginx_version }}", context) == "1.22.1"


def test_nothing_is_removed_when_purging_and_the_default_site_are_left_alone():
    # the find and stat tasks are skipped (nginx_purge_sites, nginx_remove_default_site false)
    context = variables(__nginx_found={"skipped": True}, __nginx_default_stat={"skipped": True})
    assert render("{{ __nginx_stale_files + __nginx_stale_links }}", context) == []
    # ... or the default site does not exist
    context = variables(__nginx_found={"files": []}, __nginx_default_stat={"stat": {"exists": False}})
    assert render("{{ __nginx_stale_files + __nginx_stale_links }}", context) == []
