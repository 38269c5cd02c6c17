# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run many ``ufw`` rule commands in ONE ufw process.

Why: each ``ufw`` call starts Python, imports ufw and probes iptables
(``initcaps``); that start-up is most of a call's 0.1 to 2 s, so opening 50
ports took 50 start-ups. :data:`SCRIPT` does, for each command, exactly what
``/usr/sbin/ufw`` does for one (``parse_command``, then
``UFWFrontend.do_action`` under ufw's own lock, printing its result), but pays
the start-up once. It runs under the interpreter named by the ``ufw`` script's
shebang, so it imports the very ufw library the CLI would use; ufw keeps its
rules in memory between commands and writes its rule files after each one,
as the CLI does.

ufw's Python API is not a public interface, so this is an optimisation with a
way back: when the script cannot start (no ufw script or shebang, no library,
a missing function, any failure before the first command) the backend runs
the CLI loop instead, which then does the same work and reports any error in
ufw's own words. Once a command has started, its outcome is final: the
results are checked one by one like the CLI loop's, and the batch stops where
the CLI loop would stop (non-zero status or an error marker).

Protocol: stdin is JSON ``{"ufw": path, "commands": [argv...], "stop_on": [marker...]}``;
each stdout line tagged :data:`TAG` holds one JSON event: ``{"start": i}``
before command ``i``, ``{"i", "rc", "out", "err"}`` after it, ``{"done": n}``
at the end, or ``{"unsupported": why}`` when nothing was started. Untagged
lines (anything writing to file descriptor 1 directly) are ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import FileStore, Step

__all__ = [
    "SCRIPT",
    "TAG",
    "UFW_PATHS",
    "BatchResult",
    "Outcome",
    "UfwScript",
    "batch_step",
    "find_ufw_script",
    "parse_output",
    "shebang_interpreter",
]

TAG = "webedge-ufw-batch "
# The ModuleRunner resolves "ufw" in the sbin directories first, in this order: read the same file.
UFW_PATHS = ("/usr/sbin/ufw", "/sbin/ufw", "/usr/local/sbin/ufw", "/usr/bin/ufw")

# Runs under ufw's interpreter (any Python 3 ufw supports): no f-strings, stdlib and ufw only.
# No dollar sign anywhere: Ansible's run_command expands $VARS in each argv item.
SCRIPT = r"""
import sys
if sys.path and sys.path[0] in ('', '.'):
    del sys.path[0]  # like the ufw script, never import from the current directory
import json
import os
import traceback


class Sink(object):
    # ufw prints through sys.stdout/sys.stderr (and their .buffer): collect per command.
    def __init__(self):
        self.parts = []

    @property
    def buffer(self):
        return self

    def write(self, data):
        if isinstance(data, bytes):
            data = data.decode('utf-8', 'replace')
        self.parts.append(data)
        return len(data)

    def flush(self):
        pass

    def take(self):
        text = ''.join(self.parts)
        self.parts = []
        return text


REAL = sys.stdout
OUT, ERR = Sink(), Sink()
sys.stdout, sys.stderr = OUT, ERR  # before importing ufw: msg() binds sys.stdout as its default


def emit(event):
    REAL.write('TAG' + json.dumps(event) + '\n')
    REAL.flush()


try:
    import gettext
    import ufw.common
    import ufw.frontend
    import ufw.util
    from ufw.common import UFWError
    for name in ('parse_command', 'UFWFrontend'):
        getattr(ufw.frontend, name)
    for name in ('create_lock', 'release_lock', 'msg', 'error', '_findpath'):
        getattr(ufw.util, name)
    # as /usr/sbin/ufw: gettext's _() in builtins, ufw's message catalogue
    gettext.install(ufw.common.programName)
    gettext.bindtextdomain(ufw.common.programName,
                           os.path.join(ufw.util._findpath(ufw.common.trans_dir, None), 'messages'))
    gettext.textdomain(ufw.common.programName)
    request = json.loads(sys.stdin.read())
    # ufw checks the owner and mode of the script it runs as (sys.argv[0]): the real one
    sys.argv = [request['ufw']]
    ui = ufw.frontend.UFWFrontend(False)
    lockfile = '/run/ufw.lock'
    if os.getuid() != 0 or 'TESTSTATE' in os.environ:
        lockfile = os.path.join(ufw.common.state_dir, 'ufw.lock')
except Exception:
    emit({'unsupported': traceback.format_exc(limit=2) + ERR.take()})
    sys.exit(3)


def run_one(argv):
    # what /usr/sbin/ufw's main does for one rule command, with exit codes as values
    rc = 0
    try:
        pr = ufw.frontend.parse_command(list(argv))
        if 'rule' in pr.data:
            res = ui.do_action(pr.action, pr.data['rule'], pr.data['iptype'], pr.force)
        else:
            res = ui.do_action(pr.action, '', '', pr.force)
        if res != '':
            ufw.util.msg(res)
    except UFWError as e:
        ufw.util.error(e.value, do_exit=False)
        rc = 1
    except SystemExit as e:  # ufw's error() exits 1
        rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except Exception:
        ERR.write(traceback.format_exc())
        rc = 1
    return rc, OUT.take(), ERR.take()


def main():
    stop_on = request['stop_on']
    lock = ufw.util.create_lock(lockfile=lockfile, dryrun=False)
    try:
        count = 0
        for i, argv in enumerate(request['commands']):
            emit({'start': i})
            rc, out, err = run_one(argv)
            emit({'i': i, 'rc': rc, 'out': out, 'err': err})
            count += 1
            text = out + '\n' + err
            if rc != 0 or [m for m in stop_on if m in text]:
                break
        emit({'done': count})
    finally:
        ufw.util.release_lock(lock)


main()
""".replace("'TAG'", repr(TAG))


def shebang_interpreter(text: Optional[str]) -> Optional[Tuple[str, ...]]:
    """The interpreter argv of a Python script's ``#!`` line (``#! /usr/bin/python3`` -> ``("/usr/bin/python3",)``)."""
    first = (text or "").split("\n", 1)[0]
    if not first.startswith("#!"):
        return None
    words = tuple(first[2:].split())
    if not words or not words[0].startswith("/"):
        return None
    # "/usr/bin/python3 -Es" or "/usr/bin/env python3": a python must be named; a compiled ufw is never batched
    if not any(word.rsplit("/", 1)[-1].startswith("python") for word in words):
        return None
    return words


@dataclass(frozen=True)
class UfwScript:
    """The ``ufw`` script the CLI would run, and the interpreter its shebang names."""

    path: str
    interpreter: Tuple[str, ...]


def find_ufw_script(files: FileStore) -> Optional[UfwScript]:
    """The first ufw found (in the runner's search order), or ``None`` when it is no Python script."""
    for path in UFW_PATHS:
        try:
            text = files.read(path)
        except (OSError, ValueError):  # unreadable, or not text (UnicodeDecodeError)
            continue
        if text is not None:
            interpreter = shebang_interpreter(text)
            return UfwScript(path, interpreter) if interpreter else None
    return None


def batch_step(ufw: UfwScript, steps: Sequence[Step], stop_on: Sequence[str]) -> Step:
    """The one command that runs every step's argv (JSON on stdin)."""
    request = {"ufw": ufw.path, "commands": [list(step.argv) for step in steps], "stop_on": list(stop_on)}
    return Step((*ufw.interpreter, "-c", SCRIPT), json.dumps(request))


@dataclass(frozen=True)
class Outcome:
    """One command's result inside the batch, as the CLI would have returned it."""

    index: int
    rc: int
    out: str
    err: str


@dataclass(frozen=True)
class BatchResult:
    """What the batch printed.

    Attributes:
        started: indexes of the commands begun (a command begun may have changed rules).
        outcomes: results of the commands that finished, in order.
        done: the script reached its end.
        unsupported: why it could not start (nothing was run).
    """

    started: Tuple[int, ...] = ()
    outcomes: Tuple[Outcome, ...] = ()
    done: bool = False
    unsupported: Optional[str] = None


def _events(out: str) -> List[Dict[str, Any]]:
    events: List[Dict[str, Any]] = []
    for line in out.splitlines():
        if not line.startswith(TAG):
            continue
        try:
            event = json.loads(line[len(TAG) :])
        except ValueError:
            continue
        if isinstance(event, dict):
            events.append(event)
    return events


def parse_output(out: str) -> BatchResult:
    """The batch's stdout -> :class:`BatchResult` (tolerant: a cut-off run yields what it saw)."""
    started: List[int] = []
    outcomes: List[Outcome] = []
    done = False
    unsupported: Optional[str] = None
    for event in _events(out):
        if "start" in event:
            started.append(int(event["start"]))
        elif "i" in event:
            outcomes.append(Outcome(int(event["i"]), int(event["rc"]), str(event["out"]), str(event["err"])))
        elif "done" in event:
            done = True
        elif "unsupported" in event:
            unsupported = str(event["unsupported"])
    return BatchResult(tuple(started), tuple(outcomes), done, unsupported)
