# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/compliance/files/windows_host.ps1: it parses (tree-sitter PowerShell grammar), only reads, and
returns no key material. No Windows host is involved."""

from __future__ import annotations

import re

from ansible_collections.webedge.https.tests.unit.helpers.powershell_grammar import problems
from ansible_collections.webedge.https.tests.unit.helpers.roles import ROLES

SCRIPT = ROLES / "compliance" / "files" / "windows_host.ps1"


def test_the_script_parses():
    text = SCRIPT.read_text()
    assert text.isascii()
    assert problems(text) == []
    assert problems(text.replace("return $out\n}", "return $out\n", 1)) != []  # the check does find errors


# Cmdlets and .NET members that write or export; the script must contain none of them.
WRITERS = [
    r"\bSet-\w+",
    r"\bNew-Item\b",
    r"\bRemove-\w+",
    r"\bAdd-(?!Type\b)\w+",
    r"\bCommitChanges\b",
    r"\bExport\w*\(",
    r"\.Export\b",
    r"\bToXmlString\b",
    r"\bappcmd\b.*\b(set|add|delete)\b",
]


def test_the_script_only_reads_and_returns_no_key_material():
    code = "\n".join(line for line in SCRIPT.read_text().splitlines() if not line.lstrip().startswith("#"))
    found = [pattern for pattern in WRITERS if re.search(pattern, code, re.IGNORECASE)]
    assert found == ["\\bSet-\\w+"]  # Set-StrictMode only
    assert re.findall(r"\bSet-\w+", code) == ["Set-StrictMode"]
    assert "$Ansible.Changed = $false" in code
    assert "SupportsShouldProcess" not in code  # runs only through check_mode: false, never half in check mode
    assert "[CmdletBinding()]" in code and "$ErrorActionPreference = 'Stop'" in code
