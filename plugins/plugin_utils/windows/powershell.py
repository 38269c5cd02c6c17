# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the collection talks PowerShell to a Windows host: one script in, one JSON line out.

Shared by every Windows driver (``firewall_ps.py``, ``firewall_info_ps.py``, ``listening_ps.py``).
Ansible runs no Python on Windows, so this code runs on the CONTROLLER; the host only runs
the scripts, all plain ASCII:

* :data:`STUB`: the only thing on the command line (``-EncodedCommand``). It sets UTF-8
  console output (an SSH or WinRM console otherwise writes the OEM code page, and localized
  rule and network names would come back garbled), answers one JSON failure naming the
  language mode when PowerShell is constrained (WDAC/AppLocker: ConstrainedLanguage refuses
  the .NET calls every script makes, before its own error handling could answer), then
  reads the real script from standard input and runs it, so the size of a script never
  meets the Windows command-line limit (ansible's own ``bootstrap_wrapper.ps1`` does the same).
* :data:`PRELUDE`: the start of every script: decodes the input into ``$request`` and
  defines ``ConvertTo-StringList`` and ``Write-Answer`` (one JSON line, last on stdout).
* :data:`GET_OR_EMPTY`: a PowerShell function more than one script needs, written once here;
  a script adds each shared function it uses after the prelude, once.
* :class:`PowerShellRunner`: each ``run`` is ONE round trip over the task's connection: the
  command line is only the stub, the script travels on standard input; :func:`call` runs a
  script and returns its JSON answer (``answer.py`` reads the values in it).
* :func:`is_windows`, :func:`connection_ports`: which hosts take this path, and the port(s)
  the task arrives on (for the lockout check).

Input reaches a script ONLY as base64 of a JSON document, substituted for
``__INPUT_BASE64__`` (:func:`render`); base64 has no character PowerShell could read as
code, so no user value is ever interpolated into PowerShell source.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Callable, Dict, Mapping, Optional, Protocol, Sequence, Tuple

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_bytes, to_text

from ansible_collections.webedge.https.plugins.plugin_utils.windows.answer import last_json

__all__ = [
    "DEFAULT_PORTS",
    "GET_OR_EMPTY",
    "PLACEHOLDER",
    "POWERSHELL_ARGS",
    "POWERSHELL_ARGV",
    "PRELUDE",
    "STUB",
    "WINDOWS_CONNECTIONS",
    "WINDOWS_SHELLS",
    "PowerShellError",
    "PowerShellRunner",
    "ScriptRunner",
    "call",
    "connection_ports",
    "encode_command",
    "is_windows",
    "render",
]

WINDOWS_CONNECTIONS = ("winrm", "psrp", "ansible.builtin.winrm", "ansible.builtin.psrp")
WINDOWS_SHELLS = ("powershell", "cmd")
DEFAULT_PORTS = {"ssh": (22,), "winrm": (5985, 5986), "psrp": (5985, 5986)}

PLACEHOLDER = "__INPUT_BASE64__"
POWERSHELL_ARGS: Tuple[str, ...] = (
    "PowerShell",
    "-NoProfile",
    "-NonInteractive",
    "-ExecutionPolicy",
    "Unrestricted",
)
# What a runner is asked to run: the script itself goes as ``data`` (standard input).
POWERSHELL_ARGV: Tuple[str, ...] = (*POWERSHELL_ARGS, "-Command", "-")

STUB = """\
try { [Console]::OutputEncoding = New-Object -TypeName System.Text.UTF8Encoding } catch { $null = $_ }
if ($ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage') {
    $mode = [string]$ExecutionContext.SessionState.LanguageMode
    $why = "PowerShell runs in $mode mode on this host (a WDAC or AppLocker policy)"
    $fix = 'webedge.https needs FullLanguage for the connection user: allow its scripts in the policy'
    Write-Output "{""failed"":true,""language_mode"":""$mode"",""msg"":""$why; $fix""}"
    exit 1
}
$ErrorActionPreference = 'Stop'
$lines = foreach ($line in $input) { $line }
$code = $lines -join "`n"
& ([scriptblock]::Create($code))
exit $LASTEXITCODE
"""

PRELUDE = """\
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$json = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('__INPUT_BASE64__'))
$request = ConvertFrom-Json -InputObject $json

function ConvertTo-StringList {
    param($Value)
    # CIM properties are a string, a string array or null; JSON always gets a list of strings.
    $list = New-Object -TypeName 'System.Collections.Generic.List[string]'
    foreach ($item in @($Value)) {
        if ($null -ne $item) { $list.Add([string]$item) }
    }
    return ,$list.ToArray()
}

function Write-Answer {
    param($Answer)
    # One line, last on stdout: the controller reads the last line starting with '{'.
    # Write-Output, not [Console]: a PSRP runspace has no console.
    Write-Output -InputObject (ConvertTo-Json -InputObject $Answer -Depth 6 -Compress)
}
"""

# Every script that reads what may not be there: cmdlets report "nothing found" as an error.
GET_OR_EMPTY = """
function Get-OrEmpty {
    param([scriptblock]$Read)
    # Nothing found is reported as an ObjectNotFound error: that is an empty list, not a failure.
    try {
        return @(& $Read)
    } catch {
        if ($_.CategoryInfo.Category -eq 'ObjectNotFound') { return @() }
        throw
    }
}
"""


class PowerShellError(Exception):
    """A script could not be sent, or gave no usable answer; the message says which and why."""


class ScriptRunner(Protocol):
    """``run(argv, data)``: one round trip; ``data`` is the whole script (the action plugin's runner)."""

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]: ...


def render(script: str, data: Mapping[str, Any]) -> str:
    """``script`` with its input: ``data`` as base64 JSON, the only value ever substituted."""
    if script.count(PLACEHOLDER) != 1:
        raise ValueError("a script must take its input exactly once")
    payload = base64.b64encode(json.dumps(data, sort_keys=True).encode("utf-8")).decode("ascii")
    return script.replace(PLACEHOLDER, payload)


def encode_command(script: str) -> str:
    """The command line that runs ``script``: ``PowerShell ... -EncodedCommand`` (UTF-16LE base64).

    The same shape ansible's ``powershell`` shell plugin builds; here only for :data:`STUB`.
    """
    encoded = base64.b64encode(script.encode("utf-16-le")).decode("ascii")
    return " ".join((*POWERSHELL_ARGS, "-EncodedCommand", encoded))


def call(runner: ScriptRunner, script: str, what: str) -> Dict[str, Any]:
    """Run ``script`` (one round trip) and return its JSON answer.

    Raises :class:`PowerShellError` when there is no JSON answer, or when the answer is the
    script's own failure report (``{"failed": true, "msg": ...}``).
    """
    rc, out, err = runner.run(list(POWERSHELL_ARGV), data=script)
    answer = last_json(out)
    if answer is None:
        detail = (err or "").strip()[-500:] or (out or "").strip()[-500:] or "no output"
        raise PowerShellError(f"windows: the {what} script gave no JSON answer (rc={rc}): {detail}")
    if answer.get("failed"):
        raise PowerShellError(f"windows: the {what} script failed: {answer.get('msg')}")
    return answer


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
    """The host runs Windows: a Windows shell plugin, or a WinRM/PSRP connection.

    Ansible's shell plugins mark themselves ``_IS_WINDOWS`` (``powershell`` and ``cmd``: Win32-OpenSSH's
    default shell is ``cmd``, whose family is ``cmd``); the family is checked too, for plugins without it.
    """
    shell = getattr(connection, "_shell", None)
    family = getattr(shell, "SHELL_FAMILY", None)
    return (
        getattr(shell, "_IS_WINDOWS", False) is True
        or family in WINDOWS_SHELLS
        or task_vars.get("ansible_connection") in WINDOWS_CONNECTIONS
    )


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
