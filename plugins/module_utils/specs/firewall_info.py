# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The argument spec of ``webedge.https.firewall_info``, shared by its action plugin and module.

Plain data, no imports: the module (Linux, on the target) and the action plugin
(Windows, on the controller) validate the same options, so they read them from here, once.
"""

from __future__ import annotations

from typing import Any, Dict

__all__ = ["argument_spec"]


def argument_spec() -> Dict[str, Dict[str, Any]]:
    """A fresh copy of the argument spec (callers may mutate it)."""
    return {
        "ports": {"type": "list", "elements": "raw", "default": []},
        "protocol": {"type": "str", "choices": ["tcp", "udp"], "default": "tcp"},
        "source": {"type": "str"},
        "family": {"type": "str", "choices": ["ipv4", "ipv6", "both"], "default": "both"},
        "interface": {"type": "str"},
        "zone": {"type": "str"},
    }
