"""The lab containment guard (lab/containment.py).

Two layers: its judgement on captured real answers (the CNI machine where lab traffic left
through the default gateway), and the guard run for real inside a network namespace of its own,
built the way each backend leaves the machine: a bridge without an address and a default route
(CNI), the same bridge holding the subnet's first address (netavark), and the bridge gone.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
import uuid

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = pathlib.Path(__file__).parent / "fixtures"
sys.path.insert(0, str(ROOT / "lab"))

import containment


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


CNI_NETWORK = containment.parse_network(fixture("network-inspect-cni.json"), "cni")


class TestJudgementOnCapturedAnswers:
    def test_network_inspect_gives_bridge_and_both_subnets(self):
        assert (
            containment.LabNetwork("webedge-lab", "cni-podman1", "cni", ["10.89.42.0/24", "fd42:89:42::/64"])
            == CNI_NETWORK
        )

    @pytest.mark.parametrize("name", ["route-get-v4-cni-gateway.json", "route-get-v6-cni-gateway.json"])
    def test_a_route_through_the_gateway_is_refused_and_named(self, name):
        route = containment.parse_route(fixture(name))
        problem = containment.judge(CNI_NETWORK, "lab", route)
        assert problem is not None
        assert f"via gateway {route.gateway} on eth0" in problem
        assert "CNI backend" in problem

    def test_the_bridge_route_is_accepted(self):
        route = containment.Route("10.89.42.201", "cni-podman1", None, "unicast")
        assert containment.judge(CNI_NETWORK, "10.89.42.0/24", route) is None

    def test_another_device_is_refused(self):
        route = containment.Route("10.89.42.201", "eth1", None, "unicast")
        assert "not the lab bridge cni-podman1" in containment.judge(CNI_NETWORK, "10.89.42.0/24", route)

    def test_cni_backend_fails_even_when_routes_look_right(self):
        def runner(argv):
            assert argv[:4] == ["ip", "-j", "route", "get"]
            return json.dumps([{"dst": argv[4], "dev": "cni-podman1"}])

        assert containment.check(CNI_NETWORK, runner) == ["podman's network backend is 'cni', not netavark"]

    def test_a_non_internal_network_is_refused(self):
        data = json.loads(fixture("network-inspect-cni.json"))
        data[0]["internal"] = False
        with pytest.raises(containment.GuardError, match="not --internal"):
            containment.parse_network(json.dumps(data), "netavark")

    @pytest.mark.parametrize(
        ("address", "subnet"),
        [("10.89.42.7", "10.89.42.0/24"), ("fd42:89:42::7", "fd42:89:42::/64"), ("[fd42:89:42::7]", "fd42:89:42::/64")],
    )
    def test_addresses_map_to_their_lab_subnet(self, address, subnet):
        assert containment.subnet_of(CNI_NETWORK, address) == subnet

    @pytest.mark.parametrize("address", ["192.0.2.1", "8.8.8.8", "fd00::1", "web1.lab.test", ""])
    def test_addresses_outside_the_lab_are_refused_before_any_route_lookup(self, address):
        network = containment.LabNetwork("lab", "podman1", "netavark", ["10.89.42.0/24"])
        asked = []

        def runner(argv):
            asked.append(argv[-1])
            return json.dumps([{"dst": argv[-1], "dev": "podman1"}])

        problems = containment.check(network, runner, addresses=[address])
        assert problems == [f"{address} is not inside the lab network lab (10.89.42.0/24)"]
        assert address not in asked


needs_netns = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("ip") is None, reason="needs root and iproute2 (CI runs as root)"
)


class Namespace:
    """A network namespace of its own: a lab-like bridge and a default route through a 'gateway'."""

    def __init__(self):
        self.name = f"webedge-guard-{uuid.uuid4().hex[:8]}"

    def ip(self, *args: str) -> str:
        return subprocess.run(
            ["ip", "netns", "exec", self.name, "ip", *args], check=True, capture_output=True, text=True
        ).stdout

    def runner(self, argv):
        assert argv[0] == "ip", argv  # podman is not asked: the network is given
        return containment.run(["ip", "netns", "exec", self.name, *argv])

    def __enter__(self):
        subprocess.run(["ip", "netns", "add", self.name], check=True)
        try:
            self.build()
        except BaseException:
            self.__exit__()
            raise
        return self

    def build(self):
        # The uplink: an address and a default route via a gateway, like eth0 of the machine.
        # (veth pairs: the machine's kernel may lack the dummy driver)
        self.ip("link", "add", "uplink0", "type", "veth", "peer", "name", "uplink1")
        self.ip("link", "set", "uplink1", "up")
        self.ip("addr", "add", "192.0.2.2/24", "dev", "uplink0")
        self.ip("-6", "addr", "add", "fd00::2/64", "dev", "uplink0", "nodad")
        self.ip("link", "set", "uplink0", "up")
        self.ip("route", "add", "default", "via", "192.0.2.1")
        self.ip("-6", "route", "add", "default", "via", "fd00::1")
        # The lab bridge, with one port so it has a carrier, and (like CNI) no address yet.
        self.ip("link", "add", "labbr0", "type", "bridge")
        self.ip("link", "add", "port0", "type", "veth", "peer", "name", "port1")
        self.ip("link", "set", "port1", "up")
        self.ip("link", "set", "port0", "master", "labbr0", "up")
        self.ip("link", "set", "labbr0", "up")

    def __exit__(self, *exc):
        subprocess.run(["ip", "netns", "delete", self.name], check=False)


NETWORK = containment.LabNetwork("webedge-lab", "labbr0", "netavark", ["10.89.42.0/24", "fd42:89:42::/64"])


@needs_netns
class TestGuardInANamespace:
    def test_bridge_without_address_is_caught_before_any_packet(self):
        with Namespace() as ns:
            problems = containment.check(NETWORK, ns.runner)
        assert len(problems) == 2
        assert "10.89.42.0/24 (route to 10.89.42.201) goes via gateway 192.0.2.1 on uplink0" in problems[0]
        assert "fd42:89:42::/64 (route to fd42:89:42::c9) goes via gateway fd00::1 on uplink0" in problems[1]

    def test_bridge_holding_the_first_address_is_contained(self):
        with Namespace() as ns:
            ns.ip("addr", "add", "10.89.42.1/24", "dev", "labbr0")
            ns.ip("-6", "addr", "add", "fd42:89:42::1/64", "dev", "labbr0", "nodad")
            containment.ensure_unreachable_routes(NETWORK, ns.runner)
            assert containment.check(NETWORK, ns.runner, addresses=["10.89.42.9", "fd42:89:42::9"]) == []

    def test_unreachable_routes_make_a_missing_bridge_fail_at_once(self):
        with Namespace() as ns:
            containment.ensure_unreachable_routes(NETWORK, ns.runner)
            containment.ensure_unreachable_routes(NETWORK, ns.runner)  # twice: added once
            assert ns.ip("route", "show", "type", "unreachable").count("10.89.42.0/24") == 1
            ns.ip("link", "del", "labbr0")
            down = []
            problems = containment.check(NETWORK, ns.runner, down=down)
            assert down == NETWORK.subnets
            assert all("cannot be reached: the lab bridge is down or missing" in p for p in problems)
            assert containment.check(NETWORK, ns.runner, allow_down=True) == []
            # And the kernel agrees: a connection fails at once instead of leaving by the gateway.
            failed = subprocess.run(
                [
                    "ip",
                    "netns",
                    "exec",
                    ns.name,
                    "python3",
                    "-c",
                    "import socket; socket.create_connection(('10.89.42.201', 443), timeout=2)",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
        assert failed.returncode != 0
        assert "No route to host" in failed.stderr or "unreachable" in failed.stderr


def test_main_reports_what_is_wrong_and_how_to_fix_it(capsys):
    inspect = fixture("network-inspect-cni.json")
    answers = {
        ("podman", "info"): "cni\n",
        ("podman", "network"): inspect,
        ("ip", "-j"): fixture("route-get-v4-cni-gateway.json"),
    }

    def runner(argv):
        if argv[:4] == ["ip", "-j", "-4", "route"] or argv[:4] == ["ip", "-j", "-6", "route"]:
            return "[]"
        if argv[:2] == ["ip", "-4"] or argv[:2] == ["ip", "-6"]:
            return ""
        return answers[tuple(argv[:2])]

    assert containment.main([], runner=runner) == 1
    err = capsys.readouterr().err
    assert "nothing is sent" in err
    assert "goes via gateway 192.0.2.1" in err
    assert "fix: run `make network`" in err
