# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The argument spec of ``webedge.https.listening_ports`` (see ``specs/__init__.py``).

Plain data: the module (Linux, on the target) and its action plugin (Windows, on the
controller) validate the same options with :func:`module_kwargs`.
"""

from __future__ import annotations

from typing import Any, Dict

__all__ = ["argument_spec", "expect_spec", "module_kwargs"]


def expect_spec() -> Dict[str, Dict[str, Any]]:
    """The suboptions of one ``expect`` entry (a fresh copy)."""
    return {
        "port": {"type": "raw", "required": True},
        "protocol": {"type": "str", "choices": ["tcp", "udp"], "default": "tcp"},
        "process": {"type": "str"},
        "address": {"type": "str"},
        "family": {"type": "str", "choices": ["ipv4", "ipv6"]},
        "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
        "allow_loopback": {"type": "bool", "default": False},
    }


def argument_spec() -> Dict[str, Dict[str, Any]]:
    """A fresh copy of the argument spec (callers may mutate it)."""
    return {
        "ports": {"type": "list", "elements": "raw", "default": []},
        "protocols": {"type": "list", "elements": "str", "choices": ["tcp", "udp"], "default": ["tcp", "udp"]},
        "expect": {"type": "list", "elements": "dict", "options": expect_spec(), "default": []},
        "fail_on_missing": {"type": "bool", "default": True},
        "fact_name": {"type": "str"},
    }


def module_kwargs() -> Dict[str, Any]:
    """The keyword arguments of ``AnsibleModule`` and of the action plugin's ``validate_argument_spec``."""
    return {"argument_spec": argument_spec()}
