# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The TLS 1.2 cipher enumeration against openssl s_server: every accepted suite, and only those."""

from __future__ import annotations

import subprocess
from typing import List, Optional, Sequence

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.tls_probing import probe_one
from ansible_collections.webedge.https.tests.unit.helpers.tls_servers import OPENSSL, Pki, s_server

pytestmark = pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")


# --- TLS 1.2 cipher enumeration ----------------------------------------------------------------


def _openssl_default_rsa_tls12() -> List[str]:
    listing = subprocess.run(
        [str(OPENSSL), "ciphers", "-V", "-stdname", "-s", "-tls1_2", "DEFAULT"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    names = []
    for line in listing.splitlines():
        fields = line.split()
        if "Au=RSA" in fields and "TLSv1.3" not in fields:
            names.append(fields[2])
    return names


# (id, s_server cipher arguments, expected IANA names; None = what OpenSSL itself lists for an RSA key)
CIPHER_TABLE = [
    ("default_list_matches_openssl_own_view", ("-tls1_2",), None),
    (
        "weak_rsa_kex_cbc_suite_is_found",
        ("-tls1_2", "-cipher", "AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256"),
        ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA"],
    ),
    (
        "mozilla_intermediate_rsa_suites",
        ("-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305"),
        [
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        ],
    ),
    ("tls12_refused_means_no_suites", ("-tls1_3",), []),
]


@pytest.mark.parametrize(("args", "expected"), [row[1:] for row in CIPHER_TABLE], ids=[row[0] for row in CIPHER_TABLE])
def test_tls12_cipher_enumeration(pki: Pki, args: Sequence[str], expected: Optional[List[str]]) -> None:
    with s_server(pki.good, *args) as port:
        result = probe_one(f"localhost:{port}", pki.root)
    wanted = _openssl_default_rsa_tls12() if expected is None else expected
    assert sorted(result["tls12_ciphers"]) == sorted(wanted)
