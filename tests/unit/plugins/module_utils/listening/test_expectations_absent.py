# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Expectations with ``state: absent``: must not listen (or not on a non-loopback address)."""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.plugins.module_utils.listening.expectations import (
    ExpectationError,
    Listener,
    check,
    parse_expectations,
)
from ansible_collections.webedge.https.plugins.module_utils.listening.owners import Owner
from ansible_collections.webedge.https.plugins.module_utils.listening.procnet import Socket

REDIS = Owner(4242, "redis-server", "redis", "/usr/bin/redis-server 127.0.0.1:6379")
UNSEEN = Owner(None, None, "redis", None, "the process could not be read")


def _on(address: str, owner: Owner = REDIS, port: int = 6379, protocol: str = "tcp") -> Listener:
    family = "ipv6" if ":" in address else "ipv4"
    return Listener(Socket(protocol, family, address, port, 100, 7000 + len(address)), owner)


def _one(entry):
    return parse_expectations([entry])[0]


def test_nothing_on_the_port_meets_absent():
    outcome = check(_one({"port": 6379, "state": "absent"}), [_on("0.0.0.0", port=6380)])
    assert outcome.met and outcome.message is None


def test_a_listener_fails_absent_naming_where_and_who():
    outcome = check(_one({"port": 6379, "state": "absent"}), [_on("0.0.0.0"), _on("::")])
    assert not outcome.met
    assert outcome.message == "6379/tcp must not listen, but listens on 0.0.0.0 and :: (redis-server, pid 4242)"


@pytest.mark.parametrize(
    ("address", "met"),
    [("127.0.0.1", True), ("::1", True), ("::ffff:127.0.0.1", True), ("0.0.0.0", False), ("10.0.0.5", False)],
)
def test_allow_loopback_lets_loopback_only_listeners_be(address, met):
    outcome = check(_one({"port": 6379, "state": "absent", "allow_loopback": True}), [_on(address)])
    assert outcome.met is met
    if not met:
        assert "must not listen on a non-loopback address" in outcome.message


def test_a_process_narrows_absent_but_an_unknown_owner_still_counts():
    other = Owner(99, "nginx", "www-data", "nginx: master process")
    assert check(_one({"port": 6379, "state": "absent", "process": "redis-server"}), [_on("0.0.0.0", other)]).met
    assert not check(_one({"port": 6379, "state": "absent", "process": "redis-server"}), [_on("0.0.0.0", UNSEEN)]).met


def test_udp_absent_does_not_see_tcp():
    assert check(_one({"port": 6379, "protocol": "udp", "state": "absent"}), [_on("0.0.0.0")]).met


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"port": 1, "state": "gone"}, "expect[0]: unknown state 'gone': expected one of present, absent"),
        (
            {"port": 1, "state": "absent", "allow_loopback": "yes"},
            "expect[0]: allow_loopback 'yes' must be true or false",
        ),
        (
            {"port": 1, "allow_loopback": True},
            "expect[0]: allow_loopback applies to state absent only (state is present)",
        ),
    ],
)
def test_bad_absent_entries_are_named(entry, message):
    with pytest.raises(ExpectationError) as info:
        parse_expectations([entry])
    assert str(info.value) == message
