# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""rollback.py: pure parts as tables, then arm / revert / confirm / status against a fake backend."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any, ClassVar, Dict, List, Optional, Sequence, Tuple

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall import engine, registry, rollback
from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import (
    Detection,
    FileWrite,
    FirewallBackend,
    Plan,
    Ruleset,
    Runner,
    Step,
    neutral_after,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import (
    DesiredState,
    FirewallError,
    ReadScope,
    Rule,
    ValidationError,
    plan_rules,
)
from ansible_collections.webedge.https.plugins.module_utils.ports import PortRange


def rule(port: int, family: str = "ipv4", source: Optional[str] = None, last: Optional[int] = None) -> Rule:
    return Rule(family, "tcp", PortRange(port, last or port), source)


# ---------------------------------------------------------------------------
# pure parts


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("20240101T120000-1a2b3c4d", True),
        ("a", True),
        ("A-1", True),
        ("-lead", False),
        ("../etc", False),
        ("a/b", False),
        ("a b", False),
        ("", False),
        ("x" * 65, False),
        (None, False),
        (7, False),
    ],
)
def test_check_id(value: Any, ok: bool) -> None:
    if ok:
        assert rollback.check_id(value) == value
    else:
        with pytest.raises(ValidationError, match="invalid rollback id"):
            rollback.check_id(value)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (5, True),
        (20, True),
        (3600, True),
        (4, False),
        (3601, False),
        (0, False),
        (-1, False),
        (True, False),
        ("20", False),
    ],
)
def test_check_timeout(value: Any, ok: bool) -> None:
    if ok:
        assert rollback.check_timeout(value) == value
    else:
        with pytest.raises(ValidationError, match=f"invalid confirm_timeout {value!r}"):
            rollback.check_timeout(value)


def test_new_id_is_a_valid_unique_id() -> None:
    assert rollback.new_id(0, "1a2b3c4d") == "19700101T000000-1a2b3c4d"
    assert rollback.new_id() != rollback.new_id()
    assert rollback.check_id(rollback.new_id())


def test_argv_rendering() -> None:
    assert rollback.unit_name("abc") == "webedge-https-rollback-abc"
    assert rollback.arm_argv("abc", 20, "/usr/bin/python3", "/r/abc/revert.py") == [
        "systemd-run",
        "--unit=webedge-https-rollback-abc",
        "--on-active=20s",
        "--timer-property=AccuracySec=100ms",
        "--description=webedge.https firewall rollback abc (unless confirmed)",
        f"--setenv=PATH={rollback.SBIN_PATH}",
        "--setenv=LC_ALL=C",
        "/usr/bin/python3",
        "-I",
        "/r/abc/revert.py",
    ]
    assert rollback.disarm_argv("abc") == ["systemctl", "stop", "webedge-https-rollback-abc.timer"]
    with pytest.raises(ValidationError):
        rollback.arm_argv("abc", 2, "/usr/bin/python3", "x")
    with pytest.raises(ValidationError):
        rollback.disarm_argv("../x")


def test_launcher_runs_revert_main_from_the_copied_library() -> None:
    text = rollback.render_launcher("/usr/bin/python3", "/r/x/lib", "/r/x")
    assert text.startswith("#!/usr/bin/python3 -I\n")
    assert "sys.path.insert(0, '/r/x/lib')" in text
    assert text.endswith("sys.exit(rollback.revert_main('/r/x', sys.argv[1:]))\n")
    compile(text, "revert.py", "exec")


def test_launcher_argv() -> None:
    assert rollback.launcher_argv("abc", "confirm", "/r") == ["/r/abc/revert.py", "confirm"]
    assert rollback.launcher_argv("abc", "status") == ["/var/lib/webedge-https/rollback/abc/revert.py", "status"]
    with pytest.raises(ValidationError, match="invalid rollback operation 'revert'"):
        rollback.launcher_argv("abc", "revert")


def test_manifest_round_trip() -> None:
    manifest = rollback.Manifest(
        rollback_id="abc",
        backend="iptables",
        timeout=30,
        armed_at=1000.5,
        before=(rule(443, "ipv6"), rule(8000, source="10.0.0.0/8", last=8080)),
        persist=False,
        zone=None,
        variant="legacy",
        files=(rollback.FileBackup("/etc/iptables/rules.v4", None, "f" * 64, 0o640),),
    )
    again = rollback.Manifest.from_json(manifest.to_json())
    assert again == rollback.Manifest(**{**manifest.__dict__, "before": tuple(sorted(manifest.before))})


@pytest.mark.parametrize(
    ("current", "before", "add", "remove"),
    [
        ([], [rule(22)], [rule(22)], []),
        ([rule(22)], [], [], [rule(22)]),
        ([rule(22), rule(443)], [rule(22)], [], [rule(443)]),
        # exact: a covering range does not stand in for the rule that was there
        ([rule(8000, last=8080)], [rule(8050)], [rule(8050)], [rule(8000, last=8080)]),
        ([rule(22, source="10.0.0.0/8")], [rule(22)], [rule(22)], [rule(22, source="10.0.0.0/8")]),
        ([rule(22), rule(22, "ipv6")], [rule(22), rule(22, "ipv6")], [], []),
    ],
)
def test_exact_state_plans_back_to_exactly_the_rules_before(
    current: List[Rule], before: List[Rule], add: List[Rule], remove: List[Rule]
) -> None:
    manifest = rollback.Manifest("abc", "nftables", 20, 0.0, tuple(before))
    desired = rollback.exact_state(manifest)
    assert desired.state == "exact"
    got_add, got_remove = plan_rules(desired, current)
    assert (list(got_add), list(got_remove)) == (add, remove)
    assert neutral_after(current, got_add, got_remove) == tuple(sorted(before))


SHA_WRITTEN = rollback.sha256("written\n")


@pytest.mark.parametrize(
    ("backups", "planned", "current", "writes", "note"),
    [
        # untouched since the change: the old text comes back byte for byte (not the re-planned one)
        (
            [rollback.FileBackup("/a", "old\n", str(SHA_WRITTEN), 0o640)],
            [FileWrite("/a", "replanned\n")],
            {"/a": "written\n"},
            [FileWrite("/a", "old\n", 0o640)],
            "restored as it was",
        ),
        # a file the plan does not rewrite (an include line it added): restored too
        (
            [rollback.FileBackup("/conf", "old\n", str(SHA_WRITTEN))],
            [],
            {"/conf": "written\n"},
            [FileWrite("/conf", "old\n")],
            "restored as it was",
        ),
        # changed by someone meanwhile: only our lines (the backend's plan)
        (
            [rollback.FileBackup("/a", "old\n", str(SHA_WRITTEN))],
            [FileWrite("/a", "theirs, our lines reverted\n")],
            {"/a": "theirs\n"},
            [FileWrite("/a", "theirs, our lines reverted\n")],
            "changed since by someone else",
        ),
        # created by the change: never deleted (a config may include it), only our lines reverted
        (
            [rollback.FileBackup("/inc", None, str(SHA_WRITTEN))],
            [FileWrite("/inc", "empty table\n")],
            {"/inc": "written\n"},
            [FileWrite("/inc", "empty table\n")],
            "created by the change",
        ),
        # already back as it was: nothing to write
        (
            [rollback.FileBackup("/a", "old\n", str(rollback.sha256("old\n")))],
            [],
            {"/a": "old\n"},
            [],
            "restored as it was",
        ),
        # no backups (firewalld, ufw: the backend persists through its own commands)
        ([], [FileWrite("/x", "y")], {}, [FileWrite("/x", "y")], None),
    ],
)
def test_file_actions(
    backups: List[rollback.FileBackup],
    planned: List[FileWrite],
    current: Dict[str, str],
    writes: List[FileWrite],
    note: Optional[str],
) -> None:
    got_writes, notes = rollback.file_actions(backups, planned, current)
    assert got_writes == writes
    if note is None:
        assert notes == []
    else:
        assert any(note in n for n in notes)


# ---------------------------------------------------------------------------
# host side, against a fake backend that keeps its rules in memory


class FakeHost:
    """The firewall and the files of a fake host, shared by every FakeBackend instance."""

    rules: Tuple[Rule, ...] = ()
    files: ClassVar[Dict[str, str]] = {}
    fail_apply = 0  # how many applies fail from now on


class FakeFiles:
    def read(self, path: str) -> Optional[str]:
        return FakeHost.files.get(path)

    def write(self, path: str, text: str, mode: int = 0o644) -> None:
        FakeHost.files[path] = text


class FakeBackend(FirewallBackend):
    """Stands in for nftables (task parameters only accept real backend names)."""

    name = "nftables"

    @classmethod
    def probe(cls, runner: Runner) -> Detection:
        return Detection(cls.name, True, "fake nftables")

    def read(self, scope: ReadScope) -> Ruleset:
        return Ruleset(rules=FakeHost.rules)

    def plan(self, desired: DesiredState, current: Ruleset) -> Plan:
        add, remove = plan_rules(desired, current.rules)
        after = neutral_after(current.rules, add, remove)
        steps = (Step(("fake", *(r.describe() for r in after))),) if add or remove else ()
        files = ()
        if desired.persist and (add or remove):
            files = (FileWrite("/etc/fake.rules", "".join(r.describe() + "\n" for r in after)),)
        return Plan(before=current.rules, after=after, add=add, remove=remove, steps=steps, files=files)

    def apply(self, plan: Plan) -> List[Dict[str, Any]]:
        if FakeHost.fail_apply:
            FakeHost.fail_apply -= 1
            raise FirewallError("nftables: apply failed")
        FakeHost.rules = plan.after
        for item in plan.files:
            self.files.write(item.path, item.text, item.mode)
        return [s.as_dict() for s in plan.steps]


class RecordingRunner:
    def __init__(self, rc: int = 0) -> None:
        self.rc = rc
        self.calls: List[Tuple[str, ...]] = []

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        self.calls.append(tuple(argv))
        return (self.rc if argv[0] == "systemd-run" else 0), "", "no systemd" if self.rc else ""


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> None:
    FakeHost.rules = (rule(22), rule(22, "ipv6"))
    FakeHost.files = {"/etc/fake.rules": "tcp/22 ipv4 from any\ntcp/22 ipv6 from any\n"}
    FakeHost.fail_apply = 0
    monkeypatch.setitem(registry.LINUX.backends, "nftables", FakeBackend)


def close_22(tmp_path: Any, runner: RecordingRunner, rid: str = "r1", check: bool = False) -> Dict[str, Any]:
    guard = rollback.RollbackGuard(rid, 20, runner, root=str(tmp_path), python="/usr/bin/python3", clock=lambda: 100.0)
    return engine.run(
        {"port": [22], "state": "closed", "backend": "nftables", "force": True},
        runner,
        check_mode=check,
        files=FakeFiles(),
        registry=registry.Registry({"nftables": FakeBackend}),
        guard=guard,
    )


def test_arm_then_the_timer_reverts_to_exactly_before(fake: None, tmp_path: Any) -> None:
    runner = RecordingRunner()
    result = close_22(tmp_path, runner)
    assert result["rollback_id"] == "r1" and result["confirm_timeout"] == 20
    assert FakeHost.rules == () and FakeHost.files["/etc/fake.rules"] == ""
    directory = tmp_path / "r1"
    assert sorted(os.listdir(directory)) == ["armed", "lib", "manifest.json", "revert.py"]
    assert runner.calls == [tuple(rollback.arm_argv("r1", 20, "/usr/bin/python3", str(directory / "revert.py")))]
    manifest = rollback.Manifest.from_json((directory / "manifest.json").read_text())
    assert manifest.before == (rule(22), rule(22, "ipv6")) and manifest.armed_at == 100.0

    assert rollback.status("r1", str(tmp_path), clock=lambda: 105.0) == {
        "found": True,
        "rolled_back": False,
        "pending": True,
        "seconds_left": 15.0,
    }
    record = rollback.revert(str(directory), runner, clock=lambda: 120.4, files=FakeFiles())
    assert record["rolled_back"] is True and record["elapsed"] == 20.4
    assert FakeHost.rules == (rule(22), rule(22, "ipv6"))
    assert FakeHost.files["/etc/fake.rules"] == "tcp/22 ipv4 from any\ntcp/22 ipv6 from any\n"
    assert "armed" not in os.listdir(directory)
    # a second firing (or a late confirm) changes nothing and reports the same
    assert rollback.revert(str(directory), runner, clock=lambda: 999.0, files=FakeFiles()) == record
    late = rollback.confirm("r1", runner, str(tmp_path))
    assert late["rolled_back"] is True and late["elapsed"] == 20.4
    assert not directory.exists()  # reported once, then removed
    assert rollback.status("r1", str(tmp_path)) == {"found": False, "rolled_back": False}


def test_revert_keeps_foreign_changes_and_rules_added_meanwhile_by_others(fake: None, tmp_path: Any) -> None:
    runner = RecordingRunner()
    close_22(tmp_path, runner)
    FakeHost.files["/etc/fake.rules"] = "# someone's edit\n"
    record = rollback.revert(str(tmp_path / "r1"), runner, files=FakeFiles())
    assert FakeHost.rules == (rule(22), rule(22, "ipv6"))
    assert FakeHost.files["/etc/fake.rules"] == "tcp/22 ipv4 from any\ntcp/22 ipv6 from any\n"  # the backend's plan
    assert any("changed since by someone else" in n for n in record["notes"])


def test_confirm_disarms_and_removes_the_state(fake: None, tmp_path: Any) -> None:
    runner = RecordingRunner()
    close_22(tmp_path, runner)
    runner.calls.clear()
    assert rollback.confirm("r1", runner, str(tmp_path)) == {"found": True, "rolled_back": False, "confirmed": True}
    assert runner.calls == [tuple(rollback.disarm_argv("r1"))]
    assert not (tmp_path / "r1").exists()
    assert FakeHost.rules == ()  # the change stays
    assert rollback.confirm("r1", runner, str(tmp_path))["found"] is False


def test_revert_after_confirm_does_nothing(fake: None, tmp_path: Any) -> None:
    runner = RecordingRunner()
    close_22(tmp_path, runner)
    os.remove(tmp_path / "r1" / "armed")  # what confirm does first, under the lock
    assert rollback.revert(str(tmp_path / "r1"), runner, files=FakeFiles()) == {"rolled_back": False, "confirmed": True}
    assert FakeHost.rules == ()


@pytest.mark.parametrize(
    ("failures", "message"),
    [
        (1, r"nftables: apply failed \(the previous rules were restored\)"),
        (2, r"nftables: apply failed \(rollback failed: nftables: apply failed\)"),
    ],
)
def test_failed_apply_is_undone_at_once(fake: None, tmp_path: Any, failures: int, message: str) -> None:
    runner = RecordingRunner()
    FakeHost.fail_apply = failures
    FakeHost.rules = (rule(22),)  # the fake's failed apply changes nothing; the undo must still re-plan
    with pytest.raises(FirewallError, match=message):
        close_22(tmp_path, runner)
    assert runner.calls[-1] == tuple(rollback.disarm_argv("r1"))
    assert not (tmp_path / "r1").exists()


def test_without_systemd_nothing_changes(fake: None, tmp_path: Any) -> None:
    runner = RecordingRunner(rc=1)
    with pytest.raises(FirewallError, match=r"cannot arm the automatic rollback.*needs systemd.*Nothing was changed"):
        close_22(tmp_path, runner)
    assert FakeHost.rules == (rule(22), rule(22, "ipv6"))
    assert not (tmp_path / "r1").exists()


def test_check_mode_and_no_change_arm_nothing(fake: None, tmp_path: Any) -> None:
    runner = RecordingRunner()
    result = close_22(tmp_path, runner, check=True)
    assert result["changed"] and "rollback_id" not in result and runner.calls == []
    FakeHost.rules = ()
    result = close_22(tmp_path, runner)
    assert not result["changed"] and "rollback_id" not in result and runner.calls == []
    assert os.listdir(tmp_path) == []


def test_an_existing_id_is_refused(fake: None, tmp_path: Any) -> None:
    os.makedirs(tmp_path / "r1")
    with pytest.raises(FirewallError, match="already exists"):
        close_22(tmp_path, RecordingRunner())
    assert FakeHost.rules == (rule(22), rule(22, "ipv6"))


def test_copied_library_imports_in_an_isolated_python(tmp_path: Any) -> None:
    copied = rollback.copy_library(str(tmp_path / "lib"))
    assert "ansible_collections.webedge.https.plugins.module_utils.firewall.rollback" in copied
    assert "ansible_collections.webedge.https.plugins.module_utils.firewall.nftables" in copied
    code = (
        f"import sys; sys.path.insert(0, {str(tmp_path / 'lib')!r}); "
        "from ansible_collections.webedge.https.plugins.module_utils.firewall import rollback, registry; "
        "print(rollback.__file__); print(sorted(registry.LINUX.backends))"
    )
    out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.startswith(str(tmp_path / "lib"))
    assert "'iptables', 'nftables'" in out


def test_status_json_is_what_revert_wrote(fake: None, tmp_path: Any) -> None:
    runner = RecordingRunner()
    close_22(tmp_path, runner)
    record = rollback.revert(str(tmp_path / "r1"), runner, clock=lambda: 121.0, files=FakeFiles())
    assert json.loads((tmp_path / "r1" / "status.json").read_text()) == record
    assert record["rules"] == [rule(22).as_dict(), rule(22, "ipv6").as_dict()]
