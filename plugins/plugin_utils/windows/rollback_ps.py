# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PowerShell of firewall_port's automatic rollback on Windows (``confirm_timeout``), as text.

The Linux design (``module_utils/firewall/rollback.py``: a saved state, a systemd timer that
restores it, a confirmation over a new connection that disarms it), with Windows' parts:

* :data:`ARM_SCRIPT` (before the write): saves every rule of our group in the PersistentStore,
  as New-NetFirewallRule takes it back, to ``%ProgramData%\\webedge.https\\rollback\\<id>.json``,
  writes :data:`REVERT_SCRIPT` beside it as ``<id>.ps1`` and registers the scheduled task
  ``\\webedge.https\\rollback <id>`` (SYSTEM, once, ``timeout`` seconds from now) that runs it.
* :data:`REVERT_SCRIPT` (the task, as SYSTEM, no Ansible): unless confirmed meanwhile, deletes
  every rule of our group and re-creates the saved ones (only our group: what others changed
  stays), writes ``<id>.status.json`` (rolled back, seconds since armed, errors) and
  unregisters its task.
* :data:`CONFIRM_SCRIPT` (over a NEW connection): unregisters the task and deletes the saved
  state; if the revert already ran, answers what it did.
* :data:`STATUS_SCRIPT`: what became of a rollback (pending with the seconds left, rolled back).
* :data:`UNDO_SCRIPT` (the write failed): runs the saved revert now and answers its status.

Confirm and revert take the same named mutex, so a confirmation racing the task's start either
disarms it or reports that it ran, never half of each. The id is checked on the controller
(letters, digits, dashes) and reaches the scripts only in their base64 JSON input.
"""

from __future__ import annotations

from ansible_collections.webedge.https.plugins.plugin_utils.windows.firewall_ps import GET_RULE_BACKUP, PRELUDE_STORE
from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import GET_OR_EMPTY, PRELUDE

__all__ = ["ARM_SCRIPT", "CONFIRM_SCRIPT", "REVERT_SCRIPT", "STATUS_SCRIPT", "TASK_PATH", "UNDO_SCRIPT"]

TASK_PATH = "\\webedge.https\\"

# Where a rollback's files are, and its mutex (confirm and revert never run at once).
_PLACES = """\
$id = [string]$request.id
$folder = Join-Path -Path $env:ProgramData -ChildPath 'webedge.https\\rollback'
$base = Join-Path -Path $folder -ChildPath $id
$taskPath = '\\webedge.https\\'
$taskName = "rollback $id"
$mutex = New-Object -TypeName 'System.Threading.Mutex' -ArgumentList $false, "Global\\webedge.https-rollback-$id"
"""

# The status of a rollback (shared by confirm and status): the revert's record, as the controller reads it.
READ_STATUS = """
function Read-Status {
    $status = Get-Content -LiteralPath "$base.status.json" -Raw | ConvertFrom-Json
    return [ordered]@{
        found = $true
        rolled_back = [bool]$status.rolled_back
        elapsed = [double]$status.elapsed
        reverted_at = [string]$status.reverted_at
        restored = @($status.restored)
        errors = @($status.errors)
    }
}
"""

ARM_SCRIPT = (
    PRELUDE_STORE
    + GET_OR_EMPTY
    + GET_RULE_BACKUP
    + _PLACES
    + """
try {
    $null = New-Item -ItemType Directory -Path $folder -Force
    $read = { Get-NetFirewallRule -PolicyStore $store -Group $group -ErrorAction Stop }
    $rules = foreach ($rule in (Get-OrEmpty -Read $read)) { Get-RuleBackup -Rule $rule -Store $store }
    $armedAt = [DateTime]::UtcNow
    $firesAt = $armedAt.AddSeconds([int]$request.timeout)
    $manifest = [ordered]@{
        id = $id
        group = $group
        armed_at = $armedAt.ToString('o')
        fires_at = $firesAt.ToString('o')
        timeout = [int]$request.timeout
        rules = @($rules)
    }
    $utf8 = New-Object -TypeName 'System.Text.UTF8Encoding' -ArgumentList $false
    $text = ConvertTo-Json -InputObject $manifest -Depth 6
    [System.IO.File]::WriteAllText("$base.json", $text, $utf8)
    [System.IO.File]::WriteAllText("$base.ps1", [string]$request.revert, $utf8)
    $arguments = "-NoProfile -NonInteractive -ExecutionPolicy Bypass -File `"$base.ps1`""
    $action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument $arguments
    $trigger = New-ScheduledTaskTrigger -Once -At $firesAt.ToLocalTime()
    $principal = New-ScheduledTaskPrincipal -UserId 'S-1-5-18' -LogonType ServiceAccount -RunLevel Highest
    $limit = New-TimeSpan -Minutes 10
    $settings = New-ScheduledTaskSettingsSet -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries -StartWhenAvailable `
        -ExecutionTimeLimit $limit
    $task = @{
        TaskName = $taskName
        TaskPath = $taskPath
        Action = $action
        Trigger = $trigger
        Principal = $principal
        Settings = $settings
        Force = $true
    }
    $null = Register-ScheduledTask @task
    Write-Answer -Answer ([ordered]@{
        armed = $true
        rollback_id = $id
        task = "$taskPath$taskName"
        fires_at = $firesAt.ToString('o')
        saved_rules = @($rules).Count
    })
} catch {
    $failure = [string]$_.Exception.Message
    Unregister-ScheduledTask -TaskName $taskName -TaskPath $taskPath -Confirm:$false -ErrorAction SilentlyContinue
    Remove-Item -LiteralPath "$base.json", "$base.ps1" -Force -ErrorAction SilentlyContinue
    Write-Answer -Answer ([ordered]@{ failed = $true; msg = "arming the automatic rollback failed: $failure" })
    exit 1
}
"""
)

# Runs as SYSTEM from the scheduled task (or from UNDO_SCRIPT), with no input: everything is in <id>.json.
REVERT_SCRIPT = """\
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$base = Join-Path -Path $PSScriptRoot -ChildPath ([System.IO.Path]::GetFileNameWithoutExtension($PSCommandPath))
$manifest = Get-Content -LiteralPath "$base.json" -Raw -ErrorAction SilentlyContinue | ConvertFrom-Json
if ($null -eq $manifest) { exit 0 }
$id = [string]$manifest.id
$mutex = New-Object -TypeName 'System.Threading.Mutex' -ArgumentList $false, "Global\\webedge.https-rollback-$id"
$null = $mutex.WaitOne()
try {
    # Confirmed while this waited: nothing to do.
    if (-not (Test-Path -LiteralPath "$base.json")) { exit 0 }
    $store = 'PersistentStore'
    $errors = New-Object -TypeName 'System.Collections.Generic.List[string]'
    $restored = New-Object -TypeName 'System.Collections.Generic.List[string]'
    $ours = @(Get-NetFirewallRule -PolicyStore $store -Group ([string]$manifest.group) -ErrorAction SilentlyContinue)
    foreach ($rule in $ours) {
        try { Remove-NetFirewallRule -PolicyStore $store -Name ([string]$rule.Name) }
        catch { $errors.Add("removing rule '$($rule.Name)': $($_.Exception.Message)") }
    }
    foreach ($saved in @($manifest.rules)) {
        $params = @{ PolicyStore = $store }
        foreach ($property in $saved.PSObject.Properties) { $params[$property.Name] = $property.Value }
        try {
            $null = New-NetFirewallRule @params
            $restored.Add([string]$saved.Name)
        } catch {
            $errors.Add("restoring rule '$($saved.Name)': $($_.Exception.Message)")
        }
    }
    $now = [DateTime]::UtcNow
    $armedAt = [DateTime]::Parse([string]$manifest.armed_at).ToUniversalTime()
    $status = [ordered]@{
        rolled_back = ($errors.Count -eq 0)
        elapsed = [math]::Round(($now - $armedAt).TotalSeconds, 1)
        reverted_at = $now.ToString('o')
        restored = @($restored)
        errors = @($errors)
    }
    $utf8 = New-Object -TypeName 'System.Text.UTF8Encoding' -ArgumentList $false
    [System.IO.File]::WriteAllText("$base.status.json", (ConvertTo-Json -InputObject $status -Depth 4), $utf8)
    Remove-Item -LiteralPath "$base.json" -Force
    $task = @{ TaskName = "rollback $id"; TaskPath = '\\webedge.https\\'; Confirm = $false }
    Unregister-ScheduledTask @task -ErrorAction SilentlyContinue
    Remove-Item -LiteralPath $PSCommandPath -Force -ErrorAction SilentlyContinue
} finally {
    $mutex.ReleaseMutex()
}
"""

CONFIRM_SCRIPT = (
    PRELUDE
    + _PLACES
    + READ_STATUS
    + """
$null = $mutex.WaitOne()
try {
    if (Test-Path -LiteralPath "$base.status.json") {
        # Too late: the revert ran. What it did is the answer.
        $answer = Read-Status
        $answer.confirmed = $false
        Write-Answer -Answer $answer
    } elseif (Test-Path -LiteralPath "$base.json") {
        Unregister-ScheduledTask -TaskName $taskName -TaskPath $taskPath -Confirm:$false
        Remove-Item -LiteralPath "$base.json", "$base.ps1" -Force
        Write-Answer -Answer ([ordered]@{ found = $true; rolled_back = $false; confirmed = $true })
    } else {
        Write-Answer -Answer ([ordered]@{ found = $false; rolled_back = $false; confirmed = $false })
    }
} catch {
    Write-Answer -Answer ([ordered]@{ failed = $true; msg = [string]$_.Exception.Message })
    exit 1
} finally {
    $mutex.ReleaseMutex()
}
"""
)

STATUS_SCRIPT = (
    PRELUDE
    + _PLACES
    + READ_STATUS
    + """
try {
    if (Test-Path -LiteralPath "$base.status.json") {
        Write-Answer -Answer (Read-Status)
    } elseif (Test-Path -LiteralPath "$base.json") {
        $manifest = Get-Content -LiteralPath "$base.json" -Raw | ConvertFrom-Json
        $left = ([DateTime]::Parse([string]$manifest.fires_at).ToUniversalTime() - [DateTime]::UtcNow).TotalSeconds
        Write-Answer -Answer ([ordered]@{
            found = $true
            rolled_back = $false
            pending = $true
            seconds_left = [math]::Round([math]::Max($left, 0), 1)
        })
    } else {
        Write-Answer -Answer ([ordered]@{ found = $false; rolled_back = $false })
    }
} catch {
    Write-Answer -Answer ([ordered]@{ failed = $true; msg = [string]$_.Exception.Message })
    exit 1
}
"""
)

UNDO_SCRIPT = (
    PRELUDE
    + _PLACES
    + READ_STATUS
    + """
try {
    & "$base.ps1"
    Remove-Item -LiteralPath "$base.ps1" -Force -ErrorAction SilentlyContinue
    Write-Answer -Answer (Read-Status)
} catch {
    Write-Answer -Answer ([ordered]@{ failed = $true; msg = [string]$_.Exception.Message })
    exit 1
}
"""
)
