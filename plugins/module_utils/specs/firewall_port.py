# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The argument spec of ``webedge.https.firewall_port`` (see ``specs/__init__.py``).

Plain data: the module (Linux, on the target) and its action plugin (Windows, on the
controller) validate the same options with :func:`module_kwargs`.
"""

from __future__ import annotations

from typing import Any, Dict

__all__ = ["BACKEND_CHOICES", "argument_spec", "module_kwargs"]

BACKEND_CHOICES = ["auto", "nftables", "iptables", "firewalld", "ufw", "windows"]


def argument_spec() -> Dict[str, Dict[str, Any]]:
    """A fresh copy of the argument spec (callers may mutate it)."""
    return {
        "port": {"type": "list", "elements": "raw", "required": True},
        "protocol": {"type": "list", "elements": "str", "choices": ["tcp", "udp"], "default": ["tcp"]},
        "state": {"type": "str", "choices": ["open", "closed"], "default": "open"},
        "source": {"type": "list", "elements": "str", "default": []},
        "family": {"type": "str", "choices": ["ipv4", "ipv6", "both"], "default": "both"},
        "backend": {"type": "str", "choices": list(BACKEND_CHOICES), "default": "auto"},
        "zone": {"type": "str"},
        "persist": {"type": "bool", "default": True},
        "force": {"type": "bool", "default": False},
        "confirm_timeout": {"type": "int"},
        "profiles": {"type": "list", "elements": "str", "aliases": ["profile"]},
        "rollback_id": {"type": "str"},
    }


def module_kwargs() -> Dict[str, Any]:
    """The keyword arguments of ``AnsibleModule`` and of the action plugin's ``validate_argument_spec``."""
    return {"argument_spec": argument_spec()}
