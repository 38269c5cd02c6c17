# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``compliance_info`` on a Windows host: ONE PowerShell round trip, then the answers on the controller.

The host runs ``exposure_info``'s wrapper with three reads: the read of ``listening_ports``, the read of
``firewall_info`` with the HTTPS port (so a rule scoped to a program is decided from who listens there,
as ``firewall_info`` decides it) and the read of the services. From them, here: the exposure of every
socket (``exposure.join``; a program-scoped rule on the HTTPS port is decided from its listeners, where
``exposure_info`` alone leaves it unknown), the sockets on the HTTPS port (the listening facts) and the
firewall's verdict for the port (``firewall_info.report``). The IIS read (bindings, certificates, key
access, configuration load) stays the role's own task. Nothing is read or parsed twice.
"""

from __future__ import annotations

import base64
from typing import Any, Dict, List, Optional

from ansible_collections.webedge.https.plugins.module_utils.compliance.host_read import ReadRequest
from ansible_collections.webedge.https.plugins.module_utils.exposure.request import ExposureRequest
from ansible_collections.webedge.https.plugins.module_utils.firewall.info import InfoRequest
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import ValidationError
from ansible_collections.webedge.https.plugins.plugin_utils.windows.exposure import (
    SERVICES_SCRIPT,
    WRAPPER,
    _services,
    check_request,
    join,
    parse_answers,
)
from ansible_collections.webedge.https.plugins.plugin_utils.windows.firewall_info import report as firewall_report
from ansible_collections.webedge.https.plugins.plugin_utils.windows.firewall_info_read import (
    WindowsInfo,
    parse_info,
)
from ansible_collections.webedge.https.plugins.plugin_utils.windows.firewall_info_read import (
    read_script as firewall_read_script,
)
from ansible_collections.webedge.https.plugins.plugin_utils.windows.listening import WindowsRead, parse_read
from ansible_collections.webedge.https.plugins.plugin_utils.windows.listening import (
    read_script as listening_read_script,
)
from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import (
    POWERSHELL_ARGV,
    ScriptRunner,
    render,
)

__all__ = ["check", "read_script", "report", "run"]

# The IIS read and the configuration test are the role's own task (windows_host.ps1).
WINDOWS_SERVERS = ("auto", "iis", "none")


def check(params: Dict[str, Any]) -> ReadRequest:
    """The options, validated as on Linux (a source the exposure or the firewall read cannot take is reported by
    that read, as on Linux); only the servers Windows runs."""
    request = ReadRequest.from_params(params)
    if request.server not in WINDOWS_SERVERS:
        raise ValidationError(f"server {request.server!r} does not run on Windows: use auto, iis or none")
    return request


def read_script(request: ReadRequest) -> str:
    """The one script sent: the listeners, the firewall (with the port's listeners) and the services."""
    protocols = ["tcp", "udp"] if request.exposure else ["tcp"]
    scripts = [
        listening_read_script(protocols),
        firewall_read_script([request.port], ["tcp"]),
        render(SERVICES_SCRIPT, {}),
    ]
    return render(WRAPPER, {"scripts": [base64.b64encode(s.encode("ascii")).decode("ascii") for s in scripts]})


def _firewall(request: ReadRequest, info: WindowsInfo) -> Dict[str, Any]:
    try:
        info_request = InfoRequest.from_params({"ports": [request.port], "protocol": "tcp", "source": request.source})
    except ValidationError as exc:
        return {"active_backends": [], "verdicts": [], "msg": str(exc)}
    answer = firewall_report(info, info_request, None)
    return {
        "active_backends": answer["active_backends"],
        "verdicts": [v for v in answer["verdicts"] if v.get("port") == request.port],
    }


def report(
    request: ReadRequest, read: WindowsRead, info: WindowsInfo, services: Dict[int, List[str]]
) -> Dict[str, Any]:
    """The task result from what the three reads saw (the keys of the Linux module)."""
    exposure: Optional[Dict[str, Any]] = None
    exposure_request: Optional[ExposureRequest] = None
    if request.exposure:
        try:
            exposure_request = check_request(
                {"allowed": None if request.allowed is None else list(request.allowed), "source": request.source}
            )
        except ValidationError as exc:
            exposure_request = None
            exposure = {"msg": str(exc)}
    if exposure_request is not None:
        # The firewall read names the HTTPS port, so a rule scoped to a program is decided there from who listens
        # on it (exposure_info alone, which names no port, leaves such a rule unknown); every other port as there.
        exposure = join(exposure_request, read, info, services)
        exposure.pop("exposure", None)
        exposure.pop("changed", None)
    sockets = [lsn for lsn in read.listeners if lsn.socket.protocol == "tcp" and lsn.socket.port == request.port]
    owners = [lsn.owner.process for lsn in sockets if lsn.owner.process]
    result: Dict[str, Any] = {
        "changed": False,
        "server": "none" if request.server == "none" else "iis",
        "listening": {
            "port": request.port,
            "listening": bool(sockets),
            "process": owners[0] if owners else None,
            "expected_process": request.expected_process or ("System" if request.server in ("auto", "iis") else None),
        },
        "exposure": exposure,
        "config_test": None,
        "private_keys": [],
        "certificate_files": [],
        "firewall": _firewall(request, info) if request.firewall else None,
    }
    if read.warnings:
        result["warnings"] = list(read.warnings)
    return result


def run(request: ReadRequest, runner: ScriptRunner) -> Dict[str, Any]:
    """ONE round trip on the host (three reads), then the result here (``request`` comes from :func:`check`)."""
    rc, out, err = runner.run(list(POWERSHELL_ARGV), data=read_script(request))
    listening, firewall, services = parse_answers(rc, out, err)
    return report(request, parse_read(listening), parse_info(firewall), _services(services))
