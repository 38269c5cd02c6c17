# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The nginx role, run by ansible-playbook, refuses values carrying nginx syntax before any change, with
a message naming the variable and the value (issue 19's known hole: a root of "/var/www/web; autoindex on")."""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.hostile_roles import good_site, run_role_cases, site

ROLE = "nginx"


CASES = {
    "root": (
        {"nginx_sites": site(root="/var/www/web; autoindex on")},
        "nginx_sites[0].root: '/var/www/web; autoindex on'",
    ),
    "server_name": (
        {"nginx_sites": site(server_names=["a.test", "b.test { }"])},
        "nginx_sites[0].server_names[1]: 'b.test { }'",
    ),
    "upstream": (
        {"nginx_sites": [dict(good_site(), root=None, upstream="http://$host")]},
        "nginx_sites[0].upstream: 'http://$host'",
    ),
    "key_path": (
        {"nginx_sites": site(key_path="/etc/k.key;\nautoindex on")},
        "nginx_sites[0].key_path: '/etc/k.key;\\nautoindex on'",
    ),
    "index": ({"nginx_sites": site(index=["index.html", "x`id`"])}, "nginx_sites[0].index[1]: 'x`id`'"),
    "location": ({"nginx_sites": site(locations=[{"path": "/a { }"}])}, "nginx_sites[0].locations[0].path: '/a { }'"),
    "directive": (
        {"nginx_sites": site(extra_directives=["add_header X y; } server {"])},
        "nginx_sites[0].extra_directives[0]: 'add_header X y; } server {'",
    ),
    "acme_root": (
        {"nginx_sites": site(acme_challenge_root="/var/www/a\u00e9")},
        "nginx_sites[0].acme_challenge_root: '/var/www/a\\xe9'",
    ),
    "cache": (
        {"nginx_sites": site(), "nginx_session_cache": "shared:A:1m; ssl_session_tickets on"},
        "nginx_session_cache: 'shared:A:1m; ssl_session_tickets on'",
    ),
    "resolver": ({"nginx_sites": site(), "nginx_resolver": ["127.0.0.1 # x"]}, "nginx_resolver[0]: '127.0.0.1 # x'"),
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return run_role_cases(
        tmp_path_factory.mktemp(ROLE),
        ROLE,
        {name: case[0] for name, case in CASES.items()} | {"good": {"nginx_sites": site(), "nginx_install": False}},
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_role_fails_before_any_change_naming_variable_and_value(results, case):
    failed, message, changed = results[case]
    assert failed, f"the {ROLE} role accepted case {case}"
    assert CASES[case][1] in message, message
    assert changed == [], f"changed before failing: {changed}"


def test_a_good_site_passes_the_checks(results):
    message = results["good"][1]
    # It goes past the checks (in check mode on this machine it may fail later, at a real step).
    refused = ("is not a safe", "is not one", "is not a port")
    assert not any(r in message for r in refused) and "carries nginx configuration syntax" not in message, message
