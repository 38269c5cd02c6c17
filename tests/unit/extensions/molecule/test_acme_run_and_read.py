# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The acme scenario's run-then-read helper (``extensions/molecule/acme/files/run_and_read.py``): the exit status
of a command the rel_kill callback SIGKILLs (-9), the command's output in its file, and every host read at once
with the reader given on stdin (a stand-in for podman that runs `python3 -` here), a failed read failing."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from ansible_collections.webedge.https.tests.unit.helpers.playbooks import COLLECTIONS_ROOT

FILES = COLLECTIONS_ROOT / "ansible_collections" / "webedge" / "https" / "extensions" / "molecule" / "acme" / "files"
HELPER = FILES / "run_and_read.py"

# Stand-in for `podman exec -i CONTAINER python3 - ARGS...`: runs python3 - ARGS here, with CONTAINER in the
# environment (the reader below prints it); a container named "broken" fails as a missing container would.
PODMAN = """#!/bin/sh
shift 2; container=$1; shift 2
[ "$container" = broken ] && { echo "no such container" >&2; exit 125; }
CONTAINER=$container exec PYTHON "$@"
"""

# Stand-in for kill_state.py: what it was given, as the real reader prints its JSON.
READER = """import json, os, sys
print(json.dumps({"container": os.environ["CONTAINER"], "args": sys.argv[1:]}))
"""


def helper(tmp_path, *args):
    podman = tmp_path / "podman"
    podman.write_text(PODMAN.replace("PYTHON", sys.executable))
    podman.chmod(0o755)
    reader = tmp_path / "reader.py"
    reader.write_text(READER)
    argv = [sys.executable, str(HELPER), "--state", str(reader), "--podman", str(podman), *args]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    return done.returncode, json.loads(done.stdout)


def test_a_killed_command_then_every_host_read(tmp_path):
    output = tmp_path / "run.out"
    rc, result = helper(
        tmp_path,
        "--output",
        str(output),
        "--host",
        "web1",
        "c-web1",
        "nginx",
        "10.0.0.1",
        "web1,www.web1",
        "--host",
        "web2",
        "c-web2",
        "apache2",
        "10.0.0.2",
        "web2",
        "--",
        "sh",
        "-c",
        "echo before the kill; kill -9 $$",
    )
    assert rc == 0
    assert result["rc"] == -9
    assert output.read_text() == "before the kill\n"
    assert result["reads"] == {
        "web1": {"container": "c-web1", "args": ["nginx", "10.0.0.1", "web1", "www.web1"]},
        "web2": {"container": "c-web2", "args": ["apache2", "10.0.0.2", "web2"]},
    }


def test_a_command_that_ends_and_its_environment(tmp_path):
    env_rc, result = helper(tmp_path, "--host", "web1", "c", "nginx", "a", "n", "--", "sh", "-c", "exit 3")
    assert (env_rc, result["rc"]) == (0, 3)
    os.environ["RUN_AND_READ_TEST"] = "passed on"
    try:
        output = tmp_path / "env.out"
        helper(tmp_path, "--output", str(output), "--", "sh", "-c", 'echo "$RUN_AND_READ_TEST"')
    finally:
        del os.environ["RUN_AND_READ_TEST"]
    assert output.read_text() == "passed on\n"


def test_only_a_read_without_a_command(tmp_path):
    rc, result = helper(tmp_path, "--host", "web1", "c", "nginx", "a", "n")
    assert rc == 0
    assert result == {"rc": None, "reads": {"web1": {"container": "c", "args": ["nginx", "a", "n"]}}}


def test_a_failed_read_fails_saying_which_host(tmp_path):
    rc, result = helper(
        tmp_path, "--host", "web1", "c", "nginx", "a", "n", "--host", "web2", "broken", "nginx", "a", "n"
    )
    assert rc == 1
    assert "reads" not in result
    assert result["error"] == "web2: rc 125: no such container"
