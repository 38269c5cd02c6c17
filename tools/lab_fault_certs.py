# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Certificates that are wrong on purpose, for the compliance lab (controller side, cryptography).

``webedge.https.tls_lab_ca`` issues only good certificates. This script adds, next to a CA
directory made by it (``intermediate.crt``/``intermediate.key``), the two faults it cannot
make:

* ``expired.crt``/``expired.key``: issued by the lab intermediate, expired ``--expired-days-ago`` days ago;
* ``selfsigned.crt``/``selfsigned.key``: a self-signed server certificate.

Both are otherwise RFC 5280-complete (SKI, AKI, critical KeyUsage and BasicConstraints,
EKU serverAuth, SAN), so each carries exactly one fault. Existing files are left alone
(idempotent); keys are written with mode 0600.

Usage: lab_fault_certs.py CA_DIR --expired-name NAME --selfsigned-name NAME
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from typing import Optional, Tuple

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def leaf(
    name: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: Optional[Tuple[x509.Certificate, ec.EllipticCurvePrivateKey]],
    not_before: datetime.datetime,
    not_after: datetime.datetime,
) -> x509.Certificate:
    """A server certificate for ``name``; self-signed when ``issuer`` is None."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    if issuer is None:
        issuer_name, signer = subject, key
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key())
    else:
        issuer_name, signer = issuer[0].subject, issuer[1]
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer[0].public_key())  # type: ignore[arg-type]
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(aki, critical=False)
    )
    return builder.sign(signer, hashes.SHA256())


def _write(path: str, data: bytes, mode: int) -> None:
    tmp = f"{path}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def _save(ca_dir: str, stem: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> None:
    _write(
        os.path.join(ca_dir, f"{stem}.key"),
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
        0o600,
    )
    _write(os.path.join(ca_dir, f"{stem}.crt"), cert.public_bytes(serialization.Encoding.PEM), 0o644)


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("ca_dir", help="directory made by webedge.https.tls_lab_ca (intermediate.crt/.key)")
    parser.add_argument("--expired-name", required=True, help="DNS name of the expired certificate")
    parser.add_argument("--selfsigned-name", required=True, help="DNS name of the self-signed certificate")
    parser.add_argument("--expired-days-ago", type=int, default=10)
    args = parser.parse_args(argv)

    made = []
    now = datetime.datetime.now(datetime.timezone.utc)
    if not os.path.exists(os.path.join(args.ca_dir, "expired.crt")):
        with open(os.path.join(args.ca_dir, "intermediate.crt"), "rb") as handle:
            ica = x509.load_pem_x509_certificate(handle.read())
        with open(os.path.join(args.ca_dir, "intermediate.key"), "rb") as handle:
            ica_key = serialization.load_pem_private_key(handle.read(), password=None)
        if not isinstance(ica_key, ec.EllipticCurvePrivateKey):
            print("the lab intermediate must have an EC key (tls_lab_ca key_type ec_*)", file=sys.stderr)
            return 2
        key = _key()
        not_after = now - datetime.timedelta(days=args.expired_days_ago)
        cert = leaf(args.expired_name, key, (ica, ica_key), not_after - datetime.timedelta(days=90), not_after)
        _save(args.ca_dir, "expired", cert, key)
        made.append("expired")
    if not os.path.exists(os.path.join(args.ca_dir, "selfsigned.crt")):
        key = _key()
        cert = leaf(
            args.selfsigned_name, key, None, now - datetime.timedelta(hours=1), now + datetime.timedelta(days=90)
        )
        _save(args.ca_dir, "selfsigned", cert, key)
        made.append("selfsigned")
    print("made: " + (", ".join(made) if made else "nothing"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
