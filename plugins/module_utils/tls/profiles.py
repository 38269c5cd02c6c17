# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mozilla server-side TLS profiles: the single source of truth for templates and checks.

The values are those of the Mozilla server-side TLS guidelines, versions 5.7 (the one
sslyze bundles for ``--mozilla_config``) and 6.0. Every template (nginx, Apache,
IIS/SCHANNEL) renders its directives from a :class:`Profile` through the helpers here,
and the compliance controls compare what a server offers with the same object, so a
configuration and its check can never disagree.

This file runs on targets too (Python 3.8+, standard library only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

__all__ = [
    "DEFAULT_VERSION",
    "HSTS_MAX_AGE",
    "HSTS_MIN_AGE_ACCEPTED",
    "OPENSSL_TO_IANA",
    "PQ_GROUPS",
    "PROFILE_NAMES",
    "SCHANNEL_CIPHER_POLICY_KEY",
    "SCHANNEL_DH_KEY",
    "SCHANNEL_PROTOCOLS_KEY",
    "SCHANNEL_SUITES",
    "SCHANNEL_TLS13_MIN_BUILD",
    "VERSIONS",
    "WINDOWS_MIN_BUILD",
    "Profile",
    "ProfileError",
    "apache_curves",
    "apache_ssl_cipher_suite",
    "apache_ssl_protocol",
    "get_profile",
    "iana_name",
    "is_forward_secret",
    "nginx_ssl_ciphers",
    "nginx_ssl_ecdh_curve",
    "nginx_ssl_protocols",
    "normalize_group",
    "openssl_ciphersuites",
    "openssl_supports_mlkem",
    "parse_openssl_version",
    "parse_windows_build",
    "render_profile",
    "schannel_cipher_suites",
    "schannel_curves",
    "schannel_policy",
    "schannel_protocols",
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

_SCHANNEL_PROTOCOLS = {
    "SSLv2": "SSL 2.0",
    "SSLv3": "SSL 3.0",
    "TLSv1": "TLS 1.0",
    "TLSv1.1": "TLS 1.1",
    "TLSv1.2": "TLS 1.2",
    "TLSv1.3": "TLS 1.3",
}
# Names used by Enable-TlsEccCurve / the "ECC Curve Order" policy.
_SCHANNEL_CURVES = {"X25519": "curve25519", "prime256v1": "NistP256", "secp384r1": "NistP384"}

# Windows Server builds: 2016 = 14393, 2019 = 17763, 2022 = 20348, 2025 = 26100.
WINDOWS_MIN_BUILD = 14393
SCHANNEL_TLS13_MIN_BUILD = 20348
_WINDOWS_RELEASES = ((26100, "Windows Server 2025"), (20348, "Windows Server 2022"), (17763, "Windows Server 2019"))

# SCHANNEL cipher suite names, as the cipher suite order policy spells them (from Windows 10 and
# Server 2016 on they are the IANA names, without the old _P256/_P384 suffixes), with the first
# Windows Server build that implements each. A suite missing here is not implemented by SCHANNEL
# at all: the TLS 1.2 ChaCha20-Poly1305 suites and the DHE-RSA CBC-SHA256 suites.
# TLS_CHACHA20_POLY1305_SHA256 is implemented from Server 2022 on but is not in the default
# order; listing it in the policy turns it on.
SCHANNEL_SUITES: Dict[str, int] = {
    "TLS_AES_128_GCM_SHA256": SCHANNEL_TLS13_MIN_BUILD,
    "TLS_AES_256_GCM_SHA384": SCHANNEL_TLS13_MIN_BUILD,
    "TLS_CHACHA20_POLY1305_SHA256": SCHANNEL_TLS13_MIN_BUILD,
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256": WINDOWS_MIN_BUILD,
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": WINDOWS_MIN_BUILD,
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384": WINDOWS_MIN_BUILD,
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384": WINDOWS_MIN_BUILD,
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256": WINDOWS_MIN_BUILD,
    "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384": WINDOWS_MIN_BUILD,
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256": WINDOWS_MIN_BUILD,
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256": WINDOWS_MIN_BUILD,
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA": WINDOWS_MIN_BUILD,
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA": WINDOWS_MIN_BUILD,
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384": WINDOWS_MIN_BUILD,
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384": WINDOWS_MIN_BUILD,
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA": WINDOWS_MIN_BUILD,
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA": WINDOWS_MIN_BUILD,
    "TLS_RSA_WITH_AES_128_GCM_SHA256": WINDOWS_MIN_BUILD,
    "TLS_RSA_WITH_AES_256_GCM_SHA384": WINDOWS_MIN_BUILD,
    "TLS_RSA_WITH_AES_128_CBC_SHA256": WINDOWS_MIN_BUILD,
    "TLS_RSA_WITH_AES_256_CBC_SHA256": WINDOWS_MIN_BUILD,
    "TLS_RSA_WITH_AES_128_CBC_SHA": WINDOWS_MIN_BUILD,
    "TLS_RSA_WITH_AES_256_CBC_SHA": WINDOWS_MIN_BUILD,
    "TLS_RSA_WITH_3DES_EDE_CBC_SHA": WINDOWS_MIN_BUILD,
}

# Registry locations (PowerShell/win_regedit spelling).
SCHANNEL_PROTOCOLS_KEY = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols"
SCHANNEL_DH_KEY = (
    "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\KeyExchangeAlgorithms\\Diffie-Hellman"
)
# What the "SSL Cipher Suite Order" and "ECC Curve Order" group policies write; it takes precedence
# over the local list that Enable-TlsCipherSuite edits.
SCHANNEL_CIPHER_POLICY_KEY = "HKLM:\\SOFTWARE\\Policies\\Microsoft\\Cryptography\\Configuration\\SSL\\00010002"

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


# --- renderers: the strings templates put into configuration files --------------------------


def nginx_ssl_protocols(profile: Profile) -> str:
    """``ssl_protocols`` value, e.g. ``TLSv1.2 TLSv1.3``."""
    return " ".join(profile.protocols)


def nginx_ssl_ciphers(profile: Profile) -> str:
    """``ssl_ciphers`` value (OpenSSL names joined by ``:``); empty for modern (omit the directive)."""
    return ":".join(profile.tls12_ciphers)


def nginx_ssl_ecdh_curve(profile: Profile, openssl_version: OpenSSLVersion = None) -> str:
    """``ssl_ecdh_curve`` value, e.g. ``X25519:prime256v1:secp384r1``."""
    return ":".join(profile.groups(openssl_version))


def openssl_ciphersuites(profile: Profile) -> str:
    """TLS 1.3 suites for ``Ciphersuites``/``ssl_conf_command Ciphersuites``."""
    return ":".join(profile.tls13_ciphersuites)


def apache_ssl_protocol(profile: Profile) -> str:
    """``SSLProtocol`` value, e.g. ``-all +TLSv1.2 +TLSv1.3``."""
    return " ".join(["-all", *("+" + p for p in profile.protocols)])


def apache_ssl_cipher_suite(profile: Profile) -> str:
    """``SSLCipherSuite`` value (TLS 1.2 and older); empty for modern (omit the directive)."""
    return ":".join(profile.tls12_ciphers)


def apache_curves(profile: Profile, openssl_version: OpenSSLVersion = None) -> str:
    """Value for ``SSLOpenSSLConfCmd Curves``."""
    return ":".join(profile.groups(openssl_version))


WindowsBuild = Union[None, int, str]


def parse_windows_build(value: WindowsBuild) -> Optional[int]:
    """``20348``, ``"20348"``, ``"10.0.20348.0"`` (the ``distribution_version`` fact) -> ``20348``.

    ``None`` or an empty string means unknown (the newest Windows is assumed).

    Raises:
        ProfileError: anything else, or a build older than Windows Server 2016 (14393).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ProfileError(f"Windows build must be a number such as 20348 or '10.0.20348.0', got {value!r}")
    if isinstance(value, int):
        build = value
    else:
        text = str(value).strip()
        match = re.fullmatch(r"(\d+)", text) or re.fullmatch(r"\d+\.\d+\.(\d+)(?:\.\d+)?", text)
        if not match:
            raise ProfileError(f"Windows build must be a number such as 20348 or '10.0.20348.0', got {value!r}")
        build = int(match.group(1))
    if build < WINDOWS_MIN_BUILD:
        raise ProfileError(
            f"Windows build {build} is older than Windows Server 2016 (build {WINDOWS_MIN_BUILD}), the oldest supported"
        )
    return build


def _release(build: int) -> str:
    for first, name in _WINDOWS_RELEASES:
        if build >= first:
            return f"{name} (build {build})"
    return f"Windows Server 2016 (build {build})"


def _schannel_has_protocol(protocol: str, build: Optional[int]) -> bool:
    return protocol != "TLSv1.3" or build is None or build >= SCHANNEL_TLS13_MIN_BUILD


def schannel_protocols(profile: Profile, windows_build: WindowsBuild = None) -> Dict[str, Tuple[str, ...]]:
    """SCHANNEL registry protocol names to enable, to disable, and those the build lacks (``TLS 1.2`` ...).

    TLS 1.3 exists from Windows Server 2022 (build 20348) on; on older builds it is neither enabled
    nor disabled (its registry keys are left alone) and is listed under ``unsupported``.
    """
    build = parse_windows_build(windows_build)
    wanted = [p for p in ALL_PROTOCOLS if p in profile.protocols]
    enabled = tuple(_SCHANNEL_PROTOCOLS[p] for p in wanted if _schannel_has_protocol(p, build))
    unsupported = tuple(_SCHANNEL_PROTOCOLS[p] for p in wanted if not _schannel_has_protocol(p, build))
    disabled = tuple(
        _SCHANNEL_PROTOCOLS[p] for p in ALL_PROTOCOLS if p not in profile.protocols and _schannel_has_protocol(p, build)
    )
    return {"enabled": enabled, "disabled": disabled, "unsupported": unsupported}


def _schannel_suite_gap(name: str, build: Optional[int]) -> Optional[str]:
    """Why SCHANNEL on ``build`` cannot offer suite ``name`` (IANA name), or None when it can."""
    first = SCHANNEL_SUITES.get(name)
    if first is None:
        return "not implemented by Windows SCHANNEL"
    if build is not None and build < first:
        return f"needs {_release(first)} or newer; this host is {_release(build)}"
    return None


def schannel_cipher_suites(profile: Profile, windows_build: WindowsBuild = None) -> Tuple[str, ...]:
    """Cipher suite order for SCHANNEL: the profile's suites, TLS 1.3 first, in the profile's order,
    under their Windows names, without those the Windows build does not implement
    (see :func:`schannel_policy` for the list of what was left out, and why)."""
    build = parse_windows_build(windows_build)
    return tuple(n for n in profile.allowed_ciphers_iana() if _schannel_suite_gap(n, build) is None)


def schannel_curves(profile: Profile) -> Tuple[str, ...]:
    """ECC curve order for SCHANNEL (``curve25519``, ``NistP256``, ``NistP384``)."""
    return tuple(_SCHANNEL_CURVES[c] for c in profile.curves if c in _SCHANNEL_CURVES)


def _reg(path: str, name: str, kind: str, data: Any) -> Dict[str, Any]:
    return {"path": path, "name": name, "type": kind, "data": data}


def schannel_policy(profile: Profile, windows_build: WindowsBuild = None, client: bool = False) -> Dict[str, Any]:
    """The profile as SCHANNEL settings for one Windows build, with the registry values that set them.

    ``windows_build`` None means unknown: the newest Windows is assumed (everything SCHANNEL implements).
    ``client`` also applies the protocol settings to SCHANNEL's client side (outgoing connections of
    every program on the host), which the server profile does not need.

    Returns plain data: the lists the registry gets, what the profile wants but SCHANNEL (or this
    build) lacks with the reason, ``problems`` that make the profile unusable on this build, and
    ``registry``: ``{path, name, type, data}`` entries in the form ``ansible.windows.win_regedit`` takes.
    """
    build = parse_windows_build(windows_build)
    protocols = schannel_protocols(profile, build)
    suites = schannel_cipher_suites(profile, build)
    suites_unsupported = [
        {"name": n, "reason": gap}
        for n in profile.allowed_ciphers_iana()
        for gap in [_schannel_suite_gap(n, build)]
        if gap is not None
    ]
    curves = list(schannel_curves(profile))
    curves_unsupported = [
        {"name": c, "reason": "not implemented by Windows SCHANNEL"}
        for c in profile.curves
        if c not in _SCHANNEL_CURVES
    ]
    host = _release(build) if build is not None else "the newest Windows Server"
    problems: List[str] = []
    if not protocols["enabled"]:
        problems.append(
            f"the {profile.name} profile offers only {', '.join(protocols['unsupported'])}, which SCHANNEL implements "
            f"from Windows Server 2022 (build {SCHANNEL_TLS13_MIN_BUILD}) on; this host is {host}: "
            "use the intermediate profile on this host"
        )
    tls12_suites = [n for n in suites if n not in profile.tls13_ciphersuites]
    if "TLS 1.2" in protocols["enabled"] and not tls12_suites:
        problems.append(f"no TLS 1.2 suite of the {profile.name} profile is implemented by SCHANNEL on {host}")

    registry: List[Dict[str, Any]] = []
    sides = ("Server", "Client") if client else ("Server",)
    for protocol in ALL_PROTOCOLS:
        name = _SCHANNEL_PROTOCOLS[protocol]
        if name not in protocols["enabled"] and name not in protocols["disabled"]:
            continue  # a protocol this build lacks: its keys are left alone
        on = name in protocols["enabled"]
        for side in sides:
            path = f"{SCHANNEL_PROTOCOLS_KEY}\\{name}\\{side}"
            registry.append(_reg(path, "Enabled", "dword", 1 if on else 0))
            registry.append(_reg(path, "DisabledByDefault", "dword", 0 if on else 1))
    registry.append(_reg(SCHANNEL_CIPHER_POLICY_KEY, "Functions", "string", ",".join(suites)))
    registry.append(_reg(SCHANNEL_CIPHER_POLICY_KEY, "EccCurves", "multistring", curves))
    dh_bits = profile.dh_param_size if any(n.startswith("TLS_DHE_") for n in suites) else None
    if dh_bits:
        registry.append(_reg(SCHANNEL_DH_KEY, "ServerMinKeyBitLength", "dword", dh_bits))

    notes: List[str] = []
    if not profile.server_preferred_order:
        notes.append(
            "SCHANNEL always applies the server's cipher suite order, where the profile leaves the choice to the "
            "client; with these suites (all AEAD with forward secrecy) that makes no difference to security"
        )
    if protocols["disabled"] or suites:
        notes.append(
            "SCHANNEL settings apply to the whole host (RDP, WinRM over HTTPS, SQL Server and every other "
            "SCHANNEL server), not only to IIS, and take effect after a reboot"
        )
    tls13_gap = f"needs {_release(SCHANNEL_TLS13_MIN_BUILD)} or newer; this host is {host}"
    left_out = [f"{name}: {tls13_gap}" for name in protocols["unsupported"]]
    left_out += [f"{entry['name']}: {entry['reason']}" for entry in suites_unsupported + curves_unsupported]
    return {
        "windows_build": build,
        "protocols_enabled": list(protocols["enabled"]),
        "protocols_disabled": list(protocols["disabled"]),
        "protocols_unsupported": list(protocols["unsupported"]),
        "cipher_suites": list(suites),
        "cipher_suites_unsupported": suites_unsupported,
        "cipher_suite_order": ",".join(suites),
        "curves": curves,
        "curves_unsupported": curves_unsupported,
        "dh_min_key_bits": dh_bits,
        "client": client,
        "left_out": left_out,
        "problems": problems,
        "notes": notes,
        "registry": registry,
    }


def render_profile(
    profile: Profile,
    openssl_version: OpenSSLVersion = None,
    windows_build: WindowsBuild = None,
    schannel_client: bool = False,
) -> Dict[str, Any]:
    """Everything a template needs, as plain data (lists, strings, ints, bools).

    ``openssl_version`` decides the post-quantum group for nginx/Apache; ``windows_build`` and
    ``schannel_client`` shape the ``schannel`` part (see :func:`schannel_policy`).
    """
    groups = list(profile.groups(openssl_version))
    return {
        "name": profile.name,
        "version": profile.version,
        "protocols": list(profile.protocols),
        "tls12_ciphers": list(profile.tls12_ciphers),
        "tls12_ciphers_iana": list(profile.tls12_ciphers_iana),
        "tls13_ciphersuites": list(profile.tls13_ciphersuites),
        "curves": groups,
        "dh_param_size": profile.dh_param_size,
        "uses_dhe": profile.uses_dhe,
        "ecdh_param_size": profile.ecdh_param_size,
        "rsa_key_size": profile.rsa_key_size,
        "certificate_types": list(profile.certificate_types),
        "certificate_curves": list(profile.certificate_curves),
        "certificate_signatures": list(profile.certificate_signatures),
        "max_certificate_lifespan": profile.max_certificate_lifespan,
        "recommended_certificate_lifespan": profile.recommended_certificate_lifespan,
        "server_preferred_order": profile.server_preferred_order,
        "hsts_max_age": profile.hsts_max_age,
        "hsts_header": f"max-age={profile.hsts_max_age}; includeSubDomains",
        "ocsp_staple": profile.ocsp_staple,
        "nginx": {
            "ssl_protocols": nginx_ssl_protocols(profile),
            "ssl_ciphers": nginx_ssl_ciphers(profile),
            "ssl_ecdh_curve": ":".join(groups),
            "ssl_prefer_server_ciphers": "on" if profile.server_preferred_order else "off",
            "ssl_conf_command_ciphersuites": openssl_ciphersuites(profile),
            "ssl_dhparam_needed": profile.uses_dhe,
        },
        "apache": {
            "SSLProtocol": apache_ssl_protocol(profile),
            "SSLCipherSuite": apache_ssl_cipher_suite(profile),
            "SSLCipherSuite_TLSv1_3": openssl_ciphersuites(profile),
            "SSLOpenSSLConfCmd_Curves": ":".join(groups),
            "SSLHonorCipherOrder": "on" if profile.server_preferred_order else "off",
        },
        "schannel": schannel_policy(profile, windows_build, schannel_client),
    }
