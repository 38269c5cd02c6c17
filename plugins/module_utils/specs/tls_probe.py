# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The argument spec of ``webedge.https.tls_probe``, shared by its module and its action plugin."""

from __future__ import annotations

from typing import Any, Dict

from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import (
    DEFAULT_VERSION,
    PROFILE_NAMES,
    VERSIONS,
)

__all__ = ["argument_spec", "module_kwargs"]


def argument_spec() -> Dict[str, Dict[str, Any]]:
    """A fresh copy of the argument spec (callers may mutate it)."""
    return {
        "targets": {"type": "list", "elements": "raw", "required": True},
        "ca_file": {"type": "path"},
        "timeout": {"type": "float", "default": 5.0},
        "concurrency": {"type": "int", "default": 32},
        "http_checks": {"type": "bool", "default": True},
        "http_port": {"type": "int", "default": 80},
        "profile": {"type": "str", "choices": list(PROFILE_NAMES), "default": "intermediate"},
        "profile_version": {"type": "str", "choices": list(VERSIONS), "default": DEFAULT_VERSION},
        "min_days_valid": {"type": "int", "default": 30},
        "fail_on_error": {"type": "bool", "default": False},
        "skip_controls": {"type": "list", "elements": "str", "default": []},
    }


def module_kwargs() -> Dict[str, Any]:
    """Keyword arguments for ``AnsibleModule`` and ``ActionBase.validate_argument_spec``."""
    return {"argument_spec": argument_spec()}
