# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action-only plugin ``webedge.https.tls_lab_ca``: a lab CA and its certificates, on the controller.

Nothing runs on the host and nothing goes over the network: keys and certificates are
made with ``cryptography`` in a controller directory (``plugin_utils/tls/lab_ca.py``).
A file lock serialises hosts that issue into the same directory at the same time.
"""

from __future__ import annotations

import fcntl
import os
from typing import Any, Dict, List, Optional

from ansible.errors import AnsibleActionFail

from ansible_collections.webedge.https.plugins.module_utils.specs.tls_lab_ca import module_kwargs
from ansible_collections.webedge.https.plugins.plugin_utils.tls import lab_ca
from ansible_collections.webedge.https.plugins.plugin_utils.tls.controller_action import ControllerAction

IMPORT_ERROR: Optional[str] = None if lab_ca.HAS_CRYPTOGRAPHY else lab_ca.CRYPTOGRAPHY_IMPORT_ERROR

_CERT_MODE = 0o644
_KEY_MODE = 0o600


def _safe_name(name: str) -> str:
    if not name or name.startswith(".") or "/" in name or "\0" in name:
        raise AnsibleActionFail(
            f"certificates: name {name!r} must be a plain file name (no '/', not starting with '.')"
        )
    if name in ("ca", "intermediate"):
        raise AnsibleActionFail(f"certificates: name {name!r} is reserved for the CA files")
    return name


class ActionModule(ControllerAction):
    _requires_connection = False

    def _run(self, result: Dict[str, Any], task_vars: Dict[str, Any]) -> Dict[str, Any]:
        _validation, args = self.validate_argument_spec(**module_kwargs())
        if IMPORT_ERROR:
            raise AnsibleActionFail(
                f"tls_lab_ca needs the Python 'cryptography' library on the controller: {IMPORT_ERROR}"
            )
        check = bool(self._task.check_mode)
        dest = args["dest"]
        names = [_safe_name(item["name"]) for item in args["certificates"]]
        if len(set(names)) != len(names):
            raise AnsibleActionFail("certificates: names must be unique")
        if not os.path.isdir(dest):
            if check:
                result.update(changed=True, msg=f"would create {dest} and a lab CA in it")
                return result
            os.makedirs(dest, mode=0o700, exist_ok=True)
        with open(os.path.join(dest, ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                result.update(self._ensure(args, dest, check))
            except lab_ca.LabCAError as exc:
                raise AnsibleActionFail(str(exc)) from None
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return result

    def _ensure(self, args: Dict[str, Any], dest: str, check: bool) -> Dict[str, Any]:
        created: List[str] = []

        def path(name: str, ext: str) -> str:
            return os.path.join(dest, f"{name}.{ext}")

        def store(name: str, issued: lab_ca.Issued) -> None:
            if issued.created:
                created.append(name)
                if not check:
                    lab_ca.write_file(path(name, "key"), issued.key_pem, _KEY_MODE)
                    lab_ca.write_file(path(name, "crt"), issued.cert_pem, _CERT_MODE)

        def ca(stem: str, common_name: str, issuer: Any, path_length: int) -> Any:
            """The CA in ``stem``.crt/.key (kept or made, and stored); returns its signing pair."""
            issued = lab_ca.ensure_ca(
                path(stem, "crt"),
                path(stem, "key"),
                common_name=common_name,
                key_type=args["key_type"],
                valid_days=args["ca_valid_days"],
                renew_days=args["renew_days"],
                issuer=issuer,
                path_length=path_length,
            )
            store(stem, issued)
            return lab_ca.load_pair(issued.cert_pem, issued.key_pem)

        signer = ca("ca", args["ca_common_name"], None, 1 if args["intermediate"] else 0)
        chain_file: Optional[str] = None
        if args["intermediate"]:
            signer = ca("intermediate", args["intermediate_common_name"], signer, 0)
            chain_file = path("intermediate", "crt")
        certificates: Dict[str, Dict[str, Any]] = {}
        for item in args["certificates"]:
            name = item["name"]
            issued = lab_ca.ensure_leaf(
                path(name, "crt"),
                path(name, "key"),
                hostnames=item["hostnames"],
                issuer=signer,
                key_type=item.get("key_type") or args["key_type"],
                valid_days=args["valid_days"],
                renew_days=args["renew_days"],
            )
            store(name, issued)
            certificates[name] = {
                "certificate": path(name, "crt"),
                "private_key": path(name, "key"),
                "chain": chain_file,
                "hostnames": list(item["hostnames"]),
                "created": issued.created,
                "reason": issued.reason,
            }
        return {
            "changed": bool(created),
            "created": created,
            "ca_certificate": path("ca", "crt"),
            "chain": chain_file,
            "certificates": certificates,
        }
