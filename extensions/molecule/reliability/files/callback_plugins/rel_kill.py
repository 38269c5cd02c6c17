# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback of the reliability scenario: when REL_KILL_LOG names a file, the first task result that
changed a host is appended to it (the task's name) and ansible-playbook kills itself with SIGKILL, as a
controller killed at that task boundary would end: no handler, no cleanup, no further task."""

from __future__ import annotations

import os
import signal

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "rel_kill"
    CALLBACK_NEEDS_ENABLED = True

    def v2_runner_on_ok(self, result) -> None:
        log = os.environ.get("REL_KILL_LOG")
        if not log or not result._result.get("changed"):
            return
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(result._task.get_name() + "\n")
        os.kill(os.getpid(), signal.SIGKILL)
