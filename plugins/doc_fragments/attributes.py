# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What each attribute means; every module uses this fragment and says only its own support."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options: {}
attributes:
  action:
    description: Has an action plugin that runs on the controller before or instead of the module.
  async:
    description: Supports being used with the C(async) keyword.
  become:
    description: Is usable alongside C(become) keywords.
  bypass_host_loop:
    description: Runs once for the play instead of once per host.
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
  connection:
    description: Uses the target's configured connection information to execute code on it.
  delegation:
    description: Can be used in conjunction with C(delegate_to) and related keywords.
  diff_mode:
    description:
      Will return details on what has changed (or possibly needs changing in C(diff_mode)), when in diff mode.
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
  safe_file_operations:
    description: Uses Ansible's strict file operation functions to ensure proper permissions and avoid data corruption.
  vault:
    description: Can automatically decrypt Ansible vaulted files.
"""
