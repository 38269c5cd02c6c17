# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What to probe: ``host``, ``host:port``, ``[v6]:port``, an ``https://`` URL or a mapping -> :class:`Target`.

Bad input raises :class:`TargetError` naming the target, before any connection is made.
Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, List, Mapping, Optional, Sequence
from urllib.parse import urlsplit

__all__ = ["Target", "TargetError", "parse_target", "parse_targets"]

# A DNS name (IDNs as punycode), an IPv4 address or an IPv6 address (with a %zone): a host reaches
# reports and the SNI extension, so nothing else (no spaces, quotes, ; { } # $ ` or control characters).
_HOST_CHARS = re.compile(r"\A[A-Za-z0-9_.:%-]+\Z")
_TARGET_KEYS = frozenset({"host", "port", "server_name", "address", "http_port"})


class TargetError(ValueError):
    """A target that cannot be parsed; the message names it."""


@dataclass(frozen=True)
class Target:
    host: str
    port: int = 443
    server_name: str = ""
    address: Optional[str] = None
    http_port: Optional[int] = None  # the plain-HTTP redirect check; None = the task's http_port

    @property
    def label(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def _port(value: Any, original: Any, what: str = "port") -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or not 1 <= int(text) <= 65535:
        raise TargetError(f"invalid {what} in target {original!r}: expected 1-65535")
    return int(text)


def _host(value: Any, original: Any) -> str:
    if not isinstance(value, str) or not _HOST_CHARS.match(value.strip()):
        raise TargetError(
            f"invalid host in target {original!r}: expected a DNS name (IDNs as punycode) or an IP address"
        )
    return value.strip()


def _parse_url(text: str, original: Any) -> Target:
    """``https://host[:port][/path]``: the endpoint of an HTTPS URL (path, query and user info ignored)."""
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise TargetError(f"invalid URL in target {original!r}: {exc}") from None
    if parts.scheme.lower() != "https":
        raise TargetError(f"target {original!r}: only https:// URLs can be probed, got {parts.scheme}://")
    host = _host(parts.hostname or "", original)
    return Target(host, port or 443, host)


def parse_target(spec: Any, default_port: int = 443) -> Target:
    """``host``, ``host:port``, ``[v6]:port``, a bare IPv6 address, an ``https://`` URL,
    or ``{host, port, server_name, address, http_port}``."""
    if isinstance(spec, Mapping):
        return _parse_mapping(spec, default_port)
    if not isinstance(spec, str):
        raise TargetError(f"target {spec!r} is neither a string nor a mapping")
    text = spec.strip()
    if "://" in text:
        return _parse_url(text, spec)
    if text.startswith("["):
        close = text.find("]")
        if close < 0:
            raise TargetError(f"unclosed '[' in target {spec!r}")
        host = text[1:close]
        rest = text[close + 1 :]
        if rest and not rest.startswith(":"):
            raise TargetError(f"unexpected {rest!r} after ']' in target {spec!r}")
        port = _port(rest[1:], spec) if rest else default_port
    elif text.count(":") == 1:
        host, _sep, port_text = text.partition(":")
        port = _port(port_text, spec)
    else:  # a name, an IPv4 address, or a bare IPv6 address
        host, port = text, default_port
    host = _host(host, spec)
    return Target(host, port, host)


def _parse_mapping(spec: Mapping, default_port: int) -> Target:
    unknown = set(spec) - _TARGET_KEYS
    if unknown:
        raise TargetError(f"unknown key(s) {', '.join(sorted(map(str, unknown)))} in target {dict(spec)!r}")
    if "host" not in spec:
        raise TargetError(f"target {dict(spec)!r} has no 'host'")
    parsed = parse_target(str(spec["host"]), default_port)
    port = _port(spec["port"], spec) if spec.get("port") is not None else parsed.port
    server_name = spec.get("server_name") or parsed.host
    address = spec.get("address")
    if address is not None:
        address = _host(str(address).strip().strip("[]"), spec)
    http_port = _port(spec["http_port"], spec, "http_port") if spec.get("http_port") is not None else None
    return Target(parsed.host, port, _host(str(server_name), spec), address, http_port)


def parse_targets(specs: Sequence[Any]) -> List[Target]:
    if not specs:
        raise TargetError("targets must name at least one endpoint")
    return [parse_target(spec) for spec in specs]
