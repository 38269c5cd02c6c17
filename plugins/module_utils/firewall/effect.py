# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Does what ``firewall_port`` opened really let new connections in?

Our accept rules can be in place and still open nothing: an earlier foreign rule (a catch-all
``REJECT`` above our jump, a drop in another table's input chain, a zone that rejects first)
decides before them. After a change (or, with nothing to change, on the rules in place) every
port range the task opens is asked of the kernel's rulesets as ``firewall_info`` asks them
(``info.py``): its first and last port, per family and source. A drop or reject is a warning
and ``effective: false``; a verdict the evaluator cannot decide is a warning and ``effective:
null``. Never a silent success.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import Runner
from ansible_collections.webedge.https.plugins.module_utils.firewall.info import evaluate_packet, read_rulesets
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import DesiredState, Rule
from ansible_collections.webedge.https.plugins.module_utils.firewall.verdict import Packet

__all__ = ["Effect", "check_effect"]

Effect = Tuple[Optional[bool], List[Dict[str, Any]], List[str]]


def _source(rule: Rule) -> Optional[str]:
    if rule.source is None:
        return None
    network = ipaddress.ip_network(rule.source)
    return str(network.network_address) if network.num_addresses == 1 else network.with_prefixlen


def check_effect(desired: DesiredState, runner: Runner) -> Effect:
    """``(effective, blocked, warnings)`` for the rules an ``open`` task asks for (``(None, [], [])`` otherwise)."""
    if desired.state != "open" or not desired.rules:
        return None, [], []
    notes: List[str] = []
    rulesets = read_rulesets(runner, notes)
    blocked: List[Dict[str, Any]] = []
    warnings: List[str] = [f"effective: {note}" for note in notes]
    for rule in desired.rules:
        for port in sorted({rule.ports.first, rule.ports.last}):
            verdict = evaluate_packet(rulesets, Packet(rule.family, rule.protocol, port, _source(rule)))
            if verdict.verdict == "accept":
                continue
            blocked.append(dict(rule.as_dict(), port=port, **verdict.as_dict()))
            what = f"{rule.protocol}/{port} {rule.family} from {rule.source or 'any'}"
            if verdict.verdict == "unknown":
                warnings.append(f"cannot tell whether new connections to {what} get through: {verdict.reason}")
            else:
                warnings.append(
                    f"{what} was asked to be open, but the firewall still "
                    f"{'drops' if verdict.verdict == 'drop' else 'rejects'} new connections to it: {verdict.decided_by}"
                )
    if any(item["verdict"] in ("drop", "reject") for item in blocked):
        return False, blocked, warnings
    return (None if blocked else True), blocked, warnings
