# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for ``webedge.https.compliance_info``: the module on Linux, PowerShell on Windows.

* Linux (and every host Ansible does not talk PowerShell to): the module runs exactly as it
  would without this plugin (as ``ansible.builtin.normal`` runs it): ONE module run.
* Windows: no module runs. The options are validated with the module's own argument spec
  (``module_utils/specs/compliance_info.py``) and the same option checks, so bad input fails
  before any command; then ``plugin_utils/windows/compliance.py`` reads the listeners, the
  firewall and the services in ONE PowerShell round trip and answers here.
"""

from __future__ import annotations

from typing import Any, Dict

from ansible_collections.webedge.https.plugins.module_utils.firewall.model import FirewallError
from ansible_collections.webedge.https.plugins.module_utils.specs import compliance_info as spec
from ansible_collections.webedge.https.plugins.plugin_utils.actions import ModuleOrPowerShellAction
from ansible_collections.webedge.https.plugins.plugin_utils.windows.compliance import check, run
from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import PowerShellRunner


class ActionModule(ModuleOrPowerShellAction):
    MODULE_NAME = "webedge.https.compliance_info"
    SPEC = spec
    USER_ERRORS = (FirewallError,)

    def _windows(self, args: Dict[str, Any], runner: PowerShellRunner, task_vars: Dict[str, Any]) -> Dict[str, Any]:
        """One round trip (three reads); the exposure and the verdicts are computed here (no module)."""
        return run(check(args), runner)
