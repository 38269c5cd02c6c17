# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Run by ansible.windows.win_powershell (role webedge.https.iis) before the SCHANNEL registry values are
# written. Read-only: tells which of those values a domain Group Policy sets (issue 14 item 7). The
# "SSL Cipher Suite Order" and "ECC Curve Order" policies write the same key the role writes
# (HKLM\SOFTWARE\Policies\Microsoft\Cryptography\Configuration\SSL\00010002); on a domain member whose
# GPO sets them, every Group Policy refresh puts the GPO's value back, so every run of the role would
# change it again and ask for a reboot. The role leaves such values to the GPO and warns.
#
# Source: the Resultant Set of Policy the Group Policy client logs, WMI class RSOP_RegistryPolicySetting
# in root\rsop\computer (registryKey without the hive, valueName, valueType, value as bytes, precedence 1
# = the setting in force; the GPO from GPOID, its name from RSOP_GPO). A host that is not a domain member,
# or whose RSoP logging is off, has no such records: rsop_read tells whether they could be read.
[CmdletBinding(SupportsShouldProcess = $true)]
param (
    # The values the role is about to write: @{ path = 'HKLM:\...'; name = '...' } each.
    [Parameter(Mandatory = $true)]
    [object[]]
    $Values
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0
$Ansible.Changed = $false

function ConvertFrom-PolicyValue {
    # RSOP_RegistryPolicySetting.value is the raw registry data: REG_SZ/REG_MULTI_SZ as UTF-16LE, REG_DWORD as 4 bytes.
    param ([int]$Type, [byte[]]$Bytes)
    if ($null -eq $Bytes) { return $null }
    switch ($Type) {
        1 { return [System.Text.Encoding]::Unicode.GetString($Bytes).TrimEnd([char]0) }
        7 { return @([System.Text.Encoding]::Unicode.GetString($Bytes).TrimEnd([char]0) -split [char]0) }
        4 { return [System.BitConverter]::ToUInt32($Bytes, 0) }
        default { return [Convert]::ToBase64String($Bytes) }
    }
}

$wanted = @{}
foreach ($value in $Values) {
    $key = ([string]$value.path -replace '^HKLM:\\', '').ToLowerInvariant() + '\' + ([string]$value.name).ToLowerInvariant()
    $wanted[$key] = $value
}

$owned = New-Object -TypeName System.Collections.Generic.List[object]
$read = $true
$problem = $null
try {
    $gpos = @{}
    foreach ($gpo in @(Get-CimInstance -Namespace 'root\rsop\computer' -ClassName RSOP_GPO -ErrorAction Stop)) {
        $gpos[[string]$gpo.id] = [string]$gpo.name
    }
    $settings = @(Get-CimInstance -Namespace 'root\rsop\computer' -ClassName RSOP_RegistryPolicySetting `
            -Filter 'precedence = 1' -ErrorAction Stop)
    foreach ($setting in $settings) {
        $key = ([string]$setting.registryKey).ToLowerInvariant() + '\' + ([string]$setting.valueName).ToLowerInvariant()
        if (-not $wanted.ContainsKey($key)) { continue }
        $gpo = [string]$setting.GPOID
        $owned.Add([ordered]@{
                path = [string]$wanted[$key].path
                name = [string]$wanted[$key].name
                gpo = if ($gpos.ContainsKey($gpo)) { $gpos[$gpo] } else { $gpo }
                value = ConvertFrom-PolicyValue -Type ([int]$setting.valueType) -Bytes $setting.value
            })
    }
}
catch {
    $read = $false
    $problem = "the Resultant Set of Policy could not be read: $($_.Exception.Message)"
}

$Ansible.Result = @{ gpo_owned = @($owned); rsop_read = $read; error = $problem }
