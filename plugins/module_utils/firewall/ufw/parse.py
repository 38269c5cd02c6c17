# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one parser of what ufw keeps: its rule files (``### tuple ###`` lines), ``/etc/default/ufw``
and ``ufw status verbose``.
"""

from __future__ import annotations

import binascii
import ipaddress
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import COMMENT_MARK
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import FirewallError, Rule
from ansible_collections.webedge.https.plugins.module_utils.ports import PortRange

__all__ = ["ANY", "Tuple_", "ipv6_enabled", "parse_status", "parse_tuples"]

ANY = {"ipv4": "0.0.0.0/0", "ipv6": "::/0"}


@dataclass(frozen=True)
class Tuple_:  # "tuple" is ufw's own word for a rule record
    """One ``### tuple ###`` line, as ufw wrote it.

    Attributes:
        family: file it came from (``ipv4``: user.rules, ``ipv6``: user6.rules).
        action: ``allow``, ``deny``, ``reject``, ``limit``.
        protocol: ``tcp``, ``udp`` or ``any``.
        dport: ``443``, ``8000:8080``, ``80,443`` or ``any``.
        dst, sport, src: as written (``0.0.0.0/0`` is any address).
        direction: ``in``, ``out``, ``in_eth0``...
        comment: decoded comment, ``""`` when none.
        app: an application profile rule (``OpenSSH``), never ours.
    """

    family: str
    action: str
    protocol: str
    dport: str
    dst: str
    sport: str
    src: str
    direction: str
    comment: str = ""
    app: bool = False
    line: str = ""

    @property
    def ports(self) -> Optional[PortRange]:
        first, _sep, last = self.dport.partition(":")
        if not first.isdigit() or (last and not last.isdigit()):
            return None
        return PortRange(int(first), int(last or first))

    def source(self) -> Optional[str]:
        """Canonical source CIDR, ``None`` for any; raises ValueError on odd text."""
        if self.src in ("any", ANY[self.family]):
            return None
        return ipaddress.ip_network(self.src, strict=False).with_prefixlen

    def spec(self) -> Tuple[str, str, str, str, str, str, str]:
        """What ufw compares when it decides two rules are the same (the comment is not part of it)."""
        return (self.family, self.action, self.protocol, self.dport, self.dst, self.sport, self.src + self.direction)

    def as_rule(self) -> Optional[Rule]:
        """This tuple as a neutral rule, when it has the shape we write (any comment)."""
        ports = self.ports
        if (
            self.app
            or self.action != "allow"
            or self.protocol not in ("tcp", "udp")
            or ports is None
            or self.dst not in ("any", ANY[self.family])
            or self.sport != "any"
            or self.direction != "in"
        ):
            return None
        try:
            return Rule(self.family, self.protocol, ports, self.source())
        except (ValueError, FirewallError):
            return None

    @property
    def ours(self) -> bool:
        return self.comment == COMMENT_MARK and self.as_rule() is not None


def _decode_comment(field: str) -> str:
    value = field[len("comment=") :]
    try:
        return binascii.unhexlify(value).decode("utf-8")
    except (binascii.Error, ValueError):
        return value


def parse_tuples(text: Optional[str], family: str) -> Tuple[Tuple_, ...]:
    """Every ``### tuple ###`` line of a ufw rules file."""
    found: List[Tuple_] = []
    for line in (text or "").splitlines():
        if not line.startswith("### tuple ###"):
            continue
        words = line[len("### tuple ###") :].split()
        comment = ""
        if words and words[-1].startswith("comment="):
            comment = _decode_comment(words.pop())
        if len(words) == 7:
            action, proto, dport, dst, sport, src, direction = words
            found.append(Tuple_(family, action, proto, dport, dst, sport, src, direction, comment, False, line))
        elif len(words) == 9:  # dapp and sapp (application profiles) before the direction
            action, proto, dport, dst, sport, src, _dapp, _sapp, direction = words
            found.append(Tuple_(family, action, proto, dport, dst, sport, src, direction, comment, True, line))
    return tuple(found)


def parse_status(text: str) -> Dict[str, Any]:
    """``ufw status verbose`` -> ``{"active": bool, "default_incoming": "deny", ...}``."""
    result: Dict[str, Any] = {"active": False}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "status":
            result["active"] = value == "active"
        elif key == "default":  # "deny (incoming), allow (outgoing), deny (routed)"
            for part in value.split(","):
                words = part.split()
                if len(words) == 2:
                    result[f"default_{words[1].strip('()')}"] = words[0]
        elif key == "logging":
            result["logging"] = value
    return result


def ipv6_enabled(defaults_text: Optional[str]) -> bool:
    """``IPV6=yes`` in /etc/default/ufw (ufw's own default when the file says nothing)."""
    value = "yes"
    for line in (defaults_text or "").splitlines():
        line = line.strip()
        if line.startswith("IPV6="):
            value = line.partition("=")[2].strip().strip("'\"").lower()
    return value == "yes"
