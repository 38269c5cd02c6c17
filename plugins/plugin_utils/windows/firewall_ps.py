# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PowerShell the Windows Defender Firewall backend (``firewall.py``) sends, as text.

Two scripts, all plain ASCII, each starting with the shared prelude of ``powershell.py``:

* :data:`READ_SCRIPT`: one read round trip; prints one JSON line (see ``firewall.parse_read``).
* :data:`WRITE_SCRIPT`: one write round trip, all-or-nothing; prints one JSON line.

:data:`GET_PROFILE_RECORDS` is shared with firewall_info's read (``firewall_info_ps.py``),
:data:`GET_RULE_BACKUP` with firewall_port's rollback (``rollback_ps.py``).

Input reaches a script ONLY as base64 of a JSON document (:func:`render`); no user value
is ever interpolated into PowerShell source.
"""

from __future__ import annotations

from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import GET_OR_EMPTY, PRELUDE

__all__ = ["GET_PROFILE_RECORDS", "GET_RULE_BACKUP", "PRELUDE_STORE", "READ_SCRIPT", "WRITE_SCRIPT"]

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


# The shared prelude, then what both firewall scripts use: the store and our group. The
# read adds the shared functions it uses, each once.
# The write script and firewall_port's rollback (rollback_ps.py): a rule as New-NetFirewallRule takes it back.
GET_RULE_BACKUP = """
function Get-RuleBackup {
    param($Rule, [string]$Store)
    # Everything New-NetFirewallRule needs to re-create the rule as it is.
    $ports = Get-NetFirewallPortFilter -AssociatedNetFirewallRule $Rule -PolicyStore $Store
    $addresses = Get-NetFirewallAddressFilter -AssociatedNetFirewallRule $Rule -PolicyStore $Store
    $backup = [ordered]@{
        Name = [string]$Rule.Name
        DisplayName = [string]$Rule.DisplayName
        Group = [string]$Rule.Group
        Enabled = [string]$Rule.Enabled
        Profile = [string]$Rule.Profile
        Direction = [string]$Rule.Direction
        Action = [string]$Rule.Action
        Protocol = [string]$ports.Protocol
        LocalPort = ConvertTo-StringList -Value $ports.LocalPort
        RemotePort = ConvertTo-StringList -Value $ports.RemotePort
        LocalAddress = ConvertTo-StringList -Value $addresses.LocalAddress
        RemoteAddress = ConvertTo-StringList -Value $addresses.RemoteAddress
    }
    if ($Rule.Description) { $backup.Description = [string]$Rule.Description }
    return $backup
}
"""

PRELUDE_STORE = _PRELUDE = (
    PRELUDE
    + """\
$store = 'PersistentStore'
$group = [string]$request.group
"""
)

READ_SCRIPT = (
    _PRELUDE
    + GET_OR_EMPTY
    + GET_PROFILE_RECORDS
    + """
function Get-GroupRules {
    # No rule in the group: an empty list, not a failure (Get-OrEmpty).
    return Get-OrEmpty -Read { Get-NetFirewallRule -PolicyStore $store -Group $group -ErrorAction Stop }
}

function ConvertTo-RuleRecord {
    param($Rule)
    $ports = Get-NetFirewallPortFilter -AssociatedNetFirewallRule $Rule -PolicyStore $store
    $addresses = Get-NetFirewallAddressFilter -AssociatedNetFirewallRule $Rule -PolicyStore $store
    return [ordered]@{
        name = [string]$Rule.Name
        display_name = [string]$Rule.DisplayName
        group = [string]$Rule.Group
        enabled = [string]$Rule.Enabled
        direction = [string]$Rule.Direction
        action = [string]$Rule.Action
        profile = [string]$Rule.Profile
        protocol = [string]$ports.Protocol
        local_port = ConvertTo-StringList -Value $ports.LocalPort
        remote_port = ConvertTo-StringList -Value $ports.RemotePort
        local_address = ConvertTo-StringList -Value $addresses.LocalAddress
        remote_address = ConvertTo-StringList -Value $addresses.RemoteAddress
    }
}

function Get-ConnectionRecords {
    # Best effort: who is connected to the ports this task may arrive on (lockout guard).
    $wanted = @($request.ports | ForEach-Object { [int]$_ })
    foreach ($item in @(Get-NetTCPConnection -State Established -ErrorAction SilentlyContinue)) {
        if ($wanted -contains [int]$item.LocalPort) {
            [ordered]@{ local_port = [int]$item.LocalPort; remote_address = [string]$item.RemoteAddress }
        }
    }
}

try {
    $rules = foreach ($rule in (Get-GroupRules)) { ConvertTo-RuleRecord -Rule $rule }
    Write-Answer -Answer ([ordered]@{
        version = 1
        rules = @($rules)
        # ActiveStore: the profile settings in force (local settings merged with group policy).
        profiles = @(Get-ProfileRecords -PolicyStore 'ActiveStore')
        connections = @(Get-ConnectionRecords)
        ssh_connection = [string]$env:SSH_CONNECTION
    })
} catch {
    Write-Answer -Answer ([ordered]@{ failed = $true; msg = [string]$_.Exception.Message })
    exit 1
}
"""
)

WRITE_SCRIPT = (
    _PRELUDE
    + GET_RULE_BACKUP
    + """
$added = New-Object -TypeName 'System.Collections.Generic.List[string]'
$removed = New-Object -TypeName 'System.Collections.Generic.List[object]'

function Get-OwnedBackup {
    param([string]$Name)
    # Everything New-NetFirewallRule needs to put the rule back if a later step fails.
    $rule = Get-NetFirewallRule -PolicyStore $store -Name $Name
    if ([string]$rule.Group -ne $group) { throw "rule '$Name' is not in group '$group'; it is not ours" }
    return Get-RuleBackup -Rule $rule -Store $store
}

function Remove-OwnedRule {
    param([string]$Name)
    $backup = Get-OwnedBackup -Name $Name
    Remove-NetFirewallRule -PolicyStore $store -Name $Name
    $removed.Add($backup)
}

function Add-OwnedRule {
    param($Spec)
    $params = @{
        PolicyStore = $store
        Name = [string]$Spec.name
        DisplayName = [string]$Spec.display_name
        Description = [string]$Spec.description
        Group = $group
        Direction = 'Inbound'
        Action = 'Allow'
        Enabled = 'True'
        Profile = [string]$Spec.profile
        Protocol = [string]$Spec.protocol
        LocalPort = ConvertTo-StringList -Value $Spec.local_port
        RemoteAddress = ConvertTo-StringList -Value $Spec.remote_address
    }
    $null = New-NetFirewallRule @params
    $added.Add([string]$Spec.name)
}

function Undo-Changes {
    # Put back what this run changed: delete what it added, re-create what it removed.
    $problems = New-Object -TypeName 'System.Collections.Generic.List[string]'
    foreach ($name in @($added)) {
        try { Remove-NetFirewallRule -PolicyStore $store -Name $name }
        catch { $problems.Add("removing added rule '$name': $($_.Exception.Message)") }
    }
    foreach ($backup in @($removed)) {
        try { $null = New-NetFirewallRule -PolicyStore $store @backup }
        catch { $problems.Add("restoring rule '$($backup.Name)': $($_.Exception.Message)") }
    }
    return ,$problems.ToArray()
}

try {
    foreach ($name in @($request.remove_first)) { Remove-OwnedRule -Name ([string]$name) }
    foreach ($spec in @($request.add)) { Add-OwnedRule -Spec $spec }
    foreach ($name in @($request.remove)) { Remove-OwnedRule -Name ([string]$name) }
    $names = foreach ($backup in @($removed)) { $backup.Name }
    Write-Answer -Answer ([ordered]@{ ok = $true; added = @($added); removed = @($names) })
} catch {
    $failure = [string]$_.Exception.Message
    $problems = Undo-Changes
    Write-Answer -Answer ([ordered]@{
        ok = $false
        error = $failure
        rolled_back = ($problems.Count -eq 0)
        rollback_errors = @($problems)
    })
    exit 1
}
"""
)
