# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback of the reliability scenario: kills the controller as a crash would.

REL_KILL_LOG names a file (created empty when the run starts): every task (or handler) that changed at least
one host is appended to it once, when it has ended on every host (at the next task boundary), as one line
`<task name> @ <the hosts it changed, comma-separated, sorted>`: one change of the run.

REL_KILL_POINTS: a JSON list of such lines. Right after the first change of the run that is one of them, at
that task boundary (the next task or handler starting, the next play, the recap: every host of the play has
returned that task's result), the controller dies: SIGKILL to ansible-playbook and every process under it (its
workers and their `podman exec` clients), as a controller whose machine dies would end: no handler, no
cleanup, no further task. Its line is the last of the log. An empty list (or none) only records.

REL_KILL_MODULE=NAME: a kill inside a module run. When the first task of the run starts, a watcher per
container of REL_KILL_HOSTS (comma-separated) waits inside the container for the AnsiballZ payload directory
of module NAME (/tmp/ansible_<FQCN>_payload_*, made when the module starts and removed by its wrapper when it
ends) to appear; the first seen kills the controller as above. Before the kill, a detached follower in that
container watches the module's process (the newest python3) and appends to REL_KILL_FATE how long it lived
after the kill and whether its wrapper removed the payload directory (it ran to its end) or not (it was
killed).

The output of a run of the scenario's state reader (a command `python3 .../rel-served-state SERVER FILE`) is written to
FILE on the controller (files/read_state.yml).

A play named MARK (site_rerun_twice.yml runs webedge.https.site twice in one ansible-playbook, with this play
between) writes MARK to the log."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time

from ansible.plugins.callback import CallbackBase

MARK = "The run after"

# Inside the container: wait for the payload directory, then print the module process (newest python3) and it.
WAIT_SCRIPT = """
end=$(( $(date +%s) + 120 ))
while [ "$(date +%s)" -lt "$end" ]; do
  for d in /tmp/ansible_*{module}_payload_*; do
    if [ -d "$d" ]; then echo "$(pgrep -n "^python3") $d"; exit 0; fi
  done
  sleep 0.005
done
"""

# Inside the container, detached: follow the module process after the controller's death.
FATE_SCRIPT = """
while [ -d /proc/{pid} ] && [ $(( $(date +%s%3N) - {killed_ms} )) -lt 30000 ]; do sleep 0.005; done
ms=$(( $(date +%s%3N) - {killed_ms} ))
if [ -d /proc/{pid} ]; then echo "{host} pid {pid} still running $ms ms after the kill"; exit 0; fi
if [ -d {payload} ]; then left=left; else left=removed; fi
echo "{host} pid {pid} ended at most $ms ms after the kill; payload directory $left"
"""


def _descendants(root: int) -> list:
    """Every process under root (children first found, then theirs), from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_controller(spare: tuple = ()) -> None:
    """SIGKILL every process under ansible-playbook (but spare and theirs), then ansible-playbook itself."""
    me = os.getpid()
    spared = set(spare)
    for pid in spare:
        spared.update(_descendants(pid))
    for pid in _descendants(me):
        if pid not in spared:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
    os.kill(me, signal.SIGKILL)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "rel_kill"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self) -> None:
        super().__init__()
        self._log = os.environ.get("REL_KILL_LOG")
        self._points = set(json.loads(os.environ.get("REL_KILL_POINTS") or "[]"))
        self._module = os.environ.get("REL_KILL_MODULE", "")
        # the task that changed a host and has not been written yet: uuid -> [name, set of hosts]
        self._pending = {}
        self._watching = False
        if self._log:
            with open(self._log, "a", encoding="utf-8"):
                pass

    def _write(self, line: str) -> None:
        if self._log:
            with open(self._log, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")

    def _boundary(self) -> None:
        """The tasks before have ended on every host: write their changes; die after a kill point."""
        kill = False
        for name, hosts in self._pending.values():
            line = f"{name} @ {','.join(sorted(hosts))}"
            self._write(line)
            kill = kill or line in self._points
        self._pending.clear()
        if kill:
            kill_controller()

    def _watch_module(self) -> None:
        module = self._module
        fate = os.environ["REL_KILL_FATE"]
        seen = threading.Event()
        lock = threading.Lock()

        def wait(host: str) -> None:
            script = WAIT_SCRIPT.format(module=module)
            out = subprocess.run(
                ["podman", "exec", host, "sh", "-c", script], capture_output=True, text=True, check=False
            ).stdout.split()
            with lock:
                if seen.is_set() or len(out) != 2:
                    return
                seen.set()
                pid, payload = out
                killed_ms = int(time.time() * 1000)
                with open(fate, "a", encoding="utf-8") as handle:
                    handle.write(f"{host} pid {pid} running the module ({payload}) at {killed_ms} ms: kill\n")
                    handle.flush()
                    follower = subprocess.Popen(
                        [
                            "podman",
                            "exec",
                            host,
                            "sh",
                            "-c",
                            FATE_SCRIPT.format(host=host, pid=pid, payload=payload, killed_ms=killed_ms),
                        ],
                        stdout=handle,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                        start_new_session=True,
                    )
                kill_controller(spare=(follower.pid,))

        for host in os.environ["REL_KILL_HOSTS"].split(","):
            threading.Thread(target=wait, args=(host,), daemon=True).start()

    def _task_start(self, task) -> None:
        self._boundary()
        if self._module and not self._watching:
            self._watching = True
            self._watch_module()

    def v2_playbook_on_task_start(self, task, is_conditional) -> None:
        self._task_start(task)

    def v2_playbook_on_handler_task_start(self, task) -> None:
        self._task_start(task)

    def v2_playbook_on_play_start(self, play) -> None:
        self._boundary()
        if play.get_name() == MARK:
            self._write(MARK)

    def v2_playbook_on_stats(self, stats) -> None:
        self._boundary()

    def v2_runner_on_ok(self, result) -> None:
        argv = result._result.get("cmd")
        if isinstance(argv, list) and len(argv) == 4 and str(argv[1]).endswith("/rel-served-state"):
            with open(argv[3], "w", encoding="utf-8") as handle:
                handle.write(result._result.get("stdout", ""))
        if not result._result.get("changed"):
            return
        task = result._task
        self._pending.setdefault(task._uuid, [task.get_name(), set()])[1].add(result._host.get_name())
