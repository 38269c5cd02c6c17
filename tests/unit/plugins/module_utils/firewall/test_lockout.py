# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lockout check's input on Linux: the task's SSH connection (the check itself runs in test_engine)."""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import Connection
from ansible_collections.webedge.https.plugins.module_utils.firewall.lockout import parse_ssh_connection


@pytest.mark.parametrize(
    ("ssh", "parsed"),
    [
        ("192.0.2.10 50000 192.0.2.1 22", Connection(22, "192.0.2.10")),
        ("::ffff:192.0.2.10 50000 ::ffff:192.0.2.1 2222", Connection(2222, "192.0.2.10")),
        ("2001:db8::5 50000 2001:db8::1 22", Connection(22, "2001:db8::5")),
        ("garbage", None),
        (None, None),
    ],
    ids=["ipv4", "v4-mapped-becomes-ipv4", "ipv6", "garbage-ignored", "unset"],
)
def test_parse_ssh_connection(ssh, parsed):
    assert parse_ssh_connection(ssh) == parsed
