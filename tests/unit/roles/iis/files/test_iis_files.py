# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/iis/files/*.ps1: both scripts parse (tree-sitter PowerShell grammar), support check mode, stop on
errors, and the certificate script keeps its secrets in memory.

No Windows host is involved: this proves the scripts are well formed and say what they should.
"""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.powershell_grammar import problems
from ansible_collections.webedge.https.tests.unit.helpers.roles import ROLES

FILES = ROLES / "iis" / "files"
SCRIPTS = sorted(FILES.glob("*.ps1"))


def test_there_are_scripts():
    assert [s.name for s in SCRIPTS] == ["import_certificate.ps1", "site_tls.ps1"]


@pytest.mark.parametrize("path", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_script_parses(path):
    assert problems(path.read_text()) == []


@pytest.mark.parametrize("path", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_script_supports_check_mode_and_stops_on_errors(path):
    text = path.read_text()
    # win_powershell runs a script in check mode only when it supports ShouldProcess (-WhatIf)
    assert "[CmdletBinding(SupportsShouldProcess = $true)]" in text
    assert "$PSCmdlet.ShouldProcess(" in text
    assert "$ErrorActionPreference = 'Stop'" in text


def test_the_grammar_check_finds_broken_powershell():
    assert problems("function Foo { if ($x) { 1 }") != []


def test_certificate_script_takes_the_secrets_as_securestrings():
    text = (FILES / "import_certificate.ps1").read_text()
    assert "[SecureString]\n    $Pfx" in text and "[SecureString]\n    $Password" in text
    assert "Set-Content" not in text and "Out-File" not in text and "WriteAllBytes" not in text  # never on disk
