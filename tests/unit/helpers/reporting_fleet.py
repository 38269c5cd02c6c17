# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A sample fleet for the report tests: web1 compliant, web2 failing, a third host named by a hostile
string (markup, control characters, Markdown) whose certificate chain fails."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, Mapping, Tuple

from ansible_collections.webedge.https.plugins.module_utils.compliance.endpoint import evaluate_endpoint
from ansible_collections.webedge.https.plugins.module_utils.compliance.finding import findings_to_dict
from ansible_collections.webedge.https.plugins.module_utils.compliance.host import evaluate_host
from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import get_profile
from ansible_collections.webedge.https.tests.unit.helpers.compliance_probes import NOW, load_probe, with_changes

WHEN = datetime(2025, 6, 14, 12, 0, 5, tzinfo=timezone.utc)
HOSTILE = "<script>alert('x')</script> & \"q\" | @here [link](http://evil.example/) `code` *b* ]]> \x00\x1b end"
HOST_FACTS: Dict[str, Any] = {
    "listening": {"port": 443, "listening": True, "process": "nginx", "expected_process": "nginx"},
    "firewall": {"backend": "nftables", "verdict": "accept"},
    "private_key": {"path": "/etc/ssl/private/k.pem", "mode": "0600"},
    "config_test": {"command": "nginx -t", "rc": 0},
}


def host_results(
    probe: Mapping[str, Any], facts: Mapping[str, Any], profile: Tuple[str, str] = ("intermediate", "5.7")
) -> Dict[str, Any]:
    """What the compliance role records for one host (``webedge_https_compliance``)."""
    prof = get_profile(*profile)
    probe = dict(probe, findings=findings_to_dict(evaluate_endpoint(probe, prof, now=NOW)))
    return {
        "profile": profile[0],
        "profile_version": profile[1],
        "controls": findings_to_dict(evaluate_host(facts)),
        "endpoints": [probe],
    }


def sample_fleet() -> Dict[str, Any]:
    good = load_probe()
    bad = with_changes(
        good,
        {
            "target": "web2.lab.example:443",
            "host": "web2.lab.example",
            "protocols/TLSv1": True,
            "legacy_ciphers": {"TLSv1": ["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"]},
            "hsts/max_age": 300,
        },
    )
    hostile = with_changes(
        good,
        {
            "target": "web3.lab.example:443",
            "host": "web3.lab.example",
            "certificate/chain_valid": False,
            "certificate/chain_error": HOSTILE,
            "server_header": HOSTILE + " 1.2",
        },
    )
    return {
        "web1": host_results(good, HOST_FACTS),
        "web2": host_results(bad, dict(HOST_FACTS, config_test={"command": "nginx -t", "rc": 1, "output": "bad"})),
        HOSTILE: host_results(hostile, dict(HOST_FACTS, private_key={"path": HOSTILE, "mode": "0644"})),
    }
