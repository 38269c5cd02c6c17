# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ``webedge.https.firewall_info``: the module on Linux, PowerShell on Windows.

* Linux (and every host Ansible does not talk PowerShell to): the module runs exactly as it
  would without this plugin (as ``ansible.builtin.normal`` runs it: check mode and async
  included, the remote temporary directory removed afterwards).
* Windows: no module runs. The options are validated with the module's own argument spec
  (``module_utils/firewall/info_spec.py``) and the same option checks, so bad input fails
  before any command; then ``module_utils/firewall/windows_info.py`` reads the firewall with
  ONE PowerShell script over this connection and computes the same result here.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

from ansible_collections.webedge.https.plugins.module_utils.firewall import info_spec, windows_info
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import FirewallError
from ansible_collections.webedge.https.plugins.module_utils.windows_ps import PowerShellError
from ansible_collections.webedge.https.plugins.plugin_utils.windows import PowerShellRunner, is_windows

MODULE_NAME = "webedge.https.firewall_info"


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True  # the module and the Windows read only read
    _supports_async = True

    def run(self, tmp: Any = None, task_vars: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        result = super().run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        if is_windows(self._connection, task_vars or {}):
            result.update(self._windows())
            return result
        wrap_async = bool(self._task.async_val) and not self._connection.has_native_async
        answer = self._execute_module(module_name=MODULE_NAME, task_vars=task_vars, wrap_async=wrap_async)
        result = merge_hash(result, answer)
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _windows(self) -> Dict[str, Any]:
        """Windows: validate, then one read script; the result is built here (no module)."""
        if self._task.async_val:
            return {
                "failed": True,
                "changed": False,
                "msg": "async is not supported for firewall_info on Windows hosts (the controller does the work);"
                " run the task without async",
            }
        try:
            _validation, args = self.validate_argument_spec(argument_spec=info_spec.argument_spec())
            request, interface = windows_info.check_request(args)
        except AnsibleActionFail as exc:
            return {"failed": True, "changed": False, "msg": to_text(exc.message)}
        except FirewallError as exc:
            return {"failed": True, "changed": False, "msg": str(exc)}
        try:
            return windows_info.run(request, interface, PowerShellRunner(self._low_level_execute_command))
        except (FirewallError, PowerShellError) as exc:
            return {"failed": True, "changed": False, "msg": str(exc)}
