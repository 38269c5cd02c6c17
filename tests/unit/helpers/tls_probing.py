# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test helper: run the probe on local servers the way the controller does (in-process, with the
``cryptography`` certificate reader), and the keys every result and certificate must carry."""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.base import EndpointReport
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.runner import probe_targets
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.targets import parse_targets
from ansible_collections.webedge.https.plugins.plugin_utils.tls.certificate_reader import (
    CryptographyCertificateReader,
)

__all__ = ["CERT_KEYS", "RESULT_KEYS", "probe", "probe_one"]

RESULT_KEYS = {
    "target",
    "host",
    "port",
    "server_name",
    "error",
    "protocols",
    "negotiated",
    "tls12_ciphers",
    "tls13_ciphers",
    "legacy_ciphers",
    "key_exchange",
    "ocsp",
    "vulnerabilities",
    "certificate",
    "hsts",
    "redirect",
    "server_header",
    "server_header_has_version",
    "findings",
    "grade",
}
CERT_KEYS = {
    "subject",
    "issuer",
    "sans",
    "not_before",
    "not_after",
    "days_remaining",
    "hostname_valid",
    "chain_valid",
    "chain_error",
    "self_signed",
    "key_type",
    "key_size",
    "curve",
    "signature_algorithm",
    "sha256_fingerprint",
    "intermediates_served",
    "chain_length",
    "chain",
    "ocsp_urls",
    "must_staple",
}


def probe(targets: Sequence[Any], ca_file: Any, **options: Any) -> List[EndpointReport]:
    """``probe_targets`` with a 3 s timeout, no HTTP checks and the controller's reader unless told otherwise."""
    options.setdefault("timeout", 3.0)
    options.setdefault("http_checks", False)
    options.setdefault("reader", CryptographyCertificateReader())
    return probe_targets(parse_targets(list(targets)), ca_file=str(ca_file) if ca_file else None, **options)


def probe_one(target: Any, ca_file: Any, **options: Any) -> Dict[str, Any]:
    """The result of probing one target; it always carries every ``ProbeResult`` key."""
    (report,) = probe([target], ca_file, **options)
    assert set(report.result) == RESULT_KEYS
    return report.result
