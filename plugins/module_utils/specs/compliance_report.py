# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The argument spec of ``webedge.https.compliance_report`` (an action-only module: the action
plugin validates with it; the module file carries the documentation)."""

from __future__ import annotations

from typing import Any, Dict

from ansible_collections.webedge.https.plugins.module_utils.compliance.gating import FAIL_ON_CHOICES
from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import (
    DEFAULT_VERSION,
    PROFILE_NAMES,
    VERSIONS,
)

__all__ = ["REPORT_FORMATS", "argument_spec", "module_kwargs"]

# The report formats, in the order they are written (file names: reporting/writer.py).
REPORT_FORMATS = ("json", "junit", "sarif", "html", "markdown")


def argument_spec() -> Dict[str, Dict[str, Any]]:
    """A fresh copy of the argument spec (callers may mutate it)."""
    return {
        "dest": {"type": "path", "required": True},
        "formats": {
            "type": "list",
            "elements": "str",
            "choices": list(REPORT_FORMATS),
            "default": list(REPORT_FORMATS),
        },
        "fail_on": {"type": "str", "choices": list(FAIL_ON_CHOICES), "default": "high"},
        "hosts": {"type": "list", "elements": "str"},
        "results_var": {"type": "str", "default": "webedge_https_compliance"},
        "endpoints": {"type": "raw"},
        "endpoints_var": {"type": "str"},
        "profile": {"type": "str", "choices": list(PROFILE_NAMES), "default": "intermediate"},
        "profile_version": {"type": "str", "choices": list(VERSIONS), "default": DEFAULT_VERSION},
        "min_days_valid": {"type": "int", "default": 30},
        "source_root": {"type": "path"},
        "source_fallback": {"type": "path"},
    }


def module_kwargs() -> Dict[str, Any]:
    """Keyword arguments for ``ActionBase.validate_argument_spec``."""
    return {"argument_spec": argument_spec()}
