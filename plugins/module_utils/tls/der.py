# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Just enough DER to read an X.509 certificate's validity and public key with the standard library.

On targets there is no ``cryptography``: ``tls_certificate`` checks a key made on the host against
the certificate's SubjectPublicKeyInfo (:func:`certificate_spki`), and the compliance control HOST-06
reads when each certificate on disk expires (:func:`certificate_validity`).

Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber, signature,
issuer, validity SEQUENCE { notBefore, notAfter }, subject, subjectPublicKeyInfo, ... }, ... }

Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re
from typing import List, Tuple

__all__ = [
    "DerError",
    "certificate_der",
    "certificate_ders",
    "certificate_spki",
    "certificate_validity",
    "children",
    "element",
    "pem_blocks",
]

_SEQUENCE = 0x30
_CONTEXT_0 = 0xA0  # [0] EXPLICIT: the certificate's version
_UTC_TIME = 0x17
_GENERALIZED_TIME = 0x18


class DerError(ValueError):
    """Not a certificate this reader understands; the message says what is wrong, never the data."""


def pem_blocks(text: str, label: str) -> List[bytes]:
    """The DER of every PEM block labelled ``label`` (``CERTIFICATE``, ``PUBLIC KEY``), in order."""
    pattern = re.compile(rf"-----BEGIN {label}-----(.+?)-----END {label}-----", re.DOTALL)
    out = []
    for match in pattern.finditer(text):
        try:
            out.append(base64.b64decode("".join(match.group(1).split()), validate=True))
        except (binascii.Error, ValueError):
            raise DerError(f"a {label} PEM block is not valid base64") from None
    return out


def certificate_ders(pem: str) -> List[bytes]:
    """The DER of every certificate in a PEM text."""
    return pem_blocks(pem, "CERTIFICATE")


def certificate_der(pem: str) -> bytes:
    """The DER of the first certificate in a PEM text."""
    ders = certificate_ders(pem)
    if not ders:
        raise DerError("no PEM certificate found")
    return ders[0]


def _tlv(data: bytes, offset: int) -> Tuple[int, int, int]:
    """(tag, start of the value, end of the value) of the DER element at ``offset``."""
    if offset + 2 > len(data):
        raise DerError("truncated DER")
    tag = data[offset]
    length = data[offset + 1]
    start = offset + 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or start + count > len(data):
            raise DerError("bad DER length")
        length = int.from_bytes(data[start : start + count], "big")
        start += count
    end = start + length
    if end > len(data):
        raise DerError("truncated DER")
    return tag, start, end


def _tbs_fields(der: bytes) -> List[Tuple[int, int, int]]:
    """(tag, start, end) of the tbsCertificate's fields from serialNumber to subjectPublicKeyInfo."""
    tag, start, _end = _tlv(der, 0)
    if tag != _SEQUENCE:
        raise DerError("not a DER SEQUENCE")
    tag, offset, tbs_end = _tlv(der, start)
    if tag != _SEQUENCE:
        raise DerError("no tbsCertificate")
    tag, _value, after = _tlv(der, offset)
    if tag == _CONTEXT_0:
        offset = after
    fields = []
    for _index in range(6):  # serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
        if offset >= tbs_end:
            raise DerError("tbsCertificate too short")
        element = _tlv(der, offset)
        fields.append((element[0], offset, element[2]))
        offset = element[2]
    return fields


def certificate_spki(der: bytes) -> bytes:
    """The SubjectPublicKeyInfo (the whole DER element) of an X.509 certificate."""
    tag, start, end = _tbs_fields(der)[5]
    if tag != _SEQUENCE:
        raise DerError("subjectPublicKeyInfo is not a SEQUENCE")
    return der[start:end]


def _time(der: bytes, offset: int) -> Tuple[datetime.datetime, int]:
    tag, start, end = _tlv(der, offset)
    text = der[start:end].decode("ascii", "replace")
    if tag == _UTC_TIME and re.fullmatch(r"\d{12}Z", text):
        year = int(text[:2])
        text = ("19" if year >= 50 else "20") + text  # RFC 5280 4.1.2.5.1
    elif not (tag == _GENERALIZED_TIME and re.fullmatch(r"\d{14}Z", text)):
        raise DerError(f"validity: unexpected time {text!r}")
    moment = datetime.datetime.strptime(text, "%Y%m%d%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    return moment, end


def certificate_validity(der: bytes) -> Tuple[datetime.datetime, datetime.datetime]:
    """(notBefore, notAfter) of an X.509 certificate, timezone-aware UTC."""
    tag, start, _end = _tbs_fields(der)[3]
    if tag != _SEQUENCE:
        raise DerError("validity is not a SEQUENCE")
    _tag, value, _after = _tlv(der, start)
    not_before, offset = _time(der, value)
    not_after, _offset = _time(der, offset)
    return not_before, not_after


def element(data: bytes, offset: int = 0) -> Tuple[int, int, int]:
    """``(tag, start of the value, end of the value)`` of the DER element at ``offset``; raises DerError."""
    return _tlv(data, offset)


def children(data: bytes, start: int, end: int) -> List[Tuple[int, int, int]]:
    """The elements between ``start`` and ``end`` (a constructed value's content), in order."""
    out: List[Tuple[int, int, int]] = []
    offset = start
    while offset < end:
        tag, value, after = _tlv(data, offset)
        out.append((tag, value, after))
        offset = after
    return out
