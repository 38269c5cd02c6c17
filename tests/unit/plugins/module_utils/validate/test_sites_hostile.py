# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every site field and setting of the nginx and apache roles against hostile values: each is refused
with a message naming the variable and the value; the values the roles' own examples use pass."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest

from ansible_collections.webedge.https.plugins.module_utils.validate.sites import (
    SETTINGS,
    SITE_FIELDS,
    settings_errors,
    site_errors,
)
from ansible_collections.webedge.https.plugins.module_utils.validate.text import describe
from ansible_collections.webedge.https.tests.unit.helpers.hostile import (
    PAYLOADS,
    WRONG_TYPES,
    hostile_paths,
    hostile_words,
)

SERVERS = ["nginx", "apache"]


def good_site() -> Dict[str, Any]:
    return {
        "name": "www",
        "server_names": ["www.lab.test", "lab.test", "*.lab.test", "_", "[::1]"],
        "root": "/var/www/www",
        "fullchain_path": "/etc/ssl/webedge/www.fullchain.pem",
        "key_path": "/etc/ssl/webedge/private/www.key",
        "chain_path": "/etc/ssl/webedge/www.chain.pem",
        "acme_challenge_root": "/var/www/acme-challenge",
        "index": ["index.html", "index.htm"],
        "upstream": "http://127.0.0.1:8081",
        "extra_directives": ["add_header X-Lab-Site www always"],
        "http_extra_directives": ["add_header X-Http 1 always;"],
        "port": 443,
        "http_port": 80,
        "locations": [{"path": "/status/", "directives": ["default_type text/plain", 'return 200 "ok\\n"']}],
    }


GOOD_SETTINGS = {
    "nginx": {
        "nginx_session_timeout": "1d",
        "nginx_session_cache": "shared:MozSSL:10m",
        "nginx_resolver": ["127.0.0.53", "[::1]", "valid=300s"],
        "nginx_acme_challenge_root": "/var/www/acme-challenge",
        "nginx_tls_dir": "/etc/nginx/tls",
        "nginx_conf_dir": "/etc/nginx/conf.d",
    },
    "apache": {
        "apache_stapling_cache": "shmcb:${APACHE_RUN_DIR}/webedge_stapling(128000)",
        "apache_server_tokens": "Prod",
        "apache_acme_challenge_root": "/var/www/acme-challenge",
        "apache_tls_dir": "/etc/apache2/tls",
        "apache_modules": ["headers", "proxy_http"],
    },
}


APACHE_DIRECTIVES = [
    "Header set X y\nInclude /etc/passwd",
    "Header set X y\r",
    "</VirtualHost>",
    "</Location>",
    "<Directory />",
    "Header set X y \\",
    "# comment",
    'Header set X "y',
    "",
    "\x00",
    "\udcff",
    '"quoted" first',
]


def hostile_values(kind: str, server: str = "nginx") -> List[Any]:
    if kind == "port":
        return [0, -1, 65536, 10**12, "443", "443; x", True, None.__class__, 1.0]
    scalar = {
        "host": hostile_words("www.lab.test"),
        "path": hostile_paths("/var/www/web"),
        "word": hostile_words("index.html"),
        "name": [*hostile_words("headers"), "../../etc/passwd", "a/b"],
        "url": [*hostile_words("http://127.0.0.1:8081"), "ftp://x", "127.0.0.1:8081", "http://$host"],
        "location": [*hostile_paths("/status/"), "status", "~ a{1}", "= /a b", "~ a\\"],
        "directive": [
            "add_header X y; autoindex on",
            "add_header X y;}",
            "} server { listen 8443",
            "location /x { return 200;",
            "add_header X y\nautoindex on",
            "add_header X y # ;",
            'add_header X "y',
            "add_header X y\\;",
            "",
            "   ",
            "\x00",
            "\udcff",
        ],
        "env_word": [w for w in hostile_words("shmcb:/run/x(1)") if "${APACHE" not in w] + ["${A B}", "${A}}"],
    }[kind.rstrip("[]")]
    if kind.startswith("directive") and server == "apache":
        scalar = APACHE_DIRECTIVES
    values: List[Any] = list(scalar) + [t for t in WRONG_TYPES if not isinstance(t, str)]
    if kind.endswith("[]"):
        # In a list: each hostile value as the last of a long list, the list itself of a wrong type.
        return [["ok.example"] * 0 + [v] for v in values] + ["not-a-list", {"a": 1}]
    return values


def site_cases() -> List[Tuple[str, str, Any]]:
    cases = []
    for server in SERVERS:
        for key, kind in SITE_FIELDS.items():
            for value in hostile_values(kind, server):
                cases.append((server, key, value))
        for value in hostile_values("location", server):
            if server == "apache" and value in ("~ a{1}", "= /a b"):
                value = "/a b"
            cases.append((server, "locations.path", value))
        for value in hostile_values("directive", server):
            cases.append((server, "locations.directives", [value]))
    return cases


SITE_CASES = site_cases()


def _expected_name(server: str, key: str, value: Any) -> str:
    if key == "locations.path":
        return "web_sites[0].locations[0].path"
    if key == "locations.directives":
        return "web_sites[0].locations[0].directives[0]"
    name = f"web_sites[0].{key}"
    if SITE_FIELDS[key].endswith("[]") and isinstance(value, list):
        return f"{name}[0]"
    return name


def test_the_good_site_and_settings_pass():
    for server in SERVERS:
        site = good_site()
        if server == "apache":
            site["locations"] = [{"path": "/status/", "directives": ["Require all granted"]}]
        assert site_errors([site], server, "web_sites") == []
        assert settings_errors(GOOD_SETTINGS[server], server) == []
    nginx_regex = dict(good_site(), locations=[{"path": "~ \\.php$"}, {"path": "= /x"}, {"path": "^~ /y/"}])
    assert site_errors([nginx_regex], "nginx", "web_sites") == []
    block = dict(good_site(), extra_directives=["location /x { return 404; }", 'if ($x) { return 403 "a;b}"; }'])
    assert site_errors([block], "nginx", "web_sites") == []


@pytest.mark.parametrize(
    "server, key, value", SITE_CASES, ids=[f"{case[0]}-{case[1]}-{i}" for i, case in enumerate(SITE_CASES)]
)
def test_each_hostile_site_field_is_refused_naming_variable_and_value(server, key, value):
    site = good_site()
    if server == "apache":
        site["locations"] = [{"path": "/status/"}]
    if key.startswith("locations."):
        site["locations"] = [{"path": "/ok/", key.split(".")[1]: value}]
    else:
        site[key] = value
    errors = site_errors([site], server, "web_sites")
    assert len(errors) >= 1, f"{server} accepted {key}={value!r}"
    name = _expected_name(server, key, value)
    shown = describe(
        value[0]
        if key == "locations.directives" or (SITE_FIELDS.get(key, "").endswith("[]") and isinstance(value, list))
        else value
    )
    assert any(e.startswith(name + ":") and shown[:150] in e for e in errors), (name, shown, errors)


SETTING_CASES = [
    (server, name, value)
    for server in SERVERS
    for name, kind in SETTINGS[server].items()
    for value in hostile_values(kind, server)
]


@pytest.mark.parametrize(
    "server, name, value", SETTING_CASES, ids=[f"{case[0]}-{case[1]}-{i}" for i, case in enumerate(SETTING_CASES)]
)
def test_each_hostile_setting_is_refused_naming_variable_and_value(server, name, value):
    settings = dict(GOOD_SETTINGS[server], **{name: value})
    errors = settings_errors(settings, server)
    assert len(errors) == 1, f"{server} accepted {name}={value!r}: {errors}"
    shown = describe(value[0] if isinstance(value, list) else value)
    assert errors[0].startswith(name) and shown[:150] in errors[0]


def test_the_known_hole_root_with_a_directive():
    errors = site_errors([dict(good_site(), root="/var/www/web; autoindex on")], "nginx", "nginx_sites")
    assert errors == [
        "nginx_sites[0].root: '/var/www/web; autoindex on' is not a safe nginx value: expected an absolute path of "
        "letters, digits and . _ / @ + , : % ~ = - (no spaces, quotes, ; { } # $ ` \\ or control characters)"
    ]


def test_a_huge_list_names_the_one_bad_index():
    names = [f"h{i}.lab.test" for i in range(20000)] + ["x.lab.test;"]
    errors = site_errors([dict(good_site(), server_names=names)], "apache", "apache_sites")
    assert len(errors) == 1 and errors[0].startswith("apache_sites[0].server_names[20000]: 'x.lab.test;'")
    assert site_errors([dict(good_site(), server_names=names[:-1])], "apache", "apache_sites") == []


def test_wrong_shapes_of_the_list_and_sites():
    assert site_errors("www", "nginx", "nginx_sites") == ["nginx_sites: 'www' is not a list of sites"]
    assert site_errors(["www"], "nginx", "nginx_sites") == ["nginx_sites[0]: 'www' is not a site (a dictionary)"]
    assert site_errors([dict(good_site(), locations="/x")], "nginx", "s")[0].startswith("s[0].locations: '/x'")
    assert site_errors([dict(good_site(), locations=["/x"])], "nginx", "s")[0].startswith("s[0].locations[0]: '/x'")
    with pytest.raises(ValueError, match="server: 'lighttpd'"):
        site_errors([], "lighttpd", "s")


def test_every_payload_is_tried():
    assert len(SITE_CASES) > 20 * len(PAYLOADS)
