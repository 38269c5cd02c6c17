# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which of this collection's modules importing one of them brings along, read in a fresh interpreter.

Ansible's collection loader compiles every module of ours that a plugin imports from source on every run
(it keeps no bytecode), so an action plugin loaded in every play should import only what it uses.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import List

from ansible_collections.webedge.https.tests.unit.helpers.playbooks import COLLECTIONS_ROOT

__all__ = ["PREFIX", "imported_with"]

PREFIX = "ansible_collections.webedge.https."

_SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
__import__(sys.argv[2])
print(json.dumps(sorted(m for m in sys.modules if m.startswith(sys.argv[3]))))
"""


def imported_with(module: str) -> List[str]:
    """Our modules loaded by ``import <PREFIX><module>`` in a new Python, without the ``PREFIX``."""
    run = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(COLLECTIONS_ROOT), PREFIX + module, PREFIX],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return [name[len(PREFIX) :] for name in json.loads(run.stdout)]
