# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""exposure_info on Windows: one round trip carrying the three reads, answered by the simulated hosts."""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall.model import ValidationError
from ansible_collections.webedge.https.plugins.plugin_utils.windows.exposure import check_request, run
from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import PowerShellError
from ansible_collections.webedge.https.tests.unit.helpers.windows_compliance_host import WrapperHost as ExposureHost
from ansible_collections.webedge.https.tests.unit.helpers.windows_host import answer_line


def _by_port(result, port, protocol="tcp"):
    return next(e for e in result["exposure"] if e["port"] == port and e["protocol"] == protocol)


def test_one_round_trip_carries_the_three_reads_and_joins_them():
    host = ExposureHost()
    result = run(check_request({"protocols": ["tcp", "udp"]}), host)
    assert len(host.calls) == 1 and len(host.calls[0]) == 3
    loopback = _by_port(result, 8443)
    assert loopback["exposed"] == "no"
    assert all(f["path"] == "loopback" for f in loopback["families"].values())
    https = _by_port(result, 443)
    assert (https["exposed"], https["unit"]) == ("yes", "nginx")
    assert "rule 'webedge.https tcp/443 ipv4 from any'" in https["families"]["ipv4"]["decided_by"]
    assert "Block SMB from anywhere" in _by_port(result, 445)["families"]["ipv4"]["decided_by"]
    assert [(g["port"], g["protocol"], g["families"]) for g in result["exposed"]] == [(443, "tcp", ["ipv4", "ipv6"])]
    for entry in result["exposure"]:
        if entry["exposed"] == "unknown":
            assert entry["reason"], entry
    assert "Windows Defender Firewall has no DNAT" in " ".join(result["notes"])


def test_the_allow_list_names_what_is_exposed_beyond_it():
    result = run(check_request({"allowed": [443, 3389]}), ExposureHost())
    exposed = {(g["port"], g["protocol"]) for g in result["exposed"]}
    unexpected = {(g["port"], g["protocol"]) for g in result["unexpected"]}
    assert unexpected == {p for p in exposed if p[0] not in (443, 3389)}
    assert result["allowed"] == ["443", "3389"]


def test_a_failed_read_is_named():
    class Failing(ExposureHost):
        def run(self, argv, data=None):
            return 1, answer_line({"failed": True, "msg": "Access is denied"}), ""

    with pytest.raises(PowerShellError) as info:
        run(check_request({}), Failing())
    assert "listening_ports read script failed: Access is denied" in str(info.value)


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"source": "10.0.0.5/8"}, "10.0.0.5/8"),
        ({"allowed": ["8080-80"]}, "8080-80"),
        ({"interface": "bad\nalias"}, "bad\\nalias"),
    ],
)
def test_bad_input_fails_before_any_read_naming_the_value(params, named):
    with pytest.raises(ValidationError) as info:
        check_request(params)
    assert named in str(info.value)
