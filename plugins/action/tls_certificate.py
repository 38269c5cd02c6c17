# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ``webedge.https.tls_certificate``: validate on the controller, then install on the host.

1. Read the material: inline content, controller files (vault-aware, searched like
   ``copy``'s ``src``), or host files with ``remote_src`` (fetched with ``slurp``). A key
   given as ``host_private_key`` is never read here: the module checks it on the host.
2. Validate it with ``plugin_utils/tls/certificate.py`` (``cryptography``). Any failure
   ends the task here: nothing has reached the host.
3. Run the module with the validated PEM only (the key in a ``no_log`` option), then
   describe the change: returned facts, and a diff of metadata and fingerprints.
"""

from __future__ import annotations

import base64
import dataclasses
from typing import Any, Dict, List, Optional

from ansible.errors import AnsibleActionFail, AnsibleError, AnsibleFileNotFound
from ansible.module_utils.common.text.converters import to_native, to_text

from ansible_collections.webedge.https.plugins.module_utils.specs import tls_certificate as spec
from ansible_collections.webedge.https.plugins.plugin_utils.tls import certificate as tls_cert
from ansible_collections.webedge.https.plugins.plugin_utils.tls.certificate import (
    CRYPTOGRAPHY_IMPORT_ERROR,
    HAS_CRYPTOGRAPHY,
)
from ansible_collections.webedge.https.plugins.plugin_utils.tls.certificate_diff import (
    build_diff,
    certificate_pems,
    describe_certificates,
)
from ansible_collections.webedge.https.plugins.plugin_utils.tls.controller_action import ControllerAction

MODULE_NAME = "webedge.https.tls_certificate"
_SOURCES = (
    ("certificate", "certificate_content"),
    ("private_key", "private_key_content"),
    ("chain", "chain_content"),
)


def directory_diffs(directories: List[Dict[str, Any]]) -> List[Dict[str, str]]:
    """One diff per directory of the ``directories`` option that is created or whose owner, group or mode changes."""

    def lines(state: Dict[str, Any]) -> str:
        return f"state: directory\nowner_uid: {state['uid']}\ngroup_gid: {state['gid']}\nmode: {state['mode']}\n"

    diffs = []
    for entry in directories:
        if not entry.get("changed"):
            continue
        before = entry["before"]
        diffs.append(
            {
                "before_header": entry["path"] + ("" if before["exists"] else " (absent)"),
                "after_header": entry["path"],
                "before": lines(before) if before["exists"] else "",
                "after": lines(entry),
            }
        )
    return diffs


class ActionModule(ControllerAction):
    _requires_connection = True

    def _read_controller(self, path: str, what: str) -> str:
        try:
            found = self._find_needle("files", path)
        except AnsibleError as exc:
            raise AnsibleActionFail(f"{what}: {path} not found on the controller ({to_native(exc)})") from None
        try:
            real = self._loader.get_real_file(found, decrypt=True)
        except AnsibleFileNotFound:
            raise AnsibleActionFail(f"{what}: {path} not found on the controller") from None
        try:
            with open(real, "rb") as handle:
                return to_text(handle.read(), errors="surrogate_or_strict")
        finally:
            self._loader.cleanup_tmp_file(real)

    def _read_remote(self, path: str, what: str, task_vars: Dict[str, Any]) -> str:
        result = self._execute_module(
            module_name="ansible.legacy.slurp", module_args={"src": path}, task_vars=task_vars
        )
        if result.get("failed"):
            # slurp's messages name the path, never the content
            raise AnsibleActionFail(f"{what}: cannot read {path} on the host: {result.get('msg', 'unknown error')}")
        return to_text(base64.b64decode(result["content"]), errors="surrogate_or_strict")

    def _source(
        self, args: Dict[str, Any], path_opt: str, content_opt: str, task_vars: Dict[str, Any]
    ) -> Optional[str]:
        if args.get(content_opt) is not None:
            return to_text(args[content_opt])
        path = args.get(path_opt)
        if not path:
            return None
        if args["remote_src"]:
            return self._read_remote(path, path_opt, task_vars)
        return self._read_controller(path, path_opt)

    def _run(self, result: Dict[str, Any], task_vars: Dict[str, Any]) -> Dict[str, Any]:
        _validation, args = self.validate_argument_spec(**spec.module_kwargs())
        if not HAS_CRYPTOGRAPHY:
            raise AnsibleActionFail(
                "tls_certificate needs the Python 'cryptography' library on the controller: "
                f"{CRYPTOGRAPHY_IMPORT_ERROR}"
            )
        key_given = any(args.get(k) is not None for k in ("private_key", "private_key_content", "host_private_key"))
        if args.get("key_path") and not key_given:
            raise AnsibleActionFail(
                "key_path is set but no private key was given (private_key, private_key_content or host_private_key)"
            )
        if args.get("chain_path") and args.get("chain") is None and args.get("chain_content") is None:
            raise AnsibleActionFail("chain_path is set but no chain was given (chain or chain_content)")

        try:
            sources = {name: self._source(args, name, content, task_vars) for name, content in _SOURCES}
            material = tls_cert.validate(
                certificate=sources["certificate"] or "",
                private_key=sources["private_key"],
                chain=sources["chain"],
                passphrase=args.get("private_key_passphrase"),
                decrypt_private_key=args["decrypt_private_key"],
                hostnames=args["hostnames"],
                min_days_valid=args["min_days_valid"],
                key_types=args["key_types"],
                min_rsa_bits=args["min_rsa_bits"],
            )
        except tls_cert.CertificateError as exc:
            raise AnsibleActionFail(f"certificate validation failed: {exc}") from None
        finally:
            sources = {}

        module_args = {key: args.get(key) for key in spec.MODULE_ONLY_OPTIONS}
        module_args["certificate_content"] = to_text(material.certificate_pem)
        module_args["chain_content"] = to_text(material.chain_pem) if material.chain_pem else None
        module_args["private_key_content"] = (
            to_text(material.private_key_pem) if material.private_key_pem is not None else None
        )
        module_args = {k: v for k, v in module_args.items() if v is not None}

        module_result = self._execute_module(module_name=MODULE_NAME, module_args=module_args, task_vars=task_vars)
        module_result.pop("invocation", None)  # the key is masked there, but keep results free of it altogether
        if module_result.get("failed"):
            result.update(module_result)
            return result

        host_key_sha256 = module_result.pop("host_private_key_public_sha256", None)
        if host_key_sha256:
            # the key stayed on the host; the module checked it there and names it by its public key
            material = dataclasses.replace(material, private_key_public_sha256=host_key_sha256)
        info = material.info
        chain_meta = []
        for pem in certificate_pems(material.chain_pem):
            chain_meta.extend(describe_certificates([pem]))
        files = module_result.get("files", [])
        result.update(module_result)
        result.update(info.to_dict(), chain_length=material.chain_length, chain_subjects=material.chain_subjects)
        if material.private_key_public_sha256:
            result["private_key_public_sha256"] = material.private_key_public_sha256
        if self._task.diff:
            result["diff"] = (
                directory_diffs(module_result.get("directories", []))
                + build_diff(files, material, chain_meta)
                + [
                    # named, never shown: a staged key file holds key material
                    {
                        "before_header": path,
                        "after_header": f"{path} (removed)",
                        "before": "staged by a killed run\n",
                        "after": "",
                    }
                    for path in module_result.get("stale_files", [])
                ]
            )
        for entry in files:
            entry["before"].pop("certificates", None)  # described in the diff; keep results small
        if material.warnings:
            result.setdefault("warnings", []).extend(material.warnings)
        return result
