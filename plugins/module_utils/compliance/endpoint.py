# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The endpoint controls: one check per control ID, run over one probe result.

:data:`ENDPOINT_CHECKS` maps every ``endpoint`` control of the catalog to its check, a function
of :class:`.evidence.EndpointEvidence`. A probe that failed makes every control ``error``; a probe
without a certificate makes the certificate controls ``error``. Runs on targets (Python 3.8+,
standard library only).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable, Dict, FrozenSet, Mapping, Optional

from ansible_collections.webedge.https.plugins.module_utils.compliance.catalog import CATALOG
from ansible_collections.webedge.https.plugins.module_utils.compliance.endpoint_certificate import (
    check_chain,
    check_hostname,
    check_intermediates,
    check_key,
    check_lifespan,
    check_validity,
)
from ansible_collections.webedge.https.plugins.module_utils.compliance.endpoint_chain import (
    check_chain_strength,
    check_must_staple,
    check_ocsp_stapling,
)
from ansible_collections.webedge.https.plugins.module_utils.compliance.endpoint_http import (
    check_hsts,
    check_redirect,
    check_server_header,
)
from ansible_collections.webedge.https.plugins.module_utils.compliance.endpoint_keyexchange import (
    check_dh_size,
    check_ecdh_size,
    check_groups,
    check_server_order,
    check_tls13_suites,
)
from ansible_collections.webedge.https.plugins.module_utils.compliance.endpoint_protocols import (
    check_ciphers,
    check_sslv2,
    check_sslv3,
    check_tls10,
    check_tls11,
    check_tls12,
    check_tls13,
)
from ansible_collections.webedge.https.plugins.module_utils.compliance.endpoint_vulns import (
    VULN_CHECKS,
    check_session_resumption,
)
from ansible_collections.webedge.https.plugins.module_utils.compliance.evidence import EndpointEvidence
from ansible_collections.webedge.https.plugins.module_utils.compliance.finding import Finding, new_finding
from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import Profile

__all__ = ["CERTIFICATE_CONTROL_IDS", "ENDPOINT_CHECKS", "ENDPOINT_CONTROL_IDS", "evaluate_endpoint"]

EndpointCheck = Callable[[EndpointEvidence], Finding]

ENDPOINT_CONTROL_IDS = tuple(cid for cid, control in CATALOG.items() if control.where == "endpoint")
ENDPOINT_CHECKS: Dict[str, EndpointCheck] = {
    "TLS-01": check_sslv2,
    "TLS-02": check_sslv3,
    "TLS-03": check_tls10,
    "TLS-04": check_tls11,
    "TLS-05": check_tls12,
    "TLS-06": check_tls13,
    "TLS-07": check_ciphers,
    "TLS-08": check_chain,
    "TLS-09": check_hostname,
    "TLS-10": check_validity,
    "TLS-11": check_key,
    "TLS-12": check_intermediates,
    "TLS-13": check_groups,
    "TLS-14": check_lifespan,
    "TLS-15": check_tls13_suites,
    "TLS-16": check_dh_size,
    "TLS-17": check_ecdh_size,
    "TLS-18": check_chain_strength,
    "TLS-19": check_server_order,
    "TLS-20": check_ocsp_stapling,
    "TLS-21": check_must_staple,
    "TLS-22": check_session_resumption,
    "HTTP-01": check_hsts,
    "HTTP-02": check_redirect,
    "HTTP-03": check_server_header,
    **VULN_CHECKS,
}
# The controls that judge the served certificate: ``error`` when the probe has none.
CERTIFICATE_CONTROL_IDS: FrozenSet[str] = frozenset(
    {"TLS-08", "TLS-09", "TLS-10", "TLS-11", "TLS-12", "TLS-14", "TLS-18", "TLS-20", "TLS-21"}
)


def evaluate_endpoint(
    probe: Mapping[str, Any],
    profile: Profile,
    *,
    min_days_valid: int = 30,
    now: Optional[datetime] = None,
) -> Dict[str, Finding]:
    """Findings of every endpoint control for one ``tls_probe`` result, keyed by control ID."""
    target = str(probe.get("target") or f"{probe.get('host')}:{probe.get('port')}")
    if probe.get("error"):
        return {
            cid: new_finding(cid, "error", f"probe of {target} failed: {probe['error']}", target)
            for cid in ENDPOINT_CONTROL_IDS
        }
    evidence = EndpointEvidence(probe, profile, target, min_days_valid, now or datetime.now(timezone.utc))
    has_certificate = bool(probe.get("certificate"))
    return {
        cid: (
            ENDPOINT_CHECKS[cid](evidence)
            if has_certificate or cid not in CERTIFICATE_CONTROL_IDS
            else new_finding(cid, "error", "no certificate information from the probe", target)
        )
        for cid in ENDPOINT_CONTROL_IDS
    }
