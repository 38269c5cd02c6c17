# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one command runner of the collection's modules: ``run(argv, data=None) -> (rc, out, err)``.

What the firewall code (``firewall/backend.Runner``) expects of a runner, on top of
``AnsibleModule.run_command``: an argv list, never a shell string; tools found in the sbin
directories too (a non-root ``PATH`` often lacks them); the C locale (the parsers read English
output); a missing tool as rc 127 rather than an exception; ``data`` sent to stdin exactly as
given (``binary_data=True``: no newline appended; ``nft -f -``, ``iptables-restore`` and the
ufw batch take their input byte for byte).
"""

from __future__ import annotations

import shutil
from typing import Any, Optional, Sequence, Tuple

__all__ = ["SBIN_DIRS", "ModuleRunner"]

SBIN_DIRS = ["/usr/sbin", "/sbin", "/usr/local/sbin"]


class ModuleRunner:
    """``module.run_command`` with the C locale; a missing tool is rc 127."""

    def __init__(self, module: Any) -> None:
        self.module = module

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        path = self.module.get_bin_path(argv[0], opt_dirs=SBIN_DIRS) or shutil.which(argv[0])
        if path is None:
            return 127, "", f"{argv[0]}: command not found"
        rc, out, err = self.module.run_command(
            [path, *argv[1:]],
            data=data,
            binary_data=True,
            environ_update={"LC_ALL": "C", "LANG": "C"},
        )
        return rc, out, err
