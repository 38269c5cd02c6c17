# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stdout callback for the tests that run ansible-playbook: the whole run as one JSON document.

``{"plays": [{"play": {"name"}, "tasks": [{"task": {"name", "id"}, "hosts": {host: result}}]}]}``,
the shape tests/unit/helpers/playbooks.py reads. The tests' own, because ansible-core 2.19 moved its
JSON callback to ansible.posix, which ansible-test's units environment does not install.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

from ansible.module_utils.common.json import AnsibleJSONEncoder
from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: json_document
type: stdout
short_description: the run as one JSON document (tests only)
description: Every task's result per host, printed as one JSON document when the run ends.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "json_document"

    def __init__(self) -> None:
        super().__init__()
        self._plays: List[Dict[str, Any]] = []

    def v2_playbook_on_play_start(self, play: Any) -> None:
        self._plays.append({"play": {"name": play.get_name()}, "tasks": []})

    def _entry(self, task: Any) -> Dict[str, Any]:
        tasks = self._plays[-1]["tasks"]
        if not tasks or tasks[-1]["task"]["id"] != task._uuid:
            tasks.append({"task": {"name": task.get_name(), "id": task._uuid}, "hosts": {}})
        return tasks[-1]

    def v2_playbook_on_task_start(self, task: Any, is_conditional: bool) -> None:
        self._entry(task)

    def v2_playbook_on_handler_task_start(self, task: Any) -> None:
        self._entry(task)

    def _record(self, result: Any, **flags: Any) -> None:
        self._entry(result._task)["hosts"][result._host.get_name()] = {**result._result, **flags}

    def v2_runner_on_ok(self, result: Any) -> None:
        self._record(result)

    def v2_runner_on_failed(self, result: Any, ignore_errors: bool = False) -> None:
        self._record(result, failed=True)

    def v2_runner_on_skipped(self, result: Any) -> None:
        self._record(result, skipped=True)

    def v2_runner_on_unreachable(self, result: Any) -> None:
        self._record(result, unreachable=True)

    def v2_playbook_on_stats(self, stats: Any) -> None:
        self._display.display(json.dumps({"plays": self._plays}, cls=AnsibleJSONEncoder, indent=1, sort_keys=True))
