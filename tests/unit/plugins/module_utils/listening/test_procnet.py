# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parsing real /proc/net tables captured in network namespaces and lab containers."""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.plugins.module_utils.listening.procnet import (
    Socket,
    parse_table,
    read_bindv6only,
    read_sockets,
)
from ansible_collections.webedge.https.tests.unit.helpers.proctree import FIXTURES, build

# (protocol, family, address, port) of every listening socket, as `ss -tuln` showed at capture time
EXPECTED = {
    "netns-mixed": [
        ("tcp", "ipv4", "0.0.0.0", 25),
        ("tcp", "ipv4", "0.0.0.0", 80),
        ("tcp", "ipv4", "0.0.0.0", 8000),
        ("tcp", "ipv4", "0.0.0.0", 8000),
        ("tcp", "ipv4", "127.0.0.1", 7000),
        ("tcp", "ipv4", "127.0.0.1", 8080),
        ("tcp", "ipv6", "::", 25),
        ("tcp", "ipv6", "::", 443),
        ("tcp", "ipv6", "::", 8443),
        ("tcp", "ipv6", "::1", 631),
        ("tcp", "ipv6", "::ffff:127.0.0.1", 9090),
        ("udp", "ipv4", "0.0.0.0", 53),
        ("udp", "ipv4", "127.0.0.1", 5353),
        ("udp", "ipv6", "::", 123),
        ("udp", "ipv6", "::1", 161),
    ],
    "netns-other-pidns": [
        ("tcp", "ipv4", "0.0.0.0", 443),
        ("udp", "ipv6", "::", 53),
    ],
    "netns-v6only": [
        ("tcp", "ipv4", "127.0.0.1", 80),
        ("tcp", "ipv6", "::", 443),
        ("udp", "ipv6", "::", 53),
    ],
    "lab-nginx": [
        ("tcp", "ipv4", "0.0.0.0", 22),
        ("tcp", "ipv4", "0.0.0.0", 80),
        ("tcp", "ipv4", "0.0.0.0", 443),
        ("tcp", "ipv6", "::", 22),
        ("tcp", "ipv6", "::", 80),
        ("tcp", "ipv6", "::", 443),
    ],
    "lab-apache": [
        ("tcp", "ipv4", "0.0.0.0", 22),
        ("tcp", "ipv4", "0.0.0.0", 8080),
        ("tcp", "ipv6", "::", 22),
        ("tcp", "ipv6", "::", 80),
        ("tcp", "ipv6", "::", 443),
        ("udp", "ipv4", "0.0.0.0", 5000),
    ],
    "lab-nginx-local": [
        ("tcp", "ipv4", "0.0.0.0", 22),
        ("tcp", "ipv4", "0.0.0.0", 8443),
        ("tcp", "ipv4", "127.0.0.1", 443),
        ("tcp", "ipv6", "::", 22),
        ("tcp", "ipv6", "::1", 443),
    ],
}


def _table(scenario: str, name: str) -> str:
    return (FIXTURES / scenario / name).read_text()


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_every_listening_socket_of_a_real_capture_is_found(tmp_path, scenario):
    root = build(tmp_path, scenario)[0]
    found = sorted((s.protocol, s.family, s.address, s.port) for s in read_sockets(root))
    assert found == EXPECTED[scenario]


@pytest.mark.parametrize(
    ("scenario", "table", "protocol", "family", "left_out"),
    [
        # the accepted side and the client side of an established connection (state 01)
        ("netns-mixed", "tcp", "tcp", "ipv4", 2),
        # a UDP socket connect()ed to 127.0.0.1:53 (state 01, remote address set)
        ("netns-mixed", "udp", "udp", "ipv4", 1),
    ],
)
def test_established_tcp_and_connected_udp_are_not_listening(scenario, table, protocol, family, left_out):
    rows = _table(scenario, table).splitlines()[1:]
    assert len(rows) - len(parse_table(_table(scenario, table), protocol, family)) == left_out


@pytest.mark.parametrize(
    ("line", "protocol", "family", "byteorder", "expected"),
    [
        # [::1]:631 - the address that made a peer report port 1 (listen_ports_facts #4091)
        (
            "0: 00000000000000000000000001000000:0277 00000000000000000000000000000000:0000 0A"
            " 00000000:00000000 00:00000000 00000000 0 0 7 1",
            "tcp",
            "ipv6",
            "little",
            Socket("tcp", "ipv6", "::1", 631, 0, 7),
        ),
        # IPv4-mapped 127.0.0.1 on 9090
        (
            "3: 0000000000000000FFFF00000100007F:2382 00000000000000000000000000000000:0000 0A"
            " 00000000:00000000 00:00000000 00000000 33 0 8 1",
            "tcp",
            "ipv6",
            "little",
            Socket("tcp", "ipv6", "::ffff:127.0.0.1", 9090, 33, 8),
        ),
        # a big-endian host prints each address word in network order
        (
            "0: 7F000001:01BB 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 9 1",
            "tcp",
            "ipv4",
            "big",
            Socket("tcp", "ipv4", "127.0.0.1", 443, 0, 9),
        ),
        (
            "0: 00000000000000000000000000000001:0277 00000000000000000000000000000000:0000 0A"
            " 00000000:00000000 00:00000000 00000000 0 0 10 1",
            "tcp",
            "ipv6",
            "big",
            Socket("tcp", "ipv6", "::1", 631, 0, 10),
        ),
        # UDP bound and unconnected: state 07 with a zero remote address
        (
            "9544: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 11 2 0 0",
            "udp",
            "ipv4",
            "little",
            Socket("udp", "ipv4", "0.0.0.0", 53, 0, 11),
        ),
    ],
    ids=["ipv6-loopback", "ipv4-mapped", "big-endian-ipv4", "big-endian-ipv6", "udp-unconnected"],
)
def test_addresses_ports_uid_and_inode_are_decoded(line, protocol, family, byteorder, expected):
    text = "  sl  local_address rem_address   st ...\n" + line + "\n"
    assert parse_table(text, protocol, family, byteorder) == [expected]


@pytest.mark.parametrize(
    ("state", "protocol", "listening"),
    [("0A", "tcp", True), ("01", "tcp", False), ("07", "tcp", False), ("06", "tcp", False), ("07", "udp", True)],
    ids=["tcp-listen", "tcp-established", "tcp-close", "tcp-time-wait", "udp-unconnected"],
)
def test_only_tcp_listen_and_unconnected_udp_count(state, protocol, listening):
    text = f"header\n0: 00000000:0050 00000000:0000 {state} 0:0 0:0 0 0 0 12 1\n"
    assert bool(parse_table(text, protocol, "ipv4")) is listening


@pytest.mark.parametrize(
    ("scenario", "expected"),
    [("netns-mixed", False), ("netns-v6only", True), ("lab-nginx", False)],
)
def test_bindv6only_is_read_per_namespace(tmp_path, scenario, expected):
    root = build(tmp_path, scenario)[0]
    assert read_bindv6only(root) is expected


def test_a_kernel_without_ipv6_has_no_tables_nor_bindv6only(tmp_path):
    (tmp_path / "net").mkdir()
    (tmp_path / "net" / "tcp").write_text(_table("lab-nginx", "tcp"))
    assert [s.port for s in read_sockets(str(tmp_path))] == [22, 80, 443]
    assert read_bindv6only(str(tmp_path)) is None


def test_only_the_tables_of_the_wanted_protocols_are_read(tmp_path):
    root = build(tmp_path, "netns-mixed")[0]
    assert {s.protocol for s in read_sockets(root, ["udp"])} == {"udp"}


def test_an_unknown_protocol_is_refused():
    with pytest.raises(ValueError, match="unknown protocol 'sctp'"):
        parse_table("", "sctp", "ipv4")
