# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/web_common/tasks/begin.yml: it forgets an earlier run first, keeps certificate material out of
loop items, and tells the caller which sites to staple."""

from __future__ import annotations

import re
from typing import Any, Dict

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.roles import load, render, task, tasks

CERTIFICATES = task("web_common", "begin.yml", "Install the site certificates and keys")


def caller_vars(role: str) -> Dict[str, Any]:
    """The variables main.yml's block gives web_common's steps."""
    (block,) = [t for t in load(role, "tasks/main.yml") if "block" in t]
    return block["vars"]


def test_it_first_forgets_every_result_the_plan_is_built_from():
    first = next(tasks("web_common", "begin.yml"))
    assert first["name"].startswith("Forget the results of an earlier run")
    # one task, looped over the names: this role's own and the caller's (web_common_forget)
    assert list(first["ansible.builtin.set_fact"]) == ["{{ __web_common_forgotten }}"]
    assert first["loop_control"]["loop_var"] == "__web_common_forgotten"
    assert first["loop"].endswith("+ web_common_forget }}")
    forgotten = set(re.findall(r"'(__web_common_[a-z_]+)'", first["loop"]))
    # every registered variable the plan (vars/main.yml) reads, wherever it is registered
    plan = load("web_common", "vars/main.yml")["__web_common_plan"]
    read = set(re.findall(r"__web_common_[a-z_]+", plan)) - {"__web_common_plan"}
    registered = {t["register"] for t in tasks("web_common") if "register" in t}
    assert read <= registered
    assert read <= forgotten


def test_certificates_are_installed_with_backups_looped_by_index_so_no_key_material_is_an_item():
    module = CERTIFICATES["webedge.https.tls_certificate"]
    assert module["backup"] is True
    assert "web_common_site_definitions" not in CERTIFICATES["loop"]
    assert "web_common_site_definitions" not in CERTIFICATES["loop_control"]["label"]
    assert (
        module["private_key_content"] == "{{ web_common_site_definitions[item].private_key_content | default(omit) }}"
    )


def test_only_sites_with_certificate_material_are_installed():
    sites = [
        {"name": "a", "install_certificate": True},
        {"name": "b", "install_certificate": False},
        {"name": "c", "install_certificate": True},
    ]
    assert render(CERTIFICATES["loop"], {"web_common_sites": sites}) == [0, 2]


STAPLING_SITES = [
    # the read reads these (their certificate is there before it: the tls role's, or the user's own)
    {"name": "www", "ocsp_stapling": True, "chain_path": "/t/www.chain", "install_certificate": False},
    {"name": "api", "ocsp_stapling": True, "chain_path": "/t/api.chain", "install_certificate": False},
    {"name": "nochain", "ocsp_stapling": True, "chain_path": None, "install_certificate": False},
    {"name": "off", "ocsp_stapling": False, "chain_path": "/t/off.chain", "install_certificate": False},
    # begin.yml installs these, then reads them
    {"name": "shop", "ocsp_stapling": True, "chain_path": "/t/shop.chain", "install_certificate": True},
    {"name": "blog", "ocsp_stapling": True, "chain_path": "/t/blog.chain", "install_certificate": True},
]
for _site in STAPLING_SITES:
    _site["fullchain_path"] = f"/t/{_site['name']}.fullchain"
# the read's output: each path's line, then what its commands printed (web_files_read's commands)
READ = (
    "f 644 root root 1.0 /t/www.fullchain\nhttp://ocsp.lab.test\n"
    "f 644 root root 1.0 /t/api.fullchain\n"  # no responder in the certificate
    "f 644 root root 1.0 /t/nochain.fullchain\nhttp://never.read\n"  # (not read: no chain)
    "f 644 root root 1.0 /t/off.fullchain\nhttp://never.read\n"  # (not read: stapling off)
    "f 644 root root 1.0 /t/shop.fullchain\nhttp://not.yet.installed\n"  # (begin.yml reads it after installing)
)


def test_the_read_reads_the_responders_of_certificates_there_before_it_begin_those_it_installs():
    values = {**load("web_common", "vars/main.yml"), "web_common_sites": STAPLING_SITES}
    reads = render("{{ __web_common_ocsp_reads }}", values)
    assert [r["path"] for r in reads] == ["/t/www.fullchain", "/t/api.fullchain"]
    assert reads[0]["argv"] == ["openssl", "x509", "-noout", "-ocsp_uri", "-in", "/t/www.fullchain"]
    ocsp = task(
        "web_common", "begin.yml", "Read the OCSP responder of each certificate installed here that comes with a chain"
    )
    assert [s["name"] for s in STAPLING_SITES if render("{{ " + ocsp["when"] + " }}", {"item": s})] == ["shop", "blog"]


@pytest.mark.parametrize("role", ["nginx", "apache"])
def test_the_sites_to_staple_are_those_whose_certificate_names_a_responder(role):
    ocsp = {
        "results": [
            {"item": {"name": "shop"}, "stdout": "http://ocsp.lab.test", "rc": 0},
            {"item": {"name": "blog"}, "stdout": "", "rc": 0},  # no responder in the certificate
            {"item": {"name": "www"}, "skipped": True},  # read by the read
            {"item": {"name": "gone"}, "stdout": "", "stderr": "Could not open file", "rc": 1},
        ]
    }
    values = {
        **load("web_common", "vars/main.yml"),
        "web_common_sites": STAPLING_SITES,
        "__web_common_unloaded": {"stdout": READ},
    }
    expression = caller_vars(role)["web_common_stapling_sites"]
    assert render(expression, {**values, "__web_common_ocsp": ocsp}) == ["www", "shop"]
    # before begin.yml ran (the apply's decision), or an earlier run's results: only the read's sites
    assert render(expression, values) == ["www"]
    earlier = {
        "results": [{"item": {"name": "www"}, "stdout": "http://x"}, {"item": {"name": "api"}, "stdout": "http://x"}]
    }
    assert render(expression, {**values, "__web_common_ocsp": earlier}) == ["www"]


@pytest.mark.parametrize("role", ["nginx", "apache"])
def test_the_caller_has_every_result_it_gives_forgotten_in_the_same_task(role):
    """Every result the caller gives in web_common_written is one of its registered variables, named in
    web_common_forget (begin's first task forgets them): no set_fact task of the caller's own."""
    given = caller_vars(role)
    written = set(re.findall(r"__[a-z]+_[a-z_]+", str(given["web_common_written"])))
    registered = {t["register"] for t in tasks(role) if "register" in t}
    assert written and written <= registered
    assert written <= set(given["web_common_forget"]) <= registered
    assert not [t for t in tasks(role) if "ansible.builtin.set_fact" in t]
