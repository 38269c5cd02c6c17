# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HOST-03 on Windows: who may read the private key of a certificate, from the key file's access rules.

The compliance role reads the rules with PowerShell (``compliance.windows.iis_host_facts`` shapes
them); :func:`check_key_acl` judges them. Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

import re
from typing import Any, Iterable, List, Mapping

from ansible_collections.webedge.https.plugins.module_utils.compliance.finding import Finding, new_finding

__all__ = ["check_key_acl"]

# Windows key files: well-known principals that may read a machine key. SYSTEM, Administrators,
# NETWORK SERVICE (which IIS 6-era tools granted) and the IIS application pool identities (S-1-5-82-*).
_WINDOWS_KEY_READERS = {
    "S-1-5-18": "NT AUTHORITY\\SYSTEM",
    "S-1-5-32-544": "BUILTIN\\Administrators",
    "S-1-5-20": "NT AUTHORITY\\NETWORK SERVICE",
}
_IIS_APPPOOL_SID = re.compile(r"^S-1-5-82-")
_BUILTIN_ADMINISTRATOR_SID = re.compile(r"^S-1-5-21-\d+-\d+-\d+-500$")
# Rights that let a principal read the key file, or give itself that right: ReadData, WRITE_DAC,
# WRITE_OWNER, GENERIC_ALL, GENERIC_READ (FileSystemRights, as a 32-bit mask).
_WINDOWS_READ_RIGHTS = 0x00000001 | 0x00040000 | 0x00080000 | 0x10000000 | 0x80000000


def _windows_reader_allowed(sid: str, principal: str, extra: Iterable[str]) -> bool:
    if sid in _WINDOWS_KEY_READERS or _IIS_APPPOOL_SID.match(sid) or _BUILTIN_ADMINISTRATOR_SID.match(sid):
        return True
    wanted = {str(e).lower() for e in extra}
    return sid.lower() in wanted or principal.lower() in wanted


def check_key_acl(fact: Mapping[str, Any], target: str) -> Finding:
    """HOST-03 on Windows: the access rules of the file that holds the certificate's private key."""
    path = fact.get("path", "certificate")
    if fact.get("error") or fact.get("acl") is None:
        reason = fact.get("error") or "access rules unknown"
        return new_finding("HOST-03", "error", f"private key of {path}: {reason}", target)
    extra = [*(fact.get("allowed") or []), *(fact.get("administrators") or [])]
    where = f"private key of {path} ({fact['file']})" if fact.get("file") else f"private key of {path}"
    readers: List[str] = []
    others: List[str] = []
    for ace in fact["acl"]:
        if str(ace.get("type", "")).lower() != "allow" or ace.get("inherit_only"):
            continue
        try:
            rights = int(ace.get("rights") or 0) & 0xFFFFFFFF
        except (TypeError, ValueError):
            return new_finding("HOST-03", "error", f"{where}: rights of {ace.get('principal')} unknown", target)
        if not rights & _WINDOWS_READ_RIGHTS:
            continue
        sid = str(ace.get("sid") or "")
        name = str(ace.get("principal") or sid)
        (readers if _windows_reader_allowed(sid, name, extra) else others).append(name)
    owner = fact.get("owner") or {}
    owner_sid = str(owner.get("sid") or "")
    owner_name = str(owner.get("principal") or owner_sid)
    if owner_sid and not _windows_reader_allowed(owner_sid, owner_name, extra) and owner_name not in others:
        others.append(f"{owner_name} (owner, can change the access rules)")
    expected = [*_WINDOWS_KEY_READERS.values(), "IIS AppPool\\*", *(fact.get("allowed") or [])]
    if others:
        return new_finding(
            "HOST-03",
            "fail",
            f"{where} is readable by {', '.join(others)}",
            target,
            observed=sorted(set(readers + others)),
            expected=expected,
        )
    shown = ", ".join(sorted(set(readers))) or "nobody"
    return new_finding(
        "HOST-03",
        "pass",
        f"{where} is readable only by {shown}",
        target,
        observed=sorted(set(readers)),
        expected=expected,
    )
