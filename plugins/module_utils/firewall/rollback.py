# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Automatic rollback against lockout (``confirm_timeout``), for every backend.

How a change with ``confirm_timeout: N`` runs (module side, on the host):

1. ``arm()`` before anything changes: writes ``/var/lib/webedge-https/rollback/<id>/``
   with a manifest (backend, options, the rules we owned BEFORE, a backup of every
   persisted file the plan writes plus the hash of what it will write), a copy of
   this package's code (``lib/``: so the revert needs nothing from Ansible), a
   launcher ``revert.py`` and the cookie ``armed``; then starts a transient
   systemd timer ``webedge-https-rollback-<id>`` (``systemd-run --on-active=N``).
2. The engine applies the plan.
3. The action plugin confirms over a FRESH connection (``_confirm: <id>``):
   ``confirm()`` removes the cookie, stops the timer and deletes the directory.
4. Unconfirmed, the timer runs ``revert()``: it reads the live firewall, plans
   (with the backend's own planner, ``state: exact``) the way back to exactly the
   rules we owned before, and applies it. That touches only our rules, so changes
   others made meanwhile stay. A persisted file nobody changed since is restored
   byte for byte; one that was changed meanwhile gets only our lines rewritten.
   The result goes to ``status.json``, which ``_status: <id>`` reports.

Pure functions (validation, manifest, argv and file decisions) are tested as
tables; the few functions that touch the host take the runner and paths as
arguments. Python 3.8+, no imports outside the standard library and this package.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import (
    BackendOptions,
    FileStore,
    FileWrite,
    FirewallBackend,
    LocalFileStore,
    Plan,
    Runner,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import (
    FAMILIES,
    DesiredState,
    FirewallError,
    Rule,
    ValidationError,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.registry import LINUX
from ansible_collections.webedge.https.plugins.module_utils.ports import PortRange

__all__ = [
    "MAX_TIMEOUT",
    "MIN_TIMEOUT",
    "ROOT",
    "FileBackup",
    "Manifest",
    "RollbackGuard",
    "arm_argv",
    "check_id",
    "check_timeout",
    "confirm",
    "disarm_argv",
    "exact_state",
    "file_actions",
    "launcher_argv",
    "new_id",
    "render_launcher",
    "revert",
    "revert_main",
    "status",
    "unit_name",
]

ROOT = "/var/lib/webedge-https/rollback"
UNIT_PREFIX = "webedge-https-rollback-"
PACKAGE = "ansible_collections.webedge.https.plugins.module_utils"
MIN_TIMEOUT = 5
MAX_TIMEOUT = 3600
COOKIE = "armed"
MANIFEST = "manifest.json"
STATUS = "status.json"
LAUNCHER = "revert.py"
LOCK = "lock"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")
SBIN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


# ---------------------------------------------------------------------------
# pure parts


def check_id(value: object) -> str:
    """A rollback id is a file name and a unit name part: letters, digits, dashes (max 64)."""
    if not isinstance(value, str) or not _ID.match(value):
        raise ValidationError(f"invalid rollback id {value!r}: expected letters, digits and dashes (at most 64)")
    return value


def check_timeout(value: object) -> int:
    """``confirm_timeout`` in seconds, between :data:`MIN_TIMEOUT` and :data:`MAX_TIMEOUT`."""
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_TIMEOUT <= value <= MAX_TIMEOUT:
        raise ValidationError(
            f"invalid confirm_timeout {value!r}: expected whole seconds from {MIN_TIMEOUT} to {MAX_TIMEOUT}"
        )
    return value


def new_id(now: Optional[float] = None, token: Optional[str] = None) -> str:
    """A fresh rollback id: UTC time stamp plus 8 random hex digits (``20240101T120000-1a2b3c4d``)."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(time.time() if now is None else now))
    return check_id(f"{stamp}-{token if token is not None else os.urandom(4).hex()}")


def unit_name(rollback_id: str) -> str:
    return UNIT_PREFIX + check_id(rollback_id)


def rollback_dir(rollback_id: str, root: str = ROOT) -> str:
    return os.path.join(root, check_id(rollback_id))


def sha256(text: Optional[str]) -> Optional[str]:
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class FileBackup:
    """A persisted file the change writes: its text before (None: absent) and the hash of what is written."""

    path: str
    before: Optional[str]
    written_sha256: str
    mode: int = 0o644


def _rule_from_dict(data: Mapping[str, Any]) -> Rule:
    first, _sep, last = str(data["port"]).partition("-")
    return Rule(
        str(data["family"]), str(data["protocol"]), PortRange(int(first), int(last or first)), data.get("source")
    )


@dataclass(frozen=True)
class Manifest:
    """Everything ``revert()`` needs, written before the change."""

    rollback_id: str
    backend: str
    timeout: int
    armed_at: float
    before: Tuple[Rule, ...]
    persist: bool = True
    zone: Optional[str] = None
    variant: Optional[str] = None
    files: Tuple[FileBackup, ...] = ()

    def to_json(self) -> str:
        data = {
            "rollback_id": self.rollback_id,
            "backend": self.backend,
            "timeout": self.timeout,
            "armed_at": self.armed_at,
            "before": [rule.as_dict() for rule in self.before],
            "persist": self.persist,
            "zone": self.zone,
            "variant": self.variant,
            "files": [
                {"path": f.path, "before": f.before, "written_sha256": f.written_sha256, "mode": f.mode}
                for f in self.files
            ],
        }
        return json.dumps(data, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        return cls(
            rollback_id=check_id(data["rollback_id"]),
            backend=str(data["backend"]),
            timeout=int(data["timeout"]),
            armed_at=float(data["armed_at"]),
            before=tuple(sorted(_rule_from_dict(item) for item in data["before"])),
            persist=bool(data.get("persist", True)),
            zone=data.get("zone"),
            variant=data.get("variant"),
            files=tuple(
                FileBackup(f["path"], f.get("before"), f["written_sha256"], int(f.get("mode", 0o644)))
                for f in data.get("files", [])
            ),
        )


def build_manifest(
    rollback_id: str,
    backend: FirewallBackend,
    desired: DesiredState,
    plan: Plan,
    timeout: int,
    armed_at: float,
) -> Manifest:
    """The manifest for a plan about to be applied (reads the persisted files it will overwrite)."""
    backups = tuple(
        FileBackup(item.path, backend.files.read(item.path), str(sha256(item.text)), item.mode) for item in plan.files
    )
    return Manifest(
        rollback_id=check_id(rollback_id),
        backend=backend.name,
        timeout=check_timeout(timeout),
        armed_at=armed_at,
        before=tuple(sorted(plan.before)),
        persist=desired.persist,
        zone=backend.options.zone,
        variant=backend.options.variant,
        files=backups,
    )


def exact_state(manifest: Manifest) -> DesiredState:
    """The internal desired state "own exactly the rules of before" (planned by the backend itself)."""
    return DesiredState(
        state="exact",
        protocol="tcp",
        ports=(),
        families=FAMILIES,
        persist=manifest.persist,
        backend=manifest.backend,
        zone=manifest.zone,
        rules=manifest.before,
    )


def file_actions(
    backups: Sequence[FileBackup],
    planned: Sequence[FileWrite],
    current: Mapping[str, Optional[str]],
) -> Tuple[List[FileWrite], List[str]]:
    """What the revert writes to the persisted files, and why (notes).

    * A file that existed before and still holds exactly what the change wrote:
      its old text comes back, byte for byte.
    * Otherwise (changed meanwhile, or created by the change): the backend's own
      plan for the old rules, which rewrites only our lines (a created file is
      never deleted: a config may include it by now).
    """
    writes: List[FileWrite] = []
    notes: List[str] = []
    restored = set()
    for backup in backups:
        now = current.get(backup.path)
        if backup.before is not None and sha256(now) == backup.written_sha256:
            if now != backup.before:
                writes.append(FileWrite(backup.path, backup.before, backup.mode))
            restored.add(backup.path)
            notes.append(f"{backup.path}: restored as it was before the change")
        elif backup.before is None:
            notes.append(f"{backup.path}: created by the change; only our lines are reverted")
        else:
            notes.append(f"{backup.path}: changed since by someone else; only our lines are reverted")
    for item in planned:
        if item.path not in restored:
            writes.append(item)
    return writes, notes


def render_launcher(python: str, lib: str, directory: str) -> str:
    """``revert.py``: runs :func:`revert_main` from the copied library, nothing else."""
    return (
        f"#!{python} -I\n"
        "# webedge.https rollback launcher: started by a transient systemd timer; "
        "removed when the change is confirmed.\n"
        "import sys\n"
        f"sys.path.insert(0, {lib!r})\n"
        "from ansible_collections.webedge.https.plugins.module_utils.firewall import rollback\n"
        f"sys.exit(rollback.revert_main({directory!r}, sys.argv[1:]))\n"
    )


def arm_argv(rollback_id: str, timeout: int, python: str, launcher: str) -> List[str]:
    """``systemd-run`` argv: a transient timer that runs the launcher once after ``timeout`` s."""
    return [
        "systemd-run",
        f"--unit={unit_name(rollback_id)}",
        f"--on-active={check_timeout(timeout)}s",
        "--timer-property=AccuracySec=100ms",
        f"--description=webedge.https firewall rollback {rollback_id} (unless confirmed)",
        f"--setenv=PATH={SBIN_PATH}",
        "--setenv=LC_ALL=C",
        python,
        "-I",
        launcher,
    ]


def disarm_argv(rollback_id: str) -> List[str]:
    return ["systemctl", "stop", unit_name(rollback_id) + ".timer"]


def timer_active_argv(rollback_id: str) -> List[str]:
    return ["systemctl", "is-active", unit_name(rollback_id) + ".timer"]


# ---------------------------------------------------------------------------
# host side


class SubprocessRunner:
    """:class:`Runner` for the revert (no Ansible there): argv, C locale, sbin in PATH, 127 when missing."""

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        env = dict(os.environ, LC_ALL="C", LANG="C", PATH=SBIN_PATH)
        try:
            proc = subprocess.run(
                list(argv),
                input=data,
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )
        except FileNotFoundError:
            return 127, "", f"{argv[0]}: command not found"
        return proc.returncode, proc.stdout, proc.stderr


@contextlib.contextmanager
def _locked(directory: str) -> Iterator[None]:
    with open(os.path.join(directory, LOCK), "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read(path: str) -> Optional[str]:
    return LocalFileStore().read(path)


def _write(path: str, text: str, mode: int = 0o600) -> None:
    LocalFileStore().write(path, text, mode)


def copy_library(dest: str, modules: Optional[Mapping[str, Any]] = None) -> List[str]:
    """Copy this package's loaded modules (from the AnsiballZ zip or disk) under ``dest``; returns names."""
    modules = dict(sys.modules) if modules is None else modules
    copied: List[str] = []
    for name in sorted(modules):
        module = modules[name]
        if module is None or not (name == PACKAGE or name.startswith(PACKAGE + ".")):
            continue
        loader = getattr(module, "__loader__", None)
        source = loader.get_source(name) if loader is not None and hasattr(loader, "get_source") else None
        if source is None:
            continue
        if isinstance(source, bytes):  # ansible-core's collection loader hands out bytes, zipimport str
            source = source.decode("utf-8")
        parts = name.split(".")
        if hasattr(module, "__path__"):
            path = os.path.join(dest, *parts, "__init__.py")
        else:
            path = os.path.join(dest, *parts[:-1], parts[-1] + ".py")
        _write(path, source, 0o600)
        copied.append(name)
    # every package level needs an __init__ (namespace packages are not guaranteed everywhere)
    parts = PACKAGE.split(".")
    for depth in range(1, len(parts) + 1):
        init = os.path.join(dest, *parts[:depth], "__init__.py")
        if not os.path.exists(init):
            _write(init, "", 0o600)
    return copied


class RollbackGuard:
    """The engine's apply guard for ``confirm_timeout``: ``arm()`` before apply, ``undo()`` if apply fails."""

    def __init__(
        self,
        rollback_id: str,
        timeout: int,
        runner: Runner,
        root: str = ROOT,
        python: Optional[str] = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.rollback_id = check_id(rollback_id)
        self.timeout = check_timeout(timeout)
        self.runner = runner
        self.root = root
        self.python = python or sys.executable or "/usr/bin/python3"
        self.clock = clock
        self.directory = rollback_dir(rollback_id, root)
        self.files: Optional[FileStore] = None

    def arm(self, backend: FirewallBackend, desired: DesiredState, plan: Plan) -> Dict[str, Any]:
        if os.path.exists(self.directory):
            raise FirewallError(f"rollback {self.rollback_id} already exists in {self.root}; nothing was changed")
        os.makedirs(self.directory, mode=0o700)
        self.files = backend.files
        manifest = build_manifest(self.rollback_id, backend, desired, plan, self.timeout, self.clock())
        lib = os.path.join(self.directory, "lib")
        copy_library(lib)
        launcher = os.path.join(self.directory, LAUNCHER)
        _write(os.path.join(self.directory, MANIFEST), manifest.to_json())
        _write(launcher, render_launcher(self.python, lib, self.directory), 0o700)
        _write(os.path.join(self.directory, COOKIE), f"{manifest.armed_at}\n")
        argv = arm_argv(self.rollback_id, self.timeout, self.python, launcher)
        rc, out, err = self.runner.run(argv)
        if rc != 0:
            shutil.rmtree(self.directory, ignore_errors=True)
            raise FirewallError(
                f"confirm_timeout: cannot arm the automatic rollback ({' '.join(argv[:3])} failed, rc={rc}: "
                f"{(err or out).strip()}); it needs systemd on the host. Nothing was changed"
            )
        return {
            "rollback_id": self.rollback_id,
            "rollback_unit": unit_name(self.rollback_id),
            "confirm_timeout": self.timeout,
        }

    def undo(self) -> Dict[str, Any]:
        """Apply failed: revert right now and disarm."""
        result = revert(self.directory, self.runner, self.clock, self.files)
        self.runner.run(disarm_argv(self.rollback_id))
        shutil.rmtree(self.directory, ignore_errors=True)
        return result


def _backend_for(manifest: Manifest, runner: Runner, files: FileStore) -> FirewallBackend:
    cls = LINUX.get(manifest.backend)
    if cls is None:
        raise FirewallError(f"rollback: backend {manifest.backend!r} is not available")
    return cls(runner, files, BackendOptions(zone=manifest.zone, variant=manifest.variant))


def revert(
    directory: str,
    runner: Runner,
    clock: Callable[[], float] = time.time,
    files: Optional[FileStore] = None,
) -> Dict[str, Any]:
    """Put back exactly the rules we owned before (unless confirmed meanwhile); record ``status.json``."""
    with _locked(directory):
        done = _read(os.path.join(directory, STATUS))
        if done is not None:
            return dict(json.loads(done))
        if not os.path.exists(os.path.join(directory, COOKIE)):
            return {"rolled_back": False, "confirmed": True}
        manifest = Manifest.from_json(str(_read(os.path.join(directory, MANIFEST))))
        files = files if files is not None else LocalFileStore()
        record: Dict[str, Any] = {"rollback_id": manifest.rollback_id, "armed_at": manifest.armed_at}
        try:
            backend = _backend_for(manifest, runner, files)
            desired = exact_state(manifest)
            plan = backend.plan(desired, backend.read(desired.scope))
            commands = backend.apply(replace(plan, files=()))
            paths = [b.path for b in manifest.files] + [f.path for f in plan.files]
            writes, notes = file_actions(manifest.files, plan.files, {p: files.read(p) for p in paths})
            for item in writes:
                files.write(item.path, item.text, item.mode)
            record.update(
                rolled_back=True,
                commands=commands,
                files=[item.path for item in writes],
                notes=notes,
                rules=[rule.as_dict() for rule in manifest.before],
            )
        except Exception as exc:
            record.update(rolled_back=False, error=f"rollback failed: {exc}")
        record["fired_at"] = clock()
        record["elapsed"] = round(record["fired_at"] - manifest.armed_at, 1)
        _write(os.path.join(directory, STATUS), json.dumps(record, sort_keys=True) + "\n")
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(directory, COOKIE))
        return record


def launcher_argv(rollback_id: str, operation: str, root: str = ROOT) -> List[str]:
    """How the action plugin confirms or asks (``ansible.builtin.command``): ``revert.py confirm|status``."""
    if operation not in ("confirm", "status"):
        raise ValidationError(f"invalid rollback operation {operation!r}: expected confirm or status")
    return [os.path.join(rollback_dir(rollback_id, root), LAUNCHER), operation]


def revert_main(directory: str, args: Sequence[str] = ()) -> int:
    """Entry point of ``revert.py``.

    No argument (the timer): revert, one line for the journal. ``confirm`` or
    ``status`` (the action plugin): one JSON object on stdout.
    """
    root, rollback_id = os.path.split(os.path.normpath(directory))
    if list(args) == ["confirm"]:
        sys.stdout.write(json.dumps(confirm(rollback_id, SubprocessRunner(), root)) + "\n")
        return 0
    if list(args) == ["status"]:
        sys.stdout.write(json.dumps(status(rollback_id, root)) + "\n")
        return 0
    if args:
        sys.stderr.write(f"usage: {LAUNCHER} [confirm|status]\n")
        return 2
    record = revert(directory, SubprocessRunner())
    if record.get("confirmed"):
        sys.stdout.write("webedge.https rollback: confirmed meanwhile, nothing to do\n")
        return 0
    if record.get("rolled_back"):
        sys.stdout.write(f"webedge.https rollback: previous rules restored after {record.get('elapsed')} s\n")
        return 0
    sys.stderr.write(f"webedge.https rollback: {record.get('error')}\n")
    return 1


def confirm(rollback_id: str, runner: Runner, root: str = ROOT) -> Dict[str, Any]:
    """The controller reached the host again: keep the change (or report that it was rolled back)."""
    directory = rollback_dir(rollback_id, root)
    if not os.path.isdir(directory):
        return {"found": False, "rolled_back": False, "confirmed": False}
    with _locked(directory):
        done = _read(os.path.join(directory, STATUS))
        if done is None:
            with contextlib.suppress(FileNotFoundError):
                os.remove(os.path.join(directory, COOKIE))
    if done is not None:
        return status(rollback_id, root)
    runner.run(disarm_argv(rollback_id))
    shutil.rmtree(directory, ignore_errors=True)
    return {"found": True, "rolled_back": False, "confirmed": True}


def status(rollback_id: str, root: str = ROOT, clock: Callable[[], float] = time.time) -> Dict[str, Any]:
    """What became of a rollback; a finished one is reported once and then removed."""
    directory = rollback_dir(rollback_id, root)
    if not os.path.isdir(directory):
        return {"found": False, "rolled_back": False}
    done = _read(os.path.join(directory, STATUS))
    if done is not None:
        record = dict(json.loads(done))
        if record.get("rolled_back"):
            shutil.rmtree(directory, ignore_errors=True)
        return {"found": True, **record}
    manifest = Manifest.from_json(str(_read(os.path.join(directory, MANIFEST))))
    left = manifest.armed_at + manifest.timeout - clock()
    return {"found": True, "rolled_back": False, "pending": True, "seconds_left": round(left, 1)}
