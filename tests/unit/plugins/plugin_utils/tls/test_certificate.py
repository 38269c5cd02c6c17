# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side validation: every failure with its message, names, chain order."""

from __future__ import annotations

import datetime
from typing import Any, Callable, Dict

import pytest

from ansible_collections.webedge.https.plugins.plugin_utils.tls import certificate as c
from ansible_collections.webedge.https.tests.unit.helpers.tls_certs import (
    NOW,
    key_pem,
    make_cert,
    make_key,
    pem_of,
    pki,
    weak_signed,
)


def _ok_args() -> Dict[str, Any]:
    p = pki()
    return {
        "certificate": p.leaf.cert_pem,
        "private_key": p.leaf.key_pem,
        "chain": p.inter.cert_pem,
        "hostnames": ["www.example.com"],
        "min_days_valid": 30,
        "now": NOW,
    }


def test_valid_material_passes_with_facts_and_no_key_in_info() -> None:
    material = c.validate(**_ok_args())
    assert material.info.subject == "CN=www.example.com"
    assert material.info.subject_alt_names == ["DNS:www.example.com", "DNS:example.com"]
    assert material.info.issuer == "CN=Test Intermediate"
    assert material.info.key_type == "ec_p256"
    assert material.info.key_size == 256
    assert material.info.days_remaining == 90
    assert material.chain_length == 1
    assert material.private_key_pem == pki().leaf.key_pem
    assert b"PRIVATE KEY" not in repr(material.info).encode()
    assert len(material.private_key_public_sha256 or "") == 64


def _variant(**changes: Any) -> Callable[[], Dict[str, Any]]:
    def build() -> Dict[str, Any]:
        args = _ok_args()
        for key, value in changes.items():
            args[key] = value() if callable(value) else value
        return args

    return build


def _expired() -> bytes:
    p = pki()
    return make_cert(
        "old.example.com",
        issuer=p.inter,
        key=p.leaf.key,
        sans=["www.example.com"],
        not_before=NOW - datetime.timedelta(days=100),
        not_after=NOW - datetime.timedelta(days=1),
    ).cert_pem


def _not_yet_valid() -> bytes:
    p = pki()
    return make_cert(
        "future.example.com",
        issuer=p.inter,
        key=p.leaf.key,
        sans=["www.example.com"],
        not_before=NOW + datetime.timedelta(days=1),
        not_after=NOW + datetime.timedelta(days=100),
    ).cert_pem


def _short_lived() -> bytes:
    p = pki()
    return make_cert("short.example.com", issuer=p.inter, key=p.leaf.key, sans=["www.example.com"], days=10).cert_pem


def _weak_rsa() -> Dict[str, Any]:
    key = make_key("rsa1024")
    pair = make_cert("weak.example.com", issuer=pki().inter, key=key, sans=["www.example.com"])
    return {**_ok_args(), "certificate": pair.cert_pem, "private_key": pair.key_pem}


def _weak_leaf(digest: str) -> Callable[[], Dict[str, Any]]:
    def build() -> Dict[str, Any]:
        rsa_ca = make_cert("RSA CA", ca=True, key=make_key("rsa2048"), days=3650)
        pair = make_cert(f"{digest}.example.com", issuer=rsa_ca, key=pki().leaf.key, sans=["www.example.com"])
        weak = weak_signed(pair.cert, rsa_ca.key, digest)
        return {**_ok_args(), "certificate": pem_of(weak), "chain": rsa_ca.cert_pem}

    return build


def _sha1_intermediate() -> Dict[str, Any]:
    rsa_root = make_cert("RSA Root", ca=True, key=make_key("rsa2048"), days=3650)
    inter = make_cert("SHA1 Intermediate", ca=True, issuer=rsa_root, key=make_key("rsa3072"))
    weak_inter = weak_signed(inter.cert, rsa_root.key, "sha1")
    pair = make_cert("x.example.com", issuer=inter, key=pki().leaf.key, sans=["www.example.com"])
    return {**_ok_args(), "certificate": pair.cert_pem, "chain": pem_of(weak_inter) + rsa_root.cert_pem}


def _sha1_root_is_fine() -> Dict[str, Any]:
    root_key = make_key("rsa2048")
    root = make_cert("Old Root", ca=True, key=root_key, days=3650)
    weak_root = weak_signed(root.cert, root_key, "sha1")
    inter = make_cert("Modern Intermediate", ca=True, issuer=root, key=make_key("rsa3072"))
    pair = make_cert("x.example.com", issuer=inter, key=pki().leaf.key, sans=["www.example.com"])
    return {**_ok_args(), "certificate": pair.cert_pem, "chain": inter.cert_pem + pem_of(weak_root)}


def _ed25519_leaf() -> Dict[str, Any]:
    pair = make_cert("ed.example.com", issuer=pki().inter, key=make_key("ed25519"), sans=["www.example.com"])
    return {**_ok_args(), "certificate": pair.cert_pem, "private_key": pair.key_pem}


def _p521_leaf() -> Dict[str, Any]:
    pair = make_cert("p521.example.com", issuer=pki().inter, key=make_key("ec_p521"), sans=["www.example.com"])
    return {**_ok_args(), "certificate": pair.cert_pem, "private_key": pair.key_pem}


def _no_san() -> Dict[str, Any]:
    pair = make_cert("www.example.com", issuer=pki().inter, key=pki().leaf.key)
    return {**_ok_args(), "certificate": pair.cert_pem}


def _expired_intermediate() -> Dict[str, Any]:
    p = pki()
    inter = make_cert(
        "Old Intermediate",
        ca=True,
        issuer=p.root,
        key=p.inter.key,
        not_before=NOW - datetime.timedelta(days=400),
        not_after=NOW - datetime.timedelta(days=2),
    )
    leaf = make_cert("www.example.com", issuer=inter, key=p.leaf.key, sans=["www.example.com"])
    return {**_ok_args(), "certificate": leaf.cert_pem, "chain": inter.cert_pem}


def _forged_intermediate() -> Dict[str, Any]:
    # same subject name as the real issuer, different key: the signature does not verify
    impostor = make_cert("Test Intermediate", ca=True, issuer=pki().root)
    return {**_ok_args(), "chain": impostor.cert_pem}


FAILURES = [
    pytest.param(_variant(certificate=b"garbage"), "certificate: no PEM certificate found", id="garbage-certificate"),
    pytest.param(
        _variant(certificate=b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
        "certificate: PEM block 1 does not parse as an X.509 certificate",
        id="corrupt-certificate-base64",
    ),
    pytest.param(
        _variant(certificate=lambda: pki().leaf.key_pem),
        "certificate: PEM block 1 is a private key, not a certificate",
        id="key-given-as-certificate",
    ),
    pytest.param(_variant(private_key=b"not a key"), "private key: no PEM private key found", id="garbage-key"),
    pytest.param(
        _variant(private_key=lambda: pki().leaf.cert_pem),
        "private key: found a certificate, not a private key",
        id="certificate-given-as-key",
    ),
    pytest.param(
        _variant(private_key=b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
        "private key: the PEM block does not parse as a private key",
        id="corrupt-key",
    ),
    pytest.param(
        _variant(private_key=lambda: pki().inter.key_pem),
        "private key does not match the certificate 'www.example.com'",
        id="key-of-another-certificate",
    ),
    pytest.param(
        _variant(private_key=lambda: key_pem(pki().leaf.key, b"secret")),
        "private key: the key is encrypted; set private_key_passphrase",
        id="encrypted-key-without-passphrase",
    ),
    pytest.param(
        _variant(private_key=lambda: key_pem(pki().leaf.key, b"secret"), passphrase="wrong"),
        "private key: could not decrypt the key (wrong private_key_passphrase?)",
        id="encrypted-key-wrong-passphrase",
    ),
    pytest.param(_variant(certificate=_expired), "certificate 'old.example.com' expired on", id="expired"),
    pytest.param(_variant(certificate=_not_yet_valid), "'future.example.com' is not valid yet", id="not-yet-valid"),
    pytest.param(
        _variant(certificate=_short_lived),
        "in 10 days; min_days_valid requires at least 30",
        id="fewer-days-than-min-days-valid",
    ),
    pytest.param(
        _variant(hostnames=["www.example.com", "shop.example.com"]),
        "hostnames not covered by the certificate's subjectAltNames: 'shop.example.com'",
        id="name-not-covered",
    ),
    pytest.param(_no_san, "certificate has no subjectAltName extension", id="no-san-extension"),
    pytest.param(
        _weak_rsa, "certificate: RSA key of 1024 bits is too weak (at least 2048 bits required)", id="rsa-1024"
    ),
    pytest.param(_weak_leaf("sha1"), "certificate 'sha1.example.com' is signed with SHA1", id="sha1-signature-leaf"),
    pytest.param(_weak_leaf("md5"), "certificate 'md5.example.com' is signed with MD5", id="md5-signature-leaf"),
    pytest.param(
        _sha1_intermediate,
        "chain certificate 'SHA1 Intermediate' is signed with SHA1",
        id="sha1-signature-intermediate",
    ),
    pytest.param(_ed25519_leaf, "certificate: key type ed25519 is not allowed", id="ed25519-not-allowed-by-default"),
    pytest.param(_p521_leaf, "certificate: key type ec_p521 is not allowed", id="p521-not-allowed"),
    pytest.param(
        _variant(chain=lambda: pki().root.cert_pem),
        "chain: missing link: no certificate for issuer 'CN=Test Intermediate' of 'www.example.com'",
        id="missing-intermediate-link",
    ),
    pytest.param(
        _variant(chain=lambda: pki().inter.cert_pem + make_cert("Stray", ca=True).cert_pem),
        "the chain certificates 'Stray' cannot be linked to the leaf",
        id="unrelated-chain-certificate",
    ),
    pytest.param(_forged_intermediate, "its signature does not verify", id="forged-intermediate"),
    pytest.param(_expired_intermediate, "chain certificate 'Old Intermediate' expired on", id="expired-intermediate"),
    pytest.param(_variant(min_days_valid=-1), "min_days_valid: -1 is negative", id="negative-min-days"),
]


@pytest.mark.parametrize(("build", "message"), FAILURES)
def test_bad_material_fails_with_a_message_naming_the_problem(
    build: Callable[[], Dict[str, Any]], message: str
) -> None:
    with pytest.raises(c.CertificateError) as info:
        c.validate(**build())
    assert message in str(info.value)


def test_failure_messages_never_contain_key_material() -> None:
    p = pki()
    body = p.leaf.key_pem.decode().splitlines()[1]
    for build, _message in (param.values for param in FAILURES):
        try:
            c.validate(**build())
        except c.CertificateError as exc:
            assert body not in str(exc)


def test_sha1_self_signature_of_a_root_in_the_chain_is_not_held_against_it() -> None:
    assert c.validate(**_sha1_root_is_fine()).chain_subjects == ["CN=Modern Intermediate", "CN=Old Root"]


def test_encrypted_key_with_passphrase_is_written_decrypted() -> None:
    args = {**_ok_args(), "private_key": key_pem(pki().leaf.key, b"secret"), "passphrase": "secret"}
    material = c.validate(**args)
    assert material.private_key_pem is not None
    assert material.private_key_pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    kept = c.validate(**args, decrypt_private_key=False)
    assert kept.private_key_pem is not None
    assert kept.private_key_pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")


def test_ed25519_accepted_when_allowed() -> None:
    pair = make_cert("ed.example.com", issuer=pki().inter, key=make_key("ed25519"), sans=["www.example.com"])
    args = {**_ok_args(), "certificate": pair.cert_pem, "private_key": pair.key_pem}
    assert c.validate(**args, key_types=["ed25519"]).info.key_type == "ed25519"


@pytest.mark.parametrize(
    "kind", [pytest.param("rsa2048", id="rsa-2048"), pytest.param("ec_p384", id="ec-p384"), "ec_p256"]
)
def test_default_key_types_accept_rsa_2048_p256_p384(kind: str) -> None:
    pair = make_cert("k.example.com", issuer=pki().inter, key=make_key(kind), sans=["www.example.com"])
    args = {**_ok_args(), "certificate": pair.cert_pem, "private_key": pair.key_pem}
    assert c.validate(**args).info.key_type == ("rsa" if kind.startswith("rsa") else kind)


CHAIN_ORDERS = [
    pytest.param(lambda p: p.inter.cert_pem + p.root.cert_pem, id="in-order"),
    pytest.param(lambda p: p.root.cert_pem + p.inter.cert_pem, id="root-first-gets-ordered"),
    pytest.param(lambda p: p.root.cert_pem + p.inter.cert_pem + p.inter.cert_pem, id="duplicates-dropped"),
]


@pytest.mark.parametrize("chain", CHAIN_ORDERS)
def test_chain_given_out_of_order_gets_ordered(chain: Callable[[Any], bytes]) -> None:
    p = pki()
    material = c.validate(**{**_ok_args(), "chain": chain(p)})
    assert material.chain_subjects == ["CN=Test Intermediate", "CN=Test Root"]
    assert material.chain_pem == p.inter.cert_pem + p.root.cert_pem


def test_fullchain_given_as_certificate_is_split_into_leaf_and_chain() -> None:
    p = pki()
    material = c.validate(**{**_ok_args(), "certificate": p.leaf.cert_pem + p.inter.cert_pem, "chain": None})
    assert material.certificate_pem == p.leaf.cert_pem
    assert material.chain_pem == p.inter.cert_pem


def test_three_level_chain_shuffled_is_ordered() -> None:
    p = pki()
    inter2 = make_cert("Second Intermediate", ca=True, issuer=p.inter)
    leaf = make_cert("deep.example.com", issuer=inter2, key=p.leaf.key, sans=["www.example.com"])
    chain = p.root.cert_pem + inter2.cert_pem + p.inter.cert_pem
    material = c.validate(**{**_ok_args(), "certificate": leaf.cert_pem, "chain": chain})
    assert material.chain_subjects == ["CN=Second Intermediate", "CN=Test Intermediate", "CN=Test Root"]


# (hostname, pattern, matches, partial) per RFC 6125 section 6.4.3
NAME_MATCHES = [
    pytest.param("www.example.com", "www.example.com", True, False, id="exact"),
    pytest.param("WWW.Example.COM.", "www.example.com", True, False, id="case-and-trailing-dot-insensitive"),
    pytest.param("a.example.com", "*.example.com", True, False, id="wildcard-covers-one-label"),
    pytest.param("example.com", "*.example.com", False, False, id="wildcard-not-bare-parent"),
    pytest.param("a.b.example.com", "*.example.com", False, False, id="wildcard-not-two-labels"),
    pytest.param("a.example.com", "a.*.com", False, False, id="wildcard-only-in-left-most-label"),
    pytest.param("example.com", "*.com", False, False, id="wildcard-needs-two-labels-after"),
    pytest.param("a.b.example.com", "*.*.example.com", False, False, id="two-wildcards-refused"),
    pytest.param("www1.example.com", "www*.example.com", True, True, id="partial-label-prefix-flagged"),
    pytest.param("frontweb.example.com", "*web.example.com", True, True, id="partial-label-suffix-flagged"),
    pytest.param("www.example.com", "www*.example.com", False, False, id="partial-wildcard-needs-a-character"),
    pytest.param("xn--bcher-kva.example", "xn--*.example", False, False, id="no-wildcard-inside-a-label"),
    pytest.param("xn--bcher-kva.example", "x*.example", False, False, id="partial-wildcard-not-on-idn-label"),
    pytest.param("bücher.example", "xn--bcher-kva.example", True, False, id="idn-u-label-vs-a-label"),
    pytest.param("BÜCHER.example", "xn--bcher-kva.example", True, False, id="idn-case-folded"),
    pytest.param("bücher.shop.example", "*.shop.example", True, False, id="idn-under-wildcard"),
    pytest.param("xn--bcher-kva.example", "bücher.example", True, False, id="u-label-in-certificate"),
    pytest.param("bucher.example", "xn--bcher-kva.example", False, False, id="idn-not-ascii-lookalike"),
]


@pytest.mark.parametrize(("hostname", "pattern", "matches", "partial"), NAME_MATCHES)
def test_rfc6125_name_matching(hostname: str, pattern: str, matches: bool, partial: bool) -> None:
    assert c.hostname_matches(hostname, pattern) == (matches, partial)


COVERAGE = [
    pytest.param(["*.example.com"], ["a.example.com", "b.example.com"], True, id="wildcard-covers-several"),
    pytest.param(["*.example.com"], ["example.com"], False, id="wildcard-not-apex"),
    pytest.param(["192.0.2.10"], ["192.0.2.10"], True, id="ip-in-ip-san"),
    pytest.param(["2001:db8::1"], ["2001:DB8:0::1"], True, id="ipv6-normalised"),
    pytest.param(["*.example.com"], ["192.0.2.10"], False, id="ip-never-matches-dns-san"),
    pytest.param(["xn--bcher-kva.example"], ["bücher.example"], True, id="idn-hostname"),
]


@pytest.mark.parametrize(("sans", "hostnames", "covered"), COVERAGE)
def test_hostnames_covered_by_sans(sans: list, hostnames: list, covered: bool) -> None:
    cert = make_cert("x", sans=sans).cert
    if covered:
        assert c.check_hostnames(cert, hostnames) == []
    else:
        with pytest.raises(c.CertificateError, match="hostnames not covered"):
            c.check_hostnames(cert, hostnames)


def test_partial_wildcard_coverage_warns() -> None:
    cert = make_cert("x", sans=["www*.example.com"]).cert
    warnings = c.check_hostnames(cert, ["www1.example.com"])
    assert len(warnings) == 1
    assert "partial-label wildcard 'www*.example.com'" in warnings[0]
