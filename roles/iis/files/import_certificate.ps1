# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Run by ansible.windows.win_powershell (role webedge.https.iis). Imports a PKCS#12 archive built on
# the controller (filter webedge.https.windows.tls_pfx): the leaf and its private key into
# Cert:\LocalMachine\My, the intermediate certificates into Cert:\LocalMachine\CA, where SCHANNEL
# finds them to send the chain. The archive and its one-time password arrive as SecureStrings
# (sensitive_parameters, no_log) and are never written to disk.
#
# The private key goes to the Microsoft Software Key Storage Provider (CNG), whatever the archive says:
# PFXImportCertStore with PKCS12_ALWAYS_CNG_KSP. .NET's X509Certificate2Collection.Import put the RSA
# keys of an archive made by OpenSSL or cryptography in a legacy CAPI provider, and SCHANNEL on
# Windows Server 2022 cannot sign a TLS 1.3 handshake with those (issue 14 item 3).
#
# Idempotent by thumbprint: nothing is imported when the leaf (with its private key, in the Software
# KSP) and every intermediate are already there; a leaf whose key is in another provider is imported
# again (its old key container is left in place). Check mode (-WhatIf) reports what would be imported and changes
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

$ksp = 'Microsoft Software Key Storage Provider'
# wincrypt.h: CRYPT_EXPORTABLE, CRYPT_MACHINE_KEYSET, PKCS12_ALWAYS_CNG_KSP, PKCS12_NO_PERSIST_KEY
$CRYPT_EXPORTABLE = 0x1
$CRYPT_MACHINE_KEYSET = 0x20
$PKCS12_ALWAYS_CNG_KSP = 0x200
$PKCS12_NO_PERSIST_KEY = 0x8000

function Get-KeyProvider {
    # The provider holding a certificate's private key: CNG keys name their provider, CAPI keys their CSP.
    param ($Certificate)
    if (-not $Certificate.HasPrivateKey) { return $null }
    $key = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($Certificate)
    if ($null -eq $key) {
        $key = [System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions]::GetECDsaPrivateKey($Certificate)
    }
    if ($key -is [System.Security.Cryptography.RSACryptoServiceProvider]) {
        return $key.CspKeyContainerInfo.ProviderName
    }
    if ($null -ne $key -and $null -ne $key.PSObject.Properties['Key']) {
        return $key.Key.Provider.Provider
    }
    return $null
}

$leafPath = "Cert:\LocalMachine\My\$Thumbprint"
$leaf = Get-Item -LiteralPath $leafPath -ErrorAction SilentlyContinue
$leafProvider = if ($null -ne $leaf) { Get-KeyProvider -Certificate $leaf } else { $null }
$leafOk = ($null -ne $leaf) -and $leaf.HasPrivateKey -and $leafProvider -eq $ksp
$missingChain = @($ChainThumbprints | Where-Object { -not (Test-Path -LiteralPath "Cert:\LocalMachine\CA\$_") })

$result = @{
    thumbprint = $Thumbprint
    store = 'Cert:\LocalMachine\My'
    leaf_imported = $false
    leaf_had_no_private_key = ($null -ne $leaf) -and (-not $leaf.HasPrivateKey)
    chain_imported = @()
    key_provider = $leafProvider
}

if ($leafOk -and $missingChain.Count -eq 0) {
    $Ansible.Result = $result
    return
}

$Ansible.Changed = $true
$planned = @()
if (-not $leafOk) { $planned += "leaf $Thumbprint with its private key ($ksp) into Cert:\LocalMachine\My" }
foreach ($t in $missingChain) { $planned += "intermediate $t into Cert:\LocalMachine\CA" }
if (-not $PSCmdlet.ShouldProcess($Thumbprint, "Import $($planned -join '; ')")) {
    # Check mode: report the plan only.
    $result.leaf_imported = -not $leafOk
    $result.chain_imported = $missingChain
    $Ansible.Result = $result
    return
}

# The key is persisted only when the leaf is to be added: a chain-only import leaves no key container.
$flags = $CRYPT_MACHINE_KEYSET -bor $PKCS12_ALWAYS_CNG_KSP
if ($leafOk) {
    $flags = $flags -bor $PKCS12_NO_PERSIST_KEY
}
if ($KeyExportable) {
    $flags = $flags -bor $CRYPT_EXPORTABLE
}
Add-Type -Namespace WebedgeHttps -Name Pkcs12 -MemberDefinition @'
[StructLayout(LayoutKind.Sequential)]
public struct CRYPT_DATA_BLOB { public uint cbData; public IntPtr pbData; }

[DllImport("crypt32.dll", SetLastError = true)]
public static extern IntPtr PFXImportCertStore(ref CRYPT_DATA_BLOB pPFX, [MarshalAs(UnmanagedType.LPWStr)] string szPassword, uint dwFlags);

[DllImport("crypt32.dll", SetLastError = true)]
[return: MarshalAs(UnmanagedType.Bool)]
public static extern bool CertCloseStore(IntPtr hCertStore, uint dwFlags);
'@

$bytes = $null
$buffer = [IntPtr]::Zero
$imported = [IntPtr]::Zero
$temporary = $null
try {
    $bytes = [Convert]::FromBase64String([System.Net.NetworkCredential]::new('', $Pfx).Password)
    $buffer = [System.Runtime.InteropServices.Marshal]::AllocHGlobal($bytes.Length)
    [System.Runtime.InteropServices.Marshal]::Copy($bytes, 0, $buffer, $bytes.Length)
    $blob = New-Object -TypeName 'WebedgeHttps.Pkcs12+CRYPT_DATA_BLOB'
    $blob.cbData = [uint32]$bytes.Length
    $blob.pbData = $buffer
    $imported = [WebedgeHttps.Pkcs12]::PFXImportCertStore(
        [ref]$blob, [System.Net.NetworkCredential]::new('', $Password).Password, [uint32]$flags)
    if ($imported -eq [IntPtr]::Zero) {
        $code = [System.Runtime.InteropServices.Marshal]::GetLastWin32Error()
        throw "PFXImportCertStore failed: $(([System.ComponentModel.Win32Exception]$code).Message)"
    }
    # A store object over the imported certificates (their keys already in the Software KSP).
    $temporary = [System.Security.Cryptography.X509Certificates.X509Store]::new($imported)
    $collection = $temporary.Certificates

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
                        # The certificate was there without its key, or with its key in another provider:
                        # replace it with the one whose key is in the Software KSP.
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
    if ($null -ne $temporary) { $temporary.Close() }
    if ($imported -ne [IntPtr]::Zero) { $null = [WebedgeHttps.Pkcs12]::CertCloseStore($imported, 0) }
    if ($buffer -ne [IntPtr]::Zero) {
        if ($null -ne $bytes) {
            $zeros = New-Object -TypeName byte[] -ArgumentList $bytes.Length
            [System.Runtime.InteropServices.Marshal]::Copy($zeros, 0, $buffer, $bytes.Length)
        }
        [System.Runtime.InteropServices.Marshal]::FreeHGlobal($buffer)
    }
    if ($null -ne $bytes) { [Array]::Clear($bytes, 0, $bytes.Length) }
}

$installed = Get-Item -LiteralPath $leafPath -ErrorAction SilentlyContinue
if ($null -eq $installed -or -not $installed.HasPrivateKey) {
    throw "certificate $Thumbprint is not in Cert:\LocalMachine\My with its private key after the import"
}
$result.key_provider = Get-KeyProvider -Certificate $installed
if ($result.key_provider -ne $ksp) {
    throw "the private key of certificate $Thumbprint is in '$($result.key_provider)' after the import, not in '$ksp'"
}
$Ansible.Result = $result
