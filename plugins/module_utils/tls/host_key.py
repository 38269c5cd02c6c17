# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A private key that already lives on the host, checked against a certificate there.

``tls_certificate`` with ``host_private_key`` installs a certificate whose key was made on the
host (the tls role's ``acme`` and ``ca`` sources): the controller never reads that key. Here, on
the host, ``openssl pkey -pubout`` gives the key's public half (SubjectPublicKeyInfo), and the
certificate's SubjectPublicKeyInfo is read from its DER with a small DER reader: the two must be
the same bytes. The key's content is kept only to be written to ``key_path``; nothing here
returns or prints it.

Runs on targets (Python 3.8+, standard library only; ``openssl`` on the host).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from typing import Callable, Sequence, Tuple

__all__ = [
    "HostKey",
    "HostKeyError",
    "certificate_der",
    "certificate_spki",
    "pem_body",
    "read_host_key",
]

# run(argv) -> (rc, stdout, stderr): ModuleRunner.run on the host, a fake in the tests.
Runner = Callable[[Sequence[str]], Tuple[int, str, str]]

_PEM_CERT = re.compile(r"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.DOTALL)
_PEM_PUBLIC = re.compile(r"-----BEGIN PUBLIC KEY-----(.+?)-----END PUBLIC KEY-----", re.DOTALL)
_SEQUENCE = 0x30
_CONTEXT_0 = 0xA0  # [0] EXPLICIT, the certificate's version


class HostKeyError(Exception):
    """The key on the host cannot be used; the message names the path, never the content."""


@dataclass(frozen=True)
class HostKey:
    """A key read on the host. ``content`` is key material: never return, print or log it."""

    path: str
    public_sha256: str  # of the SubjectPublicKeyInfo DER, lower-case hex (as the controller reports keys)
    content: bytes = field(repr=False)


def pem_body(text: str, pattern: re.Pattern[str], what: str) -> bytes:
    """The DER inside the first PEM block that ``pattern`` matches."""
    match = pattern.search(text)
    if not match:
        raise HostKeyError(f"{what}: no PEM block found")
    try:
        return base64.b64decode("".join(match.group(1).split()), validate=True)
    except (binascii.Error, ValueError):
        raise HostKeyError(f"{what}: the PEM block is not valid base64") from None


def certificate_der(pem: str) -> bytes:
    """The DER of the first certificate in a PEM text."""
    return pem_body(pem, _PEM_CERT, "certificate")


def _tlv(data: bytes, offset: int) -> Tuple[int, int, int]:
    """(tag, start of the value, end of the value) of the DER element at ``offset``."""
    if offset + 2 > len(data):
        raise HostKeyError("certificate: truncated DER")
    tag = data[offset]
    length = data[offset + 1]
    start = offset + 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or start + count > len(data):
            raise HostKeyError("certificate: bad DER length")
        length = int.from_bytes(data[start : start + count], "big")
        start += count
    end = start + length
    if end > len(data):
        raise HostKeyError("certificate: truncated DER")
    return tag, start, end


def certificate_spki(der: bytes) -> bytes:
    """The SubjectPublicKeyInfo (whole DER element) of an X.509 certificate.

    Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber,
    signature, issuer, validity, subject, subjectPublicKeyInfo, ... }, ... }
    """
    tag, start, _end = _tlv(der, 0)
    if tag != _SEQUENCE:
        raise HostKeyError("certificate: not a DER SEQUENCE")
    tag, offset, tbs_end = _tlv(der, start)
    if tag != _SEQUENCE:
        raise HostKeyError("certificate: no tbsCertificate")
    tag, _value, after = _tlv(der, offset)
    if tag == _CONTEXT_0:
        offset = after
    for _skipped in range(5):  # serialNumber, signature, issuer, validity, subject
        _tag, _value, offset = _tlv(der, offset)
    if offset >= tbs_end:
        raise HostKeyError("certificate: no subjectPublicKeyInfo")
    tag, _value, end = _tlv(der, offset)
    if tag != _SEQUENCE:
        raise HostKeyError("certificate: subjectPublicKeyInfo is not a SEQUENCE")
    return der[offset:end]


def read_host_key(path: str, certificate_pem: str, run: Runner) -> HostKey:
    """Read the key at ``path`` and check that it is the key of ``certificate_pem``."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise HostKeyError(f"host_private_key {path}: no such file on the host") from None
    except OSError as exc:
        raise HostKeyError(f"host_private_key {path}: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise HostKeyError(f"host_private_key {path}: not a regular file")
    rc, out, err = run(["openssl", "pkey", "-in", path, "-pubout"])
    if rc != 0:
        first = (err or "").strip().splitlines()[:1]
        reason = first[0] if first else f"rc={rc}"
        raise HostKeyError(f"host_private_key {path}: openssl cannot read it as a private key ({reason})")
    key_spki = pem_body(out, _PEM_PUBLIC, f"host_private_key {path}")
    cert_spki = certificate_spki(certificate_der(certificate_pem))
    key_sha = hashlib.sha256(key_spki).hexdigest()
    if key_spki != cert_spki:
        raise HostKeyError(
            f"host_private_key {path} is not the key of the certificate (sha256 of its public key {key_sha[:16]}..., "
            f"of the certificate's {hashlib.sha256(cert_spki).hexdigest()[:16]}...)"
        )
    try:
        with open(path, "rb") as handle:
            content = handle.read()
    except OSError as exc:
        raise HostKeyError(f"host_private_key {path}: cannot read ({exc.strerror})") from None
    return HostKey(path=path, public_sha256=key_sha, content=content)
