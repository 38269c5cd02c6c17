# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The argument spec of ``webedge.https.tls_certificate``, shared by its action plugin and module.

Plain data, no imports: the module (on the target) and the action plugin (on the
controller) validate the same options, so they read them from here, once.
:data:`MODULE_ONLY_OPTIONS` are the options the action plugin hands to the module once the
material is validated; a new option the module needs on the host goes there too.
"""

from __future__ import annotations

from typing import Any, Dict, List

__all__ = [
    "DEFAULT_KEY_TYPES",
    "KEY_TYPE_CHOICES",
    "MODULE_ONLY_OPTIONS",
    "argument_spec",
    "module_kwargs",
    "mutually_exclusive",
    "required_one_of",
]

KEY_TYPE_CHOICES = ["rsa", "ec_p256", "ec_p384", "ed25519"]
DEFAULT_KEY_TYPES = ["rsa", "ec_p256", "ec_p384"]

# The options the action plugin hands to the module after validation; the others
# (sources, validation settings) stay on the controller.
MODULE_ONLY_OPTIONS = (
    "certificate_content",
    "private_key_content",
    "host_private_key",
    "remove_host_private_key",
    "chain_content",
    "cert_path",
    "key_path",
    "chain_path",
    "fullchain_path",
    "owner",
    "group",
    "mode",
    "backup",
    "directories",
)


def argument_spec() -> Dict[str, Dict[str, Any]]:
    """A fresh copy of the argument spec (callers may mutate it)."""
    return {
        "certificate": {"type": "path"},
        "private_key": {"type": "path"},
        "chain": {"type": "path"},
        "certificate_content": {"type": "str"},
        "private_key_content": {"type": "str", "no_log": True},
        "host_private_key": {"type": "path"},
        "remove_host_private_key": {"type": "bool", "default": False},
        "chain_content": {"type": "str"},
        "private_key_passphrase": {"type": "str", "no_log": True},
        "decrypt_private_key": {"type": "bool", "default": True},
        "remote_src": {"type": "bool", "default": False},
        "cert_path": {"type": "path"},
        "key_path": {"type": "path"},
        "chain_path": {"type": "path"},
        "fullchain_path": {"type": "path"},
        "owner": {"type": "str"},
        "group": {"type": "str"},
        "mode": {"type": "raw", "default": "0600"},
        "hostnames": {"type": "list", "elements": "str", "default": []},
        "min_days_valid": {"type": "int", "default": 30},
        "key_types": {
            "type": "list",
            "elements": "str",
            "choices": list(KEY_TYPE_CHOICES),
            "default": list(DEFAULT_KEY_TYPES),
        },
        "min_rsa_bits": {"type": "int", "default": 2048},
        "backup": {"type": "bool", "default": False},
        "directories": {
            "type": "list",
            "elements": "dict",
            "default": [],
            "options": {
                "path": {"type": "path", "required": True},
                "owner": {"type": "str"},
                "group": {"type": "str"},
                "mode": {"type": "raw", "required": True},
            },
        },
    }


def mutually_exclusive() -> List[List[str]]:
    return [
        ["certificate", "certificate_content"],
        ["private_key", "private_key_content", "host_private_key"],
        ["chain", "chain_content"],
    ]


def required_one_of() -> List[List[str]]:
    return [
        ["certificate", "certificate_content"],
        ["cert_path", "key_path", "chain_path", "fullchain_path"],
    ]


def module_kwargs() -> Dict[str, Any]:
    """Keyword arguments for ``AnsibleModule`` and ``ActionBase.validate_argument_spec``."""
    return {
        "argument_spec": argument_spec(),
        "mutually_exclusive": mutually_exclusive(),
        "required_one_of": required_one_of(),
    }
