# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/nginx/templates/site.conf.j2, rendered as the template module renders it: the port 80 server
(ACME challenges served, 308 for the rest) and the HTTPS server with the profile; stapling only for the
sites the shared certificate step found an OCSP responder for."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from ansible_collections.webedge.https.plugins.filter.tls_profile import tls_profile
from ansible_collections.webedge.https.tests.unit.helpers.roles import load, template, web_site

SITE = web_site("/etc/nginx/tls", index=["index.html"])


def render(stapling=(), **site: Any) -> str:
    context: Dict[str, Any] = {
        **load("nginx", "defaults/main.yml"),
        "__nginx_profile": tls_profile("intermediate", "5.7"),
        "__nginx_openssl_version": "3.0.17",
        "__nginx_http2_directive": True,
        "__nginx_dhparam_path": "/etc/nginx/webedge-ffdhe2048.pem",
        "__nginx_site": {**SITE, **site},
        "web_common_stapling_sites": list(stapling),
    }
    return template("nginx", "site.conf.j2", context)


def test_port_80_serves_acme_challenges_from_the_webroot_and_redirects_the_rest():
    text = render()
    assert "    listen 80 default_server;\n    listen [::]:80 default_server;\n" in text
    assert "location ^~ /.well-known/acme-challenge/ {\n        root /var/www/acme-challenge;\n" in text
    assert "return 308 https://$host$request_uri;" in text
    assert "https://$host:8443$request_uri" in render(port=8443)
    assert "listen 80" not in render(http_redirect=False)


def test_the_https_server_has_the_certificate_the_profile_and_hsts():
    text = render()
    assert (
        "    ssl_certificate /etc/nginx/tls/www.fullchain.pem;\n    ssl_certificate_key /etc/nginx/tls/www.key;\n"
        in text
    )
    assert "    ssl_protocols TLSv1.2 TLSv1.3;\n" in text
    assert "    ssl_dhparam /etc/nginx/webedge-ffdhe2048.pem;\n" in text  # 5.7 intermediate has DHE suites
    assert 'add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;' in text
    assert "    http2 on;\n" in text
    assert "server_tokens off;" in text


@pytest.mark.parametrize(("stapling", "expected"), [(["www"], True), (["api"], False), ([], False)])
def test_stapling_only_for_the_sites_whose_certificate_names_a_responder(stapling, expected):
    text = render(stapling)
    assert ("ssl_stapling on;" in text) is expected
    assert ("ssl_trusted_certificate /etc/nginx/tls/www.chain.pem;" in text) is expected
