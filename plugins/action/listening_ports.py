# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ``webedge.https.listening_ports``: the module on Linux, PowerShell on Windows.

* Linux (and every host Ansible does not talk PowerShell to): the module runs exactly as it
  would without this plugin (as ``ansible.builtin.normal`` runs it: check mode and async
  included, the remote temporary directory removed afterwards).
* Windows: no module runs. The options are validated with the module's own argument spec
  (``module_utils/specs/listening_ports.py``) and ``parse_query``, so bad input fails before any
  command; then ``plugin_utils/windows/listening.py`` reads the listeners with ONE PowerShell
  script over this connection and builds the same result with the same checks.
"""

from __future__ import annotations

from typing import Any, Dict

from ansible_collections.webedge.https.plugins.module_utils.listening.query import QueryError, parse_query
from ansible_collections.webedge.https.plugins.module_utils.specs import listening_ports as spec
from ansible_collections.webedge.https.plugins.plugin_utils.actions import ModuleOrPowerShellAction
from ansible_collections.webedge.https.plugins.plugin_utils.windows.listening import run
from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import PowerShellRunner


class ActionModule(ModuleOrPowerShellAction):
    MODULE_NAME = "webedge.https.listening_ports"
    SPEC = spec
    USER_ERRORS = (QueryError,)

    def _windows(self, args: Dict[str, Any], runner: PowerShellRunner, task_vars: Dict[str, Any]) -> Dict[str, Any]:
        """One read script; the result is built here (no module)."""
        return run(parse_query(args), runner)
