# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs ON a lab host (stdlib only): where the firewall engine's time goes, without Ansible.

bench.py copies plugins/module_utils to DIR/ansible_collections/webedge/https/plugins/ and runs
    PYTHONPATH=DIR python3 profile_host.py BACKEND PORTS
It times the import of the engine, then engine.run() with a runner that records every command
(argv, seconds) - the same commands the module runs through run_command - and prints one JSON
object: import seconds, run seconds, changed, and the commands with their durations.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


class TimingRunner:
    def __init__(self) -> None:
        self.calls = []

    def run(self, argv, data=None):
        env = dict(os.environ, LC_ALL="C", LANG="C")
        started = time.perf_counter()
        try:
            proc = subprocess.run(list(argv), input=data, capture_output=True, text=True, env=env, check=False)
            rc, out, err = proc.returncode, proc.stdout, proc.stderr
        except FileNotFoundError:
            rc, out, err = 127, "", f"{argv[0]}: command not found"
        self.calls.append({"argv": " ".join(argv)[:90], "s": round(time.perf_counter() - started, 3), "rc": rc})
        return rc, out, err


def main() -> None:
    backend, count = sys.argv[1], int(sys.argv[2])
    started = time.perf_counter()
    from ansible_collections.webedge.https.plugins.module_utils.firewall import engine

    imported = time.perf_counter() - started
    runner = TimingRunner()
    params = {
        "port": [10000 + 2 * i for i in range(count)],
        "protocol": "tcp",
        "state": "open",
        "source": [],
        "family": "both",
        "backend": backend,
        "zone": None,
        "persist": True,
        "force": False,
        "confirm_timeout": None,
        "rollback_id": None,
    }
    started = time.perf_counter()
    result = engine.run(params, runner)
    elapsed = time.perf_counter() - started
    print(
        json.dumps(
            {
                "import_s": round(imported, 3),
                "run_s": round(elapsed, 3),
                "changed": result["changed"],
                "commands": runner.calls,
            }
        )
    )


if __name__ == "__main__":
    main()
