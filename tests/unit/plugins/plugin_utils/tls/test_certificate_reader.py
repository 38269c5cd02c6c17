# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller's certificate reader: chain trust without a handshake (the local TLS library cannot verify
an SSLv3-only server), and what it adds to the standard-library reader's fields."""

from __future__ import annotations

import pytest
from cryptography import x509

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.certinfo import (
    CertificateReader,
    ServedChain,
    StdlibCertificateReader,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import probe_version
from ansible_collections.webedge.https.plugins.plugin_utils.tls.certificate_reader import (
    CryptographyCertificateReader,
    controller_reader,
)
from ansible_collections.webedge.https.tests.unit.helpers.tls_servers import (
    Pki,
    der_of,
    legacy_server,
    loopback,
    make_pki,
)

READER = CryptographyCertificateReader()


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def test_the_controller_reads_with_cryptography() -> None:
    assert isinstance(controller_reader(), CryptographyCertificateReader)
    assert isinstance(controller_reader(), CertificateReader)


def test_anchors_are_the_self_signed_roots_of_the_ca_file(pki: Pki) -> None:
    root = x509.load_pem_x509_certificate(pki.root.read_bytes())
    assert READER.anchor_subjects(str(pki.root), None) == frozenset({root.subject.public_bytes()})
    assert READER.anchor_subjects("/nonexistent/ca.pem", None) == frozenset()


def test_it_fills_what_the_standard_library_reader_leaves_null(pki: Pki) -> None:
    leaf, chain = der_of(pki.good.cert), (der_of(pki.good.cert), der_of(pki.intermediate))
    served = ServedChain(leaf, chain, "localhost", chain_valid=True, chain_error=None)
    full, _notes = READER.describe(served)
    bare, _notes = StdlibCertificateReader().describe(served)
    # what the standard library reads, both readers read alike (the probe's own DER reader)...
    read = {key: value for key, value in bare.items() if value is not None and key != "sans"}  # sans: [] = unread
    assert read == {key: full[key] for key in read}
    assert {"key_type", "signature_algorithm", "chain", "ocsp_urls", "must_staple"} <= set(read)
    # ...and the rest is cryptography's
    assert {key for key, value in bare.items() if value is None} >= {"self_signed", "intermediates_served", "subject"}
    assert full["key_type"] == "RSA" and full["intermediates_served"] is True and full["self_signed"] is False


def test_chain_read_over_sslv3_verifies_offline(pki: Pki) -> None:
    with legacy_server(pki.good, "--no-http") as port:
        flight = probe_version(loopback(port), "localhost", "SSLv3", 3.0).flight
    assert flight is not None
    assert READER.verify_offline(flight.certificates, [der_of(pki.root)]) == (True, None)
    valid, error = READER.verify_offline(flight.certificates, [der_of(pki.other_root)])
    assert valid is False and error


def test_offline_verification_reports_expiry_and_missing_anchors(pki: Pki) -> None:
    expired = (der_of(pki.expired.cert), der_of(pki.intermediate))
    valid, error = READER.verify_offline(expired, [der_of(pki.root)])
    assert valid is False
    assert "not valid at validation time" in str(error)
    assert READER.verify_offline(expired, [])[0] is None
    assert READER.verify_offline((), [der_of(pki.root)])[0] is None
