# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The argument spec of ``webedge.https.tls_lab_ca`` (action only: its action plugin validates with it)."""

from __future__ import annotations

from typing import Any, Dict, List

__all__ = ["KEY_TYPE_CHOICES", "argument_spec", "module_kwargs"]

KEY_TYPE_CHOICES: List[str] = ["ec_p256", "ec_p384", "rsa2048", "rsa3072", "rsa4096", "ed25519"]


def argument_spec() -> Dict[str, Dict[str, Any]]:
    """A fresh copy of the argument spec (callers may mutate it)."""
    return {
        "dest": {"type": "path", "required": True},
        "ca_common_name": {"type": "str", "default": "webedge lab root CA"},
        "intermediate": {"type": "bool", "default": True},
        "intermediate_common_name": {"type": "str", "default": "webedge lab intermediate CA"},
        "key_type": {"type": "str", "default": "ec_p256", "choices": list(KEY_TYPE_CHOICES)},
        "ca_valid_days": {"type": "int", "default": 3650},
        "valid_days": {"type": "int", "default": 90},
        "renew_days": {"type": "int", "default": 30},
        "certificates": {
            "type": "list",
            "elements": "dict",
            "default": [],
            "options": {
                "name": {"type": "str", "required": True},
                "hostnames": {"type": "list", "elements": "str", "required": True},
                "key_type": {"type": "str", "choices": list(KEY_TYPE_CHOICES)},
            },
        },
    }


def module_kwargs() -> Dict[str, Any]:
    """Keyword arguments for ``ActionBase.validate_argument_spec`` (and ``AnsibleModule``)."""
    return {"argument_spec": argument_spec()}
