# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HOST-07: only allowed ports are exposed (from exposure_info's result)."""

from __future__ import annotations

from ansible_collections.webedge.https.plugins.module_utils.compliance.host_exposure import check_exposure

HTTPS = {"port": 443, "protocol": "tcp", "families": ["ipv4", "ipv6"], "owners": ["nginx (pid 812, nginx.service)"]}
DEBUG = {"port": 8081, "protocol": "tcp", "families": ["ipv4"], "owners": ["python3 (pid 90, debug.service)"]}
PUBLISHED = {
    "port": 8088,
    "protocol": "tcp",
    "families": ["ipv4"],
    "owners": ["conmon (pid 77, container web (podman))"],
}


def _fact(exposed, unexpected=(), unknown=(), allowed=("22", "80", "443")):
    return {
        "exposed": list(exposed),
        "unexpected": list(unexpected),
        "unknown": list(unknown),
        "allowed": list(allowed),
    }


def test_only_allowed_ports_pass():
    finding = check_exposure(_fact([HTTPS]), "web1")
    assert finding.status == "pass"
    assert finding.message == "only allowed ports are exposed: 443/tcp (allowed: 22, 80, 443)"


def test_extra_ports_fail_with_their_owners():
    finding = check_exposure(_fact([HTTPS, DEBUG, PUBLISHED], [DEBUG, PUBLISHED]), "web1")
    assert finding.status == "fail"
    assert finding.message == (
        "2 port(s) exposed beyond the allow-list (22, 80, 443): 8081/tcp (python3 (pid 90, debug.service)), "
        "8088/tcp (conmon (pid 77, container web (podman)))"
    )


def test_an_undecided_port_outside_the_list_is_an_error_naming_why():
    unknown = {"port": 9000, "protocol": "udp", "families": ["ipv4"], "owners": ["x"], "reasons": ["limit rule"]}
    finding = check_exposure(_fact([HTTPS], unknown=[unknown]), "web1")
    assert finding.status == "error"
    assert "9000/udp (limit rule)" in finding.message
    allowed = {**unknown, "port": 443, "protocol": "tcp"}
    assert check_exposure(_fact([HTTPS], unknown=[allowed]), "web1").status == "pass"


def test_missing_failed_or_listless_facts():
    assert check_exposure(None, "web1").status == "skip"
    failed = check_exposure({"msg": "no /proc/net/tcp here"}, "web1")
    assert (failed.status, failed.message) == ("error", "exposure_info failed: no /proc/net/tcp here")
    assert check_exposure({**_fact([HTTPS]), "allowed": None}, "web1").status == "error"
