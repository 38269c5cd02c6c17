# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a server accepts beyond its default handshake, against openssl s_server configured for it: every
TLS 1.3 suite (CCM included), every group with TLS 1.3 and 1.2 (ffdhe, X448...), DHE and ECDHE sizes,
the suites of TLS 1.0/1.1, and whether the server imposes its suite order."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any, Dict, Sequence

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.tls_probing import probe_one
from ansible_collections.webedge.https.tests.unit.helpers.tls_servers import OPENSSL, Pki, s_server

pytestmark = pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")


@pytest.fixture(scope="module")
def dh1024(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dh") / "dh1024.pem"
    subprocess.run([str(OPENSSL), "dhparam", "-out", str(path), "1024"], check=True, capture_output=True)
    return path


TLS13_TABLE = [
    ("openssl_default", (), ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]),
    (
        "ccm_suites_found",
        ("-ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256"),
        ["TLS_AES_128_GCM_SHA256", "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256"],
    ),
    ("only_chacha", ("-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"), ["TLS_CHACHA20_POLY1305_SHA256"]),
    ("tls13_refused", ("-tls1_2",), []),
]


@pytest.mark.parametrize(("args", "expected"), [r[1:] for r in TLS13_TABLE], ids=[r[0] for r in TLS13_TABLE])
def test_every_tls13_suite_accepted(pki: Pki, args: Sequence[str], expected: Sequence[str]) -> None:
    with s_server(pki.good, *args) as port:
        result = probe_one(f"localhost:{port}", pki.root)
    assert sorted(result["tls13_ciphers"]) == sorted(expected)


GROUP_TABLE = [
    (
        "openssl_default_groups_include_ffdhe_and_x448",
        (),
        {
            "x25519",
            "secp256r1",
            "x448",
            "secp521r1",
            "secp384r1",
            "ffdhe2048",
            "ffdhe3072",
            "ffdhe4096",
            "ffdhe6144",
            "ffdhe8192",
        },
        {"x25519", "secp256r1", "x448", "secp521r1", "secp384r1"},
    ),
    (
        "profile_groups_only",
        ("-groups", "X25519:P-256:P-384"),
        {"x25519", "secp256r1", "secp384r1"},
        {"x25519", "secp256r1", "secp384r1"},
    ),
    ("ffdhe_only_counts_for_tls13", ("-groups", "X25519:ffdhe2048"), {"x25519", "ffdhe2048"}, {"x25519"}),
    ("x448_alone", ("-groups", "X448"), {"x448"}, {"x448"}),
    ("small_curve_tls12_only", ("-tls1_2", "-groups", "P-224:P-256"), set(), {"secp224r1", "secp256r1"}),
]


@pytest.mark.parametrize(("args", "tls13", "tls12"), [r[1:] for r in GROUP_TABLE], ids=[r[0] for r in GROUP_TABLE])
def test_every_group_accepted(pki: Pki, args: Sequence[str], tls13: set, tls12: set) -> None:
    with s_server(pki.good, *args) as port:
        kex = probe_one(f"localhost:{port}", pki.root)["key_exchange"]
    assert set(kex["groups_tls13"]) == tls13
    assert set(kex["groups_tls12"]) == tls12
    assert len(kex["groups_tls13"]) == len(set(kex["groups_tls13"]))


# In TLS 1.2 the client's groups also bound an ECDSA certificate's curve (RFC 8422 5.1): a hello offering only
# the curve under test is refused by an ECDSA P-256 server, so every hello keeps the NIST curves at its end.
ECDSA_TABLE = [
    (
        "small_curve_beside_the_certificate_curve",
        ("-groups", "P-224:X25519:P-256"),
        {"secp224r1", "x25519", "secp256r1"},
    ),
    ("every_nist_curve", ("-groups", "P-256:P-384:P-521"), {"secp256r1", "secp384r1", "secp521r1"}),
]


@pytest.mark.parametrize(("args", "tls12"), [r[1:] for r in ECDSA_TABLE], ids=[r[0] for r in ECDSA_TABLE])
def test_every_tls12_curve_of_an_ecdsa_server(pki: Pki, args: Sequence[str], tls12: set) -> None:
    with s_server(pki.ec, "-tls1_2", *args) as port:
        kex = probe_one(f"localhost:{port}", pki.root)["key_exchange"]
    assert set(kex["groups_tls12"]) == tls12


def _kex(pki: Pki, *args: str) -> Dict[str, Any]:
    with s_server(pki.good, *args) as port:
        return probe_one(f"localhost:{port}", pki.root)


def test_dhe_size_of_every_dhe_suite(pki: Pki, dh1024: Path) -> None:
    result = _kex(
        pki,
        "-tls1_2",
        "-cipher",
        "DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
        "-dhparam",
        str(dh1024),
    )
    kex = result["key_exchange"]
    assert kex["dh_bits"] == 1024
    assert kex["suite_groups"]["TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"] == "DH-1024"
    assert kex["suite_groups"]["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"] == "x25519"


def test_no_dhe_suite_means_no_dh_size(pki: Pki) -> None:
    kex = _kex(pki, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256")["key_exchange"]
    assert kex["dh_bits"] is None and kex["ecdh_bits"] == 256


def test_ecdhe_size_is_the_group_the_server_picks(pki: Pki) -> None:
    kex = _kex(pki, "-tls1_2", "-groups", "P-384", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384")["key_exchange"]
    assert kex["ecdh_bits"] == 384 and set(kex["suite_groups"].values()) == {"secp384r1"}


ORDER_TABLE = [("client_order", (), False), ("server_order", ("-serverpref",), True)]


@pytest.mark.parametrize(("args", "expected"), [r[1:] for r in ORDER_TABLE], ids=[r[0] for r in ORDER_TABLE])
def test_server_order(pki: Pki, args: Sequence[str], expected: bool) -> None:
    cipher = ("-cipher", "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256")
    kex = _kex(pki, "-tls1_2", *cipher, *args)["key_exchange"]
    assert kex["server_order"] is expected


def test_one_suite_leaves_the_order_undetermined(pki: Pki) -> None:
    assert _kex(pki, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256")["key_exchange"]["server_order"] is None


def test_suites_of_tls10_and_tls11_are_enumerated(pki: Pki) -> None:
    cipher = "ECDHE-RSA-AES128-SHA:AES256-SHA:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0"
    result = _kex(pki, "-cipher", cipher, "-no_tls1_3")
    assert result["protocols"]["TLSv1"] and result["protocols"]["TLSv1.1"]
    legacy = result["legacy_ciphers"]
    assert set(legacy) == {"TLSv1", "TLSv1.1"}
    for version in ("TLSv1", "TLSv1.1"):
        assert sorted(legacy[version]) == ["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA"]
    assert "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" in result["tls12_ciphers"]
