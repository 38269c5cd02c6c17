"""Write bad certificate material for the scenario (run on the controller, needs cryptography).

Usage: make_bad_material.py DIR HOSTNAME. Writes expired.{crt,key} (expired yesterday) and
weak.{crt,key} (RSA 1024), both self-signed for HOSTNAME.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID


def write(out: Path, stem: str, key, not_before: datetime.datetime, not_after: datetime.datetime, host: str) -> None:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    (out / f"{stem}.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (out / f"{stem}.key").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (out / f"{stem}.key").chmod(0o600)


def main() -> None:
    out, host = Path(sys.argv[1]), sys.argv[2]
    out.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    day = datetime.timedelta(days=1)
    write(out, "expired", ec.generate_private_key(ec.SECP256R1()), now - 100 * day, now - day, host)
    write(out, "weak", rsa.generate_private_key(public_exponent=65537, key_size=1024), now - day, now + 90 * day, host)


if __name__ == "__main__":
    main()
