# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab CA: RFC 5280-complete certificates that strict verifiers accept, and idempotence."""

from __future__ import annotations

import datetime
import stat
from pathlib import Path
from typing import List

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from ansible_collections.webedge.https.plugins.plugin_utils.tls import certificate, lab_ca


@pytest.fixture(scope="module")
def chain() -> tuple:
    root = lab_ca.build_ca("Lab Root", path_length=1)
    inter = lab_ca.build_ca("Lab Intermediate", issuer=root, path_length=0)
    return root, inter


KEY_TYPES = ["ec_p256", "ec_p384", "rsa2048", "ed25519"]


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_leaf_verifies_with_cryptographys_strict_verifier(chain: tuple, key_type: str) -> None:
    root, inter = chain
    leaf, _key = lab_ca.build_leaf(["web1.lab.test", "192.0.2.7"], inter, key_type=key_type)
    store = Store([root[0]])
    for name in (x509.DNSName("web1.lab.test"), x509.IPAddress(__import__("ipaddress").ip_address("192.0.2.7"))):
        verifier = PolicyBuilder().store(store).build_server_verifier(name)
        assert len(verifier.verify(leaf, [inter[0]])) == 3


EXTENSIONS = [
    pytest.param(x509.SubjectKeyIdentifier, False, id="ski"),
    pytest.param(x509.AuthorityKeyIdentifier, False, id="aki"),
    pytest.param(x509.KeyUsage, True, id="key-usage-critical"),
    pytest.param(x509.BasicConstraints, True, id="basic-constraints-critical"),
    pytest.param(x509.ExtendedKeyUsage, False, id="eku"),
    pytest.param(x509.SubjectAlternativeName, False, id="san"),
]


@pytest.mark.parametrize(("ext", "critical"), EXTENSIONS)
def test_leaf_has_rfc5280_extensions(chain: tuple, ext: type, critical: bool) -> None:
    leaf, _key = lab_ca.build_leaf(["a.lab.test"], chain[1])
    assert leaf.extensions.get_extension_for_class(ext).critical is critical


def test_leaf_eku_is_server_auth_and_not_a_ca(chain: tuple) -> None:
    leaf, _key = lab_ca.build_leaf(["a.lab.test"], chain[1])
    assert list(leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.SERVER_AUTH
    ]
    assert leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False


def test_idn_names_are_stored_as_a_labels(chain: tuple) -> None:
    leaf, _key = lab_ca.build_leaf(["bücher.lab.test"], chain[1])
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["xn--bcher-kva.lab.test"]


def test_lab_material_passes_the_deploy_validation(chain: tuple) -> None:
    _root, inter = chain
    leaf, key = lab_ca.build_leaf(["web.lab.test"], inter)
    pem = leaf.public_bytes(serialization.Encoding.PEM)
    material = certificate.validate(
        certificate=pem,
        private_key=lab_ca._key_pem(key),
        chain=inter[0].public_bytes(serialization.Encoding.PEM),
        hostnames=["web.lab.test"],
        min_days_valid=30,
    )
    assert material.chain_length == 1


def test_self_signed_leaf_is_a_complete_leaf_signed_by_itself(chain: tuple) -> None:
    # Given no issuer (the compliance lab's "self-signed certificate" fault)
    leaf, key = lab_ca.build_leaf(["selfsigned.lab.test"], None)
    # Then it is its own issuer, verifies with its own key, and is still a leaf with every extension
    assert leaf.issuer == leaf.subject
    leaf.verify_directly_issued_by(leaf)
    assert leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    ski = leaf.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    assert leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier == ski
    assert leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value[0] == ExtendedKeyUsageOID.SERVER_AUTH
    assert _public_pem(leaf.public_key()) == _public_pem(key.public_key())
    # and no lab chain trusts it: the one fault is "self-signed"
    verifier = PolicyBuilder().store(Store([chain[0][0]])).build_server_verifier(x509.DNSName("selfsigned.lab.test"))
    with pytest.raises(VerificationError, match="candidates exhausted"):
        verifier.verify(leaf, [chain[1][0]])


def test_leaf_issued_in_the_past_is_expired_and_otherwise_valid(chain: tuple) -> None:
    # Given a leaf whose 90 days ended 10 days ago (the lab's "expired certificate" fault)
    now = datetime.datetime.now(datetime.timezone.utc)
    leaf, _key = lab_ca.build_leaf(
        ["expired.lab.test"], chain[1], valid_days=90, now=now - datetime.timedelta(days=100)
    )
    # Then it ended 10 days ago, and that expiry is what a strict verifier rejects it for
    assert abs(lab_ca._not_after(leaf) - (now - datetime.timedelta(days=10))) < datetime.timedelta(minutes=1)
    store = Store([chain[0][0]])
    verifier = PolicyBuilder().store(store).time(now).build_server_verifier(x509.DNSName("expired.lab.test"))
    with pytest.raises(VerificationError, match="not valid at validation time"):
        verifier.verify(leaf, [chain[1][0]])


def _public_pem(key: object) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)  # type: ignore[attr-defined]


def _write(issued: lab_ca.Issued, base: Path) -> None:
    lab_ca.write_file(str(base) + ".key", issued.key_pem, 0o600)
    lab_ca.write_file(str(base) + ".crt", issued.cert_pem, 0o644)


def test_ensure_reuses_valid_files_and_reissues_when_names_change(tmp_path: Path) -> None:
    ca = lab_ca.ensure_ca(str(tmp_path / "ca.crt"), str(tmp_path / "ca.key"), common_name="Root")
    assert ca.created and ca.reason == "absent"
    _write(ca, tmp_path / "ca")
    again = lab_ca.ensure_ca(str(tmp_path / "ca.crt"), str(tmp_path / "ca.key"), common_name="Root")
    assert not again.created
    signer = lab_ca.load_pair(ca.cert_pem, ca.key_pem)
    paths = (str(tmp_path / "web.crt"), str(tmp_path / "web.key"))
    first = lab_ca.ensure_leaf(*paths, hostnames=["a.test", "b.test"], issuer=signer)
    _write(first, tmp_path / "web")
    same = lab_ca.ensure_leaf(*paths, hostnames=["b.test", "a.test"], issuer=signer)
    assert not same.created
    changed = lab_ca.ensure_leaf(*paths, hostnames=["a.test"], issuer=signer)
    assert (changed.created, changed.reason) == (True, "names differ")
    assert stat.S_IMODE((tmp_path / "web.key").stat().st_mode) == 0o600


def test_leaf_from_another_ca_is_reissued(tmp_path: Path) -> None:
    old = lab_ca.build_ca("Old Root")
    new = lab_ca.build_ca("New Root")
    leaf, key = lab_ca.build_leaf(["a.test"], old)
    lab_ca.write_file(str(tmp_path / "w.crt"), leaf.public_bytes(serialization.Encoding.PEM), 0o644)
    lab_ca.write_file(str(tmp_path / "w.key"), lab_ca._key_pem(key), 0o600)
    issued = lab_ca.ensure_leaf(str(tmp_path / "w.crt"), str(tmp_path / "w.key"), hostnames=["a.test"], issuer=new)
    assert (issued.created, issued.reason) == (True, "not issued by the current CA")


def test_leaf_close_to_expiry_is_reissued(chain: tuple) -> None:
    leaf, _key = lab_ca.build_leaf(["a.test"], chain[1], valid_days=10)
    assert lab_ca.leaf_matches(leaf, chain[1][0], ["a.test"], renew_days=30) == "expires within 30 days"
    later = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)
    assert lab_ca.leaf_matches(leaf, chain[1][0], ["a.test"], renew_days=5, now=later) == ""


BAD_REQUESTS: List = [
    pytest.param(lambda c: lab_ca.generate_key("dsa1024"), "key_type: 'dsa1024' is not one of", id="bad-key-type"),
    pytest.param(lambda c: lab_ca.build_leaf([], c[1]), "at least one name", id="no-names"),
    pytest.param(lambda c: lab_ca.san_entries([" "]), "an empty hostname", id="empty-name"),
]


@pytest.mark.parametrize(("call", "message"), BAD_REQUESTS)
def test_bad_requests_fail_naming_the_value(chain: tuple, call, message: str) -> None:
    with pytest.raises(lab_ca.LabCAError, match=message):
        call(chain)
