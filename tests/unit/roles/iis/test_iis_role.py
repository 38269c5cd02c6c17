# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The iis role's files, checked on Linux: web.config renders to valid XML with the settings asked for,
the PowerShell scripts parse, secrets stay in no_log tasks, defaults match the argument spec.

No Windows host is involved: this proves the files are well formed and say what they should,
not that IIS or SCHANNEL behave as documented.
"""

from __future__ import annotations

import pathlib
import re
import xml.etree.ElementTree as ET
from typing import Any, Dict, Iterator, List

import pytest
import yaml

from ansible_collections.webedge.https.plugins.filter.tls_profile import tls_profile
from ansible_collections.webedge.https.tests.unit.plugins.module_utils.powershell_grammar import problems

ROLE = pathlib.Path(__file__).resolve().parents[4] / "roles" / "iis"


def render_web_config(site: Dict[str, Any], **role_vars: Any) -> str:
    jinja2 = pytest.importorskip("jinja2")
    from ansible.plugins.filter.core import comment

    # win_template's defaults: trim_blocks on, lstrip_blocks off
    env = jinja2.Environment(trim_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters["comment"] = comment
    context = {
        "ansible_managed": "Ansible managed",
        "__iis_profile": tls_profile("intermediate", "5.7", windows_build=role_vars.pop("build", "10.0.20348.0")),
        "iis_remove_server_header": True,
        "iis_hsts_preload": False,
        "site": {
            "name": "www",
            "port": 443,
            "hsts": True,
            "hsts_method": "native",
            "hsts_include_subdomains": True,
            "redirect_method": "native",
            **site,
        },
    }
    context.update(role_vars)
    return env.from_string((ROLE / "templates" / "web.config.j2").read_text()).render(context)


def web_server(text: str) -> ET.Element:
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "configuration"
    node = root.find("system.webServer")
    assert node is not None
    return node


def test_native_site_gets_server_header_removed_and_nothing_else_to_do():
    text = render_web_config({})
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n')
    ws = web_server(text)
    assert ws.find("security/requestFiltering").get("removeServerHeader") == "true"
    assert [r.get("name") for r in ws.findall("httpProtocol/customHeaders/remove")] == ["X-Powered-By"]
    assert ws.find("httpProtocol/customHeaders/add") is None  # HSTS is the site's native element
    assert ws.find("rewrite") is None  # the native redirect needs no rule


def test_server_2016_site_gets_hsts_header_and_rewrite_redirect():
    ws = web_server(render_web_config({"hsts_method": "header", "redirect_method": "rewrite"}, build=14393))
    (add,) = ws.findall("httpProtocol/customHeaders/add")
    assert add.get("name") == "Strict-Transport-Security"
    assert add.get("value") == "max-age=63072000; includeSubDomains"
    rule = ws.find("rewrite/rules/rule")
    assert rule.get("stopProcessing") == "true"
    conditions = {c.get("input"): c for c in rule.findall("conditions/add")}
    assert conditions["{HTTPS}"].get("pattern") == "^OFF$"
    assert conditions["{REQUEST_URI}"].get("negate") == "true"
    assert "acme-challenge" in conditions["{REQUEST_URI}"].get("pattern")
    action = rule.find("action")
    assert action.get("type") == "Redirect"
    assert action.get("redirectType") == "Permanent"  # 301
    assert action.get("url") == "https://{SERVER_NAME}{REQUEST_URI}"
    assert action.get("appendQueryString") == "false"  # REQUEST_URI already carries the query


def test_other_https_port_goes_into_the_redirect_url():
    ws = web_server(render_web_config({"redirect_method": "rewrite", "port": 8443}))
    assert ws.find("rewrite/rules/rule/action").get("url") == "https://{SERVER_NAME}:8443{REQUEST_URI}"


@pytest.mark.parametrize(
    ("site", "preload", "value"),
    [
        ({"hsts_include_subdomains": False}, False, "max-age=63072000"),
        ({}, True, "max-age=63072000; includeSubDomains; preload"),
    ],
)
def test_hsts_header_value_follows_the_variables(site, preload, value):
    ws = web_server(render_web_config({"hsts_method": "header", **site}, iis_hsts_preload=preload))
    assert ws.find("httpProtocol/customHeaders/add").get("value") == value


def test_switches_off():
    ws = web_server(
        render_web_config(
            {"hsts": False, "hsts_method": "header", "redirect_method": "none"}, iis_remove_server_header=False
        )
    )
    assert ws.find("security") is None
    assert ws.find("httpProtocol/customHeaders/add") is None
    assert ws.find("rewrite") is None


def test_site_name_cannot_break_the_comment():
    ET.fromstring(render_web_config({"name": "a--b"}).encode("utf-8"))


# --- PowerShell -------------------------------------------------------------------------------

SCRIPTS = sorted((ROLE / "files").glob("*.ps1"))


def test_there_are_scripts():
    assert [s.name for s in SCRIPTS] == ["import_certificate.ps1", "site_tls.ps1"]


@pytest.mark.parametrize("path", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_script_parses(path):
    assert problems(path.read_text()) == []


@pytest.mark.parametrize("path", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_script_supports_check_mode_and_stops_on_errors(path):
    text = path.read_text()
    # win_powershell runs a script in check mode only when it supports ShouldProcess (-WhatIf)
    assert "[CmdletBinding(SupportsShouldProcess = $true)]" in text
    assert "$PSCmdlet.ShouldProcess(" in text
    assert "$ErrorActionPreference = 'Stop'" in text


def test_the_grammar_check_finds_broken_powershell():
    assert problems("function Foo { if ($x) { 1 }") != []


def test_certificate_script_takes_the_secrets_as_securestrings():
    text = (ROLE / "files" / "import_certificate.ps1").read_text()
    assert "[SecureString]\n    $Pfx" in text and "[SecureString]\n    $Password" in text
    assert "Set-Content" not in text and "Out-File" not in text and "WriteAllBytes" not in text  # never on disk


# --- tasks, defaults, argument spec -----------------------------------------------------------


def load(path: pathlib.Path) -> Any:
    return yaml.safe_load(path.read_text())


def tasks() -> Iterator[Dict[str, Any]]:
    def walk(items: List[Dict[str, Any]]) -> Iterator[Dict[str, Any]]:
        for task in items:
            yield task
            for key in ("block", "rescue", "always"):
                yield from walk(task.get(key, []))

    for path in sorted((ROLE / "tasks").glob("*.yml")):
        yield from walk(load(path))


def test_every_task_that_carries_the_pfx_has_no_log():
    # a task that reads __iis_pfx (the archive and its password), or the PEM material
    reads = re.compile(r"__iis_pfx(\[|\s*\||\.)|__iis_material\[")
    carrying = [t for t in tasks() if reads.search(yaml.safe_dump(t)) and not t["name"].startswith("Validate the")]
    assert len(carrying) >= 2  # the packing and the import
    assert all(t.get("no_log") is True for t in carrying), [t["name"] for t in carrying if t.get("no_log") is not True]


def test_the_visible_certificate_task_strips_the_secrets():
    (task,) = [t for t in tasks() if t["name"].startswith("Validate the site certificates")]
    assert "no_log" not in task
    assert "rejectattr('key', 'in', ['pfx_base64', 'password'])" in task["vars"]["__iis_public"]


def test_powershell_secrets_go_through_sensitive_parameters():
    for task in tasks():
        module = task.get("ansible.windows.win_powershell")
        if module is None:
            continue
        assert "pfx" not in yaml.safe_dump(module.get("parameters", {})).lower(), task["name"]


def test_defaults_are_the_documented_options():
    defaults = load(ROLE / "defaults" / "main.yml")
    options = load(ROLE / "meta" / "argument_specs.yml")["argument_specs"]["main"]["options"]
    assert set(defaults) == set(options)
    for name, value in defaults.items():
        assert options[name].get("default") == value, name


def test_every_module_is_fully_qualified_and_from_a_declared_collection():
    galaxy = load(ROLE.parents[1] / "galaxy.yml")
    allowed = {"ansible.builtin", *galaxy.get("dependencies", {})}
    actions = set()
    for task in tasks():
        actions.update(k for k in task if k.count(".") == 2)
    for handler in load(ROLE / "handlers" / "main.yml"):
        actions.update(k for k in handler if k.count(".") == 2)
    assert {a.rsplit(".", 1)[0] for a in actions} <= allowed
