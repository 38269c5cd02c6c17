# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""compliance_info on Windows: ONE round trip carrying the three reads, answered by the simulated hosts; the
exposure and the firewall verdict are what exposure_info and firewall_info give on the same host."""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall.model import ValidationError
from ansible_collections.webedge.https.plugins.plugin_utils.windows import exposure, firewall_info
from ansible_collections.webedge.https.plugins.plugin_utils.windows.compliance import check, run
from ansible_collections.webedge.https.tests.unit.helpers.windows_compliance_host import WrapperHost
from ansible_collections.webedge.https.tests.unit.helpers.windows_info_host import FakeInfoHost

ALLOWED = [443, 3389]


def test_one_round_trip_gives_the_exposure_the_listener_and_the_verdict():
    host = WrapperHost()
    result = run(check({"port": 443, "allowed": ALLOWED}), host)
    assert len(host.calls) == 1 and len(host.calls[0]) == 3

    alone = exposure.run(exposure.check_request({"allowed": ALLOWED}), WrapperHost())
    alone.pop("exposure")
    alone.pop("changed")
    assert result["exposure"] == alone

    request, interface = firewall_info.check_request({"ports": [443], "protocol": "tcp"})
    verdicts = firewall_info.run(request, interface, FakeInfoHost())
    assert result["firewall"] == {
        "active_backends": verdicts["active_backends"],
        "verdicts": [v for v in verdicts["verdicts"] if v["port"] == 443],
    }
    assert result["firewall"]["verdicts"][0]["verdict"] == "accept"

    assert result["listening"] == {"port": 443, "listening": True, "process": "nginx", "expected_process": "System"}
    assert result["server"] == "iis"
    assert (result["config_test"], result["private_keys"], result["certificate_files"]) == (None, [], [])


def test_the_expected_process_on_windows_is_system_unless_set():
    assert run(check({"expected_process": "w3wp"}), WrapperHost())["listening"]["expected_process"] == "w3wp"
    assert run(check({"server": "none"}), WrapperHost())["listening"]["expected_process"] is None


def test_skipped_controls_are_not_answered():
    host = WrapperHost()
    result = run(check({"exposure": False, "firewall": False}), host)
    assert result["exposure"] is None and result["firewall"] is None
    assert result["listening"]["listening"] is True


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"server": "nginx"}, "server 'nginx' does not run on Windows"),
        ({"allowed": ["8080-80"]}, "8080-80"),
        ({"port": 0}, "port 0"),
    ],
)
def test_bad_input_fails_before_any_read_naming_the_value(params, named):
    with pytest.raises(ValidationError) as info:
        check(params)
    assert named in str(info.value)


def test_a_source_a_read_cannot_take_is_reported_by_that_read_as_on_linux():
    """A network: the exposure takes it, the firewall verdict (one address) says why it has none."""
    result = run(check({"source": "10.0.0.0/8", "allowed": ALLOWED}), WrapperHost())
    assert result["exposure"]["source"] == "10.0.0.0/8"
    assert "10.0.0.0/8" in result["firewall"]["msg"] and result["firewall"]["verdicts"] == []
    bad = run(check({"source": "not-an-address", "allowed": ALLOWED}), WrapperHost())
    assert set(bad["exposure"]) == {"msg"} and "not-an-address" in bad["exposure"]["msg"]
