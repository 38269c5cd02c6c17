# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/apache/templates/: the site's virtual hosts (ACME challenges served on port 80, 308 for the rest;
HTTPS with the profile) and the server-wide policy, rendered as the template module renders them;
stapling only for the sites the shared certificate step found an OCSP responder for."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from ansible_collections.webedge.https.plugins.filter.tls_profile import tls_profile
from ansible_collections.webedge.https.tests.unit.helpers.roles import load, template, web_site

SITE = web_site("/etc/apache2/tls", file="webedge-site--www.conf")


def context(stapling=(), **site: Any) -> Dict[str, Any]:
    return {
        **load("apache", "defaults/main.yml"),
        "__apache_profile": tls_profile("intermediate", "5.7"),
        "__apache_openssl_version": "3.0.17",
        "__apache_extra_listen": [],
        "__apache_site": {**SITE, **site},
        "web_common_stapling_sites": list(stapling),
    }


def test_port_80_serves_acme_challenges_from_the_webroot_and_redirects_the_rest():
    text = template("apache", "site.conf.j2", context())
    assert '    Alias /.well-known/acme-challenge/ "/var/www/acme-challenge/.well-known/acme-challenge/"\n' in text
    assert "RewriteRule ^(.*)$ https://%{SERVER_NAME}$1 [R=308,L]" in text


def test_the_https_virtual_host_has_the_certificate_and_hsts():
    text = template("apache", "site.conf.j2", context())
    assert "    SSLCertificateFile /etc/apache2/tls/www.fullchain.pem\n" in text
    assert "    SSLCertificateKeyFile /etc/apache2/tls/www.key\n" in text
    assert 'Header always set Strict-Transport-Security "max-age=63072000; includeSubDomains"' in text


@pytest.mark.parametrize(("stapling", "expected"), [(["www"], True), (["api"], False), ([], False)])
def test_stapling_only_for_the_sites_whose_certificate_names_a_responder(stapling, expected):
    site = template("apache", "site.conf.j2", context(stapling))
    assert ("SSLUseStapling on" in site) is expected
    policy = template("apache", "webedge-https.conf.j2", {**context(stapling), "__apache_sites": [SITE]})
    assert ("SSLStaplingCache" in policy) is bool(stapling)
