# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each IPv6 socket's own IPV6_V6ONLY, asked of this machine's kernel over netlink (real sockets)."""

from __future__ import annotations

import os
import socket

import pytest

from ansible_collections.webedge.https.plugins.module_utils.listening.sockdiag import read_v6only


def _socket(kind: int, v6only: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6, kind)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
    sock.bind(("::", 0))
    if kind == socket.SOCK_STREAM:
        sock.listen()
    return sock


@pytest.fixture
def sockets():
    if not socket.has_ipv6:
        pytest.fail("this machine has no IPv6 sockets")
    made = {
        ("tcp", True): _socket(socket.SOCK_STREAM, 1),
        ("tcp", False): _socket(socket.SOCK_STREAM, 0),
        ("udp", True): _socket(socket.SOCK_DGRAM, 1),
        ("udp", False): _socket(socket.SOCK_DGRAM, 0),
    }
    yield {key: os.fstat(sock.fileno()).st_ino for key, sock in made.items()}
    for sock in made.values():
        sock.close()


def test_the_kernel_reports_each_socket_s_own_option(sockets):
    found = read_v6only(["tcp", "udp"])
    assert {key: found.get(inode) for key, inode in sockets.items()} == {
        ("tcp", True): True,
        ("tcp", False): False,
        ("udp", True): True,
        ("udp", False): False,
    }


def test_only_the_protocols_asked_are_read(sockets):
    found = read_v6only(["udp"])
    assert sockets[("tcp", True)] not in found and sockets[("udp", True)] in found


def test_without_netlink_nothing_is_known():
    def refuse() -> socket.socket:
        raise OSError(97, "Address family not supported by protocol")

    assert read_v6only(["tcp"], refuse) == {}
