# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""OCSP stapling and must-staple against openssl s_server stapling a file (-status_file): read in the
clear below TLS 1.3, and from the decrypted first flight of a TLS 1.3-only server."""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

import pytest

from ansible_collections.webedge.https.plugins.module_utils.compliance.endpoint import evaluate_endpoint
from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import get_profile
from ansible_collections.webedge.https.tests.unit.helpers.tls_probing import probe_one
from ansible_collections.webedge.https.tests.unit.helpers.tls_servers import OPENSSL, Pki, ocsp_response, s_server

pytestmark = pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")

# (id, leaf, staple (good/revoked/None), protocol arguments, stapled, cert_status, TLS-20, TLS-21)
STAPLING_TABLE = [
    ("tls12_good_staple", "ocsp", "good", ("-tls1_2",), True, "good", "pass", "skip"),
    ("tls12_no_staple", "ocsp", None, ("-tls1_2",), False, None, "fail", "skip"),
    ("tls12_revoked_staple", "ocsp", "revoked", ("-tls1_2",), True, "revoked", "fail", "skip"),
    ("tls13_only_good_staple", "ocsp", "good", ("-tls1_3",), True, "good", "pass", "skip"),
    ("tls13_only_no_staple", "ocsp", None, ("-tls1_3",), False, None, "fail", "skip"),
    ("must_staple_stapled", "must_staple", "good", (), True, "good", "pass", "pass"),
    ("must_staple_not_stapled", "must_staple", None, (), False, None, "fail", "fail"),
    ("no_responder_nothing_to_staple", "good", None, (), False, None, "skip", "skip"),
]


@pytest.mark.parametrize(
    ("leaf", "staple", "args", "stapled", "cert_status", "tls20", "tls21"),
    [r[1:] for r in STAPLING_TABLE],
    ids=[r[0] for r in STAPLING_TABLE],
)
def test_stapling(
    pki: Pki,
    tmp_path: Path,
    leaf: str,
    staple: Optional[str],
    args: Sequence[str],
    stapled: bool,
    cert_status: Optional[str],
    tls20: str,
    tls21: str,
) -> None:
    issued = getattr(pki, leaf)
    extra = list(args)
    if staple:
        extra += ["-status_file", str(ocsp_response(pki, issued, tmp_path / "ocsp.der", revoked=staple == "revoked"))]
    with s_server(issued, *extra) as port:
        result = probe_one(f"localhost:{port}", pki.root)
    assert result["ocsp"]["stapled"] is stapled
    assert result["ocsp"]["cert_status"] == cert_status
    findings = evaluate_endpoint(result, get_profile("intermediate"))
    assert (findings["TLS-20"].status, findings["TLS-21"].status) == (tls20, tls21)


def test_tls13_only_chain_comes_from_the_decrypted_flight(pki: Pki) -> None:
    with s_server(pki.good, "-tls1_3", "-groups", "P-384") as port:  # a HelloRetryRequest first
        result = probe_one(f"localhost:{port}", pki.root)
    cert = result["certificate"]
    assert cert["chain_length"] == 2 and [entry["key_type"] for entry in cert["chain"]] == ["RSA", "EC"]
    assert cert["intermediates_served"] is True
