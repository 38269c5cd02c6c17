# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Windows side of a command line: what ``PowerShell ... -EncodedCommand`` would run, and what it prints.

For the transport tests (``wsman_server.py``) and the simulated host's connection plugin:

* :func:`decode_command_line` checks a command line is exactly ``PowerShell -NoProfile -NonInteractive
  -ExecutionPolicy Unrestricted -EncodedCommand <base64 UTF-16LE>`` (the shape Ansible's shell plugin
  and our runner build) and returns the script it carries.
* :class:`ScriptHost` answers our scripts: the command line must carry our stub, standard input is the
  script (over PSRP, :meth:`ScriptHost.pipeline`: the pipeline's script is the stub, its input the
  script's lines); each script goes to the simulated host that owns it (firewall_port, firewall_info,
  listening_ports, the rollback). Output is encoded as a Windows console writes it: UTF-8 only when
  the stub set ``[Console]::OutputEncoding`` to UTF-8, else the OEM code page (437, US English), as
  Microsoft documents for console output (a model of the console, not a console).
"""

from __future__ import annotations

import base64
from typing import Any, List, Optional, Tuple

from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import POWERSHELL_ARGS, STUB

__all__ = ["ScriptHost", "console_bytes", "decode_command_line"]

OEM_CODEPAGE = "cp437"


def decode_command_line(command_line: str) -> str:
    """The script ``PowerShell ... -EncodedCommand B64`` runs; AssertionError for any other command line."""
    parts = command_line.split(" ")
    assert parts[: len(POWERSHELL_ARGS)] == list(POWERSHELL_ARGS), command_line[:200]
    assert parts[len(POWERSHELL_ARGS)] == "-EncodedCommand" and len(parts) == len(POWERSHELL_ARGS) + 2, command_line[
        :200
    ]
    return base64.b64decode(parts[-1]).decode("utf-16-le")


def console_bytes(script: str, text: str) -> bytes:
    """``text`` as the console writes it: UTF-8 if ``script`` set UTF-8 output first, else the OEM code page."""
    if "[Console]::OutputEncoding = New-Object -TypeName System.Text.UTF8Encoding" in script:
        return text.encode("utf-8")
    return text.encode(OEM_CODEPAGE, errors="replace")


class ScriptHost:
    """Answers (command line, stdin) with the simulated host that owns each script.

    ``firewall``, ``info`` and ``listening`` are runners (``run(argv, data)``) such as
    ``FakeWindowsHost``, ``FakeInfoHost`` and ``FakeListeningHost``; ``scripts`` records every
    script received, in order, as ``(stub, script)``.
    """

    def __init__(self, firewall: Any = None, info: Any = None, listening: Any = None) -> None:
        self.firewall, self.info, self.listening = firewall, info, listening
        self.scripts: List[Tuple[str, str]] = []

    def owner(self, script: str) -> Optional[Any]:
        if "Get-NetFirewallPortFilter -All" in script or "-All -PolicyStore $store" in script:
            return self.info
        if "function Test-Elevated" in script:
            return self.listening
        return self.firewall

    def __call__(self, command_line: str, stdin: bytes) -> Tuple[int, bytes, bytes]:
        stub = decode_command_line(command_line)
        script = stdin.decode("ascii")
        self.scripts.append((stub, script))
        assert stub == STUB, "the command line does not carry the stub"
        host = self.owner(script)
        assert host is not None, "no simulated host for this script"
        rc, out, err = host.run([], script)
        return rc, console_bytes(stub, out), console_bytes(stub, err)

    def pipeline(self, script: str, lines: List[Any]) -> Tuple[int, List[str], str]:
        """A PSRP pipeline (``psrp_server.py``): ``script`` must be the stub, its input the script's lines.

        What the stub does with them: ``$input`` joined with newlines is the script it runs. A runspace has
        no console: output goes back as objects (one string per line), with no code page on the way.
        """
        assert script == STUB, "the pipeline does not run the stub"
        assert all(isinstance(line, str) for line in lines), "the script's input is not a list of strings"
        code = "\n".join(lines)
        self.scripts.append((script, code))
        host = self.owner(code)
        assert host is not None, "no simulated host for this script"
        rc, out, err = host.run([], code)
        return rc, out.splitlines(), err
