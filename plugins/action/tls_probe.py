# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action for webedge.https.tls_probe: probe in-process when the task runs on the controller.

Shipping a module to the controller still costs a new Python process, the module's zip and its
imports (about half a second a task, more on a loaded machine), while the probe itself often takes
a tenth of that. When the task's connection is ``local`` and nothing would change how the module
runs (privilege escalation, ``environment``, ``async``), this plugin calls the same
``run_probe_task`` the module calls, here, and gives it the controller's ``cryptography``-based
certificate reader (``plugin_utils/tls/certificate_reader.py``): only in-process probes report a
certificate's key, signature, self-signature and chain completeness. Everywhere else it runs the
module as usual.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

from ansible_collections.webedge.https.plugins.module_utils.compliance.probe_task import (
    ProbeTaskError,
    run_probe_task,
)
from ansible_collections.webedge.https.plugins.module_utils.specs.tls_probe import module_kwargs
from ansible_collections.webedge.https.plugins.plugin_utils.tls.certificate_reader import controller_reader


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True  # the probe only reads
    _supports_async = True  # async tasks run the module, as the builtin action would

    def _runs_in_process(self) -> bool:
        """True when executing the module would run it on this machine, as this user, unchanged."""
        return (
            getattr(self._connection, "transport", None) == "local"
            and not self._play_context.become
            and not self._task.async_val
            and not self._environment()
        )

    def _environment(self) -> Dict[str, Any]:
        """The task's ``environment`` as the module would get it (keywords templated and merged)."""
        environment: Dict[str, Any] = {}
        self._compute_environment_string(environment)
        return environment

    def _run_module(self, result: Dict[str, Any], task_vars: Dict[str, Any]) -> Dict[str, Any]:
        """Execute the module where the task runs, as ``ansible.builtin.normal`` would.

        Not ``plugin_utils.actions.run_module_as_normal``: that module brings the Windows drivers along, and
        Ansible compiles every module of ours an action imports from source on every run (this plugin is
        loaded in every compliance play).
        """
        wrap_async = bool(self._task.async_val) and not self._connection.has_native_async
        answer = self._execute_module(task_vars=task_vars, wrap_async=wrap_async)
        result = merge_hash(result, answer)
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def run(self, tmp: Optional[str] = None, task_vars: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp
        if not self._runs_in_process():
            return self._run_module(result, task_vars)

        _validation, args = self.validate_argument_spec(**module_kwargs())
        try:
            outcome = run_probe_task(args, reader=controller_reader())
        except ProbeTaskError as exc:
            raise AnsibleActionFail(str(exc)) from None
        result.update(changed=False, results=outcome.results)
        if outcome.warnings:
            result["warnings"] = list(outcome.warnings)
        if outcome.failure:
            result.update(failed=True, msg=outcome.failure)
        return result
