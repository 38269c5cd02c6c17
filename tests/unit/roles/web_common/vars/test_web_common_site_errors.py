# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/web_common/vars/main.yml ``__web_common_site_errors``: the checks of tasks/validate.yml (one assert
task), a message naming the caller's variable per broken rule; none for good sites."""

from __future__ import annotations

from typing import Any, Dict, List

from ansible_collections.webedge.https.tests.unit.helpers.roles import load, render, web_site

VARS = load("web_common", "vars/main.yml")


def errors(sites: List[Dict[str, Any]], given: List[Dict[str, Any]]) -> List[str]:
    context = {
        **VARS,
        "web_common_sites_var": "nginx_sites",
        "web_common_sites": sites,
        "web_common_site_definitions": given,
    }
    return render("{{ __web_common_site_errors }}", context)


def given(name: str = "www", **keys: Any) -> Dict[str, Any]:
    return {"name": name, "certificate": "/c.crt", "private_key": "/k.key", **keys}


def test_good_sites_have_no_error():
    sites = [web_site("/tls"), web_site("/tls", name="api", default_server=False, install_certificate=False)]
    assert errors(sites, [given(), {"name": "api", "fullchain_path": "/f", "key_path": "/k"}]) == []


def test_names_that_are_not_unique_words_are_the_only_message():
    sites = [web_site("/tls"), web_site("/tls", server_names=[])]  # the second site is broken too
    (message,) = errors(sites, [given(), given()])
    assert message.startswith("nginx_sites: every site needs a unique name") and "['www', 'www']" in message
    (message,) = errors([web_site("/tls", name="a b")], [given("a b")])
    assert "['a b']" in message


def test_each_broken_site_is_named_with_its_index():
    broken = {
        "no server names": {"server_names": []},
        "root and upstream": {"upstream": "http://127.0.0.1:8080"},
        "same ports": {"http_port": 443},
        "upstream and location /": {"root": None, "upstream": "http://b", "locations": [{"path": "/"}]},
    }
    for case, keys in broken.items():
        sites = [web_site("/tls", name="ok", default_server=False), web_site("/tls", **keys)]
        (message,) = errors(sites, [given("ok"), given()])
        assert message.startswith("nginx_sites[1] (www): needs server_names"), case


def test_certificate_material_or_files_on_the_host_are_required():
    # no material and no paths of files on the host
    (message,) = errors([web_site("/tls", install_certificate=False)], [{"name": "www"}])
    assert message.startswith("nginx_sites[0] (www)")
    # material without a key
    (message,) = errors([web_site("/tls")], [{"name": "www", "certificate": "/c.crt"}])
    assert message.startswith("nginx_sites[0] (www)")
    assert errors([web_site("/tls")], [{"name": "www", "certificate": "/c", "private_key_content": "k"}]) == []


def test_two_default_servers_on_one_port_and_every_broken_rule_at_once():
    sites = [web_site("/tls"), web_site("/tls", name="api", server_names=[])]
    assert errors(sites, [given(), given("api")]) == [
        "nginx_sites[1] (api): needs server_names; root and upstream exclude each other; port and http_port must"
        " differ; give certificate (or certificate_content) with private_key (or private_key_content), or"
        " fullchain_path and key_path of files already on the host; a site with an upstream cannot also define"
        " location '/'",
        "nginx_sites: more than one site is default_server on the same port",
    ]
    other_port = [web_site("/tls"), web_site("/tls", name="api", port=8443, http_port=8080)]
    assert errors(other_port, [given(), given("api")]) == []
