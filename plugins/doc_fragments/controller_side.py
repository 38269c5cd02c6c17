# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared blocks of modules whose work runs inside Ansible's own process on the controller.

Use beside ``webedge.https.attributes`` (which describes each attribute); a module's own keys win
over these, so a module states here only what differs.
"""


class ModuleDocFragment:
    # An action-only module: its action plugin does all the work on the controller, no module is sent.
    DOCUMENTATION = r"""
options: {}
attributes:
  action:
    support: full
    details: The action plugin does all the work, inside Ansible's own process on the controller.
  async:
    support: none
  become:
    support: none
    details: Nothing runs on the managed host, so there is nothing to escalate.
  connection:
    support: none
    details: No connection to the managed host is opened.
  delegation:
    support: none
    details: The work always happens on the controller, wherever the task is delegated.
  platform:
    support: N/A
    platforms: all
    details: Runs on the controller only; the managed host can be of any kind.
"""

    # Controller code that uses the cryptography library (an ansible-core dependency).
    CRYPTOGRAPHY = r"""
options: {}
requirements:
  - cryptography >= 40.0 on the controller
"""

    # A module whose action plugin runs the module's own code in-process when the task runs on the controller.
    IN_PROCESS = r"""
options: {}
attributes:
  action:
    support: full
    details: On the controller (a C(local) connection without C(become), C(environment) or C(async)) the action
      plugin runs the module's code inside Ansible's own process instead of starting a new Python process;
      everywhere else it runs the module.
notes:
  - On the controller (a C(local) connection without privilege escalation, C(environment) or C(async)) the action
    plugin runs the module's code inside Ansible's own process instead of starting the module as a new Python
    process. The options, checks and results are the same either way, except for what needs a library that only
    the controller has (see the module's description).
"""
