# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Run by ansible.windows.win_powershell (role webedge.https.iis). Imports a PKCS#12 archive built on
# the controller (filter webedge.https.tls_pfx): the leaf and its private key into
# Cert:\LocalMachine\My, the intermediate certificates into Cert:\LocalMachine\CA, where SCHANNEL
# finds them to send the chain. The archive and its one-time password arrive as SecureStrings
# (sensitive_parameters, no_log) and are never written to disk.
#
# Idempotent by thumbprint: nothing is imported when the leaf (with its private key) and every
# intermediate are already there. Check mode (-WhatIf) reports what would be imported and changes
# nothing. Certificates that were there before are never removed (other bindings may use them).
[CmdletBinding(SupportsShouldProcess = $true)]
param (
    [Parameter(Mandatory = $true)]
    [SecureString]
    $Pfx,

    [Parameter(Mandatory = $true)]
    [SecureString]
    $Password,

    [Parameter(Mandatory = $true)]
    [ValidatePattern('^[0-9A-F]{40}$')]
    [string]
    $Thumbprint,

    [string[]]
    $ChainThumbprints = @(),

    [bool]
    $KeyExportable = $false
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0
$Ansible.Changed = $false

$leafPath = "Cert:\LocalMachine\My\$Thumbprint"
$leaf = Get-Item -LiteralPath $leafPath -ErrorAction SilentlyContinue
$leafOk = ($null -ne $leaf) -and $leaf.HasPrivateKey
$missingChain = @($ChainThumbprints | Where-Object { -not (Test-Path -LiteralPath "Cert:\LocalMachine\CA\$_") })

$result = @{
    thumbprint = $Thumbprint
    store = 'Cert:\LocalMachine\My'
    leaf_imported = $false
    leaf_had_no_private_key = ($null -ne $leaf) -and (-not $leaf.HasPrivateKey)
    chain_imported = @()
}

if ($leafOk -and $missingChain.Count -eq 0) {
    $Ansible.Result = $result
    return
}

$Ansible.Changed = $true
$planned = @()
if (-not $leafOk) { $planned += "leaf $Thumbprint with its private key into Cert:\LocalMachine\My" }
foreach ($t in $missingChain) { $planned += "intermediate $t into Cert:\LocalMachine\CA" }
if (-not $PSCmdlet.ShouldProcess($Thumbprint, "Import $($planned -join '; ')")) {
    # Check mode: report the plan only.
    $result.leaf_imported = -not $leafOk
    $result.chain_imported = $missingChain
    $Ansible.Result = $result
    return
}

# The key is persisted only when the leaf is to be added: a chain-only import leaves no key container.
$flags = [System.Security.Cryptography.X509Certificates.X509KeyStorageFlags]::MachineKeySet
if (-not $leafOk) {
    $flags = $flags -bor [System.Security.Cryptography.X509Certificates.X509KeyStorageFlags]::PersistKeySet
}
if ($KeyExportable) {
    $flags = $flags -bor [System.Security.Cryptography.X509Certificates.X509KeyStorageFlags]::Exportable
}

$bytes = $null
$collection = New-Object -TypeName System.Security.Cryptography.X509Certificates.X509Certificate2Collection
try {
    $bytes = [Convert]::FromBase64String([System.Net.NetworkCredential]::new('', $Pfx).Password)
    $collection.Import($bytes, [System.Net.NetworkCredential]::new('', $Password).Password, $flags)

    $stores = @{}
    foreach ($name in @('My', 'CA')) {
        $store = New-Object -TypeName System.Security.Cryptography.X509Certificates.X509Store -ArgumentList $name, 'LocalMachine'
        $store.Open([System.Security.Cryptography.X509Certificates.OpenFlags]::ReadWrite)
        $stores[$name] = $store
    }
    try {
        $found = $false
        foreach ($cert in $collection) {
            if ($cert.Thumbprint -eq $Thumbprint) {
                if (-not $cert.HasPrivateKey) {
                    throw "the archive holds certificate $Thumbprint without its private key"
                }
                $found = $true
                if (-not $leafOk) {
                    if ($null -ne $leaf) {
                        # The certificate was there without its key: replace it with the one that has it.
                        $stores['My'].Remove($leaf)
                    }
                    $stores['My'].Add($cert)
                    $result.leaf_imported = $true
                }
            }
            elseif ($missingChain -contains $cert.Thumbprint) {
                $stores['CA'].Add($cert)
                $result.chain_imported += $cert.Thumbprint
            }
        }
        if (-not $found) {
            throw "the archive does not hold the certificate $Thumbprint"
        }
    }
    finally {
        foreach ($store in $stores.Values) { $store.Close() }
    }
}
finally {
    if ($null -ne $bytes) { [Array]::Clear($bytes, 0, $bytes.Length) }
}

$imported = Get-Item -LiteralPath $leafPath -ErrorAction SilentlyContinue
if ($null -eq $imported -or -not $imported.HasPrivateKey) {
    throw "certificate $Thumbprint is not in Cert:\LocalMachine\My with its private key after the import"
}
$Ansible.Result = $result
