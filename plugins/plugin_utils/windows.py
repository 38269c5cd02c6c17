# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side plumbing for action plugins that serve Windows hosts without a module.

* :func:`is_windows`: Ansible talks PowerShell to this host.
* :class:`PowerShellRunner`: the runner the Windows code in ``module_utils`` is given; each
  ``run`` is ONE round trip over the task's connection: the command line is only the stub
  (``module_utils/windows_ps.STUB``), the script travels on standard input.
* :func:`connection_ports`: the port(s) the task arrives on (for lockout guards).

The scripts themselves, their input encoding and the parsing of their JSON answer live in
``module_utils/windows_ps.py`` (plain Python, unit-tested without Ansible).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Tuple

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_bytes, to_text

from ansible_collections.webedge.https.plugins.module_utils.windows_ps import STUB, PowerShellError, encode_command

__all__ = ["DEFAULT_PORTS", "WINDOWS_CONNECTIONS", "PowerShellRunner", "connection_ports", "is_windows"]

WINDOWS_CONNECTIONS = ("winrm", "psrp", "ansible.builtin.winrm", "ansible.builtin.psrp")
DEFAULT_PORTS = {"ssh": (22,), "winrm": (5985, 5986), "psrp": (5985, 5986)}


class PowerShellRunner:
    """A runner (``run(argv, data)``) whose every call is one round trip over the task's connection.

    ``execute`` is the action plugin's ``_low_level_execute_command``. The command line is only
    :data:`STUB` (``-EncodedCommand``); ``data``, the whole script, ASCII with its input as
    base64, goes on standard input. ``argv`` is what the script would run under on a shell and
    is not sent: the stub is always the same. Become is not used (``sudoable=False``).
    """

    def __init__(self, execute: Callable[..., Dict[str, Any]]) -> None:
        self.execute = execute

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        if data is None or not data.isascii():
            raise PowerShellError("windows: a script must be ASCII text (its input travels as base64)")
        answer = self.execute(encode_command(STUB), sudoable=False, in_data=to_bytes(data))
        return int(answer.get("rc", 1)), to_text(answer.get("stdout", "")), to_text(answer.get("stderr", ""))


def is_windows(connection: Any, task_vars: Mapping[str, Any]) -> bool:
    """Ansible talks PowerShell to this host (its shell plugin, or a WinRM/PSRP connection)."""
    family = getattr(getattr(connection, "_shell", None), "SHELL_FAMILY", None)
    return family == "powershell" or task_vars.get("ansible_connection") in WINDOWS_CONNECTIONS


def connection_ports(connection: Any, task_vars: Mapping[str, Any]) -> Tuple[int, ...]:
    """The port(s) this task arrives on: the connection's port option, else the transport's defaults."""
    try:
        port = connection.get_option("port")
    except (AnsibleError, KeyError, AttributeError):
        port = None
    port = port or task_vars.get("ansible_port")
    if isinstance(port, int) or (isinstance(port, str) and port.isdigit()):
        return (int(port),)
    transport = str(task_vars.get("ansible_connection") or getattr(connection, "transport", "")).rsplit(".", 1)[-1]
    return DEFAULT_PORTS.get(transport, (5985, 5986, 22))
