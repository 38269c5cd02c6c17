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
    """The registered result of web_common's one read (read step): find's lines, a link's target after it."""
    return {"stdout": "\n".join(lines) + "\n", "rc": 0}


def site_file(name: str, kind: str = "f") -> str:
    return f"{kind} 644 root root 1764800000.5 /etc/nginx/conf.d/webedge-site-{name}.conf"


def variables(**registered: Any) -> Dict[str, Any]:
    return {**ROLE, "nginx_sites": SITES, **registered}


def test_site_files_of_sites_no_longer_listed_are_removed():
    context = variables(__web_common_unloaded=read(*(site_file(n) for n in ("www", "old", "api"))))
    assert render("{{ __nginx_stale.files }}", context) == ["/etc/nginx/conf.d/webedge-site-old.conf"]
    assert render("{{ __nginx_stale.links }}", context) == []


def test_the_default_site_link_is_removed_with_its_target_kept_for_a_rollback():
    # the read prints a link's target on the line after it: no stat module run
    lines = ["l 777 root root 1764800000.5 /etc/nginx/sites-enabled/default", "-> /etc/nginx/sites-available/default"]
    context = variables(__web_common_unloaded=read(site_file("www"), *lines))
    assert render("{{ __nginx_stale.files }}", context) == []
    assert render("{{ __nginx_stale.links }}", context) == [
        {"path": "/etc/nginx/sites-enabled/default", "link": "/etc/nginx/sites-available/default"}
    ]


def test_a_default_site_that_is_a_regular_file_is_removed_with_a_copy():
    lines = [site_file("www"), "f 644 root root 1764800000.5 /etc/nginx/sites-enabled/default"]
    context = variables(__web_common_unloaded=read(*lines))
    assert render("{{ __nginx_stale.links }}", context) == []
    assert render("{{ __nginx_stale.files }}", context) == ["/etc/nginx/sites-enabled/default"]


def test_the_default_site_is_left_alone_when_it_is_not_to_be_removed():
    lines = ["l 777 root root 1764800000.5 /etc/nginx/sites-enabled/default", "-> /etc/nginx/sites-available/default"]
    context = variables(__web_common_unloaded=read(*lines), nginx_remove_default_site=False)
    assert render("{{ __nginx_stale.files + __nginx_stale.links }}", context) == []


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
    assert render("{{ __nginx_stale.files + __nginx_stale.links }}", context) == []
    # nginx_purge_sites false: site files are kept
    context = variables(__web_common_unloaded=read(site_file("old")), nginx_purge_sites=False)
    assert render("{{ __nginx_stale.files }}", context) == []
    context = variables(__web_common_unloaded=read(site_file("old")))
    assert render("{{ __nginx_stale.files }}", context) == ["/etc/nginx/conf.d/webedge-site-old.conf"]


def test_the_version_and_the_service_come_from_the_one_read():
    # nginx -V answers on standard error, find's own complaints about missing paths go there too
    stderr = (
        "find: '/etc/nginx/tls/1.2': No such file or directory\n"  # 'nginx/1.2' in a path is not the version
        "nginx version: nginx/1.22.1\nbuilt with OpenSSL 3.0.20 7 Apr 2026\n"
    )
    found = {**read(site_file("www"), "ActiveState=active", "UnitFileState=enabled"), "stderr": stderr}
    context = variables(__web_common_unloaded=found)
    assert render("{{ __nginx_version }} {{ __nginx_openssl_version }}", context) == "1.22.1 3.0.20"
    assert render("{{ __nginx_present }}", context) is True
    assert render("{{ __nginx_service_settled }}", context) is True
    # wanted disabled but enabled, or not active: the service module runs
    assert render("{{ __nginx_service_settled }}", {**context, "nginx_service_enabled": False}) is False
    for state in ("inactive", "failed", "activating"):
        other = {**found, "stdout": found["stdout"].replace("ActiveState=active", f"ActiveState={state}")}
        assert render("{{ __nginx_service_settled }}", variables(__web_common_unloaded=other)) is False
    # no nginx (the commands did not run): not present, version 0, the service module runs
    missing = {**read(site_file("www")), "stderr": "find: '/usr/sbin/nginx': No such file or directory\n", "rc": 1}
    context = variables(__web_common_unloaded=missing)
    assert render("{{ __nginx_present }}", context) is False
    assert render("{{ __nginx_version }}", context) == "0"
    assert render("{{ __nginx_service_settled }}", context) is False


def test_the_read_runs_nginx_v_and_systemctl_show_when_the_binary_is_there():
    argv = render("{{ __nginx_read_commands }}", variables())
    assert argv == [
        {"path": "/usr/sbin/nginx", "argv": ["/usr/sbin/nginx", "-V"]},
        {
            "path": "/usr/sbin/nginx",
            "argv": ["systemctl", "show", "--property=ActiveState", "--property=UnitFileState", "nginx.service"],
        },
    ]


def test_nothing_is_removed_when_the_read_found_nothing():
    # the default site does not exist, no site file of ours (or no output at all)
    context = variables(__web_common_unloaded=read(site_file("www")))
    assert render("{{ __nginx_stale.files + __nginx_stale.links }}", context) == []
    context = variables(__web_common_unloaded={"stdout": "", "rc": 1})
    assert render("{{ __nginx_stale.files + __nginx_stale.links }}", context) == []
