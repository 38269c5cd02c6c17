# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The whole way in: prerouting DNAT (a container's published port), then the input or the forward hook.

The rulesets are the ones Docker writes for ``docker run -p 8080:80`` (container 172.17.0.2 on docker0),
added to the captured Docker host (fixtures/firewall/evaluate/ipt-docker.save).
"""

from __future__ import annotations

from typing import Optional

from ansible_collections.webedge.https.plugins.module_utils.firewall.info import HostRulesets
from ansible_collections.webedge.https.plugins.module_utils.firewall.nftables.parse import parse_ruleset
from ansible_collections.webedge.https.plugins.module_utils.firewall.path import evaluate_path
from ansible_collections.webedge.https.plugins.module_utils.firewall.verdict import Packet
from ansible_collections.webedge.https.tests.unit.helpers.firewall_rulesets import fixture

PUBLISH_DNAT = "-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80\n"
PUBLISH_ACCEPT = "-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT\n"
REDIRECT = "-A PREROUTING -p tcp -m tcp --dport 2222 -j REDIRECT --to-ports 22\n"


class Routes:
    def __init__(self, local=("192.0.2.10",), routes=(("172.17.0.", "docker0"),)) -> None:
        self.local, self.routes = local, routes

    def is_local(self, address: str) -> Optional[bool]:
        return address in self.local

    def out_interface(self, address: str) -> Optional[str]:
        return next((dev for prefix, dev in self.routes if address.startswith(prefix)), None)


def docker(publish_accept: bool = True, nat_extra: str = "") -> HostRulesets:
    text = fixture("ipt-docker.save")
    filter_part, nat_part = text.split("*nat\n")
    if publish_accept:
        filter_part = filter_part.replace(
            "-A DOCKER-ISOLATION-STAGE-1 -i", PUBLISH_ACCEPT + "-A DOCKER-ISOLATION-STAGE-1 -i"
        )
    nat_part = nat_part.replace("COMMIT", PUBLISH_DNAT + nat_extra + "COMMIT")
    return HostRulesets(None, {"ipv4": filter_part + "*nat\n" + nat_part}, "nft")


def test_a_published_port_is_decided_on_the_forward_path():
    verdict = evaluate_path(docker(), Packet("ipv4", "tcp", 8080, "198.51.100.7", "eth0"), Routes())
    assert (verdict.verdict, verdict.path, verdict.nat_to) == ("accept", "forward", "172.17.0.2:80")
    assert "--to-destination 172.17.0.2:80" in verdict.nat_by
    assert "DOCKER" in verdict.decided_by and "--dport 80 -j ACCEPT" in verdict.decided_by


def test_input_rules_do_not_decide_a_published_port():
    # INPUT drops 8080 (policy DROP, no rule for it); the container is reached anyway
    verdict = evaluate_path(docker(), Packet("ipv4", "tcp", 8080, None, "eth0"), Routes())
    assert verdict.verdict == "accept"


def test_without_docker_s_accept_the_forward_policy_drops_it():
    verdict = evaluate_path(docker(publish_accept=False), Packet("ipv4", "tcp", 8080, None, "eth0"), Routes())
    assert (verdict.verdict, verdict.path) == ("drop", "forward")
    assert verdict.decided_by == "iptables filter FORWARD: policy DROP"


def test_from_the_bridge_itself_the_dnat_does_not_apply():
    verdict = evaluate_path(docker(), Packet("ipv4", "tcp", 8080, None, "docker0"), Routes())
    assert (verdict.verdict, verdict.path) == ("drop", "input")


def test_an_unknown_route_to_the_container_is_unknown_not_a_guess():
    verdict = evaluate_path(docker(), Packet("ipv4", "tcp", 8080, None, "eth0"), Routes(routes=()))
    assert verdict.verdict == "unknown"
    assert "outbound interface" in verdict.reason


def test_a_redirect_is_decided_on_the_input_path_at_the_new_port():
    verdict = evaluate_path(docker(nat_extra=REDIRECT), Packet("ipv4", "tcp", 2222, None, "eth0"), Routes())
    assert (verdict.verdict, verdict.path, verdict.nat_to) == ("accept", "input", ":22")
    assert "--dport 22 -j ACCEPT" in verdict.decided_by


def test_ports_without_nat_keep_the_input_verdict():
    rulesets = docker()
    assert evaluate_path(rulesets, Packet("ipv4", "tcp", 443, None, "eth0"), Routes()).verdict == "accept"
    assert evaluate_path(rulesets, Packet("ipv4", "tcp", 8081, None, "eth0"), Routes()).verdict == "drop"
    assert ("ipv4", "tcp", 8080) in rulesets.nat_ports()


def _netavark():
    return HostRulesets(parse_ruleset(fixture("nft-netavark-publish.json")), {}, "nft")


class PodmanRoutes(Routes):
    def __init__(self) -> None:
        super().__init__(local=("192.0.2.10",), routes=(("10.88.0.", "podman0"),))


def test_nftables_dnat_then_forward_ct_status_dnat():
    verdict = evaluate_path(_netavark(), Packet("ipv4", "tcp", 8088, None, "eth0"), PodmanRoutes())
    assert (verdict.verdict, verdict.path, verdict.nat_to) == ("accept", "forward", "10.88.0.2:80")
    assert "nv_2f259bab_10_88_0_0_nm16_dnat: rule 'tcp dport 8088 dnat to 10.88.0.2:80'" in verdict.nat_by
    assert "nftables inet filter forward: rule 'ct status dnat accept'" in verdict.decided_by


def test_nftables_forward_policy_drop_without_the_ct_status_rule():
    text = fixture("nft-netavark-publish.json").replace('"right": "dnat"}', '"right": "snat"}')
    rulesets = HostRulesets(parse_ruleset(text), {}, "nft")
    verdict = evaluate_path(rulesets, Packet("ipv4", "tcp", 8088, None, "eth0"), PodmanRoutes())
    assert (verdict.verdict, verdict.decided_by) == ("drop", "nftables inet filter forward: policy drop")


def test_nftables_input_still_decides_other_ports():
    rulesets = _netavark()
    assert evaluate_path(rulesets, Packet("ipv4", "tcp", 22, None, "eth0"), PodmanRoutes()).verdict == "accept"
    assert evaluate_path(rulesets, Packet("ipv4", "tcp", 8089, None, "eth0"), PodmanRoutes()).verdict == "drop"
    assert ("ipv4", "tcp", 8088) in rulesets.nat_ports()
