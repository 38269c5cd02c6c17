# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Port specifications shared by the modules: integers and "a-b" ranges.

Both ``listening_ports`` (filters, expectations) and ``firewall_port`` (the
ports to open) accept the same forms, so they parse them here, once, and fail
with the same messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, List, Union

__all__ = ["PortRange", "PortSpecError", "format_port_ranges", "parse_port_spec", "parse_port_specs"]

MIN_PORT = 1
MAX_PORT = 65535


class PortSpecError(ValueError):
    """A port or port range that is not valid; the message names the value."""


@dataclass(frozen=True, order=True)
class PortRange:
    """An inclusive range of ports; a single port has ``first == last``."""

    first: int
    last: int

    def __contains__(self, port: object) -> bool:
        return isinstance(port, int) and self.first <= port <= self.last

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"

    @property
    def count(self) -> int:
        return self.last - self.first + 1


def _parse_port_number(text: str, original: object) -> int:
    text = text.strip()
    if not text.isdigit():
        raise PortSpecError(f"invalid port {original!r}: expected an integer from 1 to 65535 or a range 'a-b'")
    port = int(text)
    if not MIN_PORT <= port <= MAX_PORT:
        raise PortSpecError(f"invalid port {original!r}: ports run from 1 to 65535")
    return port


def parse_port_spec(value: Union[int, str]) -> PortRange:
    """Parse one port (``443``, ``"443"``) or range (``"8000-8080"``)."""
    if isinstance(value, bool):  # bool is an int subclass; True is not port 1
        raise PortSpecError(f"invalid port {value!r}: expected an integer from 1 to 65535 or a range 'a-b'")
    if isinstance(value, int):
        return PortRange(_parse_port_number(str(value), value), _parse_port_number(str(value), value))
    if not isinstance(value, str):
        raise PortSpecError(f"invalid port {value!r}: expected an integer or a string")
    if "-" in value.strip().lstrip("-"):
        first_text, _sep, last_text = value.strip().partition("-")
        first = _parse_port_number(first_text, value)
        last = _parse_port_number(last_text, value)
        if first > last:
            raise PortSpecError(f"invalid port range {value!r}: the first port is greater than the last")
        return PortRange(first, last)
    port = _parse_port_number(value, value)
    return PortRange(port, port)


def parse_port_specs(values: Iterable[Union[int, str]]) -> List[PortRange]:
    """Parse a list of port specs, merging overlaps, sorted."""
    ranges = sorted(parse_port_spec(v) for v in values)
    merged: List[PortRange] = []
    for item in ranges:
        if merged and item.first <= merged[-1].last + 1:
            merged[-1] = PortRange(merged[-1].first, max(merged[-1].last, item.last))
        else:
            merged.append(item)
    return merged


def format_port_ranges(ranges: Iterable[PortRange]) -> str:
    """Render ranges the way a person writes them: ``80,443,8000-8080``."""
    return ",".join(str(r) for r in ranges)
