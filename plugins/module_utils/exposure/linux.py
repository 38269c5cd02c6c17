# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``exposure_info`` on a Linux host: read the listeners, the rulesets and the routes once, then join.

Every command run only reads: ``nft -j list ruleset`` and the ``iptables*-save`` the firewall
needs (as ``firewall_info``), ``ip -j route show table all`` per family, and ``systemctl
list-sockets`` when PID 1 holds a listening socket (socket activation).
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from ansible_collections.webedge.https.plugins.module_utils.exposure.evaluate import assess_all, report
from ansible_collections.webedge.https.plugins.module_utils.exposure.request import ExposureRequest
from ansible_collections.webedge.https.plugins.module_utils.exposure.routes import ROUTE_ARGV, Routes, parse_routes
from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import Runner
from ansible_collections.webedge.https.plugins.module_utils.firewall.info import read_rulesets
from ansible_collections.webedge.https.plugins.module_utils.firewall.path import evaluate_path
from ansible_collections.webedge.https.plugins.module_utils.listening.report import LIVE_PROC, read_listeners

__all__ = ["inbound_interfaces", "read_routes", "run"]


def read_routes(runner: Runner) -> Routes:
    outputs = []
    for family, argv in ROUTE_ARGV.items():
        rc, out, _err = runner.run(list(argv))
        outputs.append((family, out if rc == 0 else None))
    return parse_routes(outputs)


def inbound_interfaces(request: ExposureRequest, routes: Routes, notes: List[str]) -> Dict[str, Optional[str]]:
    """The inbound interface per family: the one given, else the one the routes say the source comes in on."""
    families = [request.source_family] if request.source_family else ["ipv4", "ipv6"]
    found: Dict[str, Optional[str]] = {}
    for family in families:
        if request.interface is not None:
            found[family] = request.interface
            continue
        interface, why = routes.inbound_interface(request.source_address, family)
        found[family] = interface
        source = request.source or "any address"
        if interface is None:
            notes.append(
                f"{family}: the interface a connection from {source} arrives on is not known ({why}): "
                "each interface the rules name is tried, and answers that differ are unknown"
            )
        else:
            notes.append(f"{family}: a connection from {source} arrives on {interface}: {why}")
    return found


def run(params: Mapping[str, Any], runner: Runner, proc_root: str = LIVE_PROC) -> Dict[str, Any]:
    """Everything ``exposure_info`` returns on Linux (bad input fails before any command runs)."""
    request = ExposureRequest.from_params(params)
    notes: List[str] = []
    listeners, _bindv6only = read_listeners(proc_root, request.protocols, lambda argv: runner.run(list(argv)))
    rulesets = read_rulesets(runner, notes)
    routes = read_routes(runner)
    interfaces = inbound_interfaces(request, routes, notes)
    items = assess_all(
        listeners,
        request,
        lambda packet: evaluate_path(rulesets, packet, routes),
        interfaces,
        rulesets.nat_ports(),
    )
    return report(items, request, interfaces, notes)
