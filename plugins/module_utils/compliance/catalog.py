# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The control catalog: the one place where control IDs, titles, severities and advice live.

The data is a Python literal on purpose: module_utils is shipped to targets with every
module that imports it (``tls_probe`` fills findings on the target) and is importable by
action plugins and the report renderers on the controller, with no file lookup and no YAML
parser on the target. ``docs/controls.md`` is rendered from it by ``tools/render_catalog.py``
and a unit test fails when the two drift apart. The endpoint controls live in
:mod:`.catalog_endpoint` (TLS-xx, HTTP-xx) and :mod:`.catalog_vulns` (VULN-xx), the host controls
below; :class:`.control.Control` is the shape of one.

IDs are stable: once released, an ID keeps its meaning; a retired control keeps its ID
unused. Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

from typing import Dict, Tuple

from ansible_collections.webedge.https.plugins.module_utils.compliance.catalog_endpoint import ENDPOINT_CONTROLS
from ansible_collections.webedge.https.plugins.module_utils.compliance.catalog_vulns import VULN_CONTROLS
from ansible_collections.webedge.https.plugins.module_utils.compliance.control import (
    SERVER_LABELS,
    SERVERS,
    SEVERITIES,
    Control,
    severity_rank,
)

__all__ = [
    "CATALOG",
    "CATALOG_VERSION",
    "SERVERS",
    "SERVER_LABELS",
    "SEVERITIES",
    "STATUSES",
    "Control",
    "controls_for",
    "get_control",
    "severity_rank",
]

CATALOG_VERSION = 2

STATUSES = ("pass", "fail", "error", "skip")
WHERE = ("endpoint", "host", "host+endpoint")


# Host controls (HOST-xx): seen on the host.
_HOST_CONTROLS: Tuple[Control, ...] = (
    Control(
        id="HOST-01",
        title="443/tcp is listening, owned by the expected process",
        severity="critical",
        where="host",
        rationale="Nothing else works if the web server does not listen, or if another process holds the port.",
        remediation="Start the web server and check its listen directives; stop the process that holds the port. "
        "IIS: HTTP.sys serves the port, so its owner is the System process (pid 4).",
    ),
    Control(
        id="HOST-02",
        title="The host firewall admits 443/tcp inbound",
        severity="critical",
        where="host",
        rationale="A listening server behind a dropping firewall is unreachable.",
        remediation="Open 443/tcp with webedge.https.firewall_port on the active backend.",
    ),
    Control(
        id="HOST-03",
        title="The private key file is not accessible to other users",
        severity="high",
        where="host",
        rationale="Anyone who can read the key can impersonate the server and, without forward secrecy, "
        "decrypt recorded traffic.",
        remediation="chmod 0600 (or 0640 with a dedicated group) and chown root on the key file. IIS: in "
        "certlm.msc, Manage Private Keys of the bound certificate, leave read access to SYSTEM, Administrators "
        "and the application pool identities only.",
    ),
    Control(
        id="HOST-04",
        title="The web server configuration test passes",
        severity="high",
        where="host",
        rationale="A configuration that fails its test will not survive the next reload or reboot.",
        remediation="Run the server's test (nginx -t, apachectl configtest) and fix the reported error. IIS has "
        "no test command: fix the applicationHost.config or web.config error that appcmd list config reports.",
    ),
    Control(
        id="HOST-05",
        title="The certificate on disk is the one the endpoint serves",
        severity="medium",
        where="host+endpoint",
        rationale="A renewed certificate that was not loaded expires in production although the file is fresh.",
        remediation="Reload the web server after deploying a certificate, and check it serves the file's certificate. "
        "IIS: bind the renewed certificate (its thumbprint) to the site's https bindings.",
    ),
    Control(
        id="HOST-06",
        title="Every certificate file the web server configuration names is valid for more than the minimum "
        "number of days",
        severity="high",
        where="host",
        rationale="The probe sees one certificate per name it asks for; the other sites, the chain files and a "
        "renewed file not loaded yet expire unseen. Reading every file the configuration names shows each "
        "certificate's days remaining before any of them is served expired.",
        remediation="Renew the certificate and reload the web server (the webedge.https.tls role's acme and ca "
        "sources renew what is due on every run of webedge.https.site); remove certificates no site uses from "
        "the configuration. Not read on Windows hosts.",
    ),
    Control(
        id="HOST-07",
        title="Only allowed ports are exposed",
        severity="high",
        where="host",
        rationale="Every service reachable from outside is attack surface: a debug port, a database bound to every "
        "address or a container's published port left open widens it without anyone deciding to. The audit joins "
        "every listening socket with the firewall's verdict for a new connection from outside (container-published "
        "ports through their DNAT and forward path included), so it sees what a port scan sees.",
        remediation="Stop the service or bind it to a loopback address, close its port in the host firewall (or the "
        "FORWARD path for a container's published port), or add the port to the allow-list "
        "(compliance_allowed_ports) when it is meant to be reachable.",
    ),
)

_CONTROLS: Tuple[Control, ...] = ENDPOINT_CONTROLS + VULN_CONTROLS + _HOST_CONTROLS
CATALOG: Dict[str, Control] = {control.id: control for control in _CONTROLS}


def get_control(control_id: str) -> Control:
    """The control with this ID; raises KeyError naming an unknown ID."""
    try:
        return CATALOG[control_id]
    except KeyError:
        raise KeyError(f"unknown control id {control_id!r}") from None


def controls_for(where: str) -> Tuple[Control, ...]:
    """Controls checked at ``endpoint`` or ``host`` (``host+endpoint`` counts as host)."""
    if where == "host":
        return tuple(c for c in _CONTROLS if c.where in ("host", "host+endpoint"))
    return tuple(c for c in _CONTROLS if c.where == where)
