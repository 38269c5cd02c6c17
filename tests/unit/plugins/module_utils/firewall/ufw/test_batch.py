# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ufw commands in one ufw process (ufw/batch.py), on outputs captured from real ufw 0.36.2.

See fixtures/firewall/ufw/batch/ (capture.sh): each case ran as the CLI loop and as one batch
from the same starting state in a lab container.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import Dict, List, Optional, Sequence, Tuple

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall import engine
from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import Plan, Step
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import FirewallError
from ansible_collections.webedge.https.plugins.module_utils.firewall.ufw.backend import (
    _ERROR_MARKERS,
    DEFAULTS_PATH,
    RULES_PATHS,
    UfwBackend,
    inverse_argv,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.ufw.batch import (
    SCRIPT,
    TAG,
    UfwScript,
    batch_step,
    find_ufw_script,
    parse_output,
    shebang_interpreter,
)

BATCH = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "fixtures", "firewall", "ufw", "batch")
UFW_HEAD = "#! /usr/bin/python3\n#\n# ufw: front-end for Linux firewalling (cli)\n"  # /usr/sbin/ufw, ufw 0.36.2
SCRIPT_AT = UfwScript("/usr/sbin/ufw", ("/usr/bin/python3",))
CASES = ["open", "split-and-close", "stops-at-failed-delete", "stops-at-error"]


def read(*parts: str) -> str:
    with open(os.path.join(BATCH, *parts), encoding="utf-8") as handle:
        return handle.read()


def steps_of(case: str) -> List[Step]:
    return [Step(tuple(argv)) for argv in json.loads(read(case, "request.json"))["commands"]]


def cli_results(case: str) -> List[Tuple[int, str, str]]:
    """What each `ufw` run of the CLI loop printed (it stops at the first failure)."""
    results = []
    for index in range(len(steps_of(case))):
        if not os.path.exists(os.path.join(BATCH, case, f"cli-{index}.rc")):
            break
        err_path = os.path.join(BATCH, case, f"cli-{index}.err")
        err = read(case, f"cli-{index}.err") if os.path.exists(err_path) else ""
        results.append((int(read(case, f"cli-{index}.rc")), read(case, f"cli-{index}.out"), err))
    return results


class Files:
    def __init__(self, files: Dict[str, str]) -> None:
        self.files = files

    def read(self, path: str) -> Optional[str]:
        return self.files.get(path)

    def write(self, path: str, text: str, mode: int = 0o644) -> None:
        raise AssertionError("the ufw backend writes no files")


class Host:
    """Answers `ufw ...` from the CLI recording and the batch from the batch recording."""

    def __init__(self, case: str, batch_out: Optional[str] = None) -> None:
        self.cli = dict(zip([" ".join(s.argv) for s in steps_of(case)], cli_results(case)))
        # what undoes a step after a later one failed (ufw's answer to a delete)
        self.cli.update({" ".join(inverse_argv(s.argv)): (0, "Rule deleted\n", "") for s in steps_of(case)})
        recorded = (int(read(case, "batch.rc")), read(case, "batch.out"), "")
        self.batch = recorded if batch_out is None else (0, batch_out, "")
        self.calls: List[Tuple[Tuple[str, ...], Optional[str]]] = []

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        self.calls.append((tuple(argv), data))
        if tuple(argv[1:3]) == ("-c", SCRIPT):
            return self.batch
        return self.cli[" ".join(argv)]

    @property
    def commands(self) -> List[str]:
        return ["batch" if argv[1:2] == ("-c",) else " ".join(argv) for argv, _data in self.calls]


def apply(case: str, files: Dict[str, str], batch_out: Optional[str] = None) -> Tuple[Host, object]:
    host = Host(case, batch_out)
    try:
        outcome: object = UfwBackend(host, Files(files)).apply(Plan(before=(), after=(), steps=tuple(steps_of(case))))
    except FirewallError as exc:
        outcome = str(exc)
    return host, outcome


WITH_UFW = {"/usr/sbin/ufw": UFW_HEAD}


# --- finding ufw's interpreter -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (UFW_HEAD, ("/usr/bin/python3",)),
        ("#!/usr/bin/python3 -Es\n", ("/usr/bin/python3", "-Es")),
        ("#!/usr/bin/env python3\n", ("/usr/bin/env", "python3")),
        ("#!/bin/sh\nexec /opt/ufw/bin/ufw\n", None),  # a wrapper: its library is not ours to guess
        ("#!python3\n", None),
        ("\x7fELF\x02\x01\x01", None),
        ("", None),
        (None, None),
    ],
)
def test_shebang_interpreter(text, expected):
    assert shebang_interpreter(text) == expected


class Unreadable(Files):
    def read(self, path: str) -> Optional[str]:
        if path == "/usr/sbin/ufw":
            raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")
        return super().read(path)


def test_find_ufw_script_in_the_runners_order():
    assert find_ufw_script(Files({"/usr/bin/ufw": "#!/usr/bin/python3.9\n", **WITH_UFW})) == SCRIPT_AT
    assert find_ufw_script(Files({"/usr/bin/ufw": "#!/usr/bin/python3.9\n"})) == UfwScript(
        "/usr/bin/ufw", ("/usr/bin/python3.9",)
    )
    assert find_ufw_script(Unreadable({"/usr/bin/ufw": "#!/usr/bin/python3.9\n", **WITH_UFW})) == UfwScript(
        "/usr/bin/ufw", ("/usr/bin/python3.9",)
    )
    assert find_ufw_script(Files({"/usr/sbin/ufw": "#!/bin/sh\n"})) is None
    assert find_ufw_script(Files({})) is None


# --- the batch command ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_batch_step_renders_the_captured_request(case):
    step = batch_step(SCRIPT_AT, steps_of(case), _ERROR_MARKERS)
    assert step.argv == ("/usr/bin/python3", "-c", SCRIPT)
    assert json.loads(str(step.data)) == json.loads(read(case, "request.json"))


def test_script_survives_run_command():
    compile(SCRIPT, "<ufw batch>", "exec")
    assert "$" not in SCRIPT  # module.run_command expands $VARS in every argv item
    assert repr(TAG) in SCRIPT


# --- its output, against the CLI's --------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_batch_prints_what_each_ufw_command_prints(case):
    result = parse_output(read(case, "batch.out"))
    assert [(o.rc, o.out, o.err) for o in result.outcomes] == cli_results(case)
    assert [o.index for o in result.outcomes] == list(result.started)
    assert result.done and result.unsupported is None


@pytest.mark.parametrize("case", CASES)
def test_batch_leaves_the_rules_the_cli_loop_leaves(case):
    """Rule files (tuples, comments, order) and the live ufw-user-input chains, after both runs."""
    assert read(case, "state-batch.txt") == read(case, "state-cli.txt")


def test_untagged_and_broken_lines_are_ignored():
    out = f"noise\n{TAG}{{not json\n{TAG}[1]\n" + read("open", "batch.out")
    assert parse_output(out) == parse_output(read("open", "batch.out"))


# --- the backend: batch, checks, fallback --------------------------------------------------------


def test_one_process_applies_every_step():
    host, done = apply("open", WITH_UFW)
    assert host.commands == ["batch"]
    assert done == [s.as_dict() for s in steps_of("open")]
    assert json.loads(str(host.calls[0][1]))["ufw"] == "/usr/sbin/ufw"


@pytest.mark.parametrize("case", ["stops-at-failed-delete", "stops-at-error"])
def test_failures_read_exactly_as_in_the_cli_loop(case):
    host, batch_error = apply(case, WITH_UFW)
    cli, cli_error = apply(case, {})  # no ufw script found: the CLI loop
    undo = " ".join(inverse_argv(steps_of(case)[0].argv))
    assert host.commands == ["batch", undo]
    assert batch_error == cli_error
    assert cli.commands[2:] == [undo]
    assert "the 1 command(s) before it were applied, then undone: the previous rules are back" in str(batch_error)
    assert str(batch_error).startswith("ufw: command 'ufw ")


def test_library_missing_falls_back_to_the_cli_loop():
    host, done = apply("open", WITH_UFW, batch_out=read("no-library", "batch.out"))
    assert host.commands == ["batch"] + [" ".join(s.argv) for s in steps_of("open")]
    assert done == [s.as_dict() for s in steps_of("open")]


@pytest.mark.parametrize("out", ["", "Traceback (most recent call last):\n  SyntaxError\n"])
def test_batch_that_started_nothing_falls_back(out):
    host, _done = apply("open", WITH_UFW, batch_out=out)
    assert host.commands[0] == "batch" and len(host.commands) == 1 + len(steps_of("open"))


@pytest.mark.parametrize(("cut", "where"), [(3, "during"), (2, "before")])
def test_batch_cut_off_is_an_error_naming_the_command(cut, where):
    lines = read("open", "batch.out").splitlines(keepends=True)
    host, error = apply("open", WITH_UFW, batch_out="".join(lines[:cut]))  # start 0, result 0[, start 1]
    assert host.commands == ["batch", " ".join(inverse_argv(steps_of("open")[0].argv))]
    assert error == (
        f"ufw: the batch stopped {where} command "
        "'ufw allow proto tcp from any to any port 9000:9010 comment webedge.https' (rc=0): "
        "no error output; the 1 command(s) before it were applied, then undone: the previous rules are back"
    )


def test_batch_killed_reports_its_stderr():
    class Killed(Host):
        def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
            self.calls.append((tuple(argv), data))
            return -9, f'{TAG}{{"start": 0}}\n', "Killed\n"

    host = Killed("open")
    with pytest.raises(FirewallError, match=r"stopped during command 'ufw allow .* 8443 .*' \(rc=-9\): Killed$"):
        UfwBackend(host, Files(WITH_UFW)).apply(Plan(before=(), after=(), steps=tuple(steps_of("open"))))


def test_a_single_step_runs_as_ufw_itself():
    host = Host("open")
    step = steps_of("open")[0]
    UfwBackend(host, Files(WITH_UFW)).apply(Plan(before=(), after=(), steps=(step,)))
    assert host.commands == [" ".join(step.argv)]


def test_engine_reports_per_rule_commands_and_check_mode_runs_nothing():
    files = {RULES_PATHS["ipv4"]: "", RULES_PATHS["ipv6"]: "", DEFAULTS_PATH: "IPV6=yes\n", **WITH_UFW}

    class Active(Host):
        def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
            if tuple(argv) == ("ufw", "status"):
                return 0, "Status: active\n", ""
            self.calls.append((tuple(argv), data))
            return 0, "".join(f"{TAG}{json.dumps(e)}\n" for e in events), ""

    events = [{"start": 0}, {"i": 0, "rc": 0, "out": "Rule added\nRule added (v6)\n", "err": ""}]
    events += [{"start": 1}, {"i": 1, "rc": 0, "out": "Rule added\nRule added (v6)\n", "err": ""}, {"done": 2}]
    params = {"port": [7000, 7002], "backend": "ufw"}
    host = Active("open")
    checked = engine.run(params, host, files=Files(files), check_mode=True)
    assert host.calls == []
    result = engine.run(params, host, files=Files(files))
    assert host.commands == ["batch"]
    assert result["commands"] == checked["commands"]
    assert [c["argv"][-3] for c in result["commands"]] == ["7000", "7002"]


# --- the script itself, against a stand-in ufw library -----------------------------------------------

FAKE_UFW = {
    "__init__.py": "",
    "common.py": """
        programName = "ufw"
        trans_dir = "/nonexistent"
        state_dir = STATE_DIR
        class UFWError(Exception):
            def __init__(self, value):
                self.value = value
    """,
    "util.py": """
        import sys
        def _findpath(d, root):
            return d
        def _print(output, s):
            output.buffer.write(s.encode("utf-8"))
        def msg(out, output=sys.stdout, newline=True):  # binds sys.stdout at import, as ufw's does
            _print(output, out + "\\n")
        def error(out, do_exit=True):
            _print(sys.stderr, "ERROR: %s\\n" % out)
            if do_exit:
                sys.exit(1)
        def warn(out):
            _print(sys.stderr, "WARN: %s\\n" % out)
        def create_lock(lockfile, dryrun=False):
            open(lockfile + ".taken", "w").close()
            return lockfile
        def release_lock(lock):
            open(lock + ".released", "w").close()
    """,
    "frontend.py": """
        import sys
        from ufw.common import UFWError
        from ufw.util import error, warn
        class Parsed(object):
            def __init__(self, argv):
                self.action, self.data, self.force = argv[1], {"rule": argv[2:], "iptype": "both"}, False
        def parse_command(argv):
            if argv[-1] == "70000":
                error("Bad port '70000'")
            return Parsed(argv)
        class UFWFrontend(object):
            def __init__(self, dryrun):
                self.argv0 = sys.argv[0]
            def do_action(self, action, rule, iptype, force):
                if rule[-1] == "boom":
                    raise UFWError("boom failed")
                if rule[-1] == "crash":
                    raise KeyError("crash")
                warn("seen as " + self.argv0)
                return "Rule added (%s)" % _("for") + " " + " ".join(rule)
    """,
}


def run_script(tmp_path, commands: List[List[str]]) -> Tuple[int, str, str]:
    package = tmp_path / "ufw"
    package.mkdir()
    for name, text in FAKE_UFW.items():
        text = textwrap.dedent(text).replace("STATE_DIR", repr(str(tmp_path)))
        (package / name).write_text(text, encoding="utf-8")
    request = json.dumps({"ufw": "/usr/sbin/ufw", "commands": commands, "stop_on": list(_ERROR_MARKERS)})
    env = dict(os.environ, PYTHONPATH=str(tmp_path), TESTSTATE="1")
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], input=request, capture_output=True, text=True, env=env, check=False
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_script_runs_each_command_like_the_ufw_script(tmp_path):
    rc, out, err = run_script(tmp_path, [["ufw", "allow", "1"], ["ufw", "allow", "2"]])
    assert (rc, err) == (0, "")
    result = parse_output(out)
    assert [(o.rc, o.out, o.err) for o in result.outcomes] == [
        (0, "Rule added (for) 1\n", "WARN: seen as /usr/sbin/ufw\n"),
        (0, "Rule added (for) 2\n", "WARN: seen as /usr/sbin/ufw\n"),
    ]
    assert result.done
    assert (tmp_path / "ufw.lock.taken").exists() and (tmp_path / "ufw.lock.released").exists()


@pytest.mark.parametrize(
    ("last", "rc", "err"),
    [
        ("70000", 1, "ERROR: Bad port '70000'\n"),  # ufw's error() exits
        ("boom", 1, "ERROR: boom failed\n"),  # UFWError, printed as /usr/sbin/ufw prints it
        ("crash", 1, "KeyError: 'crash'"),  # anything else: the traceback, as python would print it
    ],
)
def test_script_stops_at_the_first_failure(tmp_path, last, rc, err):
    code, out, _err = run_script(tmp_path, [["ufw", "allow", "1"], ["ufw", "allow", last], ["ufw", "allow", "3"]])
    result = parse_output(out)
    assert code == 0 and result.done and result.started == (0, 1)
    assert result.outcomes[1].rc == rc and err in result.outcomes[1].err
    assert (tmp_path / "ufw.lock.released").exists()


def test_script_without_the_library_starts_nothing(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-S", "-c", SCRIPT],
        input=json.dumps({"ufw": "/usr/sbin/ufw", "commands": [["ufw", "allow", "1"]], "stop_on": []}),
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=""),
        cwd=str(tmp_path),
        check=False,
    )
    result = parse_output(proc.stdout)
    assert proc.returncode == 3 and result.started == () and "No module named 'ufw'" in str(result.unsupported)
