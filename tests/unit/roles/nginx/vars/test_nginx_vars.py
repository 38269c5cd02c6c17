# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/nginx/vars/main.yml: what the safe apply removes (site files of sites no longer listed, the
distribution's default site) and what it hands to the shared steps, rendered by Ansible's templar."""

from __future__ import annotations

from typing import Any, Dict

from ansible_collections.webedge.https.tests.unit.helpers.roles import load, render

ROLE = {**load("nginx", "defaults/main.yml"), **load("nginx", "vars/main.yml")}
SITES = [{"name": "www", "server_names": ["www.lab.test"]}, {"name": "api", "server_names": ["api.lab.test"]}]


def read(*lines: str) -> Dict[str, Any]:
    """The registered result of web_common's one read (begin step): find's lines, a link's target after it."""
    return {"stdout": "\n".join(lines) + "\n", "rc": 0}


def site_file(name: str, kind: str = "f") -> str:
    return f"{kind} 644 root root 1764800000.5 /etc/nginx/conf.d/webedge-site-{name}.conf"


def variables(**registered: Any) -> Dict[str, Any]:
    return {**ROLE, "nginx_sites": SITES, **registered}


def test_site_files_of_sites_no_longer_listed_are_removed():
    context = variables(__web_common_unloaded=read(*(site_file(n) for n in ("www", "old", "api"))))
    assert render("{{ __nginx_stale_files }}", context) == ["/etc/nginx/conf.d/webedge-site-old.conf"]
    assert render("{{ __nginx_stale_links }}", context) == []


def test_the_default_site_link_is_removed_with_its_target_kept_for_a_rollback():
    # the read prints a link's target on the line after it: no stat module run
    lines = ["l 777 root root 1764800000.5 /etc/nginx/sites-enabled/default", "-> /etc/nginx/sites-available/default"]
    context = variables(__web_common_unloaded=read(site_file("www"), *lines))
    assert render("{{ __nginx_stale_files }}", context) == []
    assert render("{{ __nginx_stale_links }}", context) == [
        {"path": "/etc/nginx/sites-enabled/default", "link": "/etc/nginx/sites-available/default"}
    ]


def test_a_default_site_that_is_a_regular_file_is_removed_with_a_copy():
    lines = [site_file("www"), "f 644 root root 1764800000.5 /etc/nginx/sites-enabled/default"]
    context = variables(__web_common_unloaded=read(*lines))
    assert render("{{ __nginx_stale_links }}", context) == []
    assert render("{{ __nginx_stale_files }}", context) == ["/etc/nginx/sites-enabled/default"]


def test_the_default_site_is_left_alone_when_it_is_not_to_be_removed():
    lines = ["l 777 root root 1764800000.5 /etc/nginx/sites-enabled/default", "-> /etc/nginx/sites-available/default"]
    context = variables(__web_common_unloaded=read(*lines), nginx_remove_default_site=False)
    assert render("{{ __nginx_stale_files + __nginx_stale_links }}", context) == []


def test_only_our_site_files_in_the_conf_dir_are_purged():
    lines = [
        site_file("old", "l"),  # a link: left alone
        "-> /somewhere/else.conf",
        "f 644 root root 1764800000.5 /etc/nginx/sites-enabled/webedge-site-old.conf",  # not the conf dir
        "f 644 root root 1764800000.5 /etc/nginx/conf.d/default",  # not the default site's path
        "f 644 root root 1764800000.5 /etc/nginx/conf.d/webedge-site-old.conf.4242.2026-12-03@19:35:36~",  # not .conf
        "d 755 root root 1764800000.5 /etc/nginx/conf.d/webedge-site-dir.conf",  # not a file
    ]
    context = variables(__web_common_unloaded=read(*lines))
    assert render("{{ __nginx_stale_files + __nginx_stale_links }}", context) == []
    # nginx_purge_sites false: site files are kept
    context = variables(__web_common_unloaded=read(site_file("old")), nginx_purge_sites=False)
    assert render("{{ __nginx_stale_files }}", context) == []
    context = variables(__web_common_unloaded=read(site_file("old")))
    assert render("{{ __nginx_stale_files }}", context) == ["/etc/nginx/conf.d/webedge-site-old.conf"]


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


def test_nothing_is_removed_when_the_read_found_nothing():
    # the default site does not exist, no site file of ours (or no output at all)
    context = variables(__web_common_unloaded=read(site_file("www")))
    assert render("{{ __nginx_stale_files + __nginx_stale_links }}", context) == []
    context = variables(__web_common_unloaded={"stdout": "", "rc": 1})
    assert render("{{ __nginx_stale_files + __nginx_stale_links }}", context) == []
