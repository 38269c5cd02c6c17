# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The apache role, run by ansible-playbook, refuses values carrying Apache syntax before any change, with
a message naming the variable and the value (issue 19's known hole: a root of "/var/www/web; autoindex on")."""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.hostile_roles import good_site, run_role_cases, site

ROLE = "apache"


CASES = {
    "root": (
        {"apache_sites": site(root="/var/www/web; autoindex on")},
        "apache_sites[0].root: '/var/www/web; autoindex on'",
    ),
    "server_name": (
        {"apache_sites": site(server_names=["a.test", "b.test { }"])},
        "apache_sites[0].server_names[1]: 'b.test { }'",
    ),
    "upstream": (
        {"apache_sites": [dict(good_site(), root=None, upstream="http://$host")]},
        "apache_sites[0].upstream: 'http://$host'",
    ),
    "key_path": (
        {"apache_sites": site(key_path="/etc/k.key;\nautoindex on")},
        "apache_sites[0].key_path: '/etc/k.key;\\nautoindex on'",
    ),
    "http_port": ({"apache_sites": site(http_port=0)}, "apache_sites[0].http_port: 0 is not a port number"),
    "location": ({"apache_sites": site(locations=[{"path": "/a { }"}])}, "apache_sites[0].locations[0].path: '/a { }'"),
    "directive": (
        {"apache_sites": site(extra_directives=["Header set X y\n</VirtualHost>"])},
        "apache_sites[0].extra_directives[0]: 'Header set X y\\n</VirtualHost>'",
    ),
    "acme_root": (
        {"apache_sites": site(acme_challenge_root="/var/www/a\u00e9")},
        "apache_sites[0].acme_challenge_root: '/var/www/a\\xe9'",
    ),
    "cache": (
        {"apache_sites": site(), "apache_stapling_cache": 'shmcb:/x(1)"\nSSLEngine off'},
        "apache_stapling_cache: 'shmcb:/x(1)\"\\nSSLEngine off'",
    ),
    "module": ({"apache_sites": site(), "apache_modules": ["../../../tmp/x"]}, "apache_modules[0]: '../../../tmp/x'"),
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return run_role_cases(
        tmp_path_factory.mktemp(ROLE),
        ROLE,
        {name: case[0] for name, case in CASES.items()} | {"good": {"apache_sites": site(), "apache_install": False}},
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
    assert not any(r in message for r in refused) and "carries apache configuration syntax" not in message, message
