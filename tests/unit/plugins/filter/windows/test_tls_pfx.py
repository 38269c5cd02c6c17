# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tls_pfx filter validates on the controller and packs a PKCS#12 that cryptography reads back.

The archive is the only place key material appears in the result, and only encrypted.
"""

from __future__ import annotations

import base64
import json

import pytest
from ansible.errors import AnsibleFilterError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from ansible_collections.webedge.https.plugins.filter.tls_profile import FilterModule as ProfileFilters
from ansible_collections.webedge.https.plugins.filter.windows.tls_pfx import FilterModule
from ansible_collections.webedge.https.tests.unit.helpers.tls_certs import (
    fresh_key,
    key_pem,
    make_cert,
    pki,
)

tls_pfx = FilterModule().filters()["tls_pfx"]


def _text(data: bytes) -> str:
    return data.decode("ascii")


def _pack(**kwargs):
    p = pki()
    args = {
        "private_key": _text(p.leaf.key_pem),
        "chain": _text(p.inter.cert_pem),
        "hostnames": ["www.example.com"],
    }
    args.update(kwargs)
    return tls_pfx(_text(p.leaf.cert_pem), **args)


@pytest.mark.parametrize("encryption", ["aes256", "legacy"])
def test_round_trip_with_cryptography(encryption):
    p = pki()
    out = _pack(encryption=encryption)
    key, cert, extra = pkcs12.load_key_and_certificates(
        base64.b64decode(out["pfx_base64"]), out["password"].encode("ascii")
    )
    assert cert == p.leaf.cert
    assert list(extra) == [p.inter.cert]
    assert key.private_numbers() == p.leaf.key.private_numbers()
    assert out["encryption"] == encryption


def test_thumbprints_are_windows_sha1_upper_hex():
    p = pki()
    out = _pack()
    assert out["thumbprint"] == p.leaf.cert.fingerprint(hashes.SHA1()).hex().upper()
    assert out["chain_thumbprints"] == [p.inter.cert.fingerprint(hashes.SHA1()).hex().upper()]
    assert len(out["thumbprint"]) == 40


def test_key_material_appears_only_inside_the_encrypted_archive():
    p = pki()
    out = _pack()
    body = "".join(_text(p.leaf.key_pem).splitlines()[1:-1])
    der = p.leaf.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = {k: v for k, v in out.items() if k not in ("pfx_base64", "password")}
    text = json.dumps(public)
    assert body not in text and "PRIVATE KEY" not in text
    assert body not in out["pfx_base64"]
    assert der not in base64.b64decode(out["pfx_base64"])  # encrypted, not merely encoded
    scalar = p.leaf.key.private_numbers().private_value.to_bytes(32, "big")
    assert scalar not in base64.b64decode(out["pfx_base64"])


def test_each_call_has_its_own_password():
    assert _pack()["password"] != _pack()["password"]


def test_chain_after_the_leaf_and_a_root_left_out_with_a_warning():
    p = pki()
    out = tls_pfx(
        _text(p.leaf.cert_pem + p.inter.cert_pem + p.root.cert_pem),
        private_key=_text(p.leaf.key_pem),
    )
    _key, _cert, extra = pkcs12.load_key_and_certificates(
        base64.b64decode(out["pfx_base64"]), out["password"].encode("ascii")
    )
    assert extra == [p.inter.cert]
    assert any("Test Root" in w and "left out" in w for w in out["warnings"])


def test_encrypted_key_with_its_passphrase():
    p = pki()
    out = tls_pfx(
        _text(p.leaf.cert_pem),
        private_key=_text(key_pem(p.leaf.key, b"s3cret")),
        passphrase="s3cret",
    )
    assert out["thumbprint"]
    assert "s3cret" not in json.dumps({k: v for k, v in out.items() if k != "pfx_base64"})


def test_public_facts():
    out = _pack(friendly_name="www 2026")
    assert out["subject"] == "CN=www.example.com"
    assert out["subject_alt_names"] == ["DNS:www.example.com", "DNS:example.com"]
    assert out["friendly_name"] == "www 2026"
    assert out["key_type"] == "ec_p256"


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"hostnames": ["other.example.org"]}, "'other.example.org'"),
        ({"min_days_valid": 400}, "min_days_valid requires at least 400"),
        ({"private_key": None}, "private_key is required"),
        ({"encryption": "des"}, "got 'des'"),
        ({"hostnames": "www.example.com"}, "hostnames must be a list"),
        ({"min_days_valid": "soon"}, "got 'soon'"),
    ],
)
def test_bad_input_is_named(kwargs, fragment):
    with pytest.raises(AnsibleFilterError, match=fragment):
        _pack(**kwargs)


def test_a_key_of_another_certificate_is_refused_without_showing_it():
    p = pki()
    other = fresh_key("ec_p256")
    with pytest.raises(AnsibleFilterError) as caught:
        tls_pfx(_text(p.leaf.cert_pem), private_key=_text(key_pem(other)))
    assert "does not match" in str(caught.value)
    assert "PRIVATE KEY" not in str(caught.value)


def test_ed25519_is_refused_for_schannel():
    key = fresh_key("ed25519")
    leaf = make_cert("ed.example.com", key=key, sans=["ed.example.com"])
    with pytest.raises(AnsibleFilterError, match="ed25519"):
        tls_pfx(_text(leaf.cert_pem), private_key=_text(leaf.key_pem))


def test_filters_in_a_template():
    jinja2 = pytest.importorskip("jinja2")
    env = jinja2.Environment()
    env.filters.update(FilterModule().filters())
    env.filters.update(ProfileFilters().filters())
    p = pki()
    text = env.from_string(
        "{{ (crt | tls_pfx(private_key=key)).thumbprint }} "
        "{{ ('intermediate' | tls_profile('5.7', windows_build='10.0.17763.0')).schannel.protocols_enabled }}"
    ).render(crt=_text(p.leaf.cert_pem), key=_text(p.leaf.key_pem))
    assert text == p.leaf.cert.fingerprint(hashes.SHA1()).hex().upper() + " ['TLS 1.2']"
