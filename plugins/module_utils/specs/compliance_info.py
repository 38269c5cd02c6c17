# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The argument spec of ``webedge.https.compliance_info`` (see ``specs/__init__.py``).

Plain data: the module (Linux, on the target) and its action plugin (Windows, on the
controller) validate the same options with :func:`module_kwargs`.
"""

from __future__ import annotations

from typing import Any, Dict

__all__ = ["argument_spec", "module_kwargs"]


def argument_spec() -> Dict[str, Dict[str, Any]]:
    """A fresh copy of the argument spec (callers may mutate it)."""
    return {
        "port": {"type": "int", "default": 443},
        "server": {"type": "str", "choices": ["auto", "nginx", "apache", "iis", "none"], "default": "auto"},
        "expected_process": {"type": "str", "default": ""},
        "key_paths": {"type": "list", "elements": "str", "default": [], "no_log": False},
        "cert_path": {"type": "str", "default": ""},
        "exposure": {"type": "bool", "default": True},
        "allowed": {"type": "list", "elements": "raw"},
        "firewall": {"type": "bool", "default": True},
        "source": {"type": "str"},
    }


def module_kwargs() -> Dict[str, Any]:
    """The keyword arguments of ``AnsibleModule`` and of the action plugin's ``validate_argument_spec``."""
    return {"argument_spec": argument_spec()}
