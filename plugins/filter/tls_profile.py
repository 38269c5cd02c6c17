# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tls_profile filter: Mozilla TLS profile values and rendered directives for templates."""

from __future__ import annotations

DOCUMENTATION = r"""
name: tls_profile
short_description: Mozilla server-side TLS profile values and ready-made web server directives
version_added: 0.1.0
description:
  - Returns the values of a Mozilla server-side TLS profile (guideline 5.7 or 6.0) together with the
    strings that nginx, Apache and IIS/SCHANNEL templates need, all from the collection's single source of
    truth, so that configuration and compliance checks use the same values.
  - Post-quantum hybrid groups (C(X25519MLKEM768), guideline 6.0) are included only when O(openssl_version)
    is known to be 3.5 or newer; an unknown group name stops nginx and Apache from starting.
author:
  - webedge.https contributors
options:
  _input:
    description: Profile name.
    type: string
    choices: [modern, intermediate, old]
    required: true
  version:
    description:
      - Mozilla guideline version. V(old) exists in 5.7 only.
    type: string
    choices: ['5.7', '6.0']
    default: '5.7'
  openssl_version:
    description:
      - OpenSSL version the web server is linked against (V(3.5.1), V(OpenSSL 3.0.13 30 Jan 2024)), used to
        decide whether post-quantum groups can be configured. Unknown (V(null)) leaves them out.
    type: string
  windows_build:
    description:
      - Windows build of an IIS host, as a number (V(20348)) or as the C(distribution_version) fact
        (V(10.0.20348.0)), for the C(schannel) part. TLS 1.3 and its suites exist from Windows Server 2022
        (build 20348) on; on older builds they are left out and listed as unsupported.
      - Unknown (V(null)) assumes the newest Windows Server.
    type: raw
  schannel_client:
    description:
      - Also apply the protocol settings to SCHANNEL's client side (in C(schannel.registry)).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Render nginx TLS directives from the intermediate profile
  ansible.builtin.copy:
    dest: /etc/nginx/conf.d/tls.conf
    content: |
      {% set tls = 'intermediate' | webedge.https.tls_profile('5.7') %}
      ssl_protocols {{ tls.nginx.ssl_protocols }};
      ssl_ecdh_curve {{ tls.nginx.ssl_ecdh_curve }};
      ssl_ciphers {{ tls.nginx.ssl_ciphers }};
      ssl_prefer_server_ciphers {{ tls.nginx.ssl_prefer_server_ciphers }};

- name: Apache protocol policy with the 6.0 profile on OpenSSL 3.5
  ansible.builtin.debug:
    msg: "{{ ('intermediate' | webedge.https.tls_profile('6.0', openssl_version='3.5.0')).apache }}"

- name: SCHANNEL registry values for this Windows host, and what it cannot offer
  ansible.builtin.debug:
    msg:
      registry: "{{ tls.schannel.registry }}"
      left_out: "{{ tls.schannel.cipher_suites_unsupported }}"
  vars:
    tls: "{{ 'intermediate' | webedge.https.tls_profile('5.7', windows_build=ansible_facts['distribution_version']) }}"
"""

RETURN = r"""
_value:
  description:
    - The profile. Keys C(name), C(version), C(protocols), C(tls12_ciphers) (OpenSSL names),
      C(tls12_ciphers_iana), C(tls13_ciphersuites), C(curves), C(dh_param_size), C(uses_dhe),
      C(ecdh_param_size), C(rsa_key_size), C(certificate_types), C(certificate_curves),
      C(certificate_signatures), C(max_certificate_lifespan), C(recommended_certificate_lifespan),
      C(server_preferred_order), C(hsts_max_age), C(hsts_header), C(ocsp_staple).
    - C(nginx) - C(ssl_protocols), C(ssl_ciphers) (empty for modern, omit the directive),
      C(ssl_ecdh_curve), C(ssl_prefer_server_ciphers), C(ssl_conf_command_ciphersuites),
      C(ssl_dhparam_needed).
    - C(apache) - C(SSLProtocol) (C(-all +TLSv1.2 +TLSv1.3)), C(SSLCipherSuite), C(SSLCipherSuite_TLSv1_3),
      C(SSLOpenSSLConfCmd_Curves), C(SSLHonorCipherOrder).
    - C(schannel) - for O(windows_build), C(protocols_enabled), C(protocols_disabled) (registry names such as
      C(TLS 1.2)), C(protocols_unsupported) (wanted but missing from that build), C(cipher_suites) (Windows names,
      TLS 1.3 first, in the profile's order, only those SCHANNEL implements on that build),
      C(cipher_suite_order) (the same joined with commas, the value of the cipher suite order policy),
      C(cipher_suites_unsupported) (list of C(name), C(reason)), C(curves) (C(curve25519), C(NistP256), C(NistP384)),
      C(curves_unsupported), C(left_out) (each of those as one string, name and reason), C(dh_min_key_bits),
      C(windows_build), C(client), C(problems) (reasons the profile
      cannot be served on that build; empty when it can), C(notes), and C(registry), the values to write as
      C(path), C(name), C(type), C(data) entries for M(ansible.windows.win_regedit).
  type: dict
"""

from typing import Any, Callable, Dict, Optional

from ansible.errors import AnsibleFilterError

from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import (
    DEFAULT_VERSION,
    ProfileError,
    get_profile,
)
from ansible_collections.webedge.https.plugins.plugin_utils.tls.render import render_profile


def tls_profile(
    name: Any,
    version: Any = DEFAULT_VERSION,
    openssl_version: Optional[str] = None,
    windows_build: Any = None,
    schannel_client: bool = False,
) -> Dict[str, Any]:
    if not isinstance(name, str):
        raise AnsibleFilterError(f"tls_profile: the input must be a profile name (string), got {name!r}")
    try:
        return render_profile(get_profile(name, version), openssl_version, windows_build, bool(schannel_client))
    except ProfileError as exc:
        raise AnsibleFilterError(f"tls_profile: {exc}") from exc


class FilterModule:
    def filters(self) -> Dict[str, Callable[..., Any]]:
        return {"tls_profile": tls_profile}
