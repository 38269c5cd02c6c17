# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Target specs: every accepted form becomes the right Target; every bad one names itself."""

from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.targets import (
    Target,
    TargetError,
    parse_target,
    parse_targets,
)

# (id, spec, expected Target)
GOOD_TABLE = [
    ("name", "www.example.test", Target("www.example.test", 443, "www.example.test")),
    ("name_and_port", "www.example.test:8443", Target("www.example.test", 8443, "www.example.test")),
    ("ipv4", "192.0.2.10", Target("192.0.2.10", 443, "192.0.2.10")),
    ("bare_ipv6", "2001:db8::1", Target("2001:db8::1", 443, "2001:db8::1")),
    ("bracketed_ipv6_port", "[2001:db8::1]:8443", Target("2001:db8::1", 8443, "2001:db8::1")),
    ("https_url", "https://shop.example.test/cart?x=1", Target("shop.example.test", 443, "shop.example.test")),
    ("https_url_port", "https://shop.example.test:8443/", Target("shop.example.test", 8443, "shop.example.test")),
    ("https_url_ipv6", "https://[2001:db8::1]:9443", Target("2001:db8::1", 9443, "2001:db8::1")),
    ("https_url_uppercase_scheme", "HTTPS://Shop.Example.Test", Target("shop.example.test", 443, "shop.example.test")),
    (
        "mapping_all_keys",
        {
            "host": "a.example.test",
            "port": "8443",
            "server_name": "b.example.test",
            "address": "[::1]",
            "http_port": 8080,
        },
        Target("a.example.test", 8443, "b.example.test", "::1", 8080),
    ),
    ("mapping_host_only", {"host": "a.example.test"}, Target("a.example.test", 443, "a.example.test")),
    ("mapping_url_host", {"host": "https://a.example.test:444/"}, Target("a.example.test", 444, "a.example.test")),
]


@pytest.mark.parametrize(("spec", "expected"), [row[1:] for row in GOOD_TABLE], ids=[row[0] for row in GOOD_TABLE])
def test_target_forms(spec: Any, expected: Target) -> None:
    assert parse_target(spec) == expected


# (id, spec, fragment of the message)
BAD_TABLE = [
    ("http_url", "http://www.example.test/", "only https:// URLs"),
    ("ftp_url", "ftp://www.example.test/", "only https:// URLs"),
    ("url_port_out_of_range", "https://www.example.test:70000/", "invalid URL"),
    ("url_without_host", "https:///path", "invalid host"),
    ("port_zero", "www.example.test:0", "invalid port"),
    ("port_word", "www.example.test:https", "invalid port"),
    ("http_port_out_of_range", {"host": "a.example.test", "http_port": 0}, "invalid http_port"),
    ("http_port_bool", {"host": "a.example.test", "http_port": True}, "invalid http_port"),
    ("unknown_key", {"host": "a.example.test", "sni": "b"}, "unknown key(s) sni"),
    ("no_host", {"port": 443}, "has no 'host'"),
    ("number", 443, "neither a string nor a mapping"),
    ("space_in_host", "www example.test", "invalid host"),
]


@pytest.mark.parametrize(("spec", "fragment"), [row[1:] for row in BAD_TABLE], ids=[row[0] for row in BAD_TABLE])
def test_bad_targets_name_the_problem(spec: Any, fragment: str) -> None:
    with pytest.raises(TargetError, match=None) as caught:
        parse_target(spec)
    assert fragment in str(caught.value)


def test_empty_target_list_is_refused() -> None:
    with pytest.raises(TargetError, match="at least one"):
        parse_targets([])


def test_label_brackets_ipv6() -> None:
    assert parse_target("https://[2001:db8::1]:9443").label == "[2001:db8::1]:9443"
