# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Run by ansible.windows.win_powershell (role webedge.https.compliance, tasks/windows.yml) with
# check_mode: false. Reads, never writes: the facts of HOST-03, HOST-04 and HOST-05 on an IIS host.
#
# * the https bindings of every IIS site on the port (Microsoft.Web.Administration), each with the
#   certificate hash and store it names;
# * per bound certificate (Cert:\LocalMachine\<store>\<thumbprint>): whether it is in the store, the
#   SHA-256 of its DER (compared with the served certificate for HOST-05), and where its private key
#   lives (CNG UniqueName or CAPI unique container name, found under ProgramData\Microsoft\Crypto)
#   with that file's owner and access rules (SID, name, Allow/Deny, rights, inherit-only). The key is
#   opened for its name only: no key material is exported or returned;
# * the configuration load: applicationHost.config and each site's web.config through
#   Microsoft.Web.Administration, then "appcmd list config"; only error text is returned;
# * the SIDs of the direct members of the local Administrators group (best effort).
#
# The decision (who may read a key) is taken on the controller by the compliance_host_controls
# filter. $Ansible.Result is one JSON text (ConvertTo-Json), so win_powershell's depth does not cut it.
[CmdletBinding()]
param (
    [Parameter(Mandatory = $true)]
    [ValidateRange(1, 65535)]
    [int]
    $Port
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0
$Ansible.Changed = $false

$facts = [ordered]@{
    port = $Port
    error = $null
    bindings = @()
    certificates = @()
    config_test = $null
    administrators = $null
}

function ConvertTo-Hex {
    param ([byte[]] $Bytes)
    if ($null -eq $Bytes -or $Bytes.Length -eq 0) { return $null }
    return ([BitConverter]::ToString($Bytes) -replace '-', '')
}

function Get-PrincipalName {
    param ([System.Security.Principal.SecurityIdentifier] $Sid)
    try {
        return $Sid.Translate([System.Security.Principal.NTAccount]).Value
    }
    catch {
        return $Sid.Value
    }
}

function Get-KeyAccess {
    # Owner and access rules of the file that holds a certificate's private key.
    param ([System.Security.Cryptography.X509Certificates.X509Certificate2] $Certificate)
    $out = [ordered]@{
        provider = $null
        container = $null
        file = $null
        owner = $null
        acl = $null
        error = $null
    }
    if (-not $Certificate.HasPrivateKey) {
        $out.error = 'the certificate has no private key on this host'
        return $out
    }
    $key = $null
    try {
        $key = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($Certificate)
        if ($null -eq $key) {
            $key = [System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions]::GetECDsaPrivateKey($Certificate)
        }
    }
    catch {
        $out.error = 'cannot open the private key to learn its container: {0}' -f $_.Exception.Message
        return $out
    }
    if ($null -eq $key) {
        $out.error = 'the private key is neither RSA nor ECDSA'
        return $out
    }
    try {
        if ($key.PSObject.Properties['Key'] -and $key.Key -is [System.Security.Cryptography.CngKey]) {
            $out.provider = $key.Key.Provider.Provider
            $out.container = $key.Key.UniqueName
        }
        elseif ($key.PSObject.Properties['CspKeyContainerInfo']) {
            $out.provider = $key.CspKeyContainerInfo.ProviderName
            $out.container = $key.CspKeyContainerInfo.UniqueKeyContainerName
        }
    }
    finally {
        $key.Dispose()
    }
    if (-not $out.container) {
        $out.error = 'the container name of the private key is unknown'
        return $out
    }
    # CNG machine keys, CAPI (legacy CSP) machine keys, keys of system services.
    foreach ($folder in @('Microsoft\Crypto\Keys', 'Microsoft\Crypto\RSA\MachineKeys', 'Microsoft\Crypto\SystemKeys')) {
        $candidate = Join-Path -Path (Join-Path -Path $env:ProgramData -ChildPath $folder) -ChildPath $out.container
        if (Test-Path -LiteralPath $candidate -PathType Leaf) {
            $out.file = $candidate
            break
        }
    }
    if ($null -eq $out.file) {
        $out.error = 'key container {0} ({1}) is not a file under {2}\Microsoft\Crypto (hardware or other provider): its access rules cannot be read' -f `
            $out.container, $out.provider, $env:ProgramData
        return $out
    }
    try {
        $acl = Get-Acl -LiteralPath $out.file
        $ownerSid = $acl.GetOwner([System.Security.Principal.SecurityIdentifier])
        $out.owner = [ordered]@{ sid = $ownerSid.Value; principal = Get-PrincipalName -Sid $ownerSid }
        $rules = @()
        foreach ($rule in $acl.GetAccessRules($true, $true, [System.Security.Principal.SecurityIdentifier])) {
            $rules += , ([ordered]@{
                    sid = $rule.IdentityReference.Value
                    principal = Get-PrincipalName -Sid $rule.IdentityReference
                    type = [string]$rule.AccessControlType
                    rights = [int]$rule.FileSystemRights
                    inherit_only = [bool]($rule.PropagationFlags -band [System.Security.AccessControl.PropagationFlags]::InheritOnly)
                })
        }
        $out.acl = $rules
    }
    catch {
        $out.acl = $null
        $out.error = 'cannot read the access rules of {0}: {1}' -f $out.file, $_.Exception.Message
    }
    return $out
}

function Test-IisConfiguration {
    # What IIS does on start: load applicationHost.config and each site's web.config; then appcmd.
    param ($Manager)
    $problems = New-Object -TypeName System.Collections.Generic.List[string]
    try {
        $config = $Manager.GetApplicationHostConfiguration()
        foreach ($section in @('system.applicationHost/sites', 'system.applicationHost/applicationPools', 'system.webServer/security/access')) {
            [void]$config.GetSection($section)
        }
        foreach ($site in @($Manager.Sites)) {
            try {
                [void]$Manager.GetWebConfiguration($site.Name).GetSection('system.webServer/httpProtocol')
            }
            catch {
                $problems.Add(('site ''{0}'': {1}' -f $site.Name, $_.Exception.Message))
            }
        }
    }
    catch {
        $problems.Add(('applicationHost.config: {0}' -f $_.Exception.Message))
    }
    $appcmd = Join-Path -Path $env:windir -ChildPath 'System32\inetsrv\appcmd.exe'
    if (Test-Path -LiteralPath $appcmd -PathType Leaf) {
        # appcmd prints the whole configuration: keep only its ERROR lines. A native command writing
        # to stderr must not stop the script, hence Continue around it.
        $ErrorActionPreference = 'Continue'
        $lines = @(& $appcmd list config 2>&1 | ForEach-Object { [string]$_ })
        $rc = $LASTEXITCODE
        $ErrorActionPreference = 'Stop'
        if ($rc -ne 0) {
            $errors = @($lines | Where-Object { $_ -match 'ERROR' } | Select-Object -First 5)
            $problems.Add(('appcmd list config exited with {0}: {1}' -f $rc, ($errors -join ' ')))
        }
    }
    else {
        $problems.Add(('{0} is missing' -f $appcmd))
    }
    $output = $problems -join '; '
    if ($output.Length -gt 2000) { $output = $output.Substring(0, 2000) }
    return [ordered]@{
        command = 'IIS configuration load (Microsoft.Web.Administration, appcmd list config)'
        rc = $(if ($problems.Count -eq 0) { 0 } else { 1 })
        output = $output
    }
}

try {
    $assembly = Join-Path -Path $env:windir -ChildPath 'System32\inetsrv\Microsoft.Web.Administration.dll'
    if (-not (Test-Path -LiteralPath $assembly -PathType Leaf)) {
        throw "IIS is not installed on this host: $assembly is missing"
    }
    Add-Type -Path $assembly

    $manager = New-Object -TypeName Microsoft.Web.Administration.ServerManager
    try {
        $facts.config_test = Test-IisConfiguration -Manager $manager
        $bindings = @()
        foreach ($site in @($manager.Sites)) {
            foreach ($binding in @($site.Bindings)) {
                if ($binding.Protocol -ne 'https') { continue }
                $information = [string]$binding.BindingInformation
                if ($information -notmatch ':(\d+):[^:]*$' -or [int]$Matches[1] -ne $Port) { continue }
                $sslFlags = 0
                try { $sslFlags = [int]$binding.SslFlags } catch { $sslFlags = 0 }
                $store = [string]$binding.CertificateStoreName
                $bindings += , ([ordered]@{
                        site = $site.Name
                        binding = $information
                        thumbprint = ConvertTo-Hex -Bytes $binding.CertificateHash
                        store = $(if ($store) { $store } else { 'My' })
                        central_certificate_store = [bool]($sslFlags -band 2)
                    })
            }
        }
        $facts.bindings = $bindings
    }
    finally {
        $manager.Dispose()
    }

    $certificates = @()
    $seen = @{}
    foreach ($binding in $facts.bindings) {
        if (-not $binding.thumbprint) { continue }
        $path = 'Cert:\LocalMachine\{0}\{1}' -f $binding.store, $binding.thumbprint
        if ($seen.ContainsKey($path)) { continue }
        $seen[$path] = $true
        $entry = [ordered]@{
            path = $path
            thumbprint = $binding.thumbprint
            store = $binding.store
            found = $false
            sha256 = $null
            subject = $null
            private_key = $null
        }
        $certificate = Get-Item -LiteralPath $path -ErrorAction SilentlyContinue
        if ($null -ne $certificate) {
            $entry.found = $true
            $entry.subject = $certificate.Subject
            $sha = [System.Security.Cryptography.SHA256]::Create()
            try {
                $entry.sha256 = (ConvertTo-Hex -Bytes $sha.ComputeHash($certificate.RawData)).ToLowerInvariant()
            }
            finally {
                $sha.Dispose()
            }
            $entry.private_key = Get-KeyAccess -Certificate $certificate
        }
        $certificates += , $entry
    }
    $facts.certificates = $certificates

    try {
        $facts.administrators = @(Get-LocalGroupMember -SID 'S-1-5-32-544' | ForEach-Object { $_.SID.Value })
    }
    catch {
        $facts.administrators = $null
    }
}
catch {
    $facts.error = $_.Exception.Message
}

$Ansible.Result = ConvertTo-Json -InputObject $facts -Depth 8 -Compress
