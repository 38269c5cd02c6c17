# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test helper of the acme scenario, run on the controller: run a command (a run of webedge.https.site, which the
rel_kill callback may SIGKILL), then read each web host with the state reader (kill_state.py, given to the host's
python3 on stdin through `podman exec -i`), every host at once, and print one JSON object:
{"rc": the command's exit status (-9: killed; null: no command), "reads": {HOST: what kill_state.py printed}}.

  python3 run_and_read.py --state kill_state.py [--output FILE] --host HOST CONTAINER SERVICE ADDRESS NAMES ...
                          [-- COMMAND ARG ...]

NAMES: the host's names, comma-separated. The command's output goes to FILE (kept beside the run's rel_kill log).
One module run of the scenario instead of a module run per host after each run of the kill chain; the reader, as
before, sends only public data."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys


def run(argv: list, output: str | None) -> int:
    """Run argv with this process's environment; its output (stdout and stderr) to output, or nowhere."""
    with open(output or "/dev/null", "w", encoding="utf-8") as handle:
        return subprocess.run(
            argv, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=False
        ).returncode


def read_hosts(reader: bytes, hosts: list, podman: str = "podman") -> dict:
    """Each host's state, all read at once: {host: the reader's JSON}; a failed read fails with what it said."""
    started = {}
    for host, container, service, address, names in hosts:
        argv = [podman, "exec", "-i", container, "python3", "-", service, address, *names.split(",")]
        started[host] = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reads, errors = {}, []
    for host, process in started.items():
        out, err = process.communicate(reader)
        if process.returncode != 0:
            errors.append(f"{host}: rc {process.returncode}: {err.decode(errors='replace').strip()}")
            continue
        reads[host] = json.loads(out)
    if errors:
        raise RuntimeError("; ".join(errors))
    return reads


def main(args: list) -> int:
    command = []
    if "--" in args:
        command = args[args.index("--") + 1 :]
        args = args[: args.index("--")]
    parser = argparse.ArgumentParser()
    parser.add_argument("--state", required=True)
    parser.add_argument("--output")
    parser.add_argument("--podman", default="podman")
    parser.add_argument("--host", nargs=5, action="append", default=[])
    options = parser.parse_args(args)
    rc = run(command, options.output) if command else None
    with open(options.state, "rb") as handle:
        reader = handle.read()
    try:
        reads = read_hosts(reader, options.host, options.podman)
    except RuntimeError as error:
        print(json.dumps({"rc": rc, "error": str(error)}))
        return 1
    print(json.dumps({"rc": rc, "reads": reads}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
