# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``patch_module_args`` for module tests: ansible-core's own from 2.19, the same thing before."""

from __future__ import annotations

import contextlib
import json
from typing import Any, Dict, Iterator

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

__all__ = ["patch_module_args"]

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19

    @contextlib.contextmanager  # type: ignore[no-redef]
    def patch_module_args(args: Dict[str, Any]) -> Iterator[None]:
        old = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = old
