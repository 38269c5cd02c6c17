# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the collection talks PowerShell to a Windows host: one script in, one JSON line out.

Shared by every module that works on Windows hosts (``firewall/windows_ps.py``,
``listening/windows_ps.py``). Ansible runs no Python on Windows, so this code runs on the
CONTROLLER; the host only runs the scripts, all plain ASCII:

* :data:`STUB`: the only thing on the command line (``-EncodedCommand``). It reads the
  real script from standard input and runs it, so the size of a script never meets the
  Windows command-line limit (ansible's own ``bootstrap_wrapper.ps1`` does the same).
* :data:`PRELUDE`: the start of every script: decodes the input into ``$request`` and
  defines ``ConvertTo-StringList`` and ``Write-Answer`` (one JSON line, last on stdout).
* :data:`GET_OR_EMPTY`, :data:`GET_PROFILE_RECORDS`: PowerShell functions more than one
  script needs, written once here; a script adds each one it uses after the prelude, once.

Input reaches a script ONLY as base64 of a JSON document, substituted for
``__INPUT_BASE64__`` (:func:`render`); base64 has no character PowerShell could read as
code, so no user value is ever interpolated into PowerShell source.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Dict, Mapping, Optional, Protocol, Sequence, Tuple

__all__ = [
    "GET_OR_EMPTY",
    "GET_PROFILE_RECORDS",
    "PLACEHOLDER",
    "POWERSHELL_ARGS",
    "POWERSHELL_ARGV",
    "PRELUDE",
    "STUB",
    "PowerShellError",
    "ScriptRunner",
    "call",
    "encode_command",
    "last_json",
    "render",
]

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

# The firewall scripts (firewall_port's read, firewall_info's read): the three profiles of
# the store named by -PolicyStore, as the controller parses them.
GET_PROFILE_RECORDS = """
function Get-ProfileRecords {
    param([string]$PolicyStore)
    foreach ($item in @(Get-NetFirewallProfile -PolicyStore $PolicyStore)) {
        [ordered]@{
            name = [string]$item.Name
            enabled = [string]$item.Enabled
            default_inbound_action = [string]$item.DefaultInboundAction
            allow_inbound_rules = [string]$item.AllowInboundRules
            allow_local_firewall_rules = [string]$item.AllowLocalFirewallRules
        }
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


def last_json(text: str) -> Optional[Dict[str, Any]]:
    """The last stdout line that is a JSON object (PowerShell may print warnings before it), or None."""
    for line in reversed((text or "").splitlines()):
        if line.strip().startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
    return None


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
