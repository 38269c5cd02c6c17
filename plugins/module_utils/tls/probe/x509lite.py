# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the probe reads from certificates and OCSP responses with the standard library only.

Enough DER (through :mod:`..der`) to judge every served certificate wherever the probe runs: key
type, size and curve, signature algorithm, subject and issuer, the OCSP responders (AIA) and
must-staple (TLS Feature), the RSA public numbers (ROBOT), and the status of a stapled OCSP response.
Names are those ``cryptography`` prints (``sha256WithRSAEncryption``, ``secp256r1``, RFC 4514
subjects), so both certificate readers report the same strings. Runs on targets (Python 3.8+,
standard library only).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from ansible_collections.webedge.https.plugins.module_utils.tls.der import DerError, children, element

__all__ = ["CertFacts", "DerError", "chain_entry", "ocsp_status", "read_certificate", "rsa_public_numbers"]

_SEQUENCE = 0x30
_OID = 0x06
_BIT_STRING = 0x03
_OCTET_STRING = 0x04
_INTEGER = 0x02
_ENUMERATED = 0x0A

SIGNATURES: Dict[str, str] = {
    "1.2.840.113549.1.1.2": "md2WithRSAEncryption",
    "1.2.840.113549.1.1.4": "md5WithRSAEncryption",
    "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
    "1.2.840.113549.1.1.10": "RSASSA-PSS",
    "1.2.840.113549.1.1.11": "sha256WithRSAEncryption",
    "1.2.840.113549.1.1.12": "sha384WithRSAEncryption",
    "1.2.840.113549.1.1.13": "sha512WithRSAEncryption",
    "1.2.840.113549.1.1.14": "sha224WithRSAEncryption",
    "1.2.840.10045.4.1": "ecdsa-with-SHA1",
    "1.2.840.10045.4.3.1": "ecdsa-with-SHA224",
    "1.2.840.10045.4.3.2": "ecdsa-with-SHA256",
    "1.2.840.10045.4.3.3": "ecdsa-with-SHA384",
    "1.2.840.10045.4.3.4": "ecdsa-with-SHA512",
    "1.2.840.10040.4.3": "dsa-with-sha1",
    "2.16.840.1.101.3.4.3.2": "dsa-with-sha256",
    "1.3.101.112": "ed25519",
    "1.3.101.113": "ed448",
}
_KEY_TYPES = {
    "1.2.840.113549.1.1.1": "RSA",
    "1.2.840.113549.1.1.10": "RSA",
    "1.2.840.10045.2.1": "EC",
    "1.2.840.10040.4.1": "DSA",
    "1.3.101.112": "Ed25519",
    "1.3.101.113": "Ed448",
}
_CURVES: Dict[str, Tuple[str, int]] = {
    "1.2.840.10045.3.1.7": ("secp256r1", 256),
    "1.3.132.0.34": ("secp384r1", 384),
    "1.3.132.0.35": ("secp521r1", 521),
    "1.3.132.0.33": ("secp224r1", 224),
    "1.2.840.10045.3.1.1": ("secp192r1", 192),
    "1.3.132.0.10": ("secp256k1", 256),
    "1.3.36.3.3.2.8.1.1.7": ("brainpoolP256r1", 256),
    "1.3.36.3.3.2.8.1.1.11": ("brainpoolP384r1", 384),
    "1.3.36.3.3.2.8.1.1.13": ("brainpoolP512r1", 512),
}
_NAME_ATTRIBUTES = {
    "2.5.4.3": "CN",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.4.9": "STREET",
    "0.9.2342.19200300.100.1.25": "DC",
    "0.9.2342.19200300.100.1.1": "UID",
}
_AIA = "1.3.6.1.5.5.7.1.1"
_OCSP_METHOD = "1.3.6.1.5.5.7.48.1"
_TLS_FEATURE = "1.3.6.1.5.5.7.1.24"
_OCSP_BASIC = "1.3.6.1.5.5.7.48.1.1"
_OCSP_RESPONSE_STATUS = {
    0: "successful",
    1: "malformedRequest",
    2: "internalError",
    3: "tryLater",
    5: "sigRequired",
    6: "unauthorized",
}


@dataclass(frozen=True)
class CertFacts:
    """One certificate as the probe judges it (sizes in bits; None when not read)."""

    subject: str
    issuer: str
    self_signed: bool  # subject equals issuer (the signature is not checked here)
    key_type: Optional[str]
    key_size: Optional[int]
    curve: Optional[str]
    signature_algorithm: Optional[str]
    ocsp_urls: Tuple[str, ...]
    must_staple: bool


def _oid(data: bytes, start: int, end: int) -> str:
    first = data[start]
    parts = [first // 40 if first < 80 else 2, first % 40 if first < 80 else first - 80]
    value = 0
    for byte in data[start + 1 : end]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(str(part) for part in parts)


def _expect(found: Tuple[int, int, int], tag: int, what: str) -> Tuple[int, int, int]:
    if found[0] != tag:
        raise DerError(f"{what}: unexpected tag 0x{found[0]:02x}")
    return found


def _name(data: bytes, start: int, end: int) -> str:
    """RFC 4514 spelling (last RDN first), like cryptography's ``rfc4514_string``."""
    rdns: List[str] = []
    for _tag, set_start, set_end in children(data, start, end):
        parts = []
        for _stag, attr_start, attr_end in children(data, set_start, set_end):
            (_t1, oid_start, oid_end), (_t2, value_start, value_end) = children(data, attr_start, attr_end)[:2]
            oid = _oid(data, oid_start, oid_end)
            value = data[value_start:value_end].decode("utf-8", "replace")
            escaped = value.replace("\\", "\\\\").replace(",", "\\,").replace("+", "\\+")
            parts.append(f"{_NAME_ATTRIBUTES.get(oid, oid)}={escaped}")
        rdns.append("+".join(parts))
    return ",".join(reversed(rdns))


def _key(data: bytes, start: int, end: int) -> Tuple[Optional[str], Optional[int], Optional[str]]:
    algorithm, key_bits = children(data, start, end)[:2]
    alg_fields = children(data, algorithm[1], algorithm[2])
    oid = _oid(data, alg_fields[0][1], alg_fields[0][2])
    key_type = _KEY_TYPES.get(oid, oid)
    if key_type == "EC" and len(alg_fields) > 1 and alg_fields[1][0] == _OID:
        curve_oid = _oid(data, alg_fields[1][1], alg_fields[1][2])
        name, size = _CURVES.get(curve_oid, (curve_oid, 0))
        return key_type, size or None, name
    if key_type in ("RSA", "DSA"):
        bits = data[key_bits[1] + 1 : key_bits[2]]  # skip the BIT STRING's unused-bits byte
        if key_type == "RSA":
            _tag, mod_start, mod_end = children(bits, *element(bits)[1:])[0]
            return key_type, int.from_bytes(bits[mod_start:mod_end], "big").bit_length(), None
        params = alg_fields[1] if len(alg_fields) > 1 else None
        if params is not None and params[0] == _SEQUENCE:
            p_start, p_end = children(data, params[1], params[2])[0][1:]
            return key_type, int.from_bytes(data[p_start:p_end], "big").bit_length(), None
        return key_type, None, None
    return key_type, {"Ed25519": 256, "Ed448": 456}.get(key_type), None


def _extensions(data: bytes, start: int, end: int) -> Tuple[Tuple[str, ...], bool]:
    ocsp: List[str] = []
    must_staple = False
    (_tag, seq_start, seq_end) = _expect(element(data, start), _SEQUENCE, "extensions")
    for _etag, ext_start, ext_end in children(data, seq_start, seq_end):
        fields = children(data, ext_start, ext_end)
        oid = _oid(data, fields[0][1], fields[0][2])
        value = fields[-1]
        if oid == _AIA:
            _t, aia_start, aia_end = element(data, value[1])
            for _at, desc_start, desc_end in children(data, aia_start, aia_end):
                method, location = children(data, desc_start, desc_end)[:2]
                if _oid(data, method[1], method[2]) == _OCSP_METHOD and location[0] == 0x86:
                    ocsp.append(data[location[1] : location[2]].decode("ascii", "replace"))
        elif oid == _TLS_FEATURE:
            _t, feat_start, feat_end = element(data, value[1])
            features = [int.from_bytes(data[s:e], "big") for _ft, s, e in children(data, feat_start, feat_end)]
            must_staple = 5 in features  # status_request
    return tuple(ocsp), must_staple


def read_certificate(der: bytes) -> CertFacts:
    """Facts of one DER certificate; raises DerError when it cannot be read."""
    try:
        _tag, cert_start, cert_end = _expect(element(der), _SEQUENCE, "certificate")
        tbs, signature_alg = children(der, cert_start, cert_end)[:2]
        fields = children(der, tbs[1], tbs[2])
        if fields and fields[0][0] == 0xA0:  # [0] version
            fields = fields[1:]
        issuer, subject, spki = fields[2], fields[4], fields[5]
        key_type, key_size, curve = _key(der, spki[1], spki[2])
        ocsp: Tuple[str, ...] = ()
        must_staple = False
        for tag, start, end in fields[6:]:
            if tag == 0xA3:  # [3] extensions
                ocsp, must_staple = _extensions(der, start, end)
        sig_oid_field = children(der, signature_alg[1], signature_alg[2])[0]
        sig_oid = _oid(der, sig_oid_field[1], sig_oid_field[2])
        return CertFacts(
            subject=_name(der, subject[1], subject[2]),
            issuer=_name(der, issuer[1], issuer[2]),
            self_signed=der[subject[1] : subject[2]] == der[issuer[1] : issuer[2]],
            key_type=key_type,
            key_size=key_size,
            curve=curve,
            signature_algorithm=SIGNATURES.get(sig_oid, sig_oid),
            ocsp_urls=ocsp,
            must_staple=must_staple,
        )
    except (IndexError, ValueError) as exc:
        raise DerError(f"unreadable certificate: {exc}") from None


def chain_entry(der: bytes) -> Dict[str, object]:
    """One ``certificate.chain`` entry (``result.ChainEntry``); unreadable fields are None."""
    entry: Dict[str, object] = {
        "subject": None,
        "issuer": None,
        "key_type": None,
        "key_size": None,
        "curve": None,
        "signature_algorithm": None,
        "self_signed": None,
        "sha256_fingerprint": hashlib.sha256(der).hexdigest(),
    }
    try:
        facts = read_certificate(der)
    except DerError:
        return entry
    for key in ("subject", "issuer", "key_type", "key_size", "curve", "signature_algorithm", "self_signed"):
        entry[key] = getattr(facts, key)
    return entry


def rsa_public_numbers(der: bytes) -> Optional[Tuple[int, int]]:
    """``(n, e)`` of a certificate's RSA key, None for other keys or an unreadable certificate."""
    try:
        _tag, cert_start, cert_end = element(der)
        tbs = children(der, cert_start, cert_end)[0]
        fields = children(der, tbs[1], tbs[2])
        if fields and fields[0][0] == 0xA0:
            fields = fields[1:]
        spki = fields[5]
        algorithm, key_bits = children(der, spki[1], spki[2])[:2]
        oid_field = children(der, algorithm[1], algorithm[2])[0]
        if _KEY_TYPES.get(_oid(der, oid_field[1], oid_field[2])) != "RSA":
            return None
        bits = der[key_bits[1] + 1 : key_bits[2]]
        (_t1, n_start, n_end), (_t2, e_start, e_end) = children(bits, *element(bits)[1:])[:2]
        return int.from_bytes(bits[n_start:n_end], "big"), int.from_bytes(bits[e_start:e_end], "big")
    except (IndexError, ValueError):
        return None


def ocsp_status(response: bytes) -> Tuple[Optional[str], Optional[str]]:
    """``(response_status, cert_status)`` of a DER OCSPResponse (RFC 6960); cert_status is that of its
    first SingleResponse (``good``, ``revoked``, ``unknown``), None when it cannot be read."""
    try:
        _tag, start, end = _expect(element(response), _SEQUENCE, "OCSPResponse")
        parts = children(response, start, end)
        status_field = _expect(parts[0], _ENUMERATED, "responseStatus")
        code = int.from_bytes(response[status_field[1] : status_field[2]], "big")
        status = _OCSP_RESPONSE_STATUS.get(code, str(code))
        if code != 0 or len(parts) < 2:
            return status, None
        _t, rb_start, _rb_end = element(response, parts[1][1])  # [0] EXPLICIT ResponseBytes
        rtype, rbytes = children(response, rb_start, _rb_end)[:2]
        if _oid(response, rtype[1], rtype[2]) != _OCSP_BASIC:
            return status, None
        basic = response[rbytes[1] : rbytes[2]]
        _t, b_start, b_end = element(basic)
        tbs = children(basic, b_start, b_end)[0]
        data_fields = children(basic, tbs[1], tbs[2])
        if data_fields[0][0] == 0xA0:  # [0] version
            data_fields = data_fields[1:]
        responses = data_fields[2]  # responderID, producedAt, responses
        first = children(basic, responses[1], responses[2])[0]
        cert_status_tag = children(basic, first[1], first[2])[1][0]
        return status, {0x80: "good", 0xA1: "revoked", 0x82: "unknown"}.get(cert_status_tag)
    except (IndexError, ValueError):
        return None, None
