# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one parser of what firewalld shows: ``firewall-cmd --list-all`` and our ownership file.

Items are the zone entries in the two shapes we write (a plain port, a rich rule); the
backend (``backend.py``) plans with them, ``firewall_info`` reports the zone (:func:`describe_zone`).
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Set, Tuple

from ansible_collections.webedge.https.plugins.module_utils.firewall.model import FAMILIES, FirewallError, Rule
from ansible_collections.webedge.https.plugins.module_utils.ports import PortRange

__all__ = [
    "Item",
    "ZoneInfo",
    "describe_zone",
    "items_for_rules",
    "parse_list_all",
    "parse_port_item",
    "parse_rich_rule",
    "parse_state",
    "render_state",
]

_TOKEN = re.compile(r'([A-Za-z-]+)(?:=(?:"([^"]*)"|(\S+)))?')


# ---------------------------------------------------------------------------
# items: what firewalld holds, in the two shapes we write


@dataclass(frozen=True, order=True)
class Item:
    """A zone entry we write: ``kind`` is ``port`` or ``rich``.

    ``family`` is ``""`` for a plain port (both families) and ``source`` is
    ``""`` for any source. ``key`` identifies the item whatever spelling
    firewalld shows (``2001:DB8::/32`` and ``2001:db8::/32`` are one item).
    """

    kind: str
    protocol: str
    ports: PortRange
    family: str = ""
    source: str = ""

    @property
    def port_text(self) -> str:
        return f"{self.ports.first}" if self.ports.first == self.ports.last else f"{self.ports.first}-{self.ports.last}"

    def text(self) -> str:
        """The value for ``--add-port=`` / ``--add-rich-rule=`` (our canonical spelling)."""
        if self.kind == "port":
            return f"{self.port_text}/{self.protocol}"
        parts = ["rule"]
        if self.family:
            parts.append(f'family="{self.family}"')
        if self.source:
            parts.append(f'source address="{self.source}"')
        parts.append(f'port port="{self.port_text}" protocol="{self.protocol}" accept')
        return " ".join(parts)

    def rules(self) -> Tuple[Rule, ...]:
        families = (self.family,) if self.family else FAMILIES
        return tuple(Rule(fam, self.protocol, self.ports, self.source or None) for fam in families)

    def state_text(self) -> str:
        return ("port " if self.kind == "port" else "rich ") + self.text()


def _parse_ports(text: str) -> Optional[PortRange]:
    first, _sep, last = text.partition("-")
    if not first.isdigit() or (last and not last.isdigit()):
        return None
    lo, hi = int(first), int(last or first)
    if not 1 <= lo <= hi <= 65535:
        return None
    return PortRange(lo, hi)


def parse_port_item(text: str) -> Optional[Item]:
    """``443/tcp`` or ``8000-8080/udp`` -> :class:`Item` (None for sctp/dccp or odd text)."""
    port, _sep, protocol = text.strip().partition("/")
    ports = _parse_ports(port)
    if ports is None or protocol not in ("tcp", "udp"):
        return None
    return Item("port", protocol, ports)


def _canonical_source(address: str, family: str) -> Optional[str]:
    try:
        network = ipaddress.ip_network(address, strict=False)
    except ValueError:
        return None
    if (network.version == 4) != (family == "ipv4"):
        return None
    return network.with_prefixlen


def parse_rich_rule(text: str) -> Optional[Item]:
    """A rich rule in the exact shape we write -> :class:`Item`; anything else -> None.

    Only ``rule [family=F] [source address=A] port port=P protocol=T accept``
    qualifies: a priority, ``not``, a destination, logging, limits or another
    action make it someone else's rule, whatever its ports.
    """
    text = text.strip()
    if not text.startswith("rule ") or not text.endswith(" accept"):
        return None
    tokens = [(m.group(1), m.group(2) if m.group(2) is not None else m.group(3)) for m in _TOKEN.finditer(text)]
    expected_keys = ["rule", "family", "source", "address", "port", "port", "protocol", "accept"]
    keys = [k for k, _value in tokens]
    if [k for k in expected_keys if k in keys] != keys:  # only known keys, in this order
        return None
    values = dict(tokens[1:])
    family = values.get("family") or ""
    if family not in ("", "ipv4", "ipv6"):
        return None
    if ("source" in keys) != ("address" in keys) or keys.count("port") != 2:
        return None
    if values.get("source") is not None:  # 'source' carries no value of its own
        return None
    ports = _parse_ports(values.get("port") or "")
    protocol = values.get("protocol") or ""
    if ports is None or protocol not in ("tcp", "udp"):
        return None
    source = ""
    if "address" in values:
        if not family:
            return None
        canonical = _canonical_source(values["address"] or "", family)
        if canonical is None:
            return None
        source = canonical
    return Item("rich", protocol, ports, family, source)


def items_for_rules(rules: Iterable[Rule]) -> Tuple[Item, ...]:
    """Neutral rules -> the fewest zone items: v4+v6 from any source become one plain port."""
    rule_set = set(rules)
    items: Set[Item] = set()
    for rule in rule_set:
        if rule.source is None:
            twin = Rule("ipv6" if rule.family == "ipv4" else "ipv4", rule.protocol, rule.ports, None)
            if twin in rule_set:
                items.add(Item("port", rule.protocol, rule.ports))
                continue
            items.add(Item("rich", rule.protocol, rule.ports, rule.family))
        else:
            items.add(Item("rich", rule.protocol, rule.ports, rule.family, rule.source))
    return tuple(sorted(items))


# ---------------------------------------------------------------------------
# reading


@dataclass(frozen=True)
class ZoneInfo:
    """One ``firewall-cmd --list-all`` output.

    ``items``: recognisable entries keyed by :class:`Item`, valued by the exact
    text firewalld shows (needed to remove a rich rule). ``other_rich_rules``:
    rich rules not in our shape (an admin's). ``fields``: every ``key: value`` line.
    """

    zone: str
    active: bool
    fields: Mapping[str, str]
    items: Mapping[Item, str]
    other_rich_rules: Tuple[str, ...] = ()

    @property
    def target(self) -> str:
        return self.fields.get("target", "default")

    def words(self, key: str) -> Tuple[str, ...]:
        return tuple(self.fields.get(key, "").split())


def _zone_block(lines: List[str]) -> List[str]:
    """The zone's lines: from its header (the first unindented line an indented one follows) on.

    firewall-cmd may print a notice first ("You're performing an operation over default zone ('public'),
    but your connections/interfaces are in zone 'trusted'..." - seen when podman binds its subnet to the
    trusted zone); it is not part of the zone.
    """
    for index, line in enumerate(lines):
        header = line.strip() and not line.startswith((" ", "\t"))
        if header and (index + 1 == len(lines) or lines[index + 1].startswith((" ", "\t"))):
            return lines[index:]
    return [line for line in lines if line.strip()]


def parse_list_all(text: str) -> ZoneInfo:
    """Parse ``firewall-cmd [--permanent] [--zone=Z] --list-all``."""
    lines = _zone_block(text.splitlines())
    if not lines or lines[0].startswith((" ", "\t")):
        raise FirewallError(f"firewalld: unexpected 'firewall-cmd --list-all' output: {text[:200]!r}")
    header = lines[0].strip()
    zone, _sep, attributes = header.partition(" ")
    fields: Dict[str, str] = {}
    rich: List[str] = []
    in_rich = False
    for line in lines[1:]:
        if line.startswith("\t") or (in_rich and line.startswith("    ")):
            if in_rich and line.strip():
                rich.append(line.strip())
            continue
        key, sep, value = line.strip().partition(":")
        if not sep:
            continue
        fields[key.strip()] = value.strip()
        in_rich = key.strip() == "rich rules"
    items: Dict[Item, str] = {}
    for word in fields.get("ports", "").split():
        item = parse_port_item(word)
        if item is not None:
            items[item] = word
    others: List[str] = []
    for rule_text in rich:
        item = parse_rich_rule(rule_text)
        if item is None:
            others.append(rule_text)
        else:
            items.setdefault(item, rule_text)
    return ZoneInfo(zone, "active" in attributes, fields, items, tuple(others))


def parse_state(text: Optional[str]) -> Dict[str, FrozenSet[Item]]:
    """The ownership file -> ``{zone: items we added}`` (a missing or damaged file owns nothing)."""
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    zones = data.get("zones") if isinstance(data, dict) else None
    if not isinstance(zones, dict):
        return {}
    result: Dict[str, FrozenSet[Item]] = {}
    for zone, entries in zones.items():
        found: Set[Item] = set()
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, str):
                continue
            kind, _sep, value = entry.partition(" ")
            item = parse_port_item(value) if kind == "port" else parse_rich_rule(value) if kind == "rich" else None
            if item is not None:
                found.add(item)
        result[str(zone)] = frozenset(found)
    return result


def render_state(owned: Mapping[str, Iterable[Item]]) -> str:
    zones = {zone: sorted(item.state_text() for item in items) for zone, items in sorted(owned.items()) if items}
    body = {
        "comment": "Ports and rich rules webedge.https added to firewalld; only these are ever removed by it.",
        "version": 1,
        "zones": zones,
    }
    return json.dumps(body, indent=2, sort_keys=True) + "\n"


def describe_zone(info: ZoneInfo) -> Dict[str, Any]:
    """A zone's filtering settings for ``firewall_info``."""
    return {
        "zone": info.zone,
        "target": info.target,
        "interfaces": list(info.words("interfaces")),
        "sources": list(info.words("sources")),
        "services": list(info.words("services")),
        "ports": list(info.words("ports")),
        "rich_rules": sorted(set(info.items.values()) - set(info.words("ports"))) + list(info.other_rich_rules),
    }
