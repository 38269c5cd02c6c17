# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback of the reliability scenario. When REL_KILL_LOG names a file, the name of every task (or
handler) result that changed a host is appended to it; when REL_KILL_AT is a number N > 0 (default 1),
ansible-playbook kills itself with SIGKILL right after the N-th such result, as a controller killed at that
task boundary would end: no handler, no cleanup, no further task. REL_KILL_AT=0 only records (the reference
run that lists the kill points, the re-runs). A play named as MARK (site_twice.yml runs webedge.https.site twice
in one ansible-playbook, with this play between) writes MARK to the log."""

from __future__ import annotations

import os
import signal

from ansible.plugins.callback import CallbackBase

MARK = "The run after"


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "rel_kill"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self) -> None:
        super().__init__()
        self._changed = 0

    def v2_playbook_on_play_start(self, play) -> None:
        log = os.environ.get("REL_KILL_LOG")
        if log and play.get_name() == MARK:
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(MARK + "\n")

    def v2_runner_on_ok(self, result) -> None:
        log = os.environ.get("REL_KILL_LOG")
        if not log or not result._result.get("changed"):
            return
        self._changed += 1
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(result._task.get_name() + "\n")
        if self._changed == int(os.environ.get("REL_KILL_AT", "1")):
            os.kill(os.getpid(), signal.SIGKILL)
