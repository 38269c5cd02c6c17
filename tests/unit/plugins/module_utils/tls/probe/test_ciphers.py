# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cipher suite table: offering order, OpenSSL and IANA names, unknown codes."""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.ciphers import (
    CIPHER_SUITES,
    cipher_iana_name,
    iana_name_for_openssl,
    suites_for_version,
)


def test_suites_are_offered_forward_secret_aead_first() -> None:
    assert CIPHER_SUITES[suites_for_version("TLSv1.2")[0]][0].startswith("TLS_ECDHE_")


def test_each_answer_is_a_list_of_its_own() -> None:
    # The order is worked out once per version; a caller changing its list must not change the next answer.
    first = suites_for_version("TLSv1.2")
    expected = list(first)
    first.clear()
    assert suites_for_version("TLSv1.2") == expected
    assert len(expected) > len(suites_for_version("TLSv1")) > 0
    assert all(CIPHER_SUITES[code][2] == "TLSv1.3" for code in suites_for_version("TLSv1.3"))


@pytest.mark.parametrize(
    ("openssl_name", "iana"),
    [
        ("ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        ("ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
        ("DHE-RSA-AES256-GCM-SHA384", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"),
        ("DES-CBC3-SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"),
        ("RC4-SHA", "TLS_RSA_WITH_RC4_128_SHA"),
        ("EXP-RC4-MD5", "TLS_RSA_EXPORT_WITH_RC4_40_MD5"),
        ("NULL-SHA", "TLS_RSA_WITH_NULL_SHA"),
        ("AES128-SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"),
        ("TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384"),
    ],
)
def test_cipher_table_maps_openssl_names_to_iana(openssl_name: str, iana: str) -> None:
    assert iana_name_for_openssl(openssl_name) == iana


def test_unknown_cipher_code_is_named_by_its_hex() -> None:
    assert cipher_iana_name(0xFAFA) == "0xFAFA"
