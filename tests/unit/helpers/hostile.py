# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile values for the table-driven tests: the syntax of every layer a value is written into
(nginx, Apache, nftables, iptables, firewalld, ufw, PowerShell, shells), control characters, non-UTF-8
bytes (as Ansible hands them over, surrogate-escaped), and wrong types."""

from __future__ import annotations

from typing import Any, List

__all__ = ["PAYLOADS", "WRONG_TYPES", "hostile_paths", "hostile_words"]

# Each payload is appended to a valid value (or used alone), so a check that only looks at the start fails.
PAYLOADS: List[str] = [
    "; autoindex on",
    ";",
    " { return 200; }",
    "}",
    "{",
    "\nautoindex on;",
    "\r\nInclude /etc/passwd",
    "\x00",
    "\x1b[2J",
    '"',
    "'",
    " # comment",
    "#",
    "$host",
    "${APACHE_LOG_DIR}",
    "`id`",
    "$(id)",
    "\\",
    " ",
    "\t",
    "</VirtualHost>",
    "<Directory />",
    " accept",
    " counter drop",
    " -j ACCEPT",
    " --add-port=22/tcp",
    "; Remove-NetFirewallRule -All",
    "\udcff\udcfe",  # non-UTF-8 bytes 0xff 0xfe, surrogate-escaped
    "\u00e9",
    "\u202e",
]

WRONG_TYPES: List[Any] = [1, 1.5, True, ["a"], {"a": 1}]


def hostile_paths(base: str = "/var/www/web") -> List[str]:
    """A valid absolute path with each payload appended, and values that are not absolute paths."""
    return [base + p for p in PAYLOADS] + ["relative/path", "", "x" * 5000 + ";"]


def hostile_words(base: str = "www.lab.test") -> List[str]:
    """A valid word with each payload appended, and empty."""
    return [base + p for p in PAYLOADS] + [""] + [p for p in PAYLOADS if p.strip()]
