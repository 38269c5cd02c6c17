# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Mozilla profile (``module_utils/tls/profiles.py``) as nginx and Apache (OpenSSL) directive values.

Controller side: the ``tls_profile`` filter renders them for the role templates.
"""

from __future__ import annotations

from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import OpenSSLVersion, Profile

__all__ = [
    "apache_curves",
    "apache_ssl_cipher_suite",
    "apache_ssl_protocol",
    "nginx_ssl_ciphers",
    "nginx_ssl_ecdh_curve",
    "nginx_ssl_protocols",
    "openssl_ciphersuites",
]


def nginx_ssl_protocols(profile: Profile) -> str:
    """``ssl_protocols`` value, e.g. ``TLSv1.2 TLSv1.3``."""
    return " ".join(profile.protocols)


def nginx_ssl_ciphers(profile: Profile) -> str:
    """``ssl_ciphers`` value (OpenSSL names joined by ``:``); empty for modern (omit the directive)."""
    return ":".join(profile.tls12_ciphers)


def nginx_ssl_ecdh_curve(profile: Profile, openssl_version: OpenSSLVersion = None) -> str:
    """``ssl_ecdh_curve`` value, e.g. ``X25519:prime256v1:secp384r1``."""
    return ":".join(profile.groups(openssl_version))


def openssl_ciphersuites(profile: Profile) -> str:
    """TLS 1.3 suites for ``Ciphersuites``/``ssl_conf_command Ciphersuites``."""
    return ":".join(profile.tls13_ciphersuites)


def apache_ssl_protocol(profile: Profile) -> str:
    """``SSLProtocol`` value, e.g. ``-all +TLSv1.2 +TLSv1.3``."""
    return " ".join(["-all", *("+" + p for p in profile.protocols)])


def apache_ssl_cipher_suite(profile: Profile) -> str:
    """``SSLCipherSuite`` value (TLS 1.2 and older); empty for modern (omit the directive)."""
    return ":".join(profile.tls12_ciphers)


def apache_curves(profile: Profile, openssl_version: OpenSSLVersion = None) -> str:
    """Value for ``SSLOpenSSLConfCmd Curves``."""
    return ":".join(profile.groups(openssl_version))
