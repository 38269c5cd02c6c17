# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Run by ansible.windows.win_powershell (role webedge.https.iis). Puts one IIS site's HTTPS side in
# the wanted state through Microsoft.Web.Administration (the API IIS Manager and the
# IISAdministration module use), in one commit:
#
# * one https binding per host name, SNI required (sslFlags bit 1), certificate Thumbprint from
#   Cert:\LocalMachine\My; an existing binding gets the new certificate in place (renewal);
#   other sslFlags bits set by hand (HTTP/2, OCSP stapling, QUIC, TLS 1.3 switches) are kept;
# * https bindings of this site that are not wanted are removed when PurgeHttpsBindings is set;
#   the IP:port catch-all certificate (0.0.0.0:443) and other sites are never touched;
# * the native HSTS element of the site (IIS 10.0 version 1709 and later), with the redirect of
#   http to https, when Hsts is given.
#
# Compares first and commits only a difference; check mode (-WhatIf) reports the same list of
# changes and commits nothing. Returns the changes in $Ansible.Result and a before/after diff.
[CmdletBinding(SupportsShouldProcess = $true)]
param (
    [Parameter(Mandatory = $true)]
    [string]
    $SiteName,

    [Parameter(Mandatory = $true)]
    [ValidatePattern('^[0-9A-F]{40}$')]
    [string]
    $Thumbprint,

    [Parameter(Mandatory = $true)]
    [object[]]
    $Bindings,

    [bool]
    $PurgeHttpsBindings = $true,

    [object]
    $Hsts = $null
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0
$Ansible.Changed = $false

$assembly = Join-Path -Path $env:windir -ChildPath 'System32\inetsrv\Microsoft.Web.Administration.dll'
if (-not (Test-Path -LiteralPath $assembly)) {
    throw "IIS is not installed on this host: $assembly is missing"
}
Add-Type -Path $assembly

function ConvertTo-Hex {
    param ([byte[]] $Bytes)
    if ($null -eq $Bytes -or $Bytes.Length -eq 0) { return '' }
    return ([BitConverter]::ToString($Bytes) -replace '-', '')
}

function ConvertFrom-Hex {
    param ([string] $Hex)
    $out = New-Object -TypeName byte[] -ArgumentList ($Hex.Length / 2)
    for ($i = 0; $i -lt $out.Length; $i++) {
        $out[$i] = [Convert]::ToByte($Hex.Substring($i * 2, 2), 16)
    }
    return , $out
}

function Get-HttpsState {
    param ($Site)
    $state = [ordered]@{}
    foreach ($binding in @($Site.Bindings | Where-Object { $_.Protocol -eq 'https' })) {
        # Four levels deep (diff, https, binding, ssl_flags): the task's depth keeps them (issue 14 item 9).
        $flags = [int]$binding.SslFlags
        $state[$binding.BindingInformation] = [ordered]@{
            certificate = ConvertTo-Hex -Bytes $binding.CertificateHash
            store = $binding.CertificateStoreName
            ssl_flags = [ordered]@{
                value = $flags
                sni = [bool]($flags -band 1)
                central_certificate_store = [bool]($flags -band 2)
            }
        }
    }
    return $state
}

# The HSTS attributes in the order IIS documents them, with the option each comes from.
$hstsAttributes = [ordered]@{
    'enabled' = 'enabled'
    'max-age' = 'max_age'
    'includeSubDomains' = 'include_subdomains'
    'preload' = 'preload'
    'redirectHttpToHttps' = 'redirect_http_to_https'
}

$hash = ConvertFrom-Hex -Hex $Thumbprint
$changes = New-Object -TypeName System.Collections.Generic.List[string]
$manager = New-Object -TypeName Microsoft.Web.Administration.ServerManager
try {
    $site = $manager.Sites[$SiteName]
    if ($null -eq $site) {
        if (-not $WhatIfPreference) {
            throw "IIS site '$SiteName' does not exist"
        }
        # Check mode on a host where the site is still to be created: everything is to be done.
        foreach ($b in $Bindings) {
            $changes.Add(('add https binding {0}:{1}:{2} (SNI) with certificate {3}' -f $b['ip'], $b['port'], $b['hostname'], $Thumbprint))
        }
        if ($null -ne $Hsts) { $changes.Add('set the site''s HSTS element') }
        $Ansible.Changed = $true
        $Ansible.Result = @{ site = $SiteName; exists = $false; changes = @($changes) }
        return
    }

    $before = [ordered]@{ https = Get-HttpsState -Site $site; hsts = [ordered]@{} }
    $wanted = [ordered]@{}
    foreach ($b in $Bindings) {
        $information = '{0}:{1}:{2}' -f $b['ip'], $b['port'], $b['hostname']
        $wanted[$information.ToLowerInvariant()] = $information
    }

    $remove = @()
    foreach ($binding in @($site.Bindings | Where-Object { $_.Protocol -eq 'https' })) {
        $key = $binding.BindingInformation.ToLowerInvariant()
        if ($wanted.Contains($key)) {
            $wanted.Remove($key)
            $current = ConvertTo-Hex -Bytes $binding.CertificateHash
            if ($current -ne $Thumbprint -or $binding.CertificateStoreName -ne 'My') {
                $binding.CertificateHash = $hash
                $binding.CertificateStoreName = 'My'
                $changes.Add(('https binding {0}: certificate {1} -> {2}' -f $binding.BindingInformation, $current, $Thumbprint))
            }
            # SNI on (1), central certificate store off (2); every other bit is kept as it is.
            $flags = [int]$binding.SslFlags
            $wantedFlags = ($flags -bor 1) -band (-bnot 2)
            if ($flags -ne $wantedFlags) {
                $binding.SslFlags = $wantedFlags
                $changes.Add(('https binding {0}: sslFlags {1} -> {2}' -f $binding.BindingInformation, $flags, $wantedFlags))
            }
        }
        elseif ($PurgeHttpsBindings) {
            $remove += $binding
            $changes.Add(('remove https binding {0}, not in the site definition' -f $binding.BindingInformation))
        }
    }
    foreach ($binding in $remove) {
        $site.Bindings.Remove($binding)
    }
    foreach ($information in $wanted.Values) {
        $null = $site.Bindings.Add($information, $hash, 'My', [Microsoft.Web.Administration.SslFlags]::Sni)
        $changes.Add(('add https binding {0} (SNI) with certificate {1}' -f $information, $Thumbprint))
    }

    $after = [ordered]@{ https = Get-HttpsState -Site $site; hsts = [ordered]@{} }
    if ($null -ne $Hsts) {
        $element = $site.GetChildElement('hsts')
        foreach ($attribute in $hstsAttributes.Keys) {
            $value = $Hsts[$hstsAttributes[$attribute]]
            $value = if ($attribute -eq 'max-age') { [uint32]$value } else { [bool]$value }
            $current = $element.GetAttributeValue($attribute)
            $before.hsts[$attribute] = "$current"
            $after.hsts[$attribute] = "$value"
            if ("$current" -ne "$value") {
                $element.SetAttributeValue($attribute, $value)
                $changes.Add(('hsts {0}: {1} -> {2}' -f $attribute, $current, $value))
            }
        }
    }

    if ($changes.Count -gt 0) {
        $Ansible.Changed = $true
        $Ansible.Diff = @{ before = $before; after = $after }
        if ($PSCmdlet.ShouldProcess($SiteName, ($changes -join '; '))) {
            if (-not (Test-Path -LiteralPath "Cert:\LocalMachine\My\$Thumbprint")) {
                throw "certificate $Thumbprint is not in Cert:\LocalMachine\My; nothing was changed"
            }
            $manager.CommitChanges()
        }
    }
    $Ansible.Result = @{ site = $SiteName; exists = $true; changes = @($changes) }
}
finally {
    $manager.Dispose()
}
