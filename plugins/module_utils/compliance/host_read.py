# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``compliance_info`` on a Linux host: every host read of the compliance audit in ONE module run.

What the role's separate tasks read before (``exposure_info``, ``listening_ports``, a ``find`` of the
web server programs, the configuration test command and a ``grep`` of Apache's files, a ``stat`` per
key file, a ``slurp`` per certificate file and ``firewall_info``), read here in one process with the
functions those modules call (``exposure/linux.run``, ``listening/report.run``,
``firewall/info.gather_info``); nothing is evaluated twice: ``nft -j list ruleset`` and the
``iptables*-save`` reads run once for the exposure and the firewall verdict (a caching runner).

Only reads: commands are argv lists (``nginx -T``, ``apachectl -t -D DUMP_INCLUDES`` and the
firewall reads); the private key files' metadata is read (``lstat``), never their content; the
certificate files (public) are read whole. Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import stat
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.exposure.linux import run as run_exposure
from ansible_collections.webedge.https.plugins.module_utils.exposure.request import parse_allowed
from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import (
    CachingRunner,
    FileStore,
    LocalFileStore,
    Runner,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.info import gather_info
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import FirewallError, ValidationError
from ansible_collections.webedge.https.plugins.module_utils.listening.report import LIVE_PROC, parse_query
from ansible_collections.webedge.https.plugins.module_utils.listening.report import run as run_listening

__all__ = [
    "ReadRequest",
    "apache_paths",
    "certificate_file",
    "config_paths",
    "key_metadata",
    "listen_facts",
    "port_sockets",
    "read_host",
    "which_server",
]

SBIN = "/usr/sbin"
# The programs looked for in /usr/sbin when neither the option nor the port's owner names the server,
# in this order (Debian ships apachectl as a link to apache2ctl: apache2ctl is the one it runs).
PROGRAMS = ("nginx", "apache2ctl", "apachectl")
NGINX_PREFIX = "/etc/nginx/"
_INCLUDED = re.compile(r"(?m)^\s*\((?:\d+|\*)\)\s+(\S+)\s*$")
_APACHE_LINE = re.compile(r"^\s*SSLCertificate(Key)?File\s", re.IGNORECASE)
_APACHE_KEY = re.compile(r"(?mi)^\s*SSLCertificateKeyFile\s+(\S+)")
_APACHE_CERT = re.compile(r"(?mi)^\s*SSLCertificateFile\s+(\S+)")
_NGINX_KEY = re.compile(r"(?m)^\s*ssl_certificate_key\s+([^\s;]+)")
_NGINX_CERT = re.compile(r"(?m)^\s*ssl_certificate\s+([^\s;]+)")
_PATH_BAD = re.compile(r"[\x00-\x1f]")
MAX_CERT_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ReadRequest:
    """The options, validated (every error names the parameter and the value)."""

    port: int = 443
    server: str = "auto"
    expected_process: str = ""
    key_paths: Tuple[str, ...] = ()
    cert_path: str = ""
    exposure: bool = True
    allowed: Optional[Tuple[Any, ...]] = None
    source: Optional[str] = None
    firewall: bool = True

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> ReadRequest:
        port = params.get("port", 443)
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            raise ValidationError(f"port {port!r}: expected a port from 1 to 65535")
        server = params.get("server") or "auto"
        if server not in ("auto", "nginx", "apache", "iis", "none"):
            raise ValidationError(f"server {server!r}: expected auto, nginx, apache, iis or none")
        keys = tuple(str(p) for p in params.get("key_paths") or [])
        for index, path in enumerate(keys):
            _check_path(f"key_paths[{index}]", path)
        cert = str(params.get("cert_path") or "")
        if cert:
            _check_path("cert_path", cert)
        allowed = params.get("allowed")
        if allowed is not None:
            parse_allowed(list(allowed))  # a malformed allow-list fails before anything is read
        source = params.get("source")
        return cls(
            port=port,
            server=server,
            expected_process=str(params.get("expected_process") or ""),
            key_paths=keys,
            cert_path=cert,
            exposure=bool(params.get("exposure", True)),
            allowed=None if allowed is None else tuple(allowed),
            source=str(source) if source is not None and str(source).strip() else None,
            firewall=bool(params.get("firewall", True)),
        )


def _check_path(name: str, path: str) -> None:
    if not path.startswith("/") or _PATH_BAD.search(path):
        raise ValidationError(f"{name} {path!r}: expected an absolute path without control characters")


def port_sockets(entries: Sequence[Mapping[str, Any]], port: int) -> List[Mapping[str, Any]]:
    """The TCP sockets on ``port`` among exposure or listening entries (DNATed ports without an address are
    not sockets)."""
    return [e for e in entries if e.get("address") is not None and e.get("protocol") == "tcp" and e.get("port") == port]


def which_server(request: ReadRequest, owners: Sequence[str], installed: Sequence[str]) -> Tuple[str, str]:
    """(the web server, Apache's control program): the option, else the port's owner, else the programs
    installed (``installed``: the names of :data:`PROGRAMS` found in /usr/sbin, looked for only then)."""
    by_owner = "nginx" if "nginx" in owners else ("apache" if {"apache2", "httpd"} & set(owners) else "")
    if request.server != "auto":
        server = request.server
    elif by_owner:
        server = by_owner
    elif "nginx" in installed:
        server = "nginx"
    else:
        server = "apache" if any("apache" in p for p in installed) else "none"
    apachectl = [p for p in installed if "apache" in p] + ["apachectl" if "httpd" in owners else "apache2ctl"]
    return server, apachectl[0]


def listen_facts(
    request: ReadRequest, sockets: Sequence[Mapping[str, Any]], server: str, apachectl: str
) -> Dict[str, Any]:
    owners = [s["process"] for s in sockets if s.get("process")]
    expected = request.expected_process or {
        "nginx": "nginx",
        "apache": "httpd" if apachectl == "apachectl" else "apache2",
    }.get(server)
    return {
        "port": request.port,
        "listening": bool(sockets),
        "process": owners[0] if owners else None,
        "expected_process": expected,
    }


def apache_paths(dump: str, read_text: Any) -> str:
    """The ``SSLCertificateFile``/``SSLCertificateKeyFile`` lines of every file ``apachectl -D DUMP_INCLUDES``
    lists (``read_text(path)``: the file's text or None), as ``grep -hiE`` printed them."""
    lines: List[str] = []
    for path in _INCLUDED.findall(dump):
        text = read_text(path)
        if text is None:
            continue
        lines.extend(line for line in text.splitlines() if _APACHE_LINE.match(line))
    return "\n".join(lines)


def _unique(paths: Sequence[str]) -> List[str]:
    found: List[str] = []
    for path in paths:
        if path not in found:
            found.append(path)
    return found


def config_paths(nginx_dump: str, apache_lines: str) -> Tuple[List[str], List[str]]:
    """(key files, certificate files) the configuration names: paths with variables (``$ssl_server_name``)
    cannot be followed; relative nginx paths are under nginx's prefix."""

    def nginx(pattern: re.Pattern) -> List[str]:
        return [p if p.startswith("/") else NGINX_PREFIX + p for p in pattern.findall(nginx_dump) if "$" not in p]

    keys = nginx(_NGINX_KEY) + [p for p in _APACHE_KEY.findall(apache_lines) if "$" not in p]
    certs = nginx(_NGINX_CERT) + [p for p in _APACHE_CERT.findall(apache_lines) if "$" not in p]
    return _unique(keys), _unique(certs)


def key_metadata(path: str, root: str = "") -> Dict[str, Any]:
    """A key file's mode, owner and group (``lstat``, as ``ansible.builtin.stat`` reads it); never its content."""
    try:
        info = os.lstat(root + path)
    except OSError:
        return {"path": path, "mode": None, "owner": None, "group": None, "missing": True}
    try:
        owner: Optional[str] = pwd.getpwuid(info.st_uid).pw_name
    except KeyError:
        owner = None
    try:
        group: Optional[str] = grp.getgrgid(info.st_gid).gr_name
    except KeyError:
        group = None
    return {"path": path, "mode": f"{stat.S_IMODE(info.st_mode):04o}", "owner": owner, "group": group}


def certificate_file(path: str, root: str = "") -> Dict[str, Any]:
    """A certificate file's content (public), or ``pem`` None when it cannot be read."""
    try:
        with open(root + path, "rb") as handle:
            data = handle.read(MAX_CERT_BYTES)
    except OSError:
        return {"path": path, "pem": None}
    return {"path": path, "pem": data.decode("ascii", "replace") if data else None}


def _read_text(root: str) -> Any:
    def read(path: str) -> Optional[str]:
        try:
            with open(root + path, encoding="utf-8", errors="replace") as handle:
                return handle.read()
        except OSError:
            return None

    return read


def _firewall(request: ReadRequest, runner: Runner, files: Optional[FileStore]) -> Dict[str, Any]:
    """``firewall_info``'s answer for the port: its backends, the port's verdict, or why it failed."""
    params = {"ports": [request.port], "protocol": "tcp", "source": request.source}
    try:
        info = gather_info(params, runner, files=files)
    except FirewallError as exc:
        return {"active_backends": [], "verdicts": [], "msg": str(exc)}
    return {
        "active_backends": info["active_backends"],
        "verdicts": [v for v in info["verdicts"] if v.get("port") == request.port],
    }


def _exposure(request: ReadRequest, runner: Runner, proc_root: str) -> Dict[str, Any]:
    params = {"allowed": None if request.allowed is None else list(request.allowed), "source": request.source}
    try:
        return run_exposure(params, runner, proc_root)
    except FirewallError as exc:
        return {"msg": str(exc)}


def read_host(
    request: ReadRequest,
    runner: Runner,
    *,
    proc_root: str = LIVE_PROC,
    root: str = "",
    files: Optional[FileStore] = None,
) -> Dict[str, Any]:
    """Everything ``compliance_info`` returns on Linux (``root``: a prefix of every file path, for tests)."""
    caching = CachingRunner(runner)
    caching.caching = True  # the rulesets are read once for the exposure and the firewall verdict
    exposure: Optional[Dict[str, Any]] = None
    sockets: Optional[List[Mapping[str, Any]]] = None
    if request.exposure:
        exposure = _exposure(request, caching, proc_root)
        if "exposure" in exposure:
            sockets = port_sockets(exposure.pop("exposure"), request.port)
    if sockets is None:
        query = parse_query({"ports": [request.port], "protocols": ["tcp"]})
        listening = run_listening(query, proc_root, lambda argv: caching.run(list(argv)))["listening"]
        sockets = port_sockets(listening, request.port)
    owners = [s["process"] for s in sockets if s.get("process")]
    installed: List[str] = []
    if request.server == "auto" and not {"nginx", "apache2", "httpd"} & set(owners):
        installed = [p for p in PROGRAMS if os.path.lexists(os.path.join(root + SBIN, p))]
    server, apachectl = which_server(request, owners, installed)

    config_test: Optional[Dict[str, Any]] = None
    nginx_dump = apache_lines = ""
    if server in ("nginx", "apache"):
        argv = ["nginx", "-T"] if server == "nginx" else [apachectl, "-t", "-D", "DUMP_INCLUDES"]
        rc, out, err = runner.run(argv)
        config_test = {"command": f"{argv[0]} -t", "rc": rc, "output": err or ""}
        if server == "nginx":
            nginx_dump = out or ""
        elif rc == 0:
            apache_lines = apache_paths(out or "", _read_text(root))
    keys, certs = config_paths(nginx_dump, apache_lines)
    key_files = list(request.key_paths) or keys
    cert_files = [request.cert_path] if request.cert_path else certs

    return {
        "changed": False,
        "server": server,
        "listening": listen_facts(request, sockets, server, apachectl),
        "exposure": exposure,
        "config_test": config_test,
        "private_keys": [key_metadata(p, root) for p in key_files],
        "certificate_files": [certificate_file(p, root) for p in cert_files],
        "firewall": _firewall(request, caching, files if files is not None else LocalFileStore())
        if request.firewall
        else None,
    }
