# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The probe's result shape: the captured compliant result has exactly its keys, and so has a failed probe."""

from __future__ import annotations

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.result import ProbeResult, empty_probe_result
from ansible_collections.webedge.https.tests.unit.helpers.compliance_probes import load_probe


def test_fixture_is_a_complete_probe_result():
    probe = load_probe()
    assert set(probe) == set(ProbeResult.__annotations__)
    assert set(empty_probe_result("h", 443)) == set(probe)
