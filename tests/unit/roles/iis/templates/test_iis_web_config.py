# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/iis/templates/web.config.j2 renders to valid XML with the settings asked for.

No Windows host is involved: this proves the file is well formed and says what it should, not that
IIS behaves as documented.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any, Dict

import jinja2
import pytest
from ansible.plugins.filter.core import comment

from ansible_collections.webedge.https.plugins.filter.tls_profile import tls_profile
from ansible_collections.webedge.https.tests.unit.helpers.roles import ROLES


def render_web_config(site: Dict[str, Any], **role_vars: Any) -> str:
    # win_template's defaults: trim_blocks on, lstrip_blocks off
    env = jinja2.Environment(trim_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters["comment"] = comment
    context = {
        "ansible_managed": "Ansible managed",
        "__iis_profile": tls_profile("intermediate", "5.7", windows_build=role_vars.pop("build", "10.0.20348.0")),
        "iis_remove_server_header": True,
        "iis_hsts_preload": False,
        "__iis_site": {
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
    return env.from_string((ROLES / "iis" / "templates" / "web.config.j2").read_text()).render(context)


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
