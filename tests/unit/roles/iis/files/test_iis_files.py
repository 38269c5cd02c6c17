# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/iis/files/*.ps1: both scripts parse (tree-sitter PowerShell grammar), support check mode, stop on
errors, and the certificate script keeps its secrets in memory.

No Windows host is involved: this proves the scripts are well formed and say what they should.
"""

from __future__ import annotations

import re

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.powershell_grammar import problems
from ansible_collections.webedge.https.tests.unit.helpers.roles import ROLES

FILES = ROLES / "iis" / "files"
SCRIPTS = sorted(FILES.glob("*.ps1"))


def test_there_are_scripts():
    assert [s.name for s in SCRIPTS] == ["import_certificate.ps1", "schannel_policy.ps1", "site_tls.ps1"]


@pytest.mark.parametrize("path", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_script_parses(path):
    assert problems(path.read_text()) == []


@pytest.mark.parametrize("path", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_script_supports_check_mode_and_stops_on_errors(path):
    text = path.read_text()
    # win_powershell runs a script in check mode only when it supports ShouldProcess (-WhatIf)
    assert "[CmdletBinding(SupportsShouldProcess = $true)]" in text
    if path.name != "schannel_policy.ps1":  # read-only: nothing to ask ShouldProcess about
        assert "$PSCmdlet.ShouldProcess(" in text
    assert "$ErrorActionPreference = 'Stop'" in text


def test_the_group_policy_script_only_reads():
    """Issue 14 item 7: it runs in check mode too, so it must change nothing (no cmdlet that writes, no registry)."""
    text = (FILES / "schannel_policy.ps1").read_text()
    writes = set(re.findall(r"\b(?:Set|New|Remove|Add|Clear|Invoke)-\w+", text))
    assert writes == {"Set-StrictMode", "New-Object"}  # neither writes anything on the host
    assert "$Ansible.Changed = $false" in text and "$Ansible.Changed = $true" not in text
    assert "-ClassName RSOP_RegistryPolicySetting" in text and "'precedence = 1'" in text


def test_the_grammar_check_finds_broken_powershell():
    assert problems("function Foo { if ($x) { 1 }") != []


def test_certificate_script_takes_the_secrets_as_securestrings():
    text = (FILES / "import_certificate.ps1").read_text()
    assert "[SecureString]\n    $Pfx" in text and "[SecureString]\n    $Password" in text
    assert "Set-Content" not in text and "Out-File" not in text and "WriteAllBytes" not in text  # never on disk


def test_certificate_script_imports_the_key_into_the_software_ksp():
    """Issue 14 item 3: PFXImportCertStore with PKCS12_ALWAYS_CNG_KSP, not .NET's Import (a legacy CAPI provider
    for the RSA keys of an OpenSSL or cryptography archive, which SCHANNEL on Server 2022 cannot use for TLS 1.3)."""
    text = (FILES / "import_certificate.ps1").read_text()
    # wincrypt.h values
    for name, value in (
        ("CRYPT_EXPORTABLE", "0x1"),
        ("CRYPT_MACHINE_KEYSET", "0x20"),
        ("PKCS12_ALWAYS_CNG_KSP", "0x200"),
        ("PKCS12_NO_PERSIST_KEY", "0x8000"),
    ):
        assert f"${name} = {value}\n" in text
    assert "$flags = $CRYPT_MACHINE_KEYSET -bor $PKCS12_ALWAYS_CNG_KSP\n" in text
    assert "public static extern IntPtr PFXImportCertStore(ref CRYPT_DATA_BLOB pPFX," in text
    assert ".Import(" not in text and "X509KeyStorageFlags" not in text
    # A leaf whose key is in another provider is not "already there": it is imported again.
    assert "$leafOk = ($null -ne $leaf) -and $leaf.HasPrivateKey -and $leafProvider -eq $ksp\n" in text
    assert "$ksp = 'Microsoft Software Key Storage Provider'\n" in text
