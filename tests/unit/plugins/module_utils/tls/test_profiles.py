# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Mozilla profiles hold the guideline values (what the renderers print is tested in plugin_utils/tls)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import (
    OPENSSL_TO_IANA,
    ProfileError,
    get_profile,
    openssl_supports_mlkem,
    parse_openssl_version,
)

# Guideline data (mozilla/ssl-config-generator guidelines 5.7 and 6.0), as sets.
MOZILLA_IANA = {
    ("intermediate", "5.7"): {
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    },
    ("intermediate", "6.0"): {
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    },
    ("modern", "5.7"): set(),
    ("modern", "6.0"): set(),
}

VALUES = [
    # name, version, protocols, #tls12, dh, rsa, types, lifespan, server order
    ("modern", "5.7", ("TLSv1.3",), 0, None, None, ("ecdsa",), 90, False),
    ("intermediate", "5.7", ("TLSv1.2", "TLSv1.3"), 9, 2048, 2048, ("ecdsa", "rsa"), 366, False),
    ("old", "5.7", ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"), 26, 1024, 2048, ("rsa",), 366, True),
    ("modern", "6.0", ("TLSv1.3",), 0, None, None, ("ecdsa",), 90, False),
    ("intermediate", "6.0", ("TLSv1.2", "TLSv1.3"), 6, 2048, 2048, ("ecdsa", "rsa"), 366, False),
]


@pytest.mark.parametrize(("name", "version", "protocols", "n12", "dh", "rsa", "types", "life", "order"), VALUES)
def test_profile_holds_guideline_values(name, version, protocols, n12, dh, rsa, types, life, order):
    p = get_profile(name, version)
    assert (p.protocols, len(p.tls12_ciphers), p.dh_param_size, p.rsa_key_size) == (protocols, n12, dh, rsa)
    assert (p.certificate_types, p.max_certificate_lifespan, p.server_preferred_order) == (types, life, order)
    assert p.tls13_ciphersuites == ("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256")
    assert (p.hsts_max_age, p.ocsp_staple, p.ecdh_param_size) == (63072000, True, 256)


@pytest.mark.parametrize("key", sorted(MOZILLA_IANA))
def test_iana_names_match_the_guideline(key):
    assert set(get_profile(*key).tls12_ciphers_iana) == MOZILLA_IANA[key]


def test_mapping_agrees_with_local_openssl():
    if not shutil.which("openssl"):
        pytest.skip("no openssl binary")
    out = subprocess.run(
        ["openssl", "ciphers", "-stdname", "ALL:@SECLEVEL=0"], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        pytest.skip("openssl ciphers -stdname unsupported")
    known = {}
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] == "-":
            known[parts[2]] = parts[0]
    checked = {o: i for o, i in OPENSSL_TO_IANA.items() if o in known}
    assert checked, "openssl knows none of the names"
    assert {o: known[o] for o in checked} == checked


@pytest.mark.parametrize(
    ("given", "parsed", "mlkem"),
    [
        (None, None, False),
        ("3.5.0", (3, 5, 0), True),
        ("OpenSSL 3.0.2 15 Mar 2022", (3, 0, 2), False),
        ("3.0.2-0ubuntu1.18", (3, 0, 2), False),
        ((3, 6), (3, 6, 0), True),
        ("4.0", (4, 0, 0), True),
        ("LibreSSL", None, False),
    ],
)
def test_openssl_version_parsing(given, parsed, mlkem):
    assert parse_openssl_version(given) == parsed
    assert openssl_supports_mlkem(given) is mlkem


@pytest.mark.parametrize(
    ("name", "version", "fragment"),
    [
        ("old", "6.0", "6.0 dropped 'old'"),
        ("paranoid", "5.7", "'paranoid'"),
        ("modern", "5.5", "'5.5'"),
        ("modern", True, "True"),
    ],
)
def test_bad_names_and_versions_are_named(name, version, fragment):
    with pytest.raises(ProfileError, match=fragment.replace("(", r"\(").replace(".", r"\.")):
        get_profile(name, version)


@pytest.mark.parametrize("version", ["5.7", 5.7, "6.0", 6.0, 6, "6"])
def test_versions_accept_yaml_floats(version):
    assert get_profile("modern", version).version in ("5.7", "6.0")
