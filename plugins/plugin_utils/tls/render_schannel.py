# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Mozilla profile (``module_utils/tls/profiles.py``) as Windows SCHANNEL settings: protocols, cipher suite
and curve order, and the registry values that set them, for one Windows Server build.

Which suites each Windows build implements is Windows' own data and lives here; what the profile
asks for comes from the profile. Controller side: the ``tls_profile`` filter renders it for the
``iis`` role.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple, Union

from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import ALL_PROTOCOLS, Profile, ProfileError

__all__ = [
    "SCHANNEL_CIPHER_POLICY_KEY",
    "SCHANNEL_DH_KEY",
    "SCHANNEL_PROTOCOLS_KEY",
    "SCHANNEL_SUITES",
    "SCHANNEL_TLS13_MIN_BUILD",
    "WINDOWS_MIN_BUILD",
    "WindowsBuild",
    "parse_windows_build",
    "schannel_cipher_suites",
    "schannel_curves",
    "schannel_policy",
    "schannel_protocols",
]

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
