# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stdlib DER reader against certificates made with cryptography: public key and validity."""

from __future__ import annotations

import datetime

import pytest
from cryptography.hazmat.primitives import serialization

from ansible_collections.webedge.https.plugins.module_utils.tls import der
from ansible_collections.webedge.https.tests.unit.helpers.tls_certs import NOW, fresh_key, make_cert, pki


@pytest.mark.parametrize("kind", ["ec_p256", "ec_p384", "rsa2048", "rsa4096", "ed25519"])
def test_the_certificates_public_key_is_read_from_its_der(kind: str) -> None:
    # Given a certificate for a key of each kind (RSA 4096 has long DER lengths)
    key = fresh_key(kind)
    pair = make_cert("www.example.com", key=key, sans=["www.example.com"])
    # When its SubjectPublicKeyInfo is read with the stdlib DER reader
    spki = der.certificate_spki(der.certificate_der(pair.cert_pem.decode()))
    # Then it is the key's, byte for byte
    assert spki == key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@pytest.mark.parametrize(
    ("not_after", "form"),
    [
        pytest.param(NOW + datetime.timedelta(days=30), "UTCTime", id="utctime"),
        # RFC 5280: from 2050 on, GeneralizedTime
        pytest.param(
            datetime.datetime(2051, 6, 1, 12, 0, 0, tzinfo=datetime.timezone.utc), "GeneralizedTime", id="2051"
        ),
    ],
)
def test_the_validity_is_read_as_utc(not_after: datetime.datetime, form: str) -> None:
    pair = make_cert("www.example.com", not_before=NOW - datetime.timedelta(days=1), not_after=not_after)
    not_before, read_after = der.certificate_validity(der.certificate_der(pair.cert_pem.decode()))
    assert read_after == not_after.replace(microsecond=0)
    assert not_before == NOW - datetime.timedelta(days=1)
    assert read_after.tzinfo is datetime.timezone.utc


def test_every_certificate_of_a_chain_file_is_read_in_order() -> None:
    p = pki()
    ders = der.certificate_ders((p.leaf.cert_pem + p.inter.cert_pem).decode())
    assert [der.certificate_validity(d)[1] for d in ders] == [
        p.leaf.cert.not_valid_after_utc,
        p.inter.cert.not_valid_after_utc,
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"", "truncated DER", id="empty"),
        pytest.param(b"\x02\x01\x00", "not a DER SEQUENCE", id="integer"),
        pytest.param(b"\x30\x05\x30\x03\x02\x01", "truncated DER", id="truncated"),
        pytest.param(b"\x30\x85\x00\x00\x00\x00\x01", "bad DER length", id="five-byte-length"),
        pytest.param(b"\x30\x03\x02\x01\x00", "no tbsCertificate", id="no-tbs"),
        pytest.param(b"\x30\x05\x30\x03\x02\x01\x00", "tbsCertificate too short", id="short-tbs"),
    ],
)
def test_garbage_der_is_refused_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(der.DerError, match=message):
        der.certificate_spki(data)
    with pytest.raises(der.DerError, match=message):
        der.certificate_validity(data)


def test_a_pem_text_without_a_certificate_is_refused() -> None:
    with pytest.raises(der.DerError, match="no PEM certificate"):
        der.certificate_der("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    with pytest.raises(der.DerError, match="not valid base64"):
        der.certificate_ders("-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----\n")
