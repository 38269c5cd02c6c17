# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plain-HTTP redirect check: the answer of each endpoint's own HTTP port, and a closed one."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Optional

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.tls_probing import probe, probe_one
from ansible_collections.webedge.https.tests.unit.helpers.tls_servers import (
    OPENSSL,
    Pki,
    free_port,
    http_server,
    s_server,
)

pytestmark = pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")


# (id, status, Location, expected to_https_same_host)
REDIRECT_TABLE = [
    ("permanent_redirect_to_https_same_host", 308, "https://localhost/", True),
    ("moved_to_https_same_host_with_path", 301, "https://LOCALHOST/index.html", True),
    ("redirect_to_another_host", 301, "https://other.example.test/", False),
    ("redirect_to_plain_http", 301, "http://localhost/", False),
    ("no_redirect", 200, None, False),
]


@pytest.mark.parametrize(
    ("status", "location", "same_host"), [row[1:] for row in REDIRECT_TABLE], ids=[row[0] for row in REDIRECT_TABLE]
)
def test_port80_redirect(pki: Pki, status: int, location: Optional[str], same_host: bool) -> None:
    headers = [("Location", location)] if location else []
    with ExitStack() as stack:
        http_port = stack.enter_context(http_server(status=status, headers=headers))
        tls_port = stack.enter_context(s_server(pki.good))
        result = probe_one(f"localhost:{tls_port}", pki.root, http_checks=True, http_port=http_port)
    assert result["redirect"] == {
        "checked": True,
        "status": status,
        "location": location,
        "to_https_same_host": same_host,
        "error": None,
    }


def test_target_http_port_overrides_the_task_http_port(pki: Pki) -> None:
    # Given two endpoints on one host whose redirects live on different plain-HTTP ports
    with ExitStack() as stack:
        redirecting = stack.enter_context(http_server(status=301, headers=[("Location", "https://localhost/")]))
        tls_port = stack.enter_context(s_server(pki.good))
        own, default = probe(
            [{"host": "localhost", "port": tls_port, "http_port": redirecting}, f"localhost:{tls_port}"],
            pki.root,
            http_checks=True,
            http_port=free_port(),  # nothing listens here
        )
    # Then the target with its own http_port is checked there, the other on the task's port
    assert own.result["redirect"]["status"] == 301
    assert own.result["redirect"]["to_https_same_host"] is True
    assert default.result["redirect"]["status"] is None
    assert "connection refused" in default.result["redirect"]["error"]


def test_closed_http_port_is_reported_not_fatal(pki: Pki) -> None:
    with s_server(pki.good) as port:
        result = probe_one(f"localhost:{port}", pki.root, http_checks=True, http_port=free_port())
    assert result["error"] is None
    assert result["redirect"]["checked"] is True
    assert "connection refused" in result["redirect"]["error"]
    assert result["redirect"]["to_https_same_host"] is None


def test_http_checks_off(pki: Pki) -> None:
    with s_server(pki.good) as port:
        result = probe_one(f"localhost:{port}", pki.root, http_checks=False)
    assert result["hsts"] is None
    assert result["redirect"]["checked"] is False
    assert result["server_header"] is None
