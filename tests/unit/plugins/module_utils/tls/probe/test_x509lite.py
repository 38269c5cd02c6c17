# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The probe's own certificate and OCSP reader against what cryptography builds and reads."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.x509lite import (
    chain_entry,
    ocsp_status,
    read_certificate,
    rsa_public_numbers,
)

cryptography = pytest.importorskip("cryptography")

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID

NOW = datetime.datetime.now(datetime.timezone.utc)


def _certificate(key, digest, *, issuer_key=None, extensions=(), name="leaf.test") -> x509.Certificate:
    subject = x509.Name(
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "a, b"), x509.NameAttribute(NameOID.COMMON_NAME, name)]
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject if issuer_key is None else x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ca.test")]))
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(NOW)
        .not_valid_after(NOW + datetime.timedelta(days=30))
    )
    for extension in extensions:
        builder = builder.add_extension(extension, critical=False)
    return builder.sign(issuer_key or key, digest)


KEYS = [
    ("rsa_2048", lambda: rsa.generate_private_key(65537, 2048), hashes.SHA256(), ("RSA", 2048, None)),
    ("rsa_1024", lambda: rsa.generate_private_key(65537, 1024), hashes.SHA384(), ("RSA", 1024, None)),
    ("p256", lambda: ec.generate_private_key(ec.SECP256R1()), hashes.SHA256(), ("EC", 256, "secp256r1")),
    ("p384", lambda: ec.generate_private_key(ec.SECP384R1()), hashes.SHA384(), ("EC", 384, "secp384r1")),
    ("p521", lambda: ec.generate_private_key(ec.SECP521R1()), hashes.SHA512(), ("EC", 521, "secp521r1")),
    ("dsa", lambda: dsa.generate_private_key(2048), hashes.SHA256(), ("DSA", 2048, None)),
    ("ed25519", ed25519.Ed25519PrivateKey.generate, None, ("Ed25519", 256, None)),
]


@pytest.mark.parametrize(("make_key", "digest", "expected"), [k[1:] for k in KEYS], ids=[k[0] for k in KEYS])
def test_key_and_signature_read_as_cryptography_names_them(make_key, digest, expected) -> None:
    cert = _certificate(make_key(), digest)
    facts = read_certificate(cert.public_bytes(serialization.Encoding.DER))
    assert (facts.key_type, facts.key_size, facts.curve) == expected
    assert facts.signature_algorithm == cert.signature_algorithm_oid._name
    assert facts.subject == cert.subject.rfc4514_string() and facts.self_signed is True


def test_ocsp_responders_and_must_staple() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    aia = x509.AuthorityInformationAccess(
        [
            x509.AccessDescription(
                x509.oid.AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier("http://ocsp.test/")
            )
        ]
    )
    cert = _certificate(key, hashes.SHA256(), extensions=(aia, x509.TLSFeature([x509.TLSFeatureType.status_request])))
    facts = read_certificate(cert.public_bytes(serialization.Encoding.DER))
    assert facts.ocsp_urls == ("http://ocsp.test/",) and facts.must_staple is True
    plain = read_certificate(_certificate(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER))
    assert plain.ocsp_urls == () and plain.must_staple is False


def test_rsa_numbers_for_robot_and_none_for_ec() -> None:
    key = rsa.generate_private_key(65537, 2048)
    der = _certificate(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    numbers = key.public_key().public_numbers()
    assert rsa_public_numbers(der) == (numbers.n, numbers.e)
    ec_der = _certificate(ec.generate_private_key(ec.SECP256R1()), hashes.SHA256()).public_bytes(
        serialization.Encoding.DER
    )
    assert rsa_public_numbers(ec_der) is None


def test_unreadable_certificate_gives_an_entry_of_nulls() -> None:
    entry = chain_entry(b"\x30\x03\x02\x01\x00")
    assert entry["key_type"] is None and len(entry["sha256_fingerprint"]) == 64


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (ocsp.OCSPCertStatus.GOOD, "good"),
        (ocsp.OCSPCertStatus.REVOKED, "revoked"),
        (ocsp.OCSPCertStatus.UNKNOWN, "unknown"),
    ],
)
def test_stapled_ocsp_response_status(status, expected: str) -> None:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate(ca_key, hashes.SHA256(), name="ca.test")
    leaf = _certificate(ec.generate_private_key(ec.SECP256R1()), hashes.SHA256(), issuer_key=ca_key)
    builder = ocsp.OCSPResponseBuilder().add_response(
        cert=leaf,
        issuer=ca,
        algorithm=hashes.SHA256(),
        cert_status=status,
        this_update=NOW,
        next_update=NOW + datetime.timedelta(days=1),
        revocation_time=NOW if status == ocsp.OCSPCertStatus.REVOKED else None,
        revocation_reason=None,
    )
    response = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, ca).sign(ca_key, hashes.SHA256())
    assert ocsp_status(response.public_bytes(serialization.Encoding.DER)) == ("successful", expected)


def test_unsuccessful_ocsp_response() -> None:
    response = ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.TRY_LATER)
    assert ocsp_status(response.public_bytes(serialization.Encoding.DER)) == ("tryLater", None)
    assert ocsp_status(b"junk") == (None, None)
