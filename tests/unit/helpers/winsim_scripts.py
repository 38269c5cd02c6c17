# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the roles' win_powershell scripts do on the simulated host (``winsim.py``), script by script.

A script is recognised by its exact text as this collection ships it (``roles/*/files/*.ps1``); an
unknown script fails the task. Each model follows its script: what it reads, what it changes, what it
puts in ``$Ansible.Result`` and ``$Ansible.Diff``, and what ``-WhatIf`` (check mode) leaves alone. The
objects behind it are Microsoft's documented ones (X509Store, Microsoft.Web.Administration binding
``BindingInformation``/``CertificateHash``/``SslFlags``, the site's ``hsts`` element,
``RSOP_RegistryPolicySetting``); nothing here runs PowerShell.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from typing import Any, Dict, List, Optional, Tuple

__all__ = ["KSP", "LEGACY_CSP", "ModuleFailure", "run_script"]


class ModuleFailure(Exception):
    """The module (or the script it runs) fails with this message (``failed: true, msg``)."""


KSP = "Microsoft Software Key Storage Provider"
LEGACY_CSP = "Microsoft Enhanced RSA and AES Cryptographic Provider"
COLLECTION = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
HSTS = (
    ("enabled", "enabled"),
    ("max-age", "max_age"),
    ("includeSubDomains", "include_subdomains"),
    ("preload", "preload"),
    ("redirectHttpToHttps", "redirect_http_to_https"),
)

Outcome = Tuple[bool, Any, Optional[Dict[str, Any]], List[str]]


def _shipped() -> Dict[str, str]:
    found = {}
    for role in ("iis", "compliance"):
        folder = os.path.join(COLLECTION, "roles", role, "files")
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            if name.endswith(".ps1"):
                with open(os.path.join(folder, name), encoding="utf-8") as handle:
                    found[handle.read()] = name
    return found


def run_script(host: Any, script: str, values: Dict[str, Any], check: bool) -> Outcome:
    """(changed, $Ansible.Result, $Ansible.Diff or None, warnings) of ``script`` with ``values`` on ``host``."""
    name = _shipped().get(script)
    if name is None:
        raise AssertionError("winsim: no simulated answer for this win_powershell script (not one the roles ship)")
    host.state["calls"][-1]["script"] = name
    model = {
        "import_certificate.ps1": _import_certificate,
        "site_tls.ps1": _site_tls,
        "windows_host.ps1": _windows_host,
        "schannel_policy.ps1": _schannel_policy,
    }[name]
    return model(host, script, values, check)


# -- roles/iis/files/import_certificate.ps1 ------------------------------------------------------------
def _import_certificate(host: Any, script: str, values: Dict[str, Any], check: bool) -> Outcome:
    thumbprint = str(values["Thumbprint"])
    chain = [str(t) for t in values.get("ChainThumbprints") or []]
    assert values.get("Pfx") and values.get("Password"), "the archive and its password arrive as SecureStrings"
    stores = host.state["certs"]
    cng = "PKCS12_ALWAYS_CNG_KSP" in script  # the script imports into the Software KSP
    leaf = stores["My"].get(thumbprint)
    leaf_ok = leaf is not None and leaf["has_key"] and (leaf["provider"] == KSP or not cng)
    missing = [t for t in chain if t not in stores["CA"]]
    result: Dict[str, Any] = {
        "thumbprint": thumbprint,
        "store": "Cert:\\LocalMachine\\My",
        "leaf_imported": False,
        "leaf_had_no_private_key": leaf is not None and not leaf["has_key"],
        "chain_imported": [],
    }
    if cng:
        result["key_provider"] = leaf["provider"] if leaf else None
    if leaf_ok and not missing:
        return False, result, None, []
    result["leaf_imported"] = not leaf_ok
    result["chain_imported"] = missing
    if not check:
        if not leaf_ok:
            stores["My"][thumbprint] = {"has_key": True, "provider": KSP if cng else LEGACY_CSP}
            if cng:
                result["key_provider"] = KSP
        for item in missing:
            stores["CA"][item] = {"has_key": False, "provider": None}
    return True, result, None, []


# -- roles/iis/files/site_tls.ps1 --------------------------------------------------------------------
def _binding_state(binding: Dict[str, Any], structured: bool) -> Any:
    if not structured:
        return "certificate={} store={} sslFlags={}".format(
            binding.get("certificate_hash", ""), binding.get("store", ""), int(binding.get("ssl_flags", 0))
        )
    flags = int(binding.get("ssl_flags", 0))
    return {
        "certificate": binding.get("certificate_hash", ""),
        "store": binding.get("store", ""),
        "ssl_flags": {"value": flags, "sni": bool(flags & 1), "central_certificate_store": bool(flags & 2)},
    }


def _shown(value: Any) -> str:
    """A value as PowerShell's "$value" writes it (booleans as True/False)."""
    return ("True" if value else "False") if isinstance(value, bool) else str(value)


def _site_tls(host: Any, script: str, values: Dict[str, Any], check: bool) -> Outcome:
    name, thumbprint = str(values["SiteName"]), str(values["Thumbprint"])
    structured = "sslFlags={2}' -f" not in script
    site = host.state["sites"].get(name)
    wanted_hsts = values.get("Hsts")
    if site is None:
        if not check:
            raise _failure(f"IIS site '{name}' does not exist")
        changes = [
            f"add https binding {b['ip']}:{b['port']}:{b['hostname']} (SNI) with certificate {thumbprint}"
            for b in values["Bindings"]
        ]
        if wanted_hsts is not None:
            changes.append("set the site's HSTS element")
        return True, {"site": name, "exists": False, "changes": changes}, None, []
    bindings = [dict(b) for b in site["bindings"]]
    https = [b for b in bindings if b["protocol"] == "https"]

    def info(b: Dict[str, Any]) -> str:
        return f"{b['ip']}:{b['port']}:{b['hostname']}"

    before = {"https": {info(b): _binding_state(b, structured) for b in https}, "hsts": {}}
    wanted = {f"{b['ip']}:{b['port']}:{b['hostname']}".lower(): b for b in values["Bindings"]}
    changes: List[str] = []
    kept = []
    for binding in bindings:
        if binding["protocol"] != "https":
            kept.append(binding)
            continue
        key = info(binding).lower()
        if key in wanted:
            wanted.pop(key)
            if binding.get("certificate_hash") != thumbprint or binding.get("store") != "My":
                changes.append(
                    f"https binding {info(binding)}: certificate {binding.get('certificate_hash')} -> {thumbprint}"
                )
                binding.update(certificate_hash=thumbprint, store="My")
            flags = int(binding.get("ssl_flags", 0))
            new = (flags | 1) & ~2
            if flags != new:
                changes.append(f"https binding {info(binding)}: sslFlags {flags} -> {new}")
                binding["ssl_flags"] = new
            kept.append(binding)
        elif values.get("PurgeHttpsBindings", True):
            changes.append(f"remove https binding {info(binding)}, not in the site definition")
        else:
            kept.append(binding)
    for b in wanted.values():
        kept.append(
            {
                "protocol": "https",
                "ip": b["ip"],
                "port": int(b["port"]),
                "hostname": b["hostname"],
                "certificate_hash": thumbprint,
                "store": "My",
                "ssl_flags": 1,
            }
        )
        changes.append(f"add https binding {b['ip']}:{b['port']}:{b['hostname']} (SNI) with certificate {thumbprint}")
    after = {"https": {info(b): _binding_state(b, structured) for b in kept if b["protocol"] == "https"}, "hsts": {}}
    hsts = dict(site.get("hsts") or {})
    if wanted_hsts is not None:
        for attribute, option in HSTS:
            value = wanted_hsts[option]
            value = int(value) if attribute == "max-age" else str(value).lower() in ("true", "1")
            current = hsts.get(attribute, 0 if attribute == "max-age" else False)
            before["hsts"][attribute], after["hsts"][attribute] = _shown(current), _shown(value)
            if current != value:
                changes.append(f"hsts {attribute}: {_shown(current)} -> {_shown(value)}")
                hsts[attribute] = value
    diff = None
    if changes:
        diff = {"before": before, "after": after}
        if not check:
            if thumbprint not in host.state["certs"]["My"]:
                raise _failure(f"certificate {thumbprint} is not in Cert:\\LocalMachine\\My; nothing was changed")
            site["bindings"] = kept
            site["hsts"] = hsts
    return bool(changes), {"site": name, "exists": True, "changes": changes}, diff, []


# -- roles/compliance/files/windows_host.ps1 ---------------------------------------------------------
def _windows_host(host: Any, script: str, values: Dict[str, Any], check: bool) -> Outcome:
    port = int(values["Port"])
    facts: Dict[str, Any] = {
        "port": port,
        "error": None,
        "bindings": [],
        "certificates": [],
        "config_test": None,
        "administrators": None,
    }
    if "Web-Server" not in host.state["features"]:
        facts["error"] = (
            "IIS is not installed on this host: "
            "C:\\Windows\\System32\\inetsrv\\Microsoft.Web.Administration.dll is missing"
        )
        return False, json.dumps(facts), None, []
    facts["config_test"] = {
        "command": "IIS configuration load (Microsoft.Web.Administration, appcmd list config)",
        "rc": 0,
        "output": "",
    }
    for name, site in sorted(host.state["sites"].items()):
        for b in site["bindings"]:
            if b["protocol"] == "https" and int(b["port"]) == port:
                facts["bindings"].append(
                    {
                        "site": name,
                        "binding": f"{b['ip']}:{b['port']}:{b['hostname']}",
                        "thumbprint": b.get("certificate_hash"),
                        "store": b.get("store") or "My",
                        "central_certificate_store": bool(int(b.get("ssl_flags", 0)) & 2),
                    }
                )
    seen = set()
    for b in facts["bindings"]:
        path = f"Cert:\\LocalMachine\\{b['store']}\\{b['thumbprint']}"
        if path in seen:
            continue
        seen.add(path)
        cert = host.state["certs"].get(b["store"], {}).get(b["thumbprint"])
        entry: Dict[str, Any] = {
            "path": path,
            "thumbprint": b["thumbprint"],
            "store": b["store"],
            "found": cert is not None,
        }
        entry.update(sha256=None, subject=None, private_key=None)
        if cert is not None:
            entry["sha256"] = hashlib.sha256(b["thumbprint"].encode()).hexdigest()
            entry["subject"] = "CN=www.example.com"
            container = hashlib.md5(b["thumbprint"].encode()).hexdigest()
            folder = "Keys" if cert["provider"] == KSP else "RSA\\MachineKeys"
            entry["private_key"] = {
                "provider": cert["provider"],
                "container": container,
                "file": f"C:\\ProgramData\\Microsoft\\Crypto\\{folder}\\{container}",
                "owner": {"sid": "S-1-5-18", "principal": "NT AUTHORITY\\SYSTEM"},
                "acl": [
                    {
                        "sid": "S-1-5-18",
                        "principal": "NT AUTHORITY\\SYSTEM",
                        "type": "Allow",
                        "rights": 2032127,
                        "inherit_only": False,
                    },
                    {
                        "sid": "S-1-5-32-544",
                        "principal": "BUILTIN\\Administrators",
                        "type": "Allow",
                        "rights": 2032127,
                        "inherit_only": False,
                    },
                ],
                "error": None,
            }
        facts["certificates"].append(entry)
    facts["administrators"] = ["S-1-5-21-1004336348-1177238915-682003330-500"]
    return False, json.dumps(facts), None, []


# -- roles/iis/files/schannel_policy.ps1 (issue 14, item 7) ------------------------------------------
def _schannel_policy(host: Any, script: str, values: Dict[str, Any], check: bool) -> Outcome:
    """RSOP_RegistryPolicySetting records of precedence 1 (``group_policy`` in the state: registryKey without the
    hive, valueName, valueType, the value decoded as the script decodes it, and the GPO's name from RSOP_GPO)."""
    wanted = {}
    for value in values.get("Values") or []:
        path = re.sub(r"^HKLM:\\", "", str(value["path"]), flags=re.I)
        wanted[(path + "\\" + str(value["name"])).lower()] = value
    owned = []
    for record in host.state.get("group_policy") or []:
        key = (str(record["registryKey"]) + "\\" + str(record["valueName"])).lower()
        if key in wanted:
            owned.append(
                {
                    "path": wanted[key]["path"],
                    "name": wanted[key]["name"],
                    "gpo": record["gpo"],
                    "value": record["value"],
                }
            )
    return False, {"gpo_owned": owned, "rsop_read": True, "error": None}, None, []


def _failure(message: str) -> Exception:
    return ModuleFailure(message)
