# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/apache/vars/main.yml: what the safe apply removes (files and links of sites no longer listed,
the distribution's default site) and the modules it disables again on failure, rendered by Ansible's
templar."""

from __future__ import annotations

from typing import Any, Dict

from ansible_collections.webedge.https.tests.unit.helpers.roles import load, render

ROLE = {**load("apache", "defaults/main.yml"), **load("apache", "vars/main.yml")}
SITES = [
    {"name": "www", "server_names": ["www.lab.test"], "default_server": True},
    {"name": "api", "server_names": ["api"]},
]
AVAILABLE = "/etc/apache2/sites-available"
ENABLED = "/etc/apache2/sites-enabled"


def variables(**registered: Any) -> Dict[str, Any]:
    return {**ROLE, "apache_sites": SITES, **registered}


def read(*lines: str) -> Dict[str, Any]:
    """The registered result of web_common's one read (begin step): find's lines, a link's target after it."""
    return {"stdout": "\n".join(lines) + "\n", "rc": 0}


def entry(path: str, link: str = "") -> str:
    return f"l 777 root root 1764800000.5 {path}\n-> {link}" if link else f"f 644 root root 1764800000.5 {path}"


def test_files_and_links_of_sites_no_longer_listed_are_removed_links_with_their_target():
    lines = [
        entry(f"{AVAILABLE}/webedge-site--www.conf"),  # default_server: '--'
        entry(f"{AVAILABLE}/webedge-site-api.conf"),
        entry(f"{AVAILABLE}/webedge-site-old.conf"),
        entry(f"{AVAILABLE}/webedge-site-old.conf.4242.2026-12-03@19:35:36~"),  # a backup copy: not a site file
        entry(f"{ENABLED}/webedge-site--www.conf", "../sites-available/webedge-site--www.conf"),
        entry(f"{ENABLED}/webedge-site-old.conf", "../sites-available/webedge-site-old.conf"),
        entry("/etc/apache2/conf-available/webedge-site-old.conf"),  # not a site directory
    ]
    context = variables(__web_common_unloaded=read(*lines))
    assert render("{{ __apache_stale.files }}", context) == [f"{AVAILABLE}/webedge-site-old.conf"]
    assert render("{{ __apache_stale.links }}", context) == [
        {"path": f"{ENABLED}/webedge-site-old.conf", "link": "../sites-available/webedge-site-old.conf"}
    ]
    context = variables(__web_common_unloaded=read(*lines), apache_purge_sites=False)
    assert render("{{ __apache_stale.files + __apache_stale.links }}", context) == []


def test_the_default_site_link_is_removed_with_its_target_kept_for_a_rollback():
    # the read prints a link's target on the line after it: no stat module run
    context = variables(
        __web_common_unloaded=read(entry(f"{ENABLED}/000-default.conf", "../sites-available/000-default.conf"))
    )
    assert render("{{ __apache_stale.files }}", context) == []
    assert render("{{ __apache_stale.links }}", context) == [
        {"path": f"{ENABLED}/000-default.conf", "link": "../sites-available/000-default.conf"}
    ]
    context["apache_remove_default_site"] = False
    assert render("{{ __apache_stale.links }}", context) == []


def test_one_read_sees_the_default_site_and_leaves_other_files_named_like_it():
    lines = [
        entry(f"{AVAILABLE}/000-default.conf"),  # the distribution's file: kept
        entry(f"{ENABLED}/000-default.conf", "../sites-available/000-default.conf"),
    ]
    context = variables(__web_common_unloaded=read(*lines))
    assert render("{{ __apache_stale.files }}", context) == []
    assert render("{{ __apache_stale.links | map(attribute='path') | list }}", context) == [
        f"{ENABLED}/000-default.conf"
    ]


def test_the_modules_and_links_the_read_found_are_not_enabled_again():
    lines = [
        entry("/etc/apache2/mods-enabled/ssl.load", "../mods-available/ssl.load"),
        entry("/etc/apache2/mods-enabled/ssl.conf", "../mods-available/ssl.conf"),
        entry("/etc/apache2/mods-enabled/headers.load", "../mods-available/headers.load"),
        entry("/etc/apache2/mods-available/rewrite.load"),  # available, not enabled
        entry(f"{ENABLED}/webedge-site--www.conf", "../sites-available/webedge-site--www.conf"),
        entry(f"{ENABLED}/webedge-site-api.conf", "/elsewhere/webedge-site-api.conf"),  # points elsewhere
    ]
    context = variables(__web_common_unloaded=read(*lines))
    assert render("{{ __apache_enabled_modules }}", context) == ["headers", "ssl"]
    assert render("{{ __apache_needed_modules | reject('in', __apache_enabled_modules) | list }}", context) == [
        "rewrite",
        "alias",
        "http2",
    ]
    assert render("{{ __apache_linked_sites }}", context) == ["webedge-site--www.conf"]
    context = variables(__web_common_unloaded={"stdout": "", "rc": 1})  # nothing known: everything runs
    assert render("{{ __apache_enabled_modules + __apache_linked_sites }}", context) == []


def test_presence_version_and_service_come_from_the_one_read():
    binary = "f 755 root root 1764800000.5 /usr/sbin/apache2"
    answer = "OpenSSL 3.0.20 7 Apr 2026 (Library: OpenSSL 3.0.20 7 Apr 2026)"
    found = {"rc": 0, "stdout": "\n".join([binary, answer, "ActiveState=active", "UnitFileState=enabled"]) + "\n"}
    context = variables(__web_common_unloaded=found)
    assert render("{{ __apache_present }}", context) is True
    assert render("{{ __apache_openssl_version }}", context) == "3.0.20"
    assert render("{{ __apache_service_settled }}", context) is True
    assert render("{{ __apache_service_settled }}", {**context, "apache_service_enabled": False}) is False
    stopped = {**found, "stdout": found["stdout"].replace("ActiveState=active", "ActiveState=inactive")}
    assert render("{{ __apache_service_settled }}", variables(__web_common_unloaded=stopped)) is False
    # a file named like the answer is not taken for it (find's lines start with the type)
    path_only = {"rc": 1, "stdout": "f 644 root root 1764800000.5 /etc/apache2/OpenSSL 1.0.conf\n"}
    context = variables(__web_common_unloaded=path_only)
    assert render("{{ __apache_present }}", context) is False
    assert render("{{ __apache_openssl_version }}", context) == ""
    assert render("{{ __apache_service_settled }}", context) is False
    # given by the user: used as it is
    assert (
        render("{{ __apache_openssl_version }}", variables(__web_common_unloaded=found, apache_openssl_version="3.0.2"))
        == "3.0.2"
    )


def test_the_read_runs_openssl_version_and_systemctl_show_when_the_binary_is_there():
    assert render("{{ __apache_read_commands }}", variables()) == [
        {"path": "/usr/sbin/apache2", "argv": ["openssl", "version"]},
        {
            "path": "/usr/sbin/apache2",
            "argv": ["systemctl", "show", "--property=ActiveState", "--property=UnitFileState", "apache2.service"],
        },
    ]


def test_only_the_modules_this_run_enabled_are_disabled_again():
    enabled = {
        "results": [
            {"item": "ssl", "changed": False, "cmd": ["a2enmod", "-q", "ssl"]},  # was already enabled (creates:)
            {"item": "http2", "changed": True, "cmd": ["a2enmod", "-q", "http2"]},
        ]
    }
    assert render("{{ __apache_modules_to_disable }}", variables(__apache_modules_enabled=enabled)) == [
        {"argv": ["a2dismod", "-q", "-f", "http2"], "removes": "/etc/apache2/mods-enabled/http2.load"}
    ]
    # a run that failed before the modules task: nothing to disable
    assert render("{{ __apache_modules_to_disable }}", variables(__apache_modules_enabled={})) == []
