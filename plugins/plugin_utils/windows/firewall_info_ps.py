# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PowerShell ``firewall_info`` sends to a Windows host: ONE read script, plain ASCII.

It starts with the shared prelude and functions (``powershell.py``, ``firewall_ps.py``), takes its input
(``{"group": "webedge.https"}``) as base64 JSON and only reads. It prints one JSON line::

    {"version": 1, "active_profile": "Public",
     "profiles": [{"name": "Public", "enabled": "True", "default_inbound_action": "NotConfigured",
                   "allow_inbound_rules": "True", "allow_local_firewall_rules": "True"}],
     "networks": [{"interface_alias": "Ethernet", "name": "Network", "category": "Public"}],
     "rules": [{"id": "...", "name": "...", "action": "Allow", "profile": "Any",
                "policy_store_source_type": "Local", "protocol": "TCP", "local_port": ["443"], ...,
                "missing": []}]}

Sources (Microsoft's documented objects, all read from the ActiveStore, the policy in force:
local rules merged with group policy):

* ``Get-NetFirewallProfile``: Name, Enabled, DefaultInboundAction, AllowInboundRules,
  AllowLocalFirewallRules (``NotConfigured`` where nothing sets them).
* ``Get-NetConnectionProfile``: InterfaceAlias, Name, NetworkCategory (``Public``, ``Private``,
  ``DomainAuthenticated``) of every connected network: which profile applies where.
* ``Get-NetFirewallSetting``: ActiveProfile (only a fallback when no network is reported).
* When the input names ports: ``Get-NetTCPConnection -State Listen`` / ``Get-NetUDPEndpoint``
  (LocalAddress, LocalPort, OwningProcess) on those ports and ``Win32_Process.ExecutablePath``
  of each owner (null for the System process, pid 4, where HTTP.sys listens): a rule scoped to a
  program (``Program System`` is how IIS and WinRM are opened) is decided by who listens. Each
  rule's program is also sent with its environment variables expanded.
* ``Get-NetFirewallRule -Direction Inbound -Enabled True``: Name, DisplayName, Group, Action,
  Profile, PolicyStoreSource, PolicyStoreSourceType, RemoteDynamicKeywordAddresses.
* The rules' filters, each read ONCE for the whole store with ``-All`` and joined to the rules
  on ``InstanceID`` here (a filter and its rule are one-to-one and share that ID), instead of
  one call per rule: port (Protocol, LocalPort, RemotePort, DynamicTarget), address
  (LocalAddress, RemoteAddress), application (Program, Package), service (Service), interface
  (InterfaceAlias), interface type (InterfaceType) and security (Authentication, Encryption,
  OverrideBlockRules, LocalUser, RemoteUser, RemoteMachine). A rule whose filter of some kind
  was not found lists that kind in ``missing``; the controller then cannot decide it.

Nothing found is an ObjectNotFound error from these cmdlets, read as an empty list.
"""

from __future__ import annotations

from ansible_collections.webedge.https.plugins.plugin_utils.windows.firewall_ps import GET_PROFILE_RECORDS
from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import GET_OR_EMPTY, PRELUDE

__all__ = ["FILTER_KINDS", "READ_SCRIPT"]

# The filter kinds the script joins to each rule (the names it lists in a rule's ``missing``).
FILTER_KINDS = ("port", "address", "application", "service", "interface", "interface_type", "security")

READ_SCRIPT = (
    PRELUDE
    + """\
$store = 'ActiveStore'
"""
    + GET_OR_EMPTY
    + GET_PROFILE_RECORDS
    + """
function Get-FilterIndex {
    param([string]$Command)
    # Every filter of one kind in the store (ONE call), by the InstanceID it shares with its rule.
    $index = @{}
    foreach ($item in (Get-OrEmpty -Read { & $Command -All -PolicyStore $store -ErrorAction Stop })) {
        $index[[string]$item.InstanceID] = $item
    }
    return $index
}

function Get-NetworkRecords {
    foreach ($item in (Get-OrEmpty -Read { Get-NetConnectionProfile -ErrorAction Stop })) {
        [ordered]@{
            interface_alias = [string]$item.InterfaceAlias
            name = [string]$item.Name
            category = [string]$item.NetworkCategory
        }
    }
}

function Test-WantedPort {
    param([int]$Port)
    foreach ($range in @($request.ports)) {
        if ($Port -ge [int]$range[0] -and $Port -le [int]$range[1]) { return $true }
    }
    return $false
}

function Get-ListenerRecords {
    # Who listens on the ports asked about: a rule scoped to a program (System: HTTP.sys) is decided by it.
    $paths = @{}
    foreach ($protocol in @($request.protocols)) {
        if ([string]$protocol -eq 'tcp') {
            $items = Get-OrEmpty -Read { Get-NetTCPConnection -State Listen -ErrorAction Stop }
        } else {
            $items = Get-OrEmpty -Read { Get-NetUDPEndpoint -ErrorAction Stop }
        }
        foreach ($item in $items) {
            if (-not (Test-WantedPort -Port ([int]$item.LocalPort))) { continue }
            $owner = [int]$item.OwningProcess
            if (-not $paths.ContainsKey($owner)) {
                $filter = "ProcessId = $owner"
                $process = Get-CimInstance -ClassName Win32_Process -Filter $filter -ErrorAction SilentlyContinue
                $paths[$owner] = if ($null -ne $process) { [string]$process.ExecutablePath } else { '' }
            }
            [ordered]@{
                protocol = [string]$protocol
                port = [int]$item.LocalPort
                address = [string]$item.LocalAddress
                pid = $owner
                program = $paths[$owner]
            }
        }
    }
}

function Get-ActiveProfile {
    try {
        return [string](Get-NetFirewallSetting -PolicyStore $store -ErrorAction Stop).ActiveProfile
    } catch {
        return $null
    }
}

try {
    $readRules = { Get-NetFirewallRule -PolicyStore $store -Direction Inbound -Enabled True -ErrorAction Stop }
    $rules = Get-OrEmpty -Read $readRules
    $filters = [ordered]@{
        port = Get-FilterIndex -Command 'Get-NetFirewallPortFilter'
        address = Get-FilterIndex -Command 'Get-NetFirewallAddressFilter'
        application = Get-FilterIndex -Command 'Get-NetFirewallApplicationFilter'
        service = Get-FilterIndex -Command 'Get-NetFirewallServiceFilter'
        interface = Get-FilterIndex -Command 'Get-NetFirewallInterfaceFilter'
        interface_type = Get-FilterIndex -Command 'Get-NetFirewallInterfaceTypeFilter'
        security = Get-FilterIndex -Command 'Get-NetFirewallSecurityFilter'
    }
    $records = New-Object -TypeName 'System.Collections.Generic.List[object]'
    foreach ($rule in $rules) {
        $id = [string]$rule.InstanceID
        $missing = New-Object -TypeName 'System.Collections.Generic.List[string]'
        foreach ($kind in @($filters.Keys)) {
            if (-not $filters[$kind].ContainsKey($id)) { $missing.Add([string]$kind) }
        }
        $port = $filters['port'][$id]
        $address = $filters['address'][$id]
        $application = $filters['application'][$id]
        $service = $filters['service'][$id]
        $interface = $filters['interface'][$id]
        $interfaceType = $filters['interface_type'][$id]
        $security = $filters['security'][$id]
        $records.Add([ordered]@{
            id = $id
            name = [string]$rule.Name
            display_name = [string]$rule.DisplayName
            group = [string]$rule.Group
            action = [string]$rule.Action
            profile = [string]$rule.Profile
            policy_store_source = [string]$rule.PolicyStoreSource
            policy_store_source_type = [string]$rule.PolicyStoreSourceType
            remote_dynamic_keywords = ConvertTo-StringList -Value $rule.RemoteDynamicKeywordAddresses
            protocol = [string]$port.Protocol
            local_port = ConvertTo-StringList -Value $port.LocalPort
            remote_port = ConvertTo-StringList -Value $port.RemotePort
            dynamic_target = [string]$port.DynamicTarget
            local_address = ConvertTo-StringList -Value $address.LocalAddress
            remote_address = ConvertTo-StringList -Value $address.RemoteAddress
            program = [string]$application.Program
            program_expanded = [System.Environment]::ExpandEnvironmentVariables([string]$application.Program)
            package = [string]$application.Package
            service = [string]$service.Service
            interface_alias = ConvertTo-StringList -Value $interface.InterfaceAlias
            interface_type = [string]$interfaceType.InterfaceType
            authentication = [string]$security.Authentication
            encryption = [string]$security.Encryption
            override_block_rules = [string]$security.OverrideBlockRules
            local_user = [string]$security.LocalUser
            remote_user = [string]$security.RemoteUser
            remote_machine = [string]$security.RemoteMachine
            missing = @($missing)
        })
    }
    Write-Answer -Answer ([ordered]@{
        version = 1
        group = [string]$request.group
        active_profile = Get-ActiveProfile
        profiles = @(Get-ProfileRecords -PolicyStore $store)
        networks = @(Get-NetworkRecords)
        rules = @($records)
        listeners_read = ($null -ne $request.ports)
        listeners = @(if ($null -ne $request.ports) { Get-ListenerRecords })
    })
} catch {
    Write-Answer -Answer ([ordered]@{ failed = $true; msg = [string]$_.Exception.Message })
    exit 1
}
"""
)
