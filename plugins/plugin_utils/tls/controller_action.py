# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of the TLS action plugins that do their work on the controller (``tls_certificate``, ``tls_lab_ca``)."""

from __future__ import annotations

import abc
from typing import Any, Dict, Optional

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

__all__ = ["ControllerAction"]


class ControllerAction(ActionBase, metaclass=abc.ABCMeta):
    """Subclasses implement :meth:`_run` and raise ``AnsibleActionFail`` for anything the user can fix.

    Such failures come back as a failed result (not an exception), so ``failed_when`` and ``register``
    see them; the message names the bad option or value.
    """

    TRANSFERS_FILES = False

    def run(self, tmp: Optional[str] = None, task_vars: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        task_vars = task_vars or {}
        try:
            result = super().run(tmp, task_vars)
            return self._run(result, task_vars)
        except AnsibleActionFail as exc:
            return {"failed": True, "changed": False, "msg": exc.message}

    @abc.abstractmethod
    def _run(self, result: Dict[str, Any], task_vars: Dict[str, Any]) -> Dict[str, Any]:
        """The action's work, given ``ActionBase.run``'s result to update and the task's variables."""
