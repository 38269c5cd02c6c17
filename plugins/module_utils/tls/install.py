# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Installing certificate files on the target: atomic, with the final mode from creation.

Runs on the target (Python 3.8+, standard library only). The material arrives already
validated by the action plugin; this code only compares and writes bytes.

Writes go through a temporary file in the destination directory, created with
``os.open(..., 0o600)`` (never wider, whatever the umask), chowned and chmodded to the
final owner and mode *before* any content is written, then renamed over the
destination. A private key is therefore never readable by others, not even for a
moment. All temporary files are staged before the first rename, so a failure while
staging leaves every destination as it was.
"""

from __future__ import annotations

import base64
import contextlib
import grp
import hashlib
import os
import pwd
import re
import stat
import time
from dataclasses import dataclass, field
from typing import Callable, Collection, Dict, List, Optional, Union

__all__ = [
    "DirChange",
    "DirSpec",
    "FileSpec",
    "FileState",
    "InstallError",
    "apply",
    "apply_directories",
    "certificate_blocks",
    "parse_mode",
    "plan",
    "plan_directories",
    "read_state",
    "remove_files",
    "resolve_group",
    "resolve_owner",
    "stale_temp_files",
]

CERT_MODE = 0o644
_CERT_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----")


class InstallError(Exception):
    """A file could not be installed; the message names the path."""


@dataclass(frozen=True)
class FileSpec:
    """One file to install. ``uid``/``gid`` of None keep the existing file's owner (or the process's)."""

    role: str  # "cert", "key", "chain", "fullchain"
    path: str
    content: bytes
    mode: int
    uid: Optional[int] = None
    gid: Optional[int] = None


@dataclass(frozen=True)
class FileState:
    """What is at a path now. ``certificates`` holds PEM certificate blocks only (public data)."""

    path: str
    exists: bool
    sha256: Optional[str] = None
    uid: Optional[int] = None
    gid: Optional[int] = None
    mode: Optional[int] = None
    content: Optional[bytes] = field(default=None, repr=False)


@dataclass(frozen=True)
class FileChange:
    spec: FileSpec
    before: FileState
    content_changed: bool
    attributes_changed: bool
    uid: int
    gid: int

    @property
    def changed(self) -> bool:
        return self.content_changed or self.attributes_changed


@dataclass(frozen=True)
class DirSpec:
    """A directory the files go into: created when missing, its owner and mode set. ``uid``/``gid`` of None
    keep the existing directory's owner (or the process's for a new one)."""

    path: str
    mode: int
    uid: Optional[int] = None
    gid: Optional[int] = None


@dataclass(frozen=True)
class DirChange:
    spec: DirSpec
    exists: bool
    before_mode: Optional[int]
    before_uid: Optional[int]
    before_gid: Optional[int]
    uid: int
    gid: int

    @property
    def changed(self) -> bool:
        return not self.exists or (self.before_uid, self.before_gid, self.before_mode) != (
            self.uid,
            self.gid,
            self.spec.mode,
        )


def parse_mode(value: Union[str, int, None], what: str = "mode") -> int:
    """An octal mode (``"0640"``, ``"640"``, ``0o640``); symbolic modes are refused."""
    if value is None:
        return 0o600
    if isinstance(value, bool):
        raise InstallError(f"{what}: {value!r} is not an octal mode")
    if isinstance(value, int):
        mode = value
    else:
        text = str(value).strip()
        if not re.fullmatch(r"0?o?[0-7]{3,4}", text):
            raise InstallError(f"{what}: {value!r} is not an octal mode such as '0600' or '0640'")
        mode = int(text.replace("o", ""), 8)
    if not 0 <= mode <= 0o7777:
        raise InstallError(f"{what}: {value!r} is out of range")
    return mode


def resolve_owner(value: Optional[str]) -> Optional[int]:
    if value is None or value == "":
        return None
    if str(value).isdigit():
        return int(value)
    try:
        return pwd.getpwnam(value).pw_uid
    except KeyError:
        raise InstallError(f"owner: no such user {value!r} on the host") from None


def resolve_group(value: Optional[str]) -> Optional[int]:
    if value is None or value == "":
        return None
    if str(value).isdigit():
        return int(value)
    try:
        return grp.getgrnam(value).gr_gid
    except KeyError:
        raise InstallError(f"group: no such group {value!r} on the host") from None


def certificate_blocks(data: bytes) -> List[str]:
    """The PEM certificate blocks in a file's content; nothing else (never key material) is kept."""
    return [m.group(0).decode("ascii") + "\n" for m in _CERT_BLOCK.finditer(data)]


def cert_fingerprints(data: bytes) -> List[str]:
    """SHA-256 fingerprints of the PEM certificates in ``data``, as ``AA:BB:..``."""
    out = []
    for block in certificate_blocks(data):
        body = "".join(line for line in block.splitlines() if line and not line.startswith("-----"))
        der = base64.b64decode(body)
        out.append(hashlib.sha256(der).hexdigest().upper())
    return [":".join(d[i : i + 2] for i in range(0, len(d), 2)) for d in out]


def read_state(path: str) -> FileState:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return FileState(path=path, exists=False)
    if stat.S_ISDIR(st.st_mode):
        raise InstallError(f"{path}: is a directory")
    if stat.S_ISLNK(st.st_mode):
        st = os.stat(path) if os.path.exists(path) else st
    try:
        with open(path, "rb") as handle:
            content = handle.read()
    except OSError as exc:
        raise InstallError(f"{path}: cannot read ({exc.strerror})") from None
    return FileState(
        path=path,
        exists=True,
        sha256=hashlib.sha256(content).hexdigest(),
        uid=st.st_uid,
        gid=st.st_gid,
        mode=stat.S_IMODE(st.st_mode),
        content=content,
    )


def plan(
    specs: List[FileSpec], *, predict_missing_dirs: bool = False, created_dirs: Collection[str] = ()
) -> List[FileChange]:
    """Compare each file with what is on disk; nothing is written.

    A missing destination directory is an error, except with ``predict_missing_dirs``
    (check mode): an earlier task of the same play (the tls role's directory tasks)
    only predicted creating it, so the file is predicted as new; and except for the
    ``created_dirs`` (the task's own directories, created before the files are written).
    """
    will_exist = {d.rstrip("/") for d in created_dirs}
    seen: Dict[str, str] = {}
    for spec in specs:
        if spec.path in seen and seen[spec.path] != spec.role:
            raise InstallError(f"{spec.path}: given for both {seen[spec.path]}_path and {spec.role}_path")
        seen[spec.path] = spec.role
    changes = []
    for spec in specs:
        parent = os.path.dirname(spec.path) or "."
        predicted = predict_missing_dirs or parent in will_exist
        if not os.path.isdir(parent) and not (predicted and not os.path.exists(parent)):
            raise InstallError(f"{spec.role}_path {spec.path}: the directory {parent} does not exist")
        before = read_state(spec.path)
        uid = spec.uid if spec.uid is not None else (before.uid if before.exists else os.geteuid())
        gid = spec.gid if spec.gid is not None else (before.gid if before.exists else os.getegid())
        content_changed = not before.exists or before.content != spec.content
        attributes_changed = before.exists and (before.uid != uid or before.gid != gid or before.mode != spec.mode)
        changes.append(FileChange(spec, before, content_changed, bool(attributes_changed), uid, gid))
    return changes


def plan_directories(specs: List[DirSpec]) -> List[DirChange]:
    """Compare each directory with what is on disk (a symbolic link to a directory counts as the
    directory, as for ``ansible.builtin.file``); nothing is created."""
    changes = []
    for spec in specs:
        try:
            st = os.stat(spec.path)
        except FileNotFoundError:
            uid = spec.uid if spec.uid is not None else os.geteuid()
            gid = spec.gid if spec.gid is not None else os.getegid()
            changes.append(DirChange(spec, False, None, None, None, uid, gid))
            continue
        except OSError as exc:
            raise InstallError(f"directory {spec.path}: {exc.strerror}") from None
        if not stat.S_ISDIR(st.st_mode):
            raise InstallError(f"directory {spec.path}: exists and is not a directory")
        uid = spec.uid if spec.uid is not None else st.st_uid
        gid = spec.gid if spec.gid is not None else st.st_gid
        changes.append(DirChange(spec, True, stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, uid, gid))
    return changes


def apply_directories(changes: List[DirChange]) -> None:
    """Create the missing directories (0700 until their owner and mode are set; missing parents as
    ``os.makedirs`` makes them) and set owner and mode where they differ, in the order given."""
    for change in changes:
        if not change.changed:
            continue
        path = change.spec.path
        try:
            if not change.exists:
                parent = os.path.dirname(path.rstrip("/"))
                if parent:
                    os.makedirs(parent, exist_ok=True)
                os.mkdir(path, 0o700)
            if _can_chown() and (change.before_uid, change.before_gid) != (change.uid, change.gid):
                os.chown(path, change.uid, change.gid)
            os.chmod(path, change.spec.mode)
        except OSError as exc:
            raise InstallError(f"directory {path}: {exc.strerror}") from None


def _timestamp() -> str:
    return time.strftime("%Y-%m-%d@%H:%M:%S~", time.localtime())


def _write_new(path: str, content: bytes, mode: int, uid: int, gid: int, chown: bool) -> None:
    """Create ``path`` (must not exist) as 0600, set owner and mode, then write: never wider than asked."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        if chown:
            os.fchown(fd, uid, gid)
        os.fchmod(fd, mode)
        view = memoryview(content)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)


def _backup(change: FileChange) -> str:
    before = change.before
    backup = f"{before.path}.{os.getpid()}.{_timestamp()}"
    _write_new(backup, before.content or b"", before.mode or 0o600, before.uid or 0, before.gid or 0, _can_chown())
    return backup


def _can_chown() -> bool:
    return os.geteuid() == 0


def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def apply(
    changes: List[FileChange],
    *,
    backup: bool = False,
    prepare_temp: Optional[Callable[[str, str], None]] = None,
) -> Dict[str, str]:
    """Write the changed files. Returns ``{path: backup_path}`` for the backups made.

    ``prepare_temp(temp_path, destination)`` runs on each staged file before its rename
    (the module uses it to apply the destination's SELinux context).
    """
    staged: List[tuple] = []
    backups: Dict[str, str] = {}
    try:
        for change in changes:
            if not change.changed:
                continue
            spec = change.spec
            chown = _can_chown() or (change.uid == os.geteuid() and change.gid in [*os.getgroups(), os.getegid()])
            if not change.content_changed:
                # same bytes: fix owner and mode in place. While the owner changes the mode is the old
                # and the new one's common part, so the new owner and group never get the old mode's
                # rights (a key going from group A 0640 to group B 0600 is never group B's and 0640)
                if chown and (change.before.uid != change.uid or change.before.gid != change.gid):
                    before_mode = change.before.mode if change.before.mode is not None else 0
                    os.chmod(spec.path, before_mode & spec.mode)
                    os.chown(spec.path, change.uid, change.gid, follow_symlinks=False)
                os.chmod(spec.path, spec.mode)
                continue
            temp = _staged_name(spec.path, os.getpid(), len(staged))
            _write_new(temp, spec.content, spec.mode, change.uid, change.gid, chown)
            staged.append((temp, change))
            if prepare_temp is not None:
                prepare_temp(temp, spec.path)
    except OSError as exc:
        for temp, _change in staged:
            _unlink_quiet(temp)
        raise InstallError(f"{exc.filename or 'file'}: {exc.strerror}") from None
    for temp, change in staged:
        if backup and change.before.exists:
            backups[change.spec.path] = _backup(change)
        try:
            os.rename(temp, change.spec.path)
        except OSError as exc:
            for other, _change in staged:
                _unlink_quiet(other)
            raise InstallError(f"{change.spec.path}: cannot replace ({exc.strerror})") from None
        _fsync_dir(os.path.dirname(change.spec.path) or ".")
    return backups


def _staged_name(path: str, pid: int, index: int) -> str:
    return os.path.join(os.path.dirname(path) or ".", f".{os.path.basename(path)}.{pid}.{index}.tmp")


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, somebody else's
        return True
    return True


def stale_temp_files(paths: Collection[str]) -> List[str]:
    """Files that ``apply`` staged for ``paths`` in a run that ended before renaming them.

    A run killed between staging and renaming (SIGKILL, OOM, a reboot) cannot remove its staged
    files, and a staged key holds key material. Only names this module gives (``.NAME.PID.N.tmp``
    beside NAME) whose process is gone are returned: a concurrent run's files are left alone.
    """
    stale = []
    for path in sorted(set(paths)):
        directory = os.path.dirname(path) or "."
        pattern = re.compile(re.escape(f".{os.path.basename(path)}.") + r"(\d+)\.\d+\.tmp")
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        for name in sorted(names):
            match = pattern.fullmatch(name)
            if match and int(match.group(1)) != os.getpid() and not _process_alive(int(match.group(1))):
                stale.append(os.path.join(directory, name))
    return stale


def remove_files(paths: Collection[str]) -> None:
    """Remove ``paths``; one already gone is fine, one that cannot be removed is an InstallError naming it."""
    for path in paths:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise InstallError(f"{path}: cannot remove ({exc.strerror})") from None


def _unlink_quiet(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
