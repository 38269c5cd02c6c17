# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""nginx and Apache directive values: what the Mozilla generator prints, groups by the server's OpenSSL."""

from __future__ import annotations

from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import get_profile
from ansible_collections.webedge.https.plugins.plugin_utils.tls.render_openssl import (
    apache_curves,
    apache_ssl_cipher_suite,
    apache_ssl_protocol,
    nginx_ssl_ciphers,
    nginx_ssl_ecdh_curve,
    nginx_ssl_protocols,
)


def test_groups_depend_on_openssl_version():
    p = get_profile("intermediate", "6.0")
    assert p.curves[0] == "X25519MLKEM768"
    assert nginx_ssl_ecdh_curve(p) == "X25519:prime256v1:secp384r1"
    assert nginx_ssl_ecdh_curve(p, "3.0.13") == "X25519:prime256v1:secp384r1"
    assert nginx_ssl_ecdh_curve(p, "OpenSSL 3.5.1 1 Jul 2025") == "X25519MLKEM768:X25519:prime256v1:secp384r1"
    assert apache_curves(get_profile("intermediate", "5.7"), "3.5.0") == "X25519:prime256v1:secp384r1"


def test_nginx_and_apache_strings():
    p = get_profile("intermediate")
    assert nginx_ssl_protocols(p) == "TLSv1.2 TLSv1.3"
    assert nginx_ssl_ciphers(p).startswith("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:")
    assert nginx_ssl_ciphers(p).endswith(":DHE-RSA-CHACHA20-POLY1305")
    assert apache_ssl_protocol(p) == "-all +TLSv1.2 +TLSv1.3"
    assert apache_ssl_protocol(get_profile("modern")) == "-all +TLSv1.3"
    assert apache_ssl_cipher_suite(get_profile("modern")) == ""
    assert p.uses_dhe and not get_profile("intermediate", "6.0").uses_dhe
