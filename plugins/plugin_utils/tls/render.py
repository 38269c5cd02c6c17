# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Everything a template needs from one profile, as plain data: what the ``tls_profile`` filter returns.

Controller side; the per-server values come from ``render_openssl`` (nginx, Apache) and
``render_schannel`` (IIS).
"""

from __future__ import annotations

from typing import Any, Dict

from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import OpenSSLVersion, Profile
from ansible_collections.webedge.https.plugins.plugin_utils.tls.render_openssl import (
    apache_ssl_cipher_suite,
    apache_ssl_protocol,
    nginx_ssl_ciphers,
    nginx_ssl_protocols,
    openssl_ciphersuites,
)
from ansible_collections.webedge.https.plugins.plugin_utils.tls.render_schannel import WindowsBuild, schannel_policy

__all__ = ["render_profile"]


def render_profile(
    profile: Profile,
    openssl_version: OpenSSLVersion = None,
    windows_build: WindowsBuild = None,
    schannel_client: bool = False,
) -> Dict[str, Any]:
    """Everything a template needs, as plain data (lists, strings, ints, bools).

    ``openssl_version`` decides the post-quantum group for nginx/Apache; ``windows_build`` and
    ``schannel_client`` shape the ``schannel`` part (see :func:`schannel_policy`).
    """
    groups = list(profile.groups(openssl_version))
    return {
        "name": profile.name,
        "version": profile.version,
        "protocols": list(profile.protocols),
        "tls12_ciphers": list(profile.tls12_ciphers),
        "tls12_ciphers_iana": list(profile.tls12_ciphers_iana),
        "tls13_ciphersuites": list(profile.tls13_ciphersuites),
        "curves": groups,
        "dh_param_size": profile.dh_param_size,
        "uses_dhe": profile.uses_dhe,
        "ecdh_param_size": profile.ecdh_param_size,
        "rsa_key_size": profile.rsa_key_size,
        "certificate_types": list(profile.certificate_types),
        "certificate_curves": list(profile.certificate_curves),
        "certificate_signatures": list(profile.certificate_signatures),
        "max_certificate_lifespan": profile.max_certificate_lifespan,
        "recommended_certificate_lifespan": profile.recommended_certificate_lifespan,
        "server_preferred_order": profile.server_preferred_order,
        "hsts_max_age": profile.hsts_max_age,
        "hsts_header": f"max-age={profile.hsts_max_age}; includeSubDomains",
        "ocsp_staple": profile.ocsp_staple,
        "nginx": {
            "ssl_protocols": nginx_ssl_protocols(profile),
            "ssl_ciphers": nginx_ssl_ciphers(profile),
            "ssl_ecdh_curve": ":".join(groups),
            "ssl_prefer_server_ciphers": "on" if profile.server_preferred_order else "off",
            "ssl_conf_command_ciphersuites": openssl_ciphersuites(profile),
            "ssl_dhparam_needed": profile.uses_dhe,
        },
        "apache": {
            "SSLProtocol": apache_ssl_protocol(profile),
            "SSLCipherSuite": apache_ssl_cipher_suite(profile),
            "SSLCipherSuite_TLSv1_3": openssl_ciphersuites(profile),
            "SSLOpenSSLConfCmd_Curves": ":".join(groups),
            "SSLHonorCipherOrder": "on" if profile.server_preferred_order else "off",
        },
        "schannel": schannel_policy(profile, windows_build, schannel_client),
    }
