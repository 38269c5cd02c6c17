# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP side of an endpoint: HSTS and Server headers over TLS, and the port-80 redirect."""

from __future__ import annotations

import re
import socket
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import (
    ConnectError,
    ResolvedAddress,
    connect,
)

__all__ = [
    "HttpError",
    "HttpHead",
    "build_request",
    "check_redirect",
    "fetch_head",
    "host_header",
    "hsts_result",
    "parse_hsts",
    "parse_http_head",
    "redirect_result",
    "server_header_has_version",
]

MAX_HEAD = 65536
USER_AGENT = "webedge.https-tls_probe"
_VERSION_IN_SERVER = re.compile(r"/\s*v?\d|\b\d+\.\d+")


class HttpError(Exception):
    """No usable HTTP answer; ``str()`` is the reason."""


@dataclass(frozen=True)
class HttpHead:
    status: int
    reason: str
    headers: Tuple[Tuple[str, str], ...]

    def header(self, name: str) -> Optional[str]:
        """The first header of that name (RFC 6797 8.1: only the first STS header counts)."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None


def host_header(server_name: str, port: int, default_port: int) -> str:
    host = f"[{server_name}]" if ":" in server_name else server_name
    return host if port == default_port else f"{host}:{port}"


def build_request(host: str) -> bytes:
    return (
        f"GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {USER_AGENT}\r\nAccept: */*\r\nConnection: close\r\n\r\n"
    ).encode("ascii", "replace")


def parse_http_head(data: bytes) -> HttpHead:
    """Parse a status line and headers (everything before the blank line)."""
    head = data.split(b"\r\n\r\n", 1)[0]
    lines = head.decode("iso-8859-1").split("\r\n")
    match = re.match(r"HTTP/\d(?:\.\d)?\s+(\d{3})\s*(.*)$", lines[0])
    if not match:
        raise HttpError(f"not an HTTP answer: {lines[0][:60]!r}")
    headers: List[Tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:  # obsolete line folding
            key, value = headers[-1]
            headers[-1] = (key, f"{value} {line.strip()}")
            continue
        key, sep, value = line.partition(":")
        if sep:
            headers.append((key.strip(), value.strip()))
    return HttpHead(int(match.group(1)), match.group(2).strip(), tuple(headers))


def fetch_head(sock: Any, host: str, timeout: float) -> HttpHead:
    """Send ``GET /`` on a connected (TLS or plain) socket and read the response head."""
    deadline = time.monotonic() + timeout
    try:
        sock.sendall(build_request(host))
        data = b""
        while b"\r\n\r\n" not in data and len(data) < MAX_HEAD:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise socket.timeout()
            sock.settimeout(remaining)
            chunk = sock.recv(16384)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        raise HttpError(f"no HTTP answer within {timeout:g} s") from None
    except OSError as exc:
        raise HttpError(f"HTTP exchange failed: {exc}") from None
    if not data:
        raise HttpError("connection closed without an HTTP answer")
    return parse_http_head(data)


def parse_hsts(value: str) -> Tuple[Optional[int], bool, bool]:
    """``(max_age, includeSubDomains, preload)`` from a Strict-Transport-Security value."""
    max_age: Optional[int] = None
    include_subdomains = False
    preload = False
    for directive in value.split(";"):
        name, _sep, arg = directive.strip().partition("=")
        name = name.strip().lower()
        arg = arg.strip().strip('"')
        if name == "max-age" and arg.isdigit() and max_age is None:
            max_age = int(arg)
        elif name == "includesubdomains":
            include_subdomains = True
        elif name == "preload":
            preload = True
    return max_age, include_subdomains, preload


def hsts_result(head: Optional[HttpHead]) -> Dict[str, Any]:
    if head is None:
        return {"present": None, "max_age": None, "include_subdomains": None, "preload": None, "raw": None}
    raw = head.header("Strict-Transport-Security")
    if raw is None:
        return {"present": False, "max_age": None, "include_subdomains": False, "preload": False, "raw": None}
    max_age, include_subdomains, preload = parse_hsts(raw)
    return {
        "present": True,
        "max_age": max_age,
        "include_subdomains": include_subdomains,
        "preload": preload,
        "raw": raw,
    }


def server_header_has_version(value: Optional[str]) -> Optional[bool]:
    if value is None:
        return None
    return bool(_VERSION_IN_SERVER.search(value))


def redirect_result(
    *,
    checked: bool,
    status: Optional[int] = None,
    location: Optional[str] = None,
    server_name: str = "",
    error: Optional[str] = None,
) -> Dict[str, Any]:
    to_https: Optional[bool] = None
    if checked and error is None:
        to_https = False
        if status is not None and 300 <= status < 400 and location:
            parts = urlsplit(location)
            host = (parts.hostname or "").rstrip(".").lower()
            to_https = parts.scheme.lower() == "https" and host == server_name.strip("[]").rstrip(".").lower()
    return {"checked": checked, "status": status, "location": location, "to_https_same_host": to_https, "error": error}


def check_redirect(address: ResolvedAddress, server_name: str, port: int, timeout: float) -> Dict[str, Any]:
    """GET / on plain HTTP at ``port``; report status, Location and whether it goes to https on the same host."""
    target = ResolvedAddress(address.family, (address.sockaddr[0], port, *address.sockaddr[2:]))
    try:
        sock = connect(target, timeout)
    except ConnectError as exc:
        return redirect_result(checked=True, server_name=server_name, error=f"port {port}: {exc}")
    try:
        head = fetch_head(sock, host_header(server_name, port, 80), timeout)
    except HttpError as exc:
        return redirect_result(checked=True, server_name=server_name, error=f"port {port}: {exc}")
    finally:
        sock.close()
    return redirect_result(checked=True, status=head.status, location=head.header("Location"), server_name=server_name)
