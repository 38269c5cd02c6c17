# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PowerShell ``listening_ports`` sends to a Windows host: ONE read script, plain ASCII.

It starts with the shared prelude and ``Get-OrEmpty`` (``powershell.py``), takes its input
(``{"protocols": ["tcp", "udp"]}``) as base64 JSON, and prints one JSON line::

    {"version": 1, "elevated": true,
     "sockets": [{"protocol": "tcp", "address": "0.0.0.0", "port": 443, "pid": 2216}],
     "processes": [{"pid": 2216, "name": "nginx", "program": "nginx.exe",
                    "cmdline": "...", "user": "WEB01\\\\svc-nginx"}]}

Sources (Microsoft's documented objects):

* ``Get-NetTCPConnection -State Listen`` (MSFT_NetTCPConnection): LocalAddress, LocalPort,
  OwningProcess.
* ``Get-NetUDPEndpoint`` (MSFT_NetUDPEndpoint): LocalAddress, LocalPort, OwningProcess.
  Windows' UDP table has no remote address: every bound UDP endpoint is reported.
* ``Get-Process -Id``: ProcessName (the name without ``.exe``), for the owning pids only.
* ``Get-CimInstance Win32_Process``: Name (``nginx.exe``), CommandLine (null when not
  readable), and its ``GetOwner`` method (Domain, User; ReturnValue 0 on success).

None of the cmdlets finding anything is an ObjectNotFound error, read as an empty list.
"""

from __future__ import annotations

from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import GET_OR_EMPTY, PRELUDE

__all__ = ["READ_SCRIPT"]

READ_SCRIPT = (
    PRELUDE
    + GET_OR_EMPTY
    + """
function Get-Endpoints {
    param([string]$Protocol)
    # Nothing found: an empty list, not a failure (Get-OrEmpty).
    if ($Protocol -eq 'tcp') { return Get-OrEmpty -Read { Get-NetTCPConnection -State Listen -ErrorAction Stop } }
    return Get-OrEmpty -Read { Get-NetUDPEndpoint -ErrorAction Stop }
}

function Get-OwnerName {
    param($Process)
    # Win32_Process.GetOwner: ReturnValue 0 means Domain and User are set; anything else is unreadable.
    try {
        $owner = Invoke-CimMethod -InputObject $Process -MethodName GetOwner -ErrorAction Stop
    } catch {
        return $null
    }
    if ($owner.ReturnValue -ne 0 -or -not $owner.User) { return $null }
    if ($owner.Domain) { return ([string]$owner.Domain + '\\' + [string]$owner.User) }
    return [string]$owner.User
}

function Test-Elevated {
    $identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object -TypeName 'System.Security.Principal.WindowsPrincipal' -ArgumentList $identity
    return $principal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)
}

try {
    $sockets = New-Object -TypeName 'System.Collections.Generic.List[object]'
    $wanted = New-Object -TypeName 'System.Collections.Generic.HashSet[int]'
    foreach ($protocol in @($request.protocols)) {
        foreach ($item in (Get-Endpoints -Protocol ([string]$protocol))) {
            $owning = [int]$item.OwningProcess
            $null = $wanted.Add($owning)
            $sockets.Add([ordered]@{
                protocol = [string]$protocol
                address = [string]$item.LocalAddress
                port = [int]$item.LocalPort
                pid = $owning
            })
        }
    }
    $names = @{}
    if ($wanted.Count -gt 0) {
        # A process may exit meanwhile: it is then missing from the answer, not an error.
        foreach ($process in @(Get-Process -Id ([int[]]@($wanted)) -ErrorAction SilentlyContinue)) {
            $names[[int]$process.Id] = [string]$process.ProcessName
        }
    }
    $processes = New-Object -TypeName 'System.Collections.Generic.List[object]'
    foreach ($cim in @(Get-CimInstance -ClassName Win32_Process -ErrorAction Stop)) {
        $id = [int]$cim.ProcessId
        if ($wanted.Contains($id)) {
            $processes.Add([ordered]@{
                pid = $id
                name = $names[$id]
                program = [string]$cim.Name
                cmdline = $cim.CommandLine
                user = Get-OwnerName -Process $cim
            })
        }
    }
    Write-Answer -Answer ([ordered]@{
        version = 1
        elevated = [bool](Test-Elevated)
        sockets = @($sockets)
        processes = @($processes)
    })
} catch {
    Write-Answer -Answer ([ordered]@{ failed = $true; msg = [string]$_.Exception.Message })
    exit 1
}
"""
)
