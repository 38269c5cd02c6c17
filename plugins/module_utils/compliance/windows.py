# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The facts of an IIS host, as read by the compliance role's PowerShell script, in the shapes of HostFacts.

``roles/compliance/files/windows_host.ps1`` returns, for the audited port, the IIS https bindings,
the certificates they name (store path, SHA-256 of the DER, where the private key lives and that
file's owner and access rules), the configuration load and the members of Administrators.
:func:`iis_host_facts` turns that into what the host checks read: one ``PrivateKeyFact`` per bound
certificate (with ``acl``, which makes HOST-03 read access rules instead of a mode), one
certificate entry per bound certificate (``on_disk`` = the store's SHA-256) and the ``config_test``.

Plain data in, plain data out; runs anywhere (Python 3.8+, standard library only).
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence

__all__ = ["iis_host_facts"]


def _binding_label(binding: Mapping[str, Any]) -> str:
    return f"https binding {binding.get('binding')} of site '{binding.get('site')}'"


def iis_host_facts(read: Mapping[str, Any], *, key_readers: Sequence[str] = ()) -> Dict[str, Any]:
    """The script's JSON (as a mapping) -> ``private_keys``, ``certificate_files``, ``config_test``, ``error``.

    ``error`` is set when the script could not read IIS at all (IIS missing, the task failed); the
    lists are then empty and ``config_test`` is None. ``key_readers`` are principals (names or SIDs)
    allowed to read the keys besides the built-in ones.
    """
    error: Optional[str] = read.get("error") or None
    keys: List[Dict[str, Any]] = []
    files: List[Dict[str, Any]] = []
    if error:
        return {"private_keys": keys, "certificate_files": files, "config_test": None, "error": str(error)}
    administrators = read.get("administrators")
    certificates = {str(c.get("path")): c for c in read.get("certificates") or []}
    seen = set()
    for binding in read.get("bindings") or []:
        if binding.get("central_certificate_store") or not binding.get("thumbprint"):
            why = (
                "uses the Central Certificate Store; its key is not checked"
                if binding.get("central_certificate_store")
                else "names no certificate"
            )
            keys.append({"path": _binding_label(binding), "acl": None, "error": why})
            continue
        path = f"Cert:\\LocalMachine\\{binding.get('store') or 'My'}\\{binding['thumbprint']}"
        if path in seen:
            continue
        seen.add(path)
        cert = certificates.get(path)
        if cert is None or not cert.get("found"):
            keys.append(
                {"path": path, "acl": None, "error": f"named by the {_binding_label(binding)}, not in the store"}
            )
            files.append({"path": path, "on_disk": None, "missing": True})
            continue
        files.append({"path": path, "on_disk": cert.get("sha256")})
        key = cert.get("private_key") or {}
        keys.append(
            {
                "path": path,
                "file": key.get("file"),
                "owner": key.get("owner"),
                "acl": key.get("acl"),
                "error": key.get("error") or (None if key else "private key not inspected"),
                "allowed": list(key_readers),
                "administrators": list(administrators) if administrators is not None else None,
            }
        )
    return {"private_keys": keys, "certificate_files": files, "config_test": read.get("config_test"), "error": None}
