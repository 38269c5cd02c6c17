# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mozilla server-side TLS profiles: the single source of truth for templates and checks.

The values are those of the Mozilla server-side TLS guidelines, versions 5.7 (the one
sslyze bundles for ``--mozilla_config``) and 6.0. Every template (nginx, Apache,
IIS/SCHANNEL) renders its directives from a :class:`Profile` (through the ``tls_profile``
filter and the renderers of ``plugin_utils/tls/render*.py``), and the compliance controls
compare what a server offers with the same object, so a configuration and its check can
never disagree.

This file runs on targets too (Python 3.8+, standard library only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Sequence, Tuple, Union

__all__ = [
    "ALL_PROTOCOLS",
    "DEFAULT_VERSION",
    "HSTS_MAX_AGE",
    "HSTS_MIN_AGE_ACCEPTED",
    "OPENSSL_TO_IANA",
    "PQ_GROUPS",
    "PROFILE_NAMES",
    "VERSIONS",
    "OpenSSLVersion",
    "Profile",
    "ProfileError",
    "get_profile",
    "iana_name",
    "is_forward_secret",
    "normalize_group",
    "openssl_supports_mlkem",
    "parse_openssl_version",
]

DEFAULT_VERSION = "5.7"
VERSIONS = ("5.7", "6.0")
PROFILE_NAMES = ("modern", "intermediate", "old")
HSTS_MAX_AGE = 63072000
# What the HSTS control accepts as "present and long enough" (SSL Labs A+: six months).
HSTS_MIN_AGE_ACCEPTED = 15768000

ALL_PROTOCOLS = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")

# OpenSSL cipher names -> IANA (RFC) names, for every TLS 1.2-and-older suite any profile uses.
OPENSSL_TO_IANA: Dict[str, str] = {
    "ECDHE-ECDSA-AES128-GCM-SHA256": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384": "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384": "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305": "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "ECDHE-RSA-CHACHA20-POLY1305": "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "DHE-RSA-AES128-GCM-SHA256": "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    "DHE-RSA-AES256-GCM-SHA384": "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    "DHE-RSA-CHACHA20-POLY1305": "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "ECDHE-ECDSA-AES128-SHA256": "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "ECDHE-RSA-AES128-SHA256": "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    "ECDHE-ECDSA-AES128-SHA": "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "ECDHE-RSA-AES128-SHA": "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "ECDHE-ECDSA-AES256-SHA384": "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
    "ECDHE-RSA-AES256-SHA384": "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
    "ECDHE-ECDSA-AES256-SHA": "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "ECDHE-RSA-AES256-SHA": "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "DHE-RSA-AES128-SHA256": "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
    "DHE-RSA-AES256-SHA256": "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
    "AES128-GCM-SHA256": "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "AES256-GCM-SHA384": "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "AES128-SHA256": "TLS_RSA_WITH_AES_128_CBC_SHA256",
    "AES256-SHA256": "TLS_RSA_WITH_AES_256_CBC_SHA256",
    "AES128-SHA": "TLS_RSA_WITH_AES_128_CBC_SHA",
    "AES256-SHA": "TLS_RSA_WITH_AES_256_CBC_SHA",
    "DES-CBC3-SHA": "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
}

# Key exchange groups that only OpenSSL >= 3.5 knows (an unknown name makes nginx/Apache refuse to start).
PQ_GROUPS = ("X25519MLKEM768",)
PQ_MIN_OPENSSL = (3, 5)

# Alternative spellings of the same group, folded to the guideline's names.
_GROUP_ALIASES = {
    "x25519": "X25519",
    "secp256r1": "prime256v1",
    "prime256v1": "prime256v1",
    "p-256": "prime256v1",
    "nistp256": "prime256v1",
    "secp384r1": "secp384r1",
    "p-384": "secp384r1",
    "nistp384": "secp384r1",
    "secp521r1": "secp521r1",
    "p-521": "secp521r1",
    "x448": "X448",
    "x25519mlkem768": "X25519MLKEM768",
}

_TLS13 = ("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256")
_CURVES_57 = ("X25519", "prime256v1", "secp384r1")
_CURVES_60 = ("X25519MLKEM768", "X25519", "prime256v1", "secp384r1")
_CERT_CURVES = ("prime256v1", "secp384r1")
_ECDSA_SIGS = ("ecdsa-with-SHA256", "ecdsa-with-SHA384", "ecdsa-with-SHA512")

_ECDHE_AEAD = (
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
)
_DHE_AEAD = ("DHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES256-GCM-SHA384", "DHE-RSA-CHACHA20-POLY1305")
_OLD_EXTRA = (
    "ECDHE-ECDSA-AES128-SHA256",
    "ECDHE-RSA-AES128-SHA256",
    "ECDHE-ECDSA-AES128-SHA",
    "ECDHE-RSA-AES128-SHA",
    "ECDHE-ECDSA-AES256-SHA384",
    "ECDHE-RSA-AES256-SHA384",
    "ECDHE-ECDSA-AES256-SHA",
    "ECDHE-RSA-AES256-SHA",
    "DHE-RSA-AES128-SHA256",
    "DHE-RSA-AES256-SHA256",
    "AES128-GCM-SHA256",
    "AES256-GCM-SHA384",
    "AES128-SHA256",
    "AES256-SHA256",
    "AES128-SHA",
    "AES256-SHA",
    "DES-CBC3-SHA",
)

OpenSSLVersion = Union[None, str, Sequence[int]]


class ProfileError(ValueError):
    """An unknown profile name or guideline version; the message names the value."""


@dataclass(frozen=True)
class Profile:
    """One Mozilla server-side TLS configuration.

    Attributes:
        name: ``modern``, ``intermediate`` or ``old``.
        version: guideline version, ``"5.7"`` or ``"6.0"``.
        protocols: protocol versions offered, OpenSSL spelling (``TLSv1.2``).
        tls12_ciphers: TLS 1.2-and-older suites, OpenSSL names, in preference order.
        tls13_ciphersuites: TLS 1.3 suites (same name in OpenSSL and IANA).
        curves: key exchange groups from the guideline, in order; see :meth:`groups`.
        dh_param_size: minimum DH parameter size in bits, ``None`` when DHE is not used.
        ecdh_param_size: minimum ECDH size in bits.
        rsa_key_size: minimum RSA certificate key size in bits, ``None`` when RSA is not allowed.
        certificate_types: ``ecdsa`` and/or ``rsa``.
        certificate_curves: curves allowed for ECDSA certificate keys.
        certificate_signatures: certificate signature algorithms allowed.
        max_certificate_lifespan: maximum certificate lifespan in days.
        recommended_certificate_lifespan: recommended certificate lifespan in days.
        server_preferred_order: whether the server enforces its cipher order.
        hsts_max_age: HSTS max-age in seconds.
        ocsp_staple: whether OCSP stapling is enabled.
    """

    name: str
    version: str
    protocols: Tuple[str, ...]
    tls12_ciphers: Tuple[str, ...]
    tls13_ciphersuites: Tuple[str, ...]
    curves: Tuple[str, ...]
    dh_param_size: Optional[int]
    ecdh_param_size: int
    rsa_key_size: Optional[int]
    certificate_types: Tuple[str, ...]
    certificate_curves: Tuple[str, ...]
    certificate_signatures: Tuple[str, ...]
    max_certificate_lifespan: int
    recommended_certificate_lifespan: int
    server_preferred_order: bool
    hsts_max_age: int = HSTS_MAX_AGE
    ocsp_staple: bool = True
    oldest_clients: Tuple[str, ...] = field(default=(), compare=False)

    @property
    def tls12_ciphers_iana(self) -> Tuple[str, ...]:
        """The TLS 1.2 suites under their IANA names (what the probe reports)."""
        return tuple(OPENSSL_TO_IANA[name] for name in self.tls12_ciphers)

    @property
    def uses_dhe(self) -> bool:
        """Whether any suite needs DH parameters (nginx ``ssl_dhparam``)."""
        return any(name.startswith("DHE-") for name in self.tls12_ciphers)

    @property
    def min_rsa_key_size(self) -> int:
        """The RSA key size a certificate must reach (2048 where the guideline says nothing)."""
        return self.rsa_key_size or 2048

    def offers(self, protocol: str) -> bool:
        return protocol in self.protocols

    def groups(self, openssl_version: OpenSSLVersion = None) -> Tuple[str, ...]:
        """The curves/groups to configure for a server linked against ``openssl_version``.

        Post-quantum hybrid groups (``X25519MLKEM768``) are kept only when the version is
        known to be 3.5 or newer: an unknown group name stops nginx and Apache from starting.
        """
        keep_pq = openssl_supports_mlkem(openssl_version)
        return tuple(g for g in self.curves if keep_pq or g not in PQ_GROUPS)

    def allowed_groups(self) -> Tuple[str, ...]:
        """Every group a compliant server may negotiate (PQ groups included)."""
        return self.curves

    def allowed_ciphers_iana(self) -> Tuple[str, ...]:
        """Every suite a compliant server may negotiate, IANA names, TLS 1.3 first."""
        return self.tls13_ciphersuites + self.tls12_ciphers_iana


def _profile(name: str, version: str, **values: Any) -> Profile:
    common: Dict[str, Any] = {
        "tls13_ciphersuites": _TLS13,
        "curves": _CURVES_60 if version == "6.0" else _CURVES_57,
        "ecdh_param_size": 256,
        "certificate_curves": _CERT_CURVES,
        "recommended_certificate_lifespan": 90,
        "hsts_max_age": HSTS_MAX_AGE,
        "ocsp_staple": True,
    }
    common.update(values)
    return Profile(name=name, version=version, **common)


def _modern(version: str) -> Profile:
    return _profile(
        "modern",
        version,
        protocols=("TLSv1.3",),
        tls12_ciphers=(),
        dh_param_size=None,
        rsa_key_size=None,
        certificate_types=("ecdsa",),
        certificate_signatures=_ECDSA_SIGS,
        max_certificate_lifespan=90,
        server_preferred_order=False,
    )


def _intermediate(version: str) -> Profile:
    return _profile(
        "intermediate",
        version,
        protocols=("TLSv1.2", "TLSv1.3"),
        tls12_ciphers=_ECDHE_AEAD if version == "6.0" else _ECDHE_AEAD + _DHE_AEAD,
        dh_param_size=2048,
        rsa_key_size=2048,
        certificate_types=("ecdsa", "rsa"),
        certificate_signatures=("sha256WithRSAEncryption", *_ECDSA_SIGS),
        max_certificate_lifespan=366,
        server_preferred_order=False,
    )


def _old(version: str) -> Profile:
    return _profile(
        "old",
        version,
        protocols=("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"),
        tls12_ciphers=_ECDHE_AEAD + _DHE_AEAD + _OLD_EXTRA,
        dh_param_size=1024,
        rsa_key_size=2048,
        certificate_types=("rsa",),
        certificate_signatures=("sha256WithRSAEncryption",),
        max_certificate_lifespan=366,
        server_preferred_order=True,
    )


_PROFILES: Dict[Tuple[str, str], Profile] = {
    ("modern", "5.7"): _modern("5.7"),
    ("intermediate", "5.7"): _intermediate("5.7"),
    ("old", "5.7"): _old("5.7"),
    ("modern", "6.0"): _modern("6.0"),
    ("intermediate", "6.0"): _intermediate("6.0"),
}


def _normalize_version(version: Any) -> str:
    if isinstance(version, bool):
        raise ProfileError(f"TLS guideline version must be one of {', '.join(VERSIONS)}, got {version!r}")
    if isinstance(version, (int, float)):
        text = f"{float(version):.1f}"
    else:
        text = str(version).strip()
        if re.fullmatch(r"\d+", text):
            text += ".0"
    if text not in VERSIONS:
        raise ProfileError(f"TLS guideline version must be one of {', '.join(VERSIONS)}, got {version!r}")
    return text


def get_profile(name: str, version: Any = DEFAULT_VERSION) -> Profile:
    """Return the profile ``name`` of guideline ``version`` (``"5.7"`` or ``"6.0"``, floats accepted).

    Raises:
        ProfileError: unknown name or version; ``old`` with 6.0, which dropped it.
    """
    text = _normalize_version(version)
    key = str(name).strip().lower() if isinstance(name, str) else name
    if key not in PROFILE_NAMES:
        raise ProfileError(f"TLS profile must be one of {', '.join(PROFILE_NAMES)}, got {name!r}")
    try:
        return _PROFILES[(key, text)]
    except KeyError:
        raise ProfileError(
            f"TLS profile {key!r} does not exist in guideline version {text} (6.0 dropped 'old')"
        ) from None


def parse_openssl_version(version: OpenSSLVersion) -> Optional[Tuple[int, int, int]]:
    """``"OpenSSL 3.5.1 1 Jul 2025"``, ``"3.0.2-0ubuntu1"``, ``(3, 5)`` -> ``(3, 5, 1)`` ...; unknown -> None."""
    if version is None:
        return None
    if isinstance(version, (list, tuple)):
        parts = [int(p) for p in version[:3]]
    else:
        match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", str(version))
        if not match:
            return None
        parts = [int(p) for p in match.groups() if p is not None]
    while len(parts) < 3:
        parts.append(0)
    return (parts[0], parts[1], parts[2])


def openssl_supports_mlkem(version: OpenSSLVersion) -> bool:
    """True when the server's OpenSSL is known to be >= 3.5 (X25519MLKEM768 available)."""
    parsed = parse_openssl_version(version)
    return parsed is not None and parsed[:2] >= PQ_MIN_OPENSSL


def normalize_group(name: Optional[str]) -> Optional[str]:
    """Fold ``x25519``/``secp256r1``/``P-256`` ... to the guideline's spelling."""
    if name is None:
        return None
    return _GROUP_ALIASES.get(str(name).strip().lower(), str(name).strip())


def iana_name(openssl_name: str) -> str:
    """IANA name of an OpenSSL cipher name (TLS 1.3 names and unknown names are returned as given)."""
    return OPENSSL_TO_IANA.get(openssl_name, openssl_name)


def is_forward_secret(iana: str) -> bool:
    """Whether a suite (IANA name) has an ephemeral key exchange; every TLS 1.3 suite has."""
    return iana.startswith(("TLS_ECDHE_", "TLS_DHE_")) or iana in _TLS13
