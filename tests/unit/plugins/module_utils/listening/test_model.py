# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plain data of listening_ports (model.py): sockets, owners, services, and their order."""

from __future__ import annotations

from ansible_collections.webedge.https.plugins.module_utils.listening import owners, procnet, services
from ansible_collections.webedge.https.plugins.module_utils.listening.model import Owner, Service, Socket, sort_key


def test_the_readers_hand_out_the_model_objects():
    assert procnet.Socket is Socket and owners.Owner is Owner and services.Service is Service


def test_socket_views():
    mapped = Socket("tcp", "ipv6", "::ffff:127.0.0.1", 9090, 0, 7)
    assert mapped.mapped_ipv4 == "127.0.0.1" and not mapped.is_wildcard
    wildcard = Socket("tcp", "ipv6", "::", 443, 0, 8)
    assert wildcard.is_wildcard and wildcard.mapped_ipv4 is None
    assert Socket("udp", "ipv4", "0.0.0.0", 53, 0, 9).is_wildcard


def test_descriptions_and_order():
    assert Owner(812, "nginx", "root", "nginx: master").describe() == "nginx, pid 812"
    assert Owner(None, None, "www-data", None, "no permission").describe() == "owner unknown: no permission"
    assert Service("web.service", "web", None, "podman").describe() == "container web (podman), web.service"
    assert Service("echo.service", socket_unit="echo.socket").describe() == "echo.service via echo.socket"
    a, b = Socket("tcp", "ipv6", "::", 80, 0, 2), Socket("tcp", "ipv4", "0.0.0.0", 80, 0, 3)
    assert sorted([a, b], key=sort_key) == [b, a]
