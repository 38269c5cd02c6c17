# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The routing table as exposure reads it (fixtures/exposure: a real ``ip -j route show table all``)."""

from __future__ import annotations

from pathlib import Path

from ansible_collections.webedge.https.plugins.module_utils.exposure.routes import parse_routes

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "exposure"


def _routes():
    return parse_routes(
        [
            ("ipv4", (FIXTURES / "ip-route-4.json").read_text()),
            ("ipv6", (FIXTURES / "ip-route-6.json").read_text()),
        ]
    )


def test_local_addresses_and_routes_out():
    routes = _routes()
    assert routes.is_local("192.0.2.2") and routes.is_local("127.0.0.5") and routes.is_local("10.89.42.1")
    assert not routes.is_local("192.0.2.7")
    assert routes.out_interface("10.89.42.5") == "podman1"
    assert routes.out_interface("198.51.100.1") == "eth0"  # the default route
    assert routes.out_interface("fd42:89:42::5") == "podman1"


def test_the_inbound_interface_of_a_source():
    routes = _routes()
    assert routes.inbound_interface(None, "ipv4") == ("eth0", "the default route (eth0)")
    assert routes.inbound_interface(None, "ipv6") == ("eth0", "the default route (eth0)")
    assert routes.inbound_interface("10.89.42.0/24", "ipv4")[0] == "podman1"
    assert routes.inbound_interface("0.0.0.0/0", "ipv4") == (
        None,
        "0.0.0.0/0 is routed through more than one interface",
    )


def test_without_a_default_route_the_one_interface_reaching_other_hosts():
    # the lab hosts' IPv6: no default route; the podman bridge and link-local routes are not a way in
    text = (FIXTURES / "ip-route-6.json").read_text().replace('"dst":"default"', '"dst":"2001:db8:ffff::/48"')
    routes = parse_routes([("ipv6", text)])
    assert routes.inbound_interface(None, "ipv6") == ("eth0", "no default route: only eth0 reaches other hosts")


def test_without_ip_nothing_is_known():
    routes = parse_routes([("ipv4", None), ("ipv6", None)])
    assert routes.is_local("192.0.2.2") is None
    assert routes.inbound_interface(None, "ipv4")[0] is None
