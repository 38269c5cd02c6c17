# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An SSL Labs-style grade for one endpoint (``ProbeResult["grade"]``), from what the probe measured.

Follows the published "SSL Server Rating Guide" (SSL Labs, version 2009r) as testssl.sh 3.2
implements it: three scores (protocol support 30 %, key exchange 30 %, cipher strength 40 %; a
zero anywhere makes the total zero), a letter from the total (A >= 80, B >= 65, C >= 50, D >= 35,
E >= 20, F), then the guide's caps (the worst wins; T and M replace the letter) and warnings
(A becomes A-; A+ needs no warning and HSTS of at least six months). Each cap and warning says why.
Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Optional, Tuple

from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import HSTS_MIN_AGE_ACCEPTED

__all__ = ["GUIDE", "cipher_bits", "grade_endpoint"]

GUIDE = "SSL Labs SSL Server Rating Guide 2009r"

_PROTOCOL_SCORES = (("SSLv2", 0), ("SSLv3", 80), ("TLSv1", 90), ("TLSv1.1", 95), ("TLSv1.2", 100), ("TLSv1.3", 100))
_LETTERS = ((80, "A"), (65, "B"), (50, "C"), (35, "D"), (20, "E"))
_WEAK_SIGNATURE = re.compile(r"sha1(?!\d)|sha-1(?!\d)", re.IGNORECASE)
_BROKEN_SIGNATURE = re.compile(r"md2|md5", re.IGNORECASE)
_LEGACY = ("TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3")


def cipher_bits(suite: str) -> int:
    """Symmetric strength of a suite (IANA name) as the guide counts it (3DES = 112, NULL = 0)."""
    name = suite.upper()
    if "_NULL_" in name or name.endswith("_NULL") or "WITH_NULL" in name:
        return 0
    if "EXPORT" in name or "_40_" in name or "DES40" in name:
        return 40
    if "3DES" in name or "DES_EDE" in name:
        return 112
    if "_DES_" in name or "DES_CBC" in name:
        return 56
    if "_256_" in name or "CHACHA20" in name or name.endswith("_256"):
        return 256
    return 128


def _key_score(kind: str, bits: int) -> int:
    if kind == "EC":
        limits = ((110, 20), (123, 40), (163, 80), (225, 90))
    else:  # RSA, DSA, DH
        limits = ((512, 20), (1024, 40), (2048, 80), (4096, 90))
    return next((score for limit, score in limits if bits < limit), 100)


def _cipher_score(bits: int) -> int:
    if bits >= 256:
        return 100
    if bits >= 128:
        return 80
    return 20 if bits > 0 else 0


class _Grading:
    def __init__(self) -> None:
        self.caps: List[Dict[str, str]] = []
        self.warnings: List[str] = []
        self.incomplete: List[str] = []

    def cap(self, grade: str, reason: str) -> None:
        self.caps.append({"grade": grade, "reason": reason})

    def worst_cap(self) -> Optional[str]:
        letters = [cap["grade"] for cap in self.caps]
        for special in ("T", "M"):
            if special in letters:
                return special
        return max(letters) if letters else None


def _suites(probe: Mapping[str, Any]) -> List[Tuple[str, str]]:
    """``(version, suite)`` for every suite accepted."""
    out = [("TLSv1.3", name) for name in probe.get("tls13_ciphers") or []]
    out += [("TLSv1.2", name) for name in probe.get("tls12_ciphers") or []]
    for version, names in (probe.get("legacy_ciphers") or {}).items():
        out += [(version, name) for name in names or []]
    return out


def _protocol(protocols: Mapping[str, Any], grading: _Grading) -> int:
    offered = [(name, score) for name, score in _PROTOCOL_SCORES if protocols.get(name)]
    if not offered:
        return 0
    if protocols.get("SSLv2"):
        grading.cap("F", "SSLv2 is offered")
    if protocols.get("SSLv3"):
        grading.cap("B", "SSLv3 is offered")
        if max(score for _name, score in offered) == 80:
            grading.cap("F", "SSLv3 is the best protocol offered")
    for name, label in (("TLSv1", "TLS 1.0"), ("TLSv1.1", "TLS 1.1")):
        if protocols.get(name):
            grading.cap("B", f"{label} is offered")
    if not protocols.get("TLSv1.2") and not protocols.get("TLSv1.3"):
        grading.cap("C", "TLS 1.2 or TLS 1.3 are not offered")
    if not protocols.get("TLSv1.3"):
        grading.warnings.append("TLS 1.3 is not supported")
    return (max(score for _n, score in offered) + min(score for _n, score in offered)) // 2


def _key_exchange(probe: Mapping[str, Any], grading: _Grading) -> int:
    score = 100
    cert = probe.get("certificate") or {}
    key_type, size = cert.get("key_type"), cert.get("key_size")
    if key_type is None or not isinstance(size, int):
        grading.incomplete.append("the certificate key")
    elif key_type in ("RSA", "DSA"):
        score = min(score, _key_score("RSA", size))
    elif key_type == "EC":
        score = min(score, _key_score("EC", size))
    dh = (probe.get("key_exchange") or {}).get("dh_bits")
    if isinstance(dh, int):
        score = min(score, _key_score("DH", dh))
    if score <= 40:
        grading.cap("F", "Using an insecure public key and/or ephemeral key")
    elif score <= 80:
        grading.cap("B", "Using a weak public key and/or ephemeral key")
    return score


def _cipher(probe: Mapping[str, Any], grading: _Grading) -> int:
    suites = _suites(probe)
    if not suites:
        grading.incomplete.append("the accepted cipher suites")
        return 0
    bits = [cipher_bits(name) for _version, name in suites]
    if min(bits) < 112:
        grading.cap("F", "Using cipher suites weaker than 112 bits")
    names = [name for _version, name in suites]
    modern = [(version, name) for version, name in suites if version in ("TLSv1.1", "TLSv1.2", "TLSv1.3")]
    if any("EXPORT" in name for name in names):
        grading.cap("F", "Export suite offered")
    if not any(version == "TLSv1.3" or re.search(r"_GCM_|_CCM|CHACHA20", name) for version, name in suites):
        grading.cap("B", "No AEAD ciphers offered")
    if not any(version == "TLSv1.3" or name.startswith(("TLS_ECDHE_", "TLS_DHE_")) for version, name in suites):
        grading.cap("B", "Forward Secrecy (FS) is not supported")
    if any("_RC4_" in name for name in names):
        grading.cap("B", "RC4 ciphers offered")
        if any("_RC4_" in name for _version, name in modern):
            grading.cap("C", "RC4 ciphers offered on TLS 1.1 or newer")
    if any(cipher_bits(name) == 112 or "_IDEA_" in name for _version, name in modern):
        grading.cap("C", "Uses 64 bit block ciphers with TLS 1.1 or newer (SWEET32)")
    cbc_legacy = any(version in ("SSLv3", "TLSv1") and "_CBC_" in name for version, name in suites)
    if cbc_legacy and not any(version in ("TLSv1.1", "TLSv1.2", "TLSv1.3") for version, _name in suites):
        grading.cap("B", "Vulnerable to BEAST (CBC with TLS 1.0 or SSLv3 and nothing newer)")
    if any(version == "SSLv3" and "_CBC_" in name for version, name in suites):
        grading.cap("C", "Vulnerable to POODLE (CBC with SSLv3)")
    return (_cipher_score(max(bits)) + _cipher_score(min(bits))) // 2


def _certificate(probe: Mapping[str, Any], grading: _Grading) -> None:
    cert = probe.get("certificate") or {}
    if not cert:
        grading.incomplete.append("the certificate")
        return
    if cert.get("hostname_valid") is False:
        grading.cap("M", "Domain name mismatch")
    days = cert.get("days_remaining")
    if isinstance(days, int) and days < 0:
        grading.cap("T", "Certificate expired")
    if cert.get("chain_valid") is False:
        if cert.get("intermediates_served") is False:
            grading.cap("B", "Issues with chain of trust (chain incomplete)")
        elif cert.get("self_signed"):
            grading.cap("T", "Self-signed certificate")
        else:
            grading.cap("T", "Untrusted certificate chain")
    elif cert.get("intermediates_served") is False:
        grading.cap("B", "Issues with chain of trust (chain incomplete)")
    chain: List[Mapping[str, Any]] = list(cert.get("chain") or []) or [cert]
    for index, entry in enumerate(chain):
        if index and entry.get("self_signed"):
            continue  # a root's own signature is never checked by clients
        signature = str(entry.get("signature_algorithm") or "")
        if _BROKEN_SIGNATURE.search(signature):
            grading.cap("F", f"Supports an insecure signature ({signature})")
        elif _WEAK_SIGNATURE.search(signature):
            grading.cap("T", "Uses SHA1 algorithm")


def _vulnerabilities(probe: Mapping[str, Any], grading: _Grading) -> None:
    vulns = probe.get("vulnerabilities") or {}

    def value(key: str) -> Any:
        found = vulns.get(key) or {}
        return found.get("value") if found.get("applicable", True) else None

    if value("heartbleed") is True:
        grading.cap("F", "Vulnerable to Heartbleed")
    if value("ccs_injection") is True:
        grading.cap("F", "Vulnerable to CCS injection")
    if value("robot") in ("strong_oracle", "weak_oracle"):
        grading.cap("F", "Vulnerable to ROBOT")
    if value("compression") is True:
        grading.cap("C", "Vulnerable to CRIME")
    if value("secure_renegotiation") is False:
        if value("client_renegotiation") is True:
            grading.cap("F", "Insecure client-initiated renegotiation")
        grading.warnings.append("Secure renegotiation is not supported")
    if value("fallback_scsv") is False:
        grading.warnings.append("TLS_FALLBACK_SCSV is not supported")


def _hsts(probe: Mapping[str, Any], grading: _Grading) -> bool:
    """Whether HSTS is long enough for A+ (a too short one is a warning; none at all just no A+)."""
    hsts = probe.get("hsts")
    if not hsts or not hsts.get("present"):
        return False
    age = hsts.get("max_age")
    if not isinstance(age, int):
        grading.warnings.append("HSTS max-age is misconfigured")
        return False
    if age == 0:
        grading.warnings.append("HSTS is disabled")
        return False
    if age < HSTS_MIN_AGE_ACCEPTED:
        grading.warnings.append("HSTS max-age is too short")
        return False
    return True


def grade_endpoint(probe: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """The grade of one probe result; None when the target could not be probed at all."""
    if probe.get("error"):
        return None
    grading = _Grading()
    protocol = _protocol(probe.get("protocols") or {}, grading)
    key_exchange = _key_exchange(probe, grading)
    cipher = _cipher(probe, grading)
    _certificate(probe, grading)
    _vulnerabilities(probe, grading)
    long_hsts = _hsts(probe, grading)
    if 0 in (protocol, key_exchange, cipher):
        score = 0
    else:
        score = protocol * 30 // 100 + key_exchange * 30 // 100 + cipher * 40 // 100
    letter = next((grade for limit, grade in _LETTERS if score >= limit), "F")
    cap = grading.worst_cap()
    if cap in ("T", "M", "F"):
        letter, score = cap, 0 if cap == "F" else score
    elif cap is not None and letter <= cap:
        letter = cap
    elif letter == "A":
        letter = "A-" if grading.warnings else ("A+" if long_hsts else "A")
    return {
        "grade": letter,
        "score": score,
        "protocol": protocol,
        "key_exchange": key_exchange,
        "cipher": cipher,
        "caps": grading.caps,
        "warnings": grading.warnings,
        "incomplete": grading.incomplete,
        "guide": GUIDE,
    }
