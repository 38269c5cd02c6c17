# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Expectations: validation messages, and which socket meets which expectation."""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.plugins.module_utils.listening.expectations import (
    Expectation,
    ExpectationError,
    Listener,
    check,
    parse_expectations,
    parse_protocols,
)
from ansible_collections.webedge.https.plugins.module_utils.listening.owners import Owner
from ansible_collections.webedge.https.plugins.module_utils.listening.procnet import Socket


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([{"protocol": "tcp"}], "expect[0]: port is required"),
        ([{"port": None}], "expect[0]: port is required"),
        ([{"port": 0}], "expect[0]: invalid port 0: ports run from 1 to 65535"),
        ([{"port": 443}, {"port": 70000}], "expect[1]: invalid port 70000: ports run from 1 to 65535"),
        (
            [{"port": "abc"}],
            "expect[0]: invalid port 'abc': expected an integer from 1 to 65535 or a range 'a-b'",
        ),
        ([{"port": "8000-8080"}], "expect[0]: port '8000-8080' must be one port, not a range"),
        ([{"port": True}], "expect[0]: invalid port True: expected an integer from 1 to 65535 or a range 'a-b'"),
        ([{"port": 53, "protocol": "sctp"}], "expect[0]: unknown protocol 'sctp': expected one of tcp, udp"),
        ([{"port": 443, "family": "ipv5"}], "expect[0]: unknown family 'ipv5': expected one of ipv4, ipv6"),
        ([{"port": 443, "address": "300.1.2.3"}], "expect[0]: address '300.1.2.3' is not an IP address"),
        ([{"port": 443, "address": "localhost"}], "expect[0]: address 'localhost' is not an IP address"),
        (
            [{"port": 443, "address": "127.0.0.1", "family": "ipv6"}],
            "expect[0]: address '127.0.0.1' is ipv4, not family ipv6",
        ),
        (
            [{"port": 443, "address": "::ffff:10.0.0.1", "family": "ipv6"}],
            "expect[0]: address '::ffff:10.0.0.1' is ipv4, not family ipv6",
        ),
        ([{"port": 443, "process": ""}], "expect[0]: process '' must be a non-empty name"),
        (
            [{"port": 443, "proto": "tcp"}],
            "expect[0]: unknown key(s) proto; known: port, protocol, process, address, family, state, allow_loopback",
        ),
        (["443"], "expect[0]: expected a dictionary with a port, got '443'"),
    ],
)
def test_bad_expectations_fail_naming_the_value(entries, message):
    with pytest.raises(ExpectationError) as caught:
        parse_expectations(entries)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"port": 443}, Expectation(443, "tcp")),
        ({"port": "53", "protocol": "udp"}, Expectation(53, "udp")),
        ({"port": 443, "address": "[::1]"}, Expectation(443, "tcp", address="::1")),
        ({"port": 443, "address": "::ffff:192.0.2.1"}, Expectation(443, "tcp", address="192.0.2.1")),
        ({"port": 443, "address": "2001:DB8:0::1"}, Expectation(443, "tcp", address="2001:db8::1")),
        ({"port": 443, "process": "nginx", "family": "ipv6"}, Expectation(443, "tcp", "nginx", None, "ipv6")),
    ],
    ids=["port-only", "udp-port-as-text", "bracketed-ipv6", "ipv4-mapped-is-ipv4", "ipv6-normalised", "all"],
)
def test_expectations_are_normalised(entry, expected):
    assert parse_expectations([entry]) == [expected]


@pytest.mark.parametrize(
    ("values", "expected"),
    [(["tcp"], ("tcp",)), (["udp", "tcp", "udp"], ("udp", "tcp"))],
)
def test_protocols_are_deduplicated(values, expected):
    assert parse_protocols(values) == expected


def test_an_unknown_protocol_filter_is_named():
    with pytest.raises(ExpectationError, match=r"^unknown protocol 'icmp': expected one of tcp, udp$"):
        parse_protocols(["tcp", "icmp"])


NGINX = Owner(812, "nginx", "root", "nginx: master process /usr/sbin/nginx")


def _listener(family: str, address: str, dual_stack: bool = False) -> Listener:
    return Listener(Socket("tcp", family, address, 443, 0, 1), NGINX, dual_stack)


# Which socket (rows) accepts which expected address or family (columns): the wildcard rules.
ACCEPTS = [
    # listener                               expectation (address, family)   met
    (_listener("ipv4", "0.0.0.0"), ("0.0.0.0", None), True),
    (_listener("ipv4", "0.0.0.0"), ("192.0.2.10", None), True),  # a wildcard accepts every address
    (_listener("ipv4", "0.0.0.0"), ("::", None), False),
    (_listener("ipv4", "0.0.0.0"), (None, "ipv6"), False),
    (_listener("ipv4", "127.0.0.1"), ("0.0.0.0", None), False),  # a specific address is not the wildcard
    (_listener("ipv4", "127.0.0.1"), ("127.0.0.1", None), True),
    (_listener("ipv4", "127.0.0.1"), ("192.0.2.10", None), False),
    (_listener("ipv6", "::", dual_stack=True), ("0.0.0.0", None), True),
    (_listener("ipv6", "::", dual_stack=True), ("192.0.2.10", None), True),
    (_listener("ipv6", "::", dual_stack=True), (None, "ipv4"), True),
    (_listener("ipv6", "::", dual_stack=False), ("0.0.0.0", None), False),
    (_listener("ipv6", "::", dual_stack=False), (None, "ipv4"), False),
    (_listener("ipv6", "::", dual_stack=False), ("2001:db8::1", None), True),
    (_listener("ipv6", "::1"), ("::", None), False),
    (_listener("ipv6", "::1"), ("::1", None), True),
    (_listener("ipv6", "::1"), (None, "ipv4"), False),
    (_listener("ipv6", "::ffff:127.0.0.1"), ("127.0.0.1", None), True),  # IPv4-mapped accepts IPv4
    (_listener("ipv6", "::ffff:127.0.0.1"), (None, "ipv4"), True),
    (_listener("ipv6", "::ffff:127.0.0.1"), (None, "ipv6"), False),
    (_listener("ipv6", "::ffff:127.0.0.1"), ("0.0.0.0", None), False),
    (_listener("ipv6", "::ffff:0.0.0.0"), ("192.0.2.10", None), True),  # the mapped wildcard
]


@pytest.mark.parametrize(
    ("listener", "wanted", "met"),
    ACCEPTS,
    ids=[f"{lsn.socket.address}{'-dual' if lsn.dual_stack else ''}->{w[0] or w[1]}" for lsn, w, dummy in ACCEPTS],
)
def test_which_socket_accepts_which_address_or_family(listener, wanted, met):
    expectation = Expectation(443, "tcp", address=wanted[0], family=wanted[1])
    assert check(expectation, [listener]).met is met


@pytest.mark.parametrize(
    ("process", "met"),
    [("nginx", True), ("apache2", False)],
)
def test_process_is_compared_with_comm_and_program_name(process, met):
    # comm is truncated to 15 characters; the program name of the command line is not
    owner = Owner(90, "php-fpm8.2", "root", "/usr/sbin/php-fpm8.2 --nodaemonize")
    long_owner = Owner(91, "very-long-daemo", "root", "/opt/bin/very-long-daemon-name --serve")
    listeners = [Listener(Socket("tcp", "ipv4", "0.0.0.0", 443, 0, 1), NGINX)]
    assert check(Expectation(443, process=process), listeners).met is met
    assert check(Expectation(9000, process="php-fpm8.2"), [_on(9000, owner)]).met
    assert check(Expectation(9001, process="very-long-daemon-name"), [_on(9001, long_owner)]).met


def _on(port: int, owner: Owner) -> Listener:
    return Listener(Socket("tcp", "ipv4", "0.0.0.0", port, 0, port), owner)
