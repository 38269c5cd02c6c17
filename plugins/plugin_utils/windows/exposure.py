# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``exposure_info`` on a Windows host: ONE PowerShell round trip, then the join on the controller.

The host runs one script (:func:`read_script`) that runs, in turn, the read of
``listening_ports`` (``listening_ps.READ_SCRIPT``), the read of ``firewall_info``
(``firewall_info_ps.READ_SCRIPT``) and a read of the services (``Win32_Service``: which
service names each process runs). Each prints its own JSON line; they are parsed by the
readers that own them (``listening.parse_read``, ``firewall_info_read.parse_info``) and joined
by the platform-neutral ``module_utils/exposure/evaluate.py`` with the Windows Defender Firewall
evaluator (``firewall_verdict.evaluate``) as the verdict. Nothing is read or parsed twice.

Windows has no DNAT in its firewall: every socket is decided on the input path. A source network
is decided by evaluating one address of each piece the rules' remote addresses cut it into; if
the pieces disagree the verdict is ``unknown`` and the reason names them.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from dataclasses import replace
from typing import Any, Dict, List, Mapping, Optional, Sequence

from ansible_collections.webedge.https.plugins.module_utils.exposure.evaluate import assess_all, report
from ansible_collections.webedge.https.plugins.module_utils.exposure.request import ExposureRequest
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import ValidationError
from ansible_collections.webedge.https.plugins.module_utils.firewall.verdict import Packet, Verdict
from ansible_collections.webedge.https.plugins.module_utils.listening.services import Service
from ansible_collections.webedge.https.plugins.plugin_utils.windows.answer import records, text
from ansible_collections.webedge.https.plugins.plugin_utils.windows.firewall_info_read import (
    WindowsInfo,
    parse_info,
)
from ansible_collections.webedge.https.plugins.plugin_utils.windows.firewall_info_read import (
    read_script as firewall_read_script,
)
from ansible_collections.webedge.https.plugins.plugin_utils.windows.firewall_verdict import contexts, evaluate
from ansible_collections.webedge.https.plugins.plugin_utils.windows.listening import WindowsRead, parse_read
from ansible_collections.webedge.https.plugins.plugin_utils.windows.listening import (
    read_script as listening_read_script,
)
from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import (
    GET_OR_EMPTY,
    POWERSHELL_ARGV,
    PRELUDE,
    PowerShellError,
    ScriptRunner,
    render,
)

__all__ = ["SERVICES_SCRIPT", "WRAPPER", "check_request", "join", "parse_answers", "read_script", "run"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_PIECES = 64

# Runs each script it is given (base64 of its ASCII text, input included) in turn; each prints its answer.
# A script that fails prints {"failed": true, "msg": ...} and exits: the run ends there.
WRAPPER = """\
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$json = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('__INPUT_BASE64__'))
$request = ConvertFrom-Json -InputObject $json
foreach ($encoded in @($request.scripts)) {
    $code = [System.Text.Encoding]::ASCII.GetString([System.Convert]::FromBase64String([string]$encoded))
    & ([scriptblock]::Create($code))
}
"""

# Which services each process runs (Win32_Service.ProcessId; 0 for a stopped service).
SERVICES_SCRIPT = (
    PRELUDE
    + GET_OR_EMPTY
    + """
try {
    $services = New-Object -TypeName 'System.Collections.Generic.List[object]'
    foreach ($service in (Get-OrEmpty -Read { Get-CimInstance -ClassName Win32_Service -ErrorAction Stop })) {
        if ([int]$service.ProcessId -ne 0) {
            $services.Add([ordered]@{ pid = [int]$service.ProcessId; name = [string]$service.Name })
        }
    }
    Write-Answer -Answer ([ordered]@{ version = 1; services = @($services) })
} catch {
    Write-Answer -Answer ([ordered]@{ failed = $true; msg = [string]$_.Exception.Message })
    exit 1
}
"""
)

READS = ("listening_ports read", "firewall_info read", "services read")


def read_script(protocols: Sequence[str]) -> str:
    """The one script sent: the three reads, each with its own input."""
    scripts = [listening_read_script(protocols), firewall_read_script(), render(SERVICES_SCRIPT, {})]
    return render(WRAPPER, {"scripts": [base64.b64encode(s.encode("ascii")).decode("ascii") for s in scripts]})


def parse_answers(rc: int, out: str, err: str) -> List[Dict[str, Any]]:
    """The JSON answers printed, in order: one per read; a failed read raises, naming it."""
    answers: List[Dict[str, Any]] = []
    for line in (out or "").splitlines():
        if not line.strip().startswith("{"):
            continue
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            answers.append(value)
    for index, answer in enumerate(answers):
        if answer.get("failed"):
            what = READS[index] if index < len(READS) else "exposure read"
            raise PowerShellError(f"windows: the {what} script failed: {answer.get('msg')}")
    if len(answers) != len(READS):
        detail = (err or "").strip()[-500:] or (out or "").strip()[-500:] or "no output"
        raise PowerShellError(f"windows: the exposure read gave {len(answers)} of 3 answers (rc={rc}): {detail}")
    return answers


def _services(answer: Mapping[str, Any]) -> Dict[int, List[str]]:
    found: Dict[int, List[str]] = {}
    for record in records(answer.get("services")):
        try:
            pid = int(record["pid"])
        except (KeyError, TypeError, ValueError):
            continue
        name = text(record.get("name"))
        if name and name not in found.setdefault(pid, []):
            found[pid].append(name)
    return found


def _pieces(info: WindowsInfo, network: Any) -> List[str]:
    """One address of each piece of ``network`` that the rules' remote addresses cut it into."""
    cuts = {int(network.network_address), int(network.broadcast_address) + 1}
    for rule in info.rules:
        for token in rule.remote_address:
            try:
                if "-" in token:
                    first, last = (ipaddress.ip_address(p.strip()) for p in token.split("-", 1))
                else:
                    net = ipaddress.ip_network(token.strip(), strict=False)
                    first, last = net.network_address, net.broadcast_address
            except ValueError:
                continue  # a keyword: the evaluator says it cannot decide it
            if first.version != network.version:
                continue
            for cut in (int(first), int(last) + 1):
                if int(network.network_address) < cut <= int(network.broadcast_address):
                    cuts.add(cut)
    kind = ipaddress.IPv4Address if network.version == 4 else ipaddress.IPv6Address
    return [str(kind(start)) for start in sorted(cuts)[:-1]]


def _decider(info: WindowsInfo, request: ExposureRequest, interface: Optional[str], notes: List[str]) -> Any:
    where = contexts(info, interface, notes)

    def decide(packet: Packet) -> Verdict:
        source = packet.source
        if source is None or "/" not in source:
            return evaluate(info, packet, where)
        pieces = _pieces(info, ipaddress.ip_network(source))
        if len(pieces) > MAX_PIECES:
            return Verdict("unknown", "", f"the rules cut {source} into {len(pieces)} pieces; give a smaller network")
        answers = [(piece, evaluate(info, replace(packet, source=piece), where)) for piece in pieces]
        if len({(v.verdict, v.decided_by, v.reason) for _p, v in answers}) == 1:
            return answers[0][1]
        parts = "; ".join(f"from {p}: {v.verdict} ({v.decided_by or v.reason})" for p, v in answers[:4])
        return Verdict("unknown", "", f"depends on the address within {source} - {parts}")

    return decide


def check_request(params: Mapping[str, Any]) -> ExposureRequest:
    """The options, validated as on Linux; ``interface`` is a Windows InterfaceAlias (``Ethernet 2``)."""
    interface = params.get("interface")
    if interface is not None:
        interface = str(interface).strip()
        if not interface or len(interface) > 256 or _CONTROL.search(interface):
            raise ValidationError(
                f"invalid interface {params['interface']!r}: expected an interface alias such as Ethernet"
            )
    return ExposureRequest.from_params({**params, "interface": interface}, check_interface=False)


def join(
    request: ExposureRequest, read: WindowsRead, info: WindowsInfo, services: Dict[int, List[str]]
) -> Dict[str, Any]:
    """The task result from what the three reads saw."""
    notes: List[str] = []
    listeners = [
        replace(lsn, service=Service(unit=", ".join(services[lsn.owner.pid])))
        if lsn.owner.pid is not None and lsn.owner.pid in services
        else lsn
        for lsn in read.listeners
    ]
    families = [request.source_family] if request.source_family else ["ipv4", "ipv6"]
    interfaces = {family: request.interface for family in families}
    items = assess_all(listeners, request, _decider(info, request, request.interface, notes), interfaces)
    notes.append("Windows Defender Firewall has no DNAT: every socket is decided on the input path")
    result = report(items, request, interfaces, notes)
    if read.warnings:
        result["warnings"] = list(read.warnings)
    return result


def run(request: ExposureRequest, runner: ScriptRunner) -> Dict[str, Any]:
    """ONE round trip on the host (three reads), then the join here (``request`` is already validated)."""
    rc, out, err = runner.run(list(POWERSHELL_ARGV), data=read_script(request.protocols))
    listening, firewall, services = parse_answers(rc, out, err)
    return join(request, parse_read(listening), parse_info(firewall), _services(services))
