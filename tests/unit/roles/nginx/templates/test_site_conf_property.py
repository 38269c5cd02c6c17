# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/nginx/templates/site.conf.j2 under hypothesis: any value of a site field that the role's validator
accepts renders a configuration with the same directives and blocks, each with the same number of
arguments, as a plain reference value (tokenised as nginx reads it); an accepted extra directive adds
exactly its own statement."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from ansible_collections.webedge.https.plugins.filter.tls_profile import tls_profile
from ansible_collections.webedge.https.plugins.module_utils.validate.nginx import check_directive
from ansible_collections.webedge.https.tests.unit.helpers.roles import load, template, web_site
from ansible_collections.webedge.https.tests.unit.helpers.webconf_grammar import nginx_skeleton
from ansible_collections.webedge.https.tests.unit.helpers.webconf_property import (
    FIELDS,
    PROPERTY,
    check_structure,
    values,
)

SITE = web_site("/etc/nginx/tls", index=["index.html"])
DEFAULTS = load("nginx", "defaults/main.yml")
PROFILE = tls_profile("intermediate", "5.7")


def render(keys: Dict[str, Any]) -> str:
    context: Dict[str, Any] = {
        **DEFAULTS,
        "__nginx_profile": PROFILE,
        "__nginx_openssl_version": "3.0.17",
        "__nginx_http2_directive": True,
        "__nginx_dhparam_path": "/etc/nginx/webedge-ffdhe2048.pem",
        "__nginx_site": {**SITE, **keys},
        "web_common_stapling_sites": [],
    }
    return template("nginx", "site.conf.j2", context)


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_an_accepted_value_never_changes_the_structure(field):
    @PROPERTY
    @given(values(field))
    def run(value):
        note(repr(value))
        check_structure("nginx", field, value, render, nginx_skeleton)

    run()


def _no_jinja(text: str) -> bool:
    # Ansible templates every variable before a role sees it: "{{" is Ansible's syntax, not the server's.
    return not any(mark in text for mark in ("{{", "{%", "{#"))


@PROPERTY
@given(
    st.one_of(
        st.sampled_from(["add_header X y always", "location /x { return 404; }", 'return 200 "a;}"']),
        st.text("abcxyz ;{}#\"'\\\n$", min_size=1, max_size=30).filter(_no_jinja).map(lambda t: "add_header X " + t),
    )
)
def test_an_accepted_extra_directive_adds_exactly_its_own_statement(directive):
    reference = nginx_skeleton(render({"extra_directives": []}))
    if check_directive("d", directive) is not None:
        return
    got = nginx_skeleton(render({"extra_directives": [directive]}))
    text = directive.strip()
    own = [(depth + 1, *rest) for depth, *rest in nginx_skeleton(text if text[-1] in ";}" else text + ";")]
    assert any(got == reference[:i] + own + reference[i:] for i in range(len(reference) + 1)), (directive, got)


def test_the_known_hole_would_change_the_structure():
    # Without the validator, a root of "/var/www/web; autoindex on" adds a directive: the property can fail.
    assert nginx_skeleton(render({"root": "/var/www/web; autoindex on"})) != nginx_skeleton(render({"root": "/r"}))
