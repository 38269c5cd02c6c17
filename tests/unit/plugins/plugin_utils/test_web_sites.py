# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugins/plugin_utils/web_sites.py and its filters: the web roles' sites with their defaults filled in, and
what is wrong with them."""

from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.webedge.https.plugins.filter.web_sites import FilterModule
from ansible_collections.webedge.https.plugins.plugin_utils.web_sites import (
    SiteDefaults,
    site_defaults,
    site_entries,
    site_entry,
    site_errors,
)
from ansible_collections.webedge.https.tests.unit.helpers.roles import render

SETTINGS = {
    "tls_dir": "/etc/nginx/tls",
    "http_redirect": True,
    "acme_challenge_root": "/var/www/acme",
    "hsts": True,
    "hsts_include_subdomains": False,
    "ocsp_stapling": True,
}
NGINX = SiteDefaults(server="nginx", **SETTINGS)
APACHE = SiteDefaults(server="apache", **{**SETTINGS, "tls_dir": "/etc/apache2/tls"})


def test_a_minimal_site_gets_every_default():
    assert site_entry({"name": "www", "server_names": ["www.lab.test"]}, NGINX) == {
        "name": "www",
        "server_names": ["www.lab.test"],
        "install_certificate": False,
        "fullchain_path": "/etc/nginx/tls/www.fullchain.pem",
        "key_path": "/etc/nginx/tls/www.key",
        "chain_path": None,
        "root": None,
        "create_root": True,
        "index": ["index.html", "index.htm"],
        "upstream": None,
        "locations": [],
        "extra_directives": [],
        "http_extra_directives": [],
        "port": 443,
        "http_port": 80,
        "http_redirect": True,
        "acme_challenge_root": "/var/www/acme",
        "default_server": False,
        "hsts": True,
        "hsts_include_subdomains": False,
        "ocsp_stapling": True,
        "validate_hostnames": True,
    }


def test_empty_paths_lists_and_ports_count_as_not_given_but_false_switches_are_kept():
    site = {"name": "a", "server_names": ["a"], "fullchain_path": "", "key_path": None, "index": [], "port": 0,
            "http_redirect": False, "hsts": False, "ocsp_stapling": False, "hsts_include_subdomains": None}  # fmt: skip
    entry = site_entry(site, NGINX)
    assert entry["fullchain_path"] == "/etc/nginx/tls/a.fullchain.pem" and entry["key_path"] == "/etc/nginx/tls/a.key"
    assert entry["index"] == ["index.html", "index.htm"] and entry["port"] == 443
    assert (entry["http_redirect"], entry["hsts"], entry["ocsp_stapling"]) == (False, False, False)
    assert entry["hsts_include_subdomains"] is False  # None: the role's setting


def test_root_create_root_and_validate_hostnames_are_kept_as_given_even_when_none():
    entry = site_entry({"name": "a", "root": "", "create_root": None, "validate_hostnames": None}, NGINX)
    assert (entry["root"], entry["create_root"], entry["validate_hostnames"]) == ("", None, None)
    entry = site_entry({"name": "a", "create_root": False, "validate_hostnames": False}, NGINX)
    assert (entry["create_root"], entry["validate_hostnames"]) == (False, False)


def test_inline_material_is_installed_in_the_tls_dir_and_never_copied_into_the_entry():
    secret = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n"
    site = {"name": "w", "server_names": ["w"], "certificate_content": "CERT", "chain_content": "CHAIN",
            "private_key_content": secret, "chain_path": "/ignored"}  # fmt: skip
    entry = site_entry(site, NGINX)
    assert entry["install_certificate"] is True and entry["chain_path"] == "/etc/nginx/tls/w.chain.pem"
    assert "MC4CAQAw" not in json.dumps(entry) and "CERT" not in json.dumps(entry)
    # files on the host: the user's chain path, no installation
    entry = site_entry({"name": "w", "chain_path": "/etc/ssl/chain.pem", "certificate": None}, NGINX)
    assert entry["install_certificate"] is False and entry["chain_path"] == "/etc/ssl/chain.pem"
    # a chain without a certificate to install is not installed
    assert site_entry({"name": "w", "chain": "/c.pem"}, NGINX)["chain_path"] is None


def test_apache_names_the_site_file_and_a_default_server_sorts_first():
    first, second = site_entries([{"name": "b", "default_server": True}, {"name": "a"}], APACHE)
    assert (first["file"], second["file"]) == ("webedge-site--b.conf", "webedge-site-a.conf")
    assert "index" not in first and first["fullchain_path"] == "/etc/apache2/tls/b.fullchain.pem"
    assert "file" not in site_entry({"name": "b"}, NGINX)


def test_settings_are_checked():
    with pytest.raises(ValueError, match="server: expected one of nginx, apache, got 'iis'"):
        site_defaults("iis", SETTINGS)
    with pytest.raises(ValueError, match="settings: unknown keys colour"):
        site_defaults("nginx", {**SETTINGS, "colour": 1})
    with pytest.raises(TypeError):
        site_defaults("nginx", {"tls_dir": "/t"})


GOOD = {"name": "www", "server_names": ["www"], "certificate": "/c", "private_key": "/k"}


def errors(*given, var="nginx_sites"):
    return site_errors(site_entries(given, NGINX), given, var)


def test_good_sites_have_no_error():
    assert errors(GOOD, {"name": "api", "server_names": ["api"], "fullchain_path": "/f", "key_path": "/k"}) == []


@pytest.mark.parametrize("names", [["www", "www"], ["www", "WWW"], ["a b"], ["-www"], ["www\n"], ["www/.."], [""]])
def test_names_that_are_not_unique_words_are_the_only_message(names):
    given = [dict(GOOD, name=name, server_names=[]) for name in names]  # broken otherwise too
    (message,) = errors(*given)
    assert message == (f"nginx_sites: every site needs a unique name of letters, digits, '.', '_' or '-' (got {names})")


@pytest.mark.parametrize(
    "keys",
    [
        {"server_names": []},
        {"root": "/r", "upstream": "http://b"},
        {"port": 8080, "http_port": 8080},
        {"upstream": "http://b", "locations": [{"path": "/"}]},
        {"certificate": None},  # neither material nor files on the host
        {"private_key": None},  # material without a key
    ],
)
def test_each_broken_site_is_named_with_its_index(keys):
    given = [dict(GOOD, name="ok"), {k: v for k, v in dict(GOOD, **keys).items() if v is not None}]
    (message,) = errors(*given)
    assert message.startswith("nginx_sites[1] (www): needs server_names; root and upstream exclude each other")


def test_a_port_with_two_default_servers():
    given = [dict(GOOD, default_server=True), dict(GOOD, name="b", default_server=True),
             dict(GOOD, name="c", default_server=True, port=8443)]  # fmt: skip
    assert errors(*given, var="apache_sites") == ["apache_sites: more than one site is default_server on the same port"]


FILTERS = FilterModule().filters()


def test_the_filters_through_ansibles_templar():
    sites = [GOOD, dict(GOOD, name="api", default_server=True, port=8443)]
    rendered = render(
        "{{ sites | webedge.https.web_sites('apache', settings) }}",
        {"sites": sites, "settings": {**SETTINGS, "site_prefix": "p-"}},
    )
    assert [site["file"] for site in rendered] == ["p-www.conf", "p--api.conf"]
    assert render("{{ s | webedge.https.web_site_errors(g, 'apache_sites') }}", {"s": rendered, "g": sites}) == []


@pytest.mark.parametrize("value", ["www", {"name": "www"}, 5, ["www"]])
def test_a_site_list_of_the_wrong_shape_is_refused_naming_the_filter(value):
    with pytest.raises(AnsibleFilterError, match=r"^web_sites(\[0\])?: expected a"):
        FILTERS["web_sites"](value, "nginx", SETTINGS)
    with pytest.raises(AnsibleFilterError, match=r"^web_site_errors given(\[0\])?: expected a"):
        FILTERS["web_site_errors"]([], value, "v")


def test_bad_settings_are_a_filter_error():
    with pytest.raises(AnsibleFilterError, match=r"^web_sites: server: expected one of"):
        FILTERS["web_sites"]([], "iis", SETTINGS)
    assert FILTERS["web_sites"](None, "nginx", SETTINGS) == []
