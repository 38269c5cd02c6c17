# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HSTS and Server headers of GET / over TLS, and HTTP checks switched off."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.tls_probing import probe_one
from ansible_collections.webedge.https.tests.unit.helpers.tls_servers import (
    OPENSSL,
    Pki,
    free_port,
    http_server,
)

pytestmark = pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")


# --- HTTP checks --------------------------------------------------------------------------------

# (id, extra headers, Server header, expected hsts, expected has_version)
HSTS_TABLE = [
    (
        "full_hsts_and_versioned_server",
        [("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload")],
        "nginx/1.22.1",
        {"present": True, "max_age": 63072000, "include_subdomains": True, "preload": True},
        True,
    ),
    (
        "no_hsts_and_bare_server",
        [],
        "nginx",
        {"present": False, "max_age": None, "include_subdomains": False, "preload": False},
        False,
    ),
    (
        "short_hsts_only_first_header_counts",
        [("Strict-Transport-Security", "max-age=300"), ("Strict-Transport-Security", "max-age=63072000")],
        "Apache/2.4.57 (Debian)",
        {"present": True, "max_age": 300, "include_subdomains": False, "preload": False},
        True,
    ),
]


@pytest.mark.parametrize(
    ("headers", "server", "hsts", "has_version"), [row[1:] for row in HSTS_TABLE], ids=[row[0] for row in HSTS_TABLE]
)
def test_hsts_and_server_header(pki: Pki, headers: Any, server: str, hsts: Dict[str, Any], has_version: bool) -> None:
    with http_server(headers=headers, server_header=server, tls=pki.good) as port:
        result = probe_one(f"localhost:{port}", pki.root, http_checks=True, http_port=free_port())
    assert {key: result["hsts"][key] for key in hsts} == hsts
    assert result["server_header"] == server
    assert result["server_header_has_version"] is has_version
