# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The argument spec of ``webedge.https.listening_ports``, shared by its module and action plugin.

Plain data, no imports: the module (Linux, on the target) and the action plugin (Windows,
on the controller) validate the same options, so they read them from here, once.
"""

from __future__ import annotations

from typing import Any, Dict

__all__ = ["argument_spec", "expect_spec"]


def expect_spec() -> Dict[str, Dict[str, Any]]:
    """The suboptions of one ``expect`` entry (a fresh copy)."""
    return {
        "port": {"type": "raw", "required": True},
        "protocol": {"type": "str", "choices": ["tcp", "udp"], "default": "tcp"},
        "process": {"type": "str"},
        "address": {"type": "str"},
        "family": {"type": "str", "choices": ["ipv4", "ipv6"]},
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
