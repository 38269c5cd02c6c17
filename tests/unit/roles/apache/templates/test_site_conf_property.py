# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/apache/templates/site.conf.j2 under hypothesis: any value of a site field that the role's validator
accepts renders a configuration with the same directives and sections, each with the same number of
arguments, as a plain reference value (read as Apache reads it: lines, continuations, quotes, sections);
an accepted extra directive adds exactly its own line."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from ansible_collections.webedge.https.plugins.filter.tls_profile import tls_profile
from ansible_collections.webedge.https.plugins.module_utils.validate.apache import check_directive
from ansible_collections.webedge.https.tests.unit.helpers.roles import load, template, web_site
from ansible_collections.webedge.https.tests.unit.helpers.webconf_grammar import apache_skeleton
from ansible_collections.webedge.https.tests.unit.helpers.webconf_property import (
    FIELDS,
    PROPERTY,
    check_structure,
    values,
)

SITE = web_site("/etc/apache2/tls", file="webedge-site--www.conf")
DEFAULTS = load("apache", "defaults/main.yml")
PROFILE = tls_profile("intermediate", "5.7")
APACHE_FIELDS = sorted(f for f in FIELDS if f != "index")  # Apache sites have no index


def render(keys: Dict[str, Any]) -> str:
    context: Dict[str, Any] = {
        **DEFAULTS,
        "__apache_profile": PROFILE,
        "__apache_openssl_version": "3.0.17",
        "__apache_extra_listen": [],
        "__apache_site": {**SITE, **keys},
        "web_common_stapling_sites": [],
    }
    return template("apache", "site.conf.j2", context)


@pytest.mark.parametrize("field", APACHE_FIELDS)
def test_an_accepted_value_never_changes_the_structure(field):
    @PROPERTY
    @given(values(field))
    def run(value):
        note(repr(value))
        check_structure("apache", field, value, render, apache_skeleton)

    run()


def _no_jinja(text: str) -> bool:
    # Ansible templates every variable before a role sees it: "{{" is Ansible's syntax, not the server's.
    return not any(mark in text for mark in ("{{", "{%", "{#"))


@PROPERTY
@given(
    st.one_of(
        st.sampled_from(["Header set X y", "Require all granted", "</VirtualHost>", "Header set X y \\"]),
        st.text("abcxyz <>/;{}#\"'\\\n$", min_size=1, max_size=30).filter(_no_jinja).map(lambda t: "Header set X " + t),
    )
)
def test_an_accepted_extra_directive_adds_exactly_its_own_line(directive):
    reference = apache_skeleton(render({"extra_directives": []}))
    if check_directive("d", directive) is not None:
        return
    got = apache_skeleton(render({"extra_directives": [directive]}))
    own = [(depth + 1, *rest) for depth, *rest in apache_skeleton(directive.strip())]
    assert any(got == reference[:i] + own + reference[i:] for i in range(len(reference) + 1)), (directive, got)


def test_the_known_hole_would_change_the_structure():
    # Without the validator, a newline in a root adds a directive: the property can fail.
    with pytest.raises(ValueError, match="unterminated section tag"):
        apache_skeleton(render({"root": "/var/www/web\nOptions +Indexes\n#"}))
    bad = apache_skeleton(render({"upstream": 'http://b/"\nProxyPass "/x" "http://evil/', "root": None}))
    assert bad != apache_skeleton(render({"upstream": "http://ref:1", "root": None}))
