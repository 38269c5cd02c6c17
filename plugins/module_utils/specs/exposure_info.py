# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The argument spec of ``webedge.https.exposure_info`` (see ``specs/__init__.py``).

Plain data: the module (Linux, on the target) and its action plugin (Windows, on the
controller) validate the same options with :func:`module_kwargs`.
"""

from __future__ import annotations

from typing import Any, Dict

__all__ = ["argument_spec", "module_kwargs"]


def argument_spec() -> Dict[str, Dict[str, Any]]:
    """A fresh copy of the argument spec (callers may mutate it)."""
    return {
        "source": {"type": "str"},
        "interface": {"type": "str"},
        "protocols": {"type": "list", "elements": "str", "choices": ["tcp", "udp"], "default": ["tcp", "udp"]},
        "ports": {"type": "list", "elements": "raw", "default": []},
        "allowed": {"type": "list", "elements": "raw"},
        "fail_on_unexpected": {"type": "bool", "default": False},
    }


def module_kwargs() -> Dict[str, Any]:
    """The keyword arguments of ``AnsibleModule`` and of the action plugin's ``validate_argument_spec``."""
    return {"argument_spec": argument_spec()}
