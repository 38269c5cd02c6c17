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
from ansible.plugins.action import ActionBase

from ansible_collections.webedge.https.plugins.module_utils.specs.tls_lab_ca import module_kwargs
from ansible_collections.webedge.https.plugins.plugin_utils.tls import lab_ca

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


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp: Optional[str] = None, task_vars: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """Failures come back as a failed result (not an exception), so ``failed_when`` and ``register`` see them."""
        try:
            return self._run(tmp, task_vars)
        except AnsibleActionFail as exc:
            return {"failed": True, "changed": False, "msg": exc.message}

    def _run(self, tmp: Optional[str] = None, task_vars: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        result = super().run(tmp, task_vars or {})
        del tmp
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

        root = lab_ca.ensure_ca(
            path("ca", "crt"),
            path("ca", "key"),
            common_name=args["ca_common_name"],
            key_type=args["key_type"],
            valid_days=args["ca_valid_days"],
            renew_days=args["renew_days"],
            path_length=1 if args["intermediate"] else 0,
        )
        store("ca", root)
        signer = lab_ca.load_pair(root.cert_pem, root.key_pem)
        chain_file: Optional[str] = None
        if args["intermediate"]:
            inter = lab_ca.ensure_ca(
                path("intermediate", "crt"),
                path("intermediate", "key"),
                common_name=args["intermediate_common_name"],
                key_type=args["key_type"],
                valid_days=args["ca_valid_days"],
                renew_days=args["renew_days"],
                issuer=signer,
                path_length=0,
            )
            store("intermediate", inter)
            signer = lab_ca.load_pair(inter.cert_pem, inter.key_pem)
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
