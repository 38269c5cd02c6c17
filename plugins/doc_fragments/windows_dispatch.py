# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared blocks of modules that run as a module on Linux and as PowerShell from the controller on Windows.

Use beside ``webedge.https.attributes`` (which describes each attribute); a module's own keys win
over these (key by key: a module that changes an attribute's ``support`` states its ``details`` too).
"""


class ModuleDocFragment:
    # The module on Linux hosts; on Windows hosts its action plugin does the work with PowerShell.
    DOCUMENTATION = r"""
options: {}
attributes:
  action:
    support: full
    details: The action plugin runs the module on Linux hosts and does the work itself, with PowerShell over the
      task's connection, on Windows hosts.
  async:
    support: partial
    details: On Linux hosts as for any module. On Windows hosts the task fails before anything runs.
  become:
    support: partial
    details: On Linux hosts as for any module. On Windows hosts it is not used; the connection's user does the work.
  bypass_host_loop:
    support: none
  connection:
    support: full
  delegation:
    support: full
  platform:
    platforms: [posix, windows]
    details: Linux as a module; Windows through the action plugin and PowerShell (see the notes), not yet run
      against a real Windows host.
  safe_file_operations:
    support: none
    details: Writes no file.
  vault:
    support: none
    details: No option names a file to read.
notes:
  - "Windows: no module runs on the host. The action plugin validates the options on the controller with the
    module's own argument spec, so bad input fails before anything is sent, then sends PowerShell over the task's
    connection: the command line is only a fixed stub, the script travels on standard input with its input as
    base64 JSON (no option value is ever written into PowerShell code), and the script answers with one line of
    JSON. Become is not used."
  - "Windows: verified only on the controller side (Python unit tests against a simulated host whose answers
    follow Microsoft's documented object shapes, and a PowerShell grammar check of every script sent); not yet
    run against a real Windows host. Needs Windows PowerShell 5.1 (Windows Server 2012 or later) in
    FullLanguage mode."
"""
