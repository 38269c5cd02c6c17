# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ``webedge.https.listening_ports``: the module on Linux, PowerShell on Windows.

* Linux (and every host Ansible does not talk PowerShell to): the module runs exactly as it
  would without this plugin (as ``ansible.builtin.normal`` runs it: check mode and async
  included, the remote temporary directory removed afterwards).
* Windows: no module runs. The options are validated with the module's own argument spec
  (``module_utils/listening/spec.py``) and ``parse_query``, so bad input fails before any
  command; then ``module_utils/listening/windows.py`` reads the listeners with ONE PowerShell
  script over this connection and builds the same result with the same checks.
"""

from __future__ import annotations

from typing import Any, Dict

from ansible_collections.webedge.https.plugins.module_utils.listening import spec, windows
from ansible_collections.webedge.https.plugins.module_utils.listening.report import QueryError, parse_query
from ansible_collections.webedge.https.plugins.plugin_utils.actions import ModuleOrPowerShellAction
from ansible_collections.webedge.https.plugins.plugin_utils.windows import PowerShellRunner


class ActionModule(ModuleOrPowerShellAction):
    MODULE_NAME = "webedge.https.listening_ports"
    USER_ERRORS = (QueryError,)

    def _windows(self) -> Dict[str, Any]:
        """Validate, then one read script; the result is built here (no module)."""
        _validation, args = self.validate_argument_spec(argument_spec=spec.argument_spec())
        query = parse_query(args)
        return windows.run(query, PowerShellRunner(self._low_level_execute_command))
