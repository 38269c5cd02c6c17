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

from typing import Any, Dict

from ansible_collections.webedge.https.plugins.module_utils.firewall import info_spec, windows_info
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import FirewallError
from ansible_collections.webedge.https.plugins.plugin_utils.actions import ModuleOrPowerShellAction
from ansible_collections.webedge.https.plugins.plugin_utils.windows import PowerShellRunner


class ActionModule(ModuleOrPowerShellAction):
    MODULE_NAME = "webedge.https.firewall_info"
    USER_ERRORS = (FirewallError,)

    def _windows(self) -> Dict[str, Any]:
        """Validate, then one read script; the verdicts are computed here (no module)."""
        _validation, args = self.validate_argument_spec(argument_spec=info_spec.argument_spec())
        request, interface = windows_info.check_request(args)
        return windows_info.run(request, interface, PowerShellRunner(self._low_level_execute_command))
