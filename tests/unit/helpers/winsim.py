# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A simulated Windows host, driven exactly as Ansible's PowerShell shell drives a WinRM host.

The connection plugin for tests (``tests/windows/connection_plugins/winsim.py``) hands every
``exec_command(cmd, in_data)`` and ``put_file`` here. Nothing is guessed from Ansible's side: the
command line must be ``PowerShell ... -EncodedCommand`` (decoded), and what it runs is told by the
bytes received, as the host would see them:

* Ansible's ``bootstrap_wrapper.ps1`` with its exec manifest on stdin (the module wrapper and the
  module's arguments, or Ansible's own ``powershell_mkdtemp.ps1``): a module of ansible.windows or
  microsoft.iis is checked against that module's REAL argument spec (``winsim_specs.py``, read from
  the installed collection) and answered from this host's state; an option the module lacks, a
  wrong type or choice, a missing required option fail as Ansible.Basic fails them. A module this
  host has no answer for fails the task.
* Our stub with a script on stdin: answered by the same simulated hosts as the unit tests (the
  firewall rules kept in this host's state).
* ``win_powershell`` scripts (the roles' ``files/*.ps1``): the parameters given are checked against
  the script's own ``param()`` block (unknown or missing mandatory: PowerShell's binding error), the
  answer is modelled on the script (``$Ansible.Changed/Result/Diff``, ``-WhatIf`` in check mode only
  for scripts declaring SupportsShouldProcess) and cut at ``depth`` as win_powershell's
  Convert-OutputObject cuts it.

State (features, files, registry, sites, certificates, firewall rules, group policy values) lives in
a JSON file, so a second ansible-playbook run sees what the first one did. Every module call is
recorded (no_log values left out). Fixture shapes: the modules' documented RETURN values
(ansible.windows, microsoft.iis) and Microsoft's documented objects for our scripts (see
``tests/unit/fixtures/firewall/windows/README.md``).
"""

from __future__ import annotations

import base64
import copy
import fcntl
import hashlib
import json
import ntpath
import os
import re
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional, Tuple

from ansible_collections.webedge.https.plugins.plugin_utils.windows import (
    exposure,
    firewall_info_ps,
    firewall_ps,
    listening_ps,
)
from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import PLACEHOLDER, STUB
from ansible_collections.webedge.https.tests.unit.helpers import winsim_specs
from ansible_collections.webedge.https.tests.unit.helpers.windows_console import console_bytes, decode_command_line
from ansible_collections.webedge.https.tests.unit.helpers.windows_host import (
    FakeWindowsHost,
    answer_line,
    fixture,
    script_input,
)
from ansible_collections.webedge.https.tests.unit.helpers.windows_info_host import FakeInfoHost
from ansible_collections.webedge.https.tests.unit.helpers.windows_listening_host import FakeListeningHost
from ansible_collections.webedge.https.tests.unit.helpers.winsim_scripts import ModuleFailure, run_script

__all__ = ["SimulatedWindows", "initial_state", "locked"]

COLLECTION = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FACTS = {
    "ansible_distribution": "Microsoft Windows Server 2022 Datacenter",
    "ansible_distribution_version": "10.0.20348.0",
    "ansible_distribution_major_version": "10",
    "ansible_os_family": "Windows",
    "ansible_system": "Win32NT",
    "ansible_architecture": "64-bit",
    "ansible_os_name": "Microsoft Windows Server 2022 Datacenter",
    "ansible_hostname": "WEB01",
    "module_setup": True,
}
ENV = {"%systemroot%": "C:\\Windows", "%windir%": "C:\\Windows", "%programdata%": "C:\\ProgramData"}
SCRIPTS = {
    "firewall_port read": firewall_ps.READ_SCRIPT,
    "firewall_port write": firewall_ps.WRITE_SCRIPT,
    "firewall_info read": firewall_info_ps.READ_SCRIPT,
    "listening_ports read": listening_ps.READ_SCRIPT,
    "exposure read": exposure.WRAPPER,  # exposure_info: runs the three scripts below it carries, in turn
    "services read": exposure.SERVICES_SCRIPT,
}
# ansible.windows.win_reboot (plugin_utils/_reboot.py): each command it runs, wrapped in this suffix.
REBOOT_SUFFIX = (
    "; If (-not $?) { If (Get-Variable LASTEXITCODE -ErrorAction SilentlyContinue) { exit $LASTEXITCODE }"
    " Else { exit 1 } }"
)
BOOT_TIME = "(Get-CimInstance -ClassName Win32_OperatingSystem -Property LastBootUpTime).LastBootUpTime.ToFileTime()"
SHUTDOWN = re.compile(r"C:\\Windows\\System32\\shutdown\.exe /r /t (\d+) /c '((?:[^']|'')*)'")
LOGON_UI = r"HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon\AutoLogonChecked"
TEST_COMMAND = re.compile(
    "Get-Item -LiteralPath '" + re.escape(LOGON_UI) + r"' -ErrorAction Stop; '(success-[0-9a-f-]+)'"
)
OUR_GROUP = "webedge.https"
STOCK_IIS_RULES = ("IIS-WebServerRole-",)  # the firewall rules installing the Web-Server feature creates
# win_powershell reads the script's CmdletBinding attribute from its AST (SupportsShouldProcess, bare or = $true).
SHOULD_PROCESS = re.compile(r"\[CmdletBinding\([^)]*\bSupportsShouldProcess\b(?:\s*=\s*\$true)?[^)]*\)\]", re.I)


def initial_state(**changes: Any) -> Dict[str, Any]:
    """A Windows Server 2022 host without IIS: no feature, site or certificate; the firewall as the fixtures."""
    state: Dict[str, Any] = {
        "facts": dict(FACTS),
        "features": [],
        "files": {"c:\\windows": {"path": "C:\\Windows", "dir": True}},
        "registry": {},
        "sites": {},
        "certs": {"My": {}, "CA": {}},
        "firewall": fixture("read-empty.json"),
        "firewall_info": fixture("info-iis-stock.json"),
        "listening": fixture_listening("web01-elevated.json"),
        "services": fixture_windows("services-web01.json"),
        "group_policy": [],  # RSOP_RegistryPolicySetting records (defect 7)
        "boot_time": 133_780_000_000_000_000,  # LastBootUpTime as a FILETIME (100 ns since 1601)
        "reboots": [],  # each shutdown.exe /r: its delay and message
        "calls": [],
        "resets": 0,
    }
    state.update(changes)
    return state


def fixture_listening(name: str) -> Dict[str, Any]:
    path = os.path.join(COLLECTION, "tests", "unit", "fixtures", "listening", "windows", name)
    with open(path, encoding="utf-8") as handle:
        return dict(json.load(handle))


def fixture_windows(name: str) -> Dict[str, Any]:
    path = os.path.join(COLLECTION, "tests", "unit", "fixtures", "windows", name)
    with open(path, encoding="utf-8") as handle:
        return dict(json.load(handle))


def info_record(rule: Dict[str, Any]) -> Dict[str, Any]:
    """A rule of the firewall_port state as the firewall_info read reports it (Get-NetFirewallRule and its filters)."""
    return {
        "id": rule["name"],
        "name": rule["name"],
        "display_name": rule["display_name"],
        "group": rule["group"],
        "action": rule["action"],
        "profile": rule["profile"],
        "policy_store_source": "PersistentStore",
        "policy_store_source_type": "Local",
        "remote_dynamic_keywords": [],
        "protocol": rule["protocol"],
        "local_port": list(rule["local_port"]),
        "remote_port": list(rule["remote_port"]),
        "dynamic_target": "Any",
        "local_address": list(rule["local_address"]),
        "remote_address": list(rule["remote_address"]),
        "program": "Any",
        "package": "",
        "service": "Any",
        "interface_alias": "Any",
        "interface_type": "Any",
        "authentication": "NotRequired",
        "encryption": "NotRequired",
        "override_block_rules": "False",
        "local_user": "Any",
        "remote_user": "Any",
        "remote_machine": "Any",
        "missing": [],
        "program_expanded": "Any",
    }


@contextmanager
def locked(path: str) -> Iterator[None]:
    with open(path + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _key(path: str) -> str:
    text = path.replace("/", "\\")
    for variable, value in ENV.items():
        text = re.sub(re.escape(variable), lambda _m, v=value: v, text, flags=re.I)
    return ntpath.normpath(text).rstrip("\\").lower()


def convert_output(value: Any, depth: int) -> Any:
    """win_powershell's Convert-OutputObject: values below ``depth`` become their string form."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if depth < 0:
        if isinstance(value, dict):
            return "System.Collections.Specialized.OrderedDictionary"
        return " ".join(str(v) for v in value)  # [string] of an array joins its items with spaces
    if isinstance(value, list):
        return [convert_output(v, depth - 1) for v in value]
    return {k: convert_output(v, depth - 1) for k, v in value.items()}


class SimulatedWindows:
    """One Windows host's state and behaviour (load, ``exec``/``put_file``, ``save``)."""

    def __init__(self, state_path: str) -> None:
        self.path = state_path
        with open(state_path, encoding="utf-8") as handle:
            self.state: Dict[str, Any] = json.load(handle)

    def save(self) -> None:
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(self.state, handle, indent=1, sort_keys=True)
        os.replace(tmp, self.path)

    def listening(self) -> Dict[str, Any]:
        """The listening fixture, plus what IIS adds: HTTP.sys (the System process, pid 4) holds the port of every
        binding of a started site, on 0.0.0.0 and :: (``netstat -aon`` shows IIS's ports so, owned by pid 4)."""
        answer = copy.deepcopy(self.state["listening"])
        if "Web-Server" not in self.state["features"]:
            return answer
        started = [site for site in self.state["sites"].values() if site["state"] == "started"]
        ports = sorted({int(b["port"]) for site in started for b in site["bindings"]})
        answer["sockets"] = [s for s in answer["sockets"] if not (s["protocol"] == "tcp" and s["port"] in ports)]
        for port in ports:
            answer["sockets"] += [{"protocol": "tcp", "address": a, "port": port, "pid": 4} for a in ("0.0.0.0", "::")]
        return answer

    def firewall_info(self) -> Dict[str, Any]:
        """The firewall_info read of THIS host: the stock rules of the fixture (IIS's only once the Web-Server
        feature is installed), the rules firewall_port keeps in this host's state (enabled, inbound) and the
        profiles firewall_port reads; the networks and listeners of the fixture."""
        answer = copy.deepcopy(self.state["firewall_info"])
        iis = "Web-Server" in self.state["features"]
        stock = [
            r
            for r in answer["rules"]
            if r.get("group") != OUR_GROUP and (iis or not str(r.get("name", "")).startswith(STOCK_IIS_RULES))
        ]
        ours = [
            info_record(r)
            for r in self.state["firewall"]["rules"]
            if r["group"] == OUR_GROUP and r["enabled"] == "True" and r["direction"] == "Inbound"
        ]
        answer["rules"] = stock + ours
        answer["profiles"] = copy.deepcopy(self.state["firewall"]["profiles"])
        return answer

    # -- files -------------------------------------------------------------------------------------
    def exists(self, path: str, kind: Optional[str] = None) -> bool:
        entry = self.state["files"].get(_key(path))
        if entry is None:
            return False
        return kind is None or (kind == "dir") == bool(entry["dir"])

    def write_file(self, path: str, content: str) -> None:
        parent = ntpath.dirname(ntpath.normpath(path.replace("/", "\\")))
        if not self.exists(parent, "dir"):
            raise ModuleFailure(f"Could not find a part of the path '{path}'")
        self.state["files"][_key(path)] = {"path": path, "dir": False, "content": content}

    def make_dir(self, path: str) -> None:
        normal = ntpath.normpath(path.replace("/", "\\"))
        parts = normal.split("\\")
        for i in range(1, len(parts) + 1):
            partial = "\\".join(parts[:i])
            if len(partial) > 2 and not self.exists(partial):
                self.state["files"][_key(partial)] = {"path": partial, "dir": True}

    def put_file(self, data: bytes, out_path: str) -> None:
        self.make_dir(ntpath.dirname(out_path.replace("/", "\\")))
        self.state["files"][_key(out_path)] = {
            "path": out_path,
            "dir": False,
            "content": data.decode("utf-8", errors="surrogateescape"),
        }

    # -- the command line ----------------------------------------------------------------------------
    def exec(self, command: str, in_data: Optional[bytes]) -> Tuple[int, bytes, bytes]:
        script = decode_command_line(command)
        if script == STUB:
            return self._our_script((in_data or b"").decode("ascii"))
        if script.endswith(REBOOT_SUFFIX):  # a command of ansible.windows.win_reboot
            return self._reboot_command(script[: -len(REBOOT_SUFFIX)])
        if "$codeJson = foreach ($in in $input)" in script:  # Ansible's bootstrap_wrapper.ps1
            return self._bootstrap(in_data or b"")
        removed = re.search(r"Remove-Item '([^']+)' -Force", script)
        if removed:
            prefix = _key(removed.group(1))
            for key in [k for k in self.state["files"] if k == prefix or k.startswith(prefix + "\\")]:
                del self.state["files"][key]
            return 0, b"", b""
        raise AssertionError(f"winsim: no simulated answer for the command {script[:200]!r}")

    def _reboot_command(self, command: str) -> Tuple[int, bytes, bytes]:
        """win_reboot's three commands: the boot time, the reboot (shutdown.exe in a script answering JSON), and
        the test that LogonUI is up (the AutoLogonChecked key the reboot script removed). A reboot is immediate
        here: the next command sees a later boot time and the key back."""
        if command == BOOT_TIME:
            return 0, f"{self.state['boot_time']}\r\n".encode(), b""
        shutdown = SHUTDOWN.search(command)
        if shutdown:
            assert f"Remove-Item -LiteralPath '{LOGON_UI}' -Force" in command, "the reboot script removes the key"
            message = shutdown.group(2).replace("''", "'")
            self.state["reboots"].append({"delay": int(shutdown.group(1)), "msg": message})
            self.state["boot_time"] += 600 * 10**7  # up again ten minutes later
            return 0, json.dumps({"stdout": "", "stderr": "", "rc": 0}).encode() + b"\r\n", b""
        test = TEST_COMMAND.fullmatch(command)
        if test:
            return 0, f"\r\n    Hive: HKEY_LOCAL_MACHINE\\...\\Winlogon\r\n{test.group(1)}\r\n".encode(), b""
        raise AssertionError(f"winsim: no simulated answer for this win_reboot command: {command[:200]!r}")

    def _our_script(self, script: str) -> Tuple[int, bytes, bytes]:
        kind = shipped_script(script)
        if kind == "exposure read":
            return self._exposure(script)
        if kind == "firewall_info read":
            host: Any = FakeInfoHost(self.firewall_info())
        elif kind == "listening_ports read":
            host = FakeListeningHost(self.listening())
        elif kind in ("firewall_port read", "firewall_port write"):
            host = FakeWindowsHost(self.state["firewall"])
        else:
            raise AssertionError(f"winsim: no simulated answer for this script of ours: {script[:300]!r}")
        rc, out, err = host.run([], script)
        if isinstance(host, FakeWindowsHost):
            self.state["firewall"] = host.state
            kind = host.scripts[-1][0] if host.scripts else "?"
            self.state["calls"].append({"script": f"firewall_port {kind}"})
        else:
            self.state["calls"].append(
                {"script": "firewall_info read" if isinstance(host, FakeInfoHost) else "listening_ports read"}
            )
        return rc, console_bytes(STUB, out), console_bytes(STUB, err)

    def _exposure(self, script: str) -> Tuple[int, bytes, bytes]:
        """exposure_info's wrapper: each script it carries (base64 ASCII) answered in turn, as the wrapper runs them."""
        inner = [base64.b64decode(s).decode("ascii") for s in script_input(script)["scripts"]]
        kinds = [shipped_script(s) for s in inner]
        assert kinds == ["listening_ports read", "firewall_info read", "services read"], kinds
        out = FakeListeningHost(self.listening()).run([], inner[0])[1]
        out += FakeInfoHost(self.firewall_info()).run([], inner[1])[1]
        out += answer_line(self.state["services"])
        self.state["calls"].append({"script": "exposure read", "reads": kinds})
        return 0, console_bytes(STUB, out), b""

    def _bootstrap(self, data: bytes) -> Tuple[int, bytes, bytes]:
        _bootstrap, _sep, rest = data.partition(b"\n\0\0\0\0\n")
        manifest = json.loads(rest.split(b"\n\0\0\0\0\n")[0])
        actions = manifest["actions"]
        names = [a["name"] for a in actions]
        last = actions[-1]
        if last["name"] == "powershell_mkdtemp.ps1":
            directory = str(last["params"]["Directory"]).replace("%TEMP%", "C:\\Users\\ansible\\AppData\\Local\\Temp")
            path = ntpath.join(_expand(directory), last["params"]["Name"])
            self.make_dir(path)
            return 0, (path + "\r\n").encode(), b""
        if last["name"] == "powershell_expand_user.ps1":
            value = str(last["params"]["Path"])
            home = "C:\\Users\\ansible"
            return 0, ((home + value[1:]) if value.startswith("~") else value).encode() + b"\r\n", b""
        assert last["name"] == "module_wrapper.ps1", names
        module = str(last["params"]["Script"])[: -len(".ps1")]
        parts = module.split(".")
        if parts[0] == "ansible_collections":  # ansible_collections.ns.coll.plugins.modules.name
            module = ".".join((parts[1], parts[2], parts[-1]))
        args = next(v["Value"] for v in last["params"]["Variables"] if v["Name"] == "complex_args")
        result = self.run_module(module, args, become="become_wrapper.ps1" in names)
        return (1 if result.get("failed") else 0), json.dumps(result).encode(), b""

    # -- modules -------------------------------------------------------------------------------------
    def run_module(self, module: str, args: Dict[str, Any], become: bool = False) -> Dict[str, Any]:
        check_mode = bool(args.get("_ansible_check_mode"))
        errors, params = winsim_specs.check(module, args)
        record: Dict[str, Any] = {"module": module, "check_mode": check_mode, "args": _public(module, args)}
        if become:
            record["become"] = True
        self.state["calls"].append(record)
        short = module.rsplit(".", 1)[-1]
        if errors:
            record["failed"] = True
            return {"failed": True, "changed": False, "msg": f"{'; '.join(errors)} (module {short})"}
        spec = winsim_specs.load_spec(module)
        if check_mode and not spec.supports_check_mode:
            return {"skipped": True, "changed": False, "msg": "remote module does not support check mode"}
        handler = getattr(self, "_module_" + short, None)
        if handler is None:
            raise AssertionError(f"winsim: no simulated answer for module {module}")
        try:
            result = handler(params, check_mode, bool(args.get("_ansible_diff")))
        except ModuleFailure as exc:
            record["failed"] = True
            return {"failed": True, "changed": False, "msg": str(exc)}
        result.setdefault("changed", False)
        return result

    def _module_setup(self, params: Dict[str, Any], check: bool, diff: bool) -> Dict[str, Any]:
        # Between two plays a Group Policy refresh (every 90 minutes) has put the GPO's values back.
        for record in self.state.get("group_policy") or []:
            key = _key("HKLM:\\" + record["registryKey"])
            kind = {1: "string", 7: "multistring", 4: "dword"}[int(record["valueType"])]
            value = [record["valueName"], kind, _reg_data(kind, record["value"])]
            self.state["registry"].setdefault(key, {})[record["valueName"].lower()] = value
        return {"ansible_facts": dict(self.state["facts"]), "changed": False}

    def _module_win_feature(self, params: Dict[str, Any], check: bool, diff: bool) -> Dict[str, Any]:
        missing = [n for n in params["name"] if n not in self.state["features"]]
        if params["state"] != "present":
            raise ModuleFailure("winsim: only state=present is simulated")
        if missing and not check:
            self.state["features"] += missing
        return {
            "changed": bool(missing),
            "exitcode": "Success" if missing else "NoChangeNeeded",
            "success": True,
            "reboot_required": False,
            "feature_result": [
                {
                    "display_name": n,
                    "id": 0,
                    "message": [],
                    "reboot_required": False,
                    "restart_needed": False,
                    "skip_reason": "NotApplicable",
                    "success": True,
                }
                for n in missing
            ],
        }

    def _module_win_stat(self, params: Dict[str, Any], check: bool, diff: bool) -> Dict[str, Any]:
        path = params["path"]
        if not self.exists(path):
            return {"stat": {"exists": False}}
        entry = self.state["files"][_key(path)]
        stat = {"exists": True, "isdir": entry["dir"], "isreg": not entry["dir"], "path": entry["path"]}
        if not entry["dir"]:
            stat["checksum"] = hashlib.sha1(entry["content"].encode("utf-8", "surrogateescape")).hexdigest()
        return {"stat": stat}

    def _module_win_file(self, params: Dict[str, Any], check: bool, diff: bool) -> Dict[str, Any]:
        path, state = params["path"], params.get("state")
        if state == "directory":
            if self.exists(path, "dir"):
                return {"changed": False}
            if self.exists(path):
                raise ModuleFailure(f"path {path} is not a directory")
            if not check:
                self.make_dir(path)
            return {"changed": True}
        raise ModuleFailure(f"winsim: win_file state={state} is not simulated")

    def _module_win_regedit(self, params: Dict[str, Any], check: bool, diff: bool) -> Dict[str, Any]:
        key = _key(params["path"])
        name = params.get("name") or ""
        values = self.state["registry"].setdefault(key, {})
        current = values.get(name.lower())
        wanted = [name, params["type"], _reg_data(params["type"], params.get("data"))]
        if params["state"] != "present":
            raise ModuleFailure("winsim: only state=present is simulated")
        changed = current is None or current[1:] != wanted[1:]
        result: Dict[str, Any] = {
            "changed": changed,
            "data_changed": current is None or current[2] != wanted[2],
            "data_type_changed": current is not None and current[1] != wanted[1],
        }
        if diff:
            before = "" if current is None else f'[{params["path"]}]\n"{name}"={current[1]}:{current[2]}\n'
            result["diff"] = {"before": before, "after": f'[{params["path"]}]\n"{name}"={wanted[1]}:{wanted[2]}\n'}
        if changed and not check:
            values[name.lower()] = wanted
        return result

    def _module_website_info(self, params: Dict[str, Any], check: bool, diff: bool) -> Dict[str, Any]:
        site = self.state["sites"].get(params.get("name") or "")
        if site is None:
            return {"exists": False, "site": []}
        return {"exists": True, "site": [_site_info(params["name"], site)]}

    def _module_website(self, params: Dict[str, Any], check: bool, diff: bool) -> Dict[str, Any]:
        name = params["name"]
        site = copy.deepcopy(self.state["sites"].get(name))
        if params["state"] == "absent":
            raise ModuleFailure("winsim: state=absent is not simulated")
        created = site is None
        if created:
            path = params.get("physical_path")
            if not path or not self.exists(path, "dir"):
                raise ModuleFailure(f"Specified folder must already exist: physical_path ({path})")
            site = {"physical_path": path, "application_pool": "DefaultAppPool", "state": "stopped", "bindings": []}
        if params.get("physical_path") and params["physical_path"] != site["physical_path"]:
            if not self.exists(params["physical_path"], "dir"):
                raise ModuleFailure(f"Specified folder must already exist: physical_path ({params['physical_path']})")
            site["physical_path"] = params["physical_path"]
        if params.get("application_pool"):
            site["application_pool"] = params["application_pool"]
        bindings = params.get("bindings") or {}
        for wanted in bindings.get("add") or []:
            entry = {
                "protocol": wanted.get("protocol") or "http",
                "ip": wanted.get("ip") or "*",
                "port": int(wanted.get("port") or 80),
                "hostname": wanted.get("hostname") or "",
            }
            if not any(_same_binding(entry, b) for b in site["bindings"]):
                site["bindings"].append(entry)
        for unwanted in bindings.get("remove") or []:
            site["bindings"] = [b for b in site["bindings"] if not _same_binding(b, unwanted, protocol=False)]
        wanted_state = params["state"]
        if wanted_state in ("started", "restarted"):
            if not site["bindings"]:
                raise ModuleFailure(f"site {name} has no binding and cannot be started")
            site["state"] = "started"
        elif wanted_state == "stopped":
            site["state"] = "stopped"
        before = self.state["sites"].get(name)
        changed = site != before
        if changed and not check:
            self.state["sites"][name] = site
        return {"changed": changed, "site": _site_info(name, site)}

    def _module_win_copy(self, params: Dict[str, Any], check: bool, diff: bool) -> Dict[str, Any]:
        mode = params.get("_copy_mode") or "single"
        if mode == "query":
            changed = []
            for item in params.get("files") or []:
                path = ntpath.join(str(params["dest"]).replace("/", "\\"), item["dest"])
                if self.exists(path, "file"):
                    content = self.state["files"][_key(path)]["content"].encode("utf-8", "surrogateescape")
                    if hashlib.sha1(content).hexdigest() != item["checksum"]:
                        changed.append(item)
                elif self.exists(path, "dir"):
                    raise ModuleFailure(f"cannot copy file to dest '{path}': object at path is already a directory")
                else:
                    changed.append(item)
            return {"changed": False, "files": changed, "directories": [], "symlinks": []}
        if mode == "single":
            source = self.state["files"].get(_key(params["src"]))
            if source is None:
                raise ModuleFailure(f"Cannot copy src file: '{params['src']}' as it does not exist")
            dest = params["dest"]
            result: Dict[str, Any] = {"changed": True}
            if params.get("backup") and self.exists(dest, "file"):
                backup = f"{dest}.1234.2026-12-03@10:00:00~"
                self.write_file(backup, self.state["files"][_key(dest)]["content"])
                result["backup_file"] = backup
            self.write_file(dest, source["content"])
            return result
        raise ModuleFailure(f"winsim: win_copy _copy_mode={mode} is not simulated")

    def _module_win_powershell(self, params: Dict[str, Any], check: bool, diff: bool) -> Dict[str, Any]:
        script = params.get("script") or ""
        declared = winsim_specs.script_parameters(script)
        given = dict(params.get("parameters") or {})
        for item in params.get("sensitive_parameters") or []:
            given[item["name"]] = item.get("value")
        for name in given:
            if name.lower() not in declared:
                raise ModuleFailure(f"A parameter cannot be found that matches parameter name '{name}'.")
        for key, parameter in declared.items():
            if parameter["mandatory"] and key not in {n.lower() for n in given}:
                raise ModuleFailure(f"Cannot bind argument to parameter '{parameter['name']}': it is mandatory.")
        if check and not SHOULD_PROCESS.search(script):
            return {
                "changed": True,
                "result": {},
                "output": [],
                "error": [],
                "warning": [],
                "host_out": "",
                "host_err": "",
            }
        values = {declared[n.lower()]["name"]: v for n, v in given.items()}
        changed, result, script_diff, warnings = run_script(self, script, values, check)
        depth = int(params.get("depth") or 2)
        answer: Dict[str, Any] = {
            "changed": changed,
            "result": convert_output(result, depth),
            "output": [],
            "error": [],
            "warning": warnings,
            "host_out": "",
            "host_err": "",
        }
        if script_diff:
            answer["diff"] = {k: convert_output(v, depth) for k, v in script_diff.items()}
        return answer


def shipped_script(script: str) -> Optional[str]:
    """Which of our scripts this is: one of the shipped templates, its one placeholder filled with base64 JSON."""
    for name, template in SCRIPTS.items():
        head, _sep, tail = template.partition(PLACEHOLDER)
        middle = script[len(head) : len(script) - len(tail)]
        if script.startswith(head) and script.endswith(tail) and re.fullmatch(r"[A-Za-z0-9+/=]*", middle):
            return name
    return None


def _expand(path: str) -> str:
    text = path
    for variable, value in ENV.items():
        text = re.sub(re.escape(variable), lambda _m, v=value: v, text, flags=re.I)
    return text


def _reg_data(kind: str, data: Any) -> Any:
    if kind in ("dword", "qword"):
        return int(data)
    if kind == "multistring":
        return [str(v) for v in (data if isinstance(data, list) else [data])]
    return str(data)


def _same_binding(a: Dict[str, Any], b: Dict[str, Any], protocol: bool = True) -> bool:
    keys = ("ip", "port", "hostname") + (("protocol",) if protocol else ())
    return all(str(a.get(k) or "").lower() == str(b.get(k) or "").lower() for k in keys)


def _site_info(name: str, site: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "name": name,
        "state": site["state"],
        "physical_path": site["physical_path"],
        "application_pool": site["application_pool"],
        "bindings": [
            {
                "ip": b["ip"],
                "port": b["port"],
                "hostname": b["hostname"],
                "protocol": b["protocol"],
                "certificate_hash": b.get("certificate_hash", ""),
                "certificate_store_name": b.get("store", ""),
                "use_sni": bool(int(b.get("ssl_flags", 0)) & 1),
                "use_ccs": bool(int(b.get("ssl_flags", 0)) & 2),
            }
            for b in site["bindings"]
        ],
    }


def _public(module: str, args: Dict[str, Any]) -> Dict[str, Any]:
    """The arguments as recorded: no internal keys, no no_log values, scripts by their first line."""
    shown = {k: v for k, v in args.items() if not k.startswith("_ansible_")}
    if module.endswith("win_powershell"):
        shown["script"] = base64.b64encode(hashlib.sha256(str(shown.get("script")).encode()).digest()).decode()[:12]
        shown["sensitive_parameters"] = [p["name"] for p in shown.get("sensitive_parameters") or []]
    return shown


def scripts_by_name() -> Dict[str, str]:
    """The roles' win_powershell scripts, by file name, as this collection ships them."""
    found = {}
    for role in ("iis", "compliance"):
        folder = os.path.join(COLLECTION, "roles", role, "files")
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            if name.endswith(".ps1"):
                with open(os.path.join(folder, name), encoding="utf-8") as handle:
                    found[name] = handle.read()
    return found


def calls(state: Dict[str, Any], module: Optional[str] = None) -> List[Dict[str, Any]]:
    return [c for c in state["calls"] if module is None or c.get("module") == module]
