# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Nobody else reads the private key at any moment of a write, watched for real with inotify.

The REAL module runs in a child process (each run a process of its own, forked from a child that
imported it once, as each task is a process of its own on a host), rewriting the key on every run,
while a watcher process that dropped to ``nobody`` (65534:65534, no supplementary groups) watches
the destination directory with inotify (``IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB |
IN_MODIFY``, through ctypes) and, on every event and in a tight loop between events, tries to open
for reading every entry of the directory and every name an event gave. A file it opens is read at
once and, if still empty (opened before its content was written), read again through the same
descriptor at the end: a staged file that was readable for a moment is caught even if it was
tightened before its bytes arrived. What must hold: no successful open of a file whose content holds
``PRIVATE KEY`` and no successful open of a key by its name (destination, staged ``.site.key.PID.N.tmp``
or backup ``site.key.PID.DATE``).

The rewrites run at full speed (the real timing: which moments the watcher hits is up to the scheduler)
and *stepped*: after each file system call that creates, chowns, chmods, writes, syncs or renames, the
writer waits until the watcher has made one whole pass (every entry tried) begun after that call, so
that every intermediate state of the write is tried at least once, however loaded the machine. The
backups (``backup: true``), the in-place owner, group and mode changes (same bytes) and the watcher's
own check (a writer made to leave its staged key 0644 for a moment: it must be caught) run stepped.
The in-place change once chowned before it chmodded: a key going from group root 0640 to group nogroup
0600 was nogroup's and 0640 for a moment, and ``nobody`` read it; the last test pins the order down.

The directory is 0755 so that ``nobody`` can reach the files: the certificates (0644) must open (the
positive control) while the key must not. With the key directory the ``webedge.https.tls`` role makes
(0700, root's), nothing at all is reachable: that second case checks that not one open succeeds,
the inotify watch being added before the watcher drops its privileges, so that it still sees the names.

The tests run as root (here and in CI): without root the watcher cannot change user, and the tests fail.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import re
import select
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

from ansible_collections.webedge.https.plugins.module_utils.tls import install
from ansible_collections.webedge.https.tests.unit.helpers.tls_certs import key_pem, make_cert, pki

NOBODY = 65534
FILES = ("site.crt", "site.key", "chain.pem", "full.pem")

IN_MODIFY = 0x00000002
IN_ATTRIB = 0x00000004
IN_CLOSE_WRITE = 0x00000008
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_Q_OVERFLOW = 0x00004000
IN_NONBLOCK = os.O_NONBLOCK
IN_CLOEXEC = os.O_CLOEXEC
EVENT_KINDS = {
    "IN_CREATE": IN_CREATE,
    "IN_MOVED_TO": IN_MOVED_TO,
    "IN_CLOSE_WRITE": IN_CLOSE_WRITE,
    "IN_ATTRIB": IN_ATTRIB,
    "IN_MODIFY": IN_MODIFY,
}
WATCH_MASK = IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB | IN_MODIFY
_EVENT = struct.Struct("iIII")

STAGED_KEY = re.compile(r"\.site\.key\.\d+\.\d+\.tmp")
STAGED_CERT = re.compile(r"\.site\.crt\.\d+\.\d+\.tmp")
KEY_NAME = re.compile(r"site\.key|\.site\.key\.\d+\.\d+\.tmp|site\.key\.\d+\..+~")

# The child: imports the module once, then forks one process per run (its own pid, as a task on a host).
# Stepped: after every file system call that makes or changes a file, it hands the watcher a token and
# waits for its answer, sent once a whole pass begun after the call is done.
# A fault, for the watcher's own check only: a staged key opened for reading by others right after creation.
_CHILD = r"""
import json, os, select, sys
from ansible_collections.webedge.https.tests.unit.helpers.module_args import patch_module_args
from ansible_collections.webedge.https.plugins.modules import tls_certificate

plan = json.loads(sys.stdin.read())
step, fault = plan["step"], plan["fault"]
real_write, real_read = os.write, os.read

def stepped(real):
    def call(*a, **k):
        out = real(*a, **k)
        real_write(step[0], b"s")
        if select.select([step[1]], [], [], 30)[0]:
            real_read(step[1], 1)
        return out
    return call

if fault == "staged-key-readable":
    real_open = os.open
    def leaky_open(path, flags, *rest, **k):
        fd = real_open(path, flags, *rest, **k)
        if flags & os.O_CREAT and os.path.basename(path).startswith(".site.key."):
            os.fchmod(fd, 0o644)
        return fd
    os.open = leaky_open
if step:
    for name in ("open", "fchown", "fchmod", "chown", "chmod", "write", "fsync", "rename"):
        setattr(os, name, stepped(getattr(os, name)))

results = []
for args in plan["runs"]:
    sys.stdout.flush()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.dup2(w, 1)
        code = 0
        try:
            with patch_module_args(args):
                tls_certificate.main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            code = 3
        sys.stdout.flush()
        os._exit(code)
    os.close(w)
    chunks = []
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(r)
    _pid, status = os.waitpid(pid, 0)
    out = b"".join(chunks).decode().strip()
    results.append({"pid": pid, "code": os.waitstatus_to_exitcode(status), "result": json.loads(out) if out else {}})
print(json.dumps(results))
"""

# The directory holding ansible_collections/ (this file is inside it), for the child's imports.
_ROOT = next(str(p.parent) for p in Path(__file__).absolute().parents if p.name == "ansible_collections")


# ---------------------------------------------------------------------------------------------- the watcher


def _require_root() -> None:
    if os.geteuid() != 0:
        pytest.fail(
            "the racing-read tests run as root: the watcher must switch to the unprivileged user nobody "
            f"(uid {NOBODY}) and the files change owner; running as uid {os.geteuid()} they cannot mean anything"
        )


class Watcher:
    """A forked process, ``nobody`` with no supplementary group, trying to read what the writer writes."""

    def __init__(self, directory: Path) -> None:
        _require_root()
        self.directory = directory
        self._libc = ctypes.CDLL(None, use_errno=True)
        probe_fd, self._probe = tempfile.mkstemp(prefix="webedge-racing-probe-", dir=directory.parent)
        os.close(probe_fd)
        self._ready_r, ready_w = os.pipe()
        self._stop_r, self._stop_w = os.pipe()
        self._result_r, result_w = os.pipe()
        self._step_r, step_w = os.pipe()
        ack_r, self._ack_w = os.pipe()
        self.writer_fds = (step_w, ack_r)  # for a stepped writer
        self.pid = os.fork()
        if self.pid == 0:  # the watcher: never returns into pytest
            code = 0
            try:
                for unused in (self._ready_r, self._stop_w, self._result_r, step_w, ack_r):
                    os.close(unused)
                result = self._watch(ready_w)
                payload = json.dumps(result).encode()
            except BaseException as exc:  # reported to the parent, never raised here
                payload = json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode()
                code = 1
            try:
                view = memoryview(payload)
                while view:
                    view = view[os.write(result_w, view) :]
            finally:
                os._exit(code)
        for unused in (ready_w, self._stop_r, result_w, self._step_r, self._ack_w):
            os.close(unused)
        ready, _w, _x = select.select([self._ready_r], [], [], 10)
        message = os.read(self._ready_r, 4096).decode() if ready else "timeout"
        os.close(self._ready_r)
        os.unlink(self._probe)
        if message != "ready":
            self.stop()
            pytest.fail(f"the watcher did not start: {message}")

    # -- in the watcher process --------------------------------------------------------------------------

    def _watch(self, ready_w: int) -> Dict[str, Any]:
        directory = str(self.directory)
        # the watch is added as root: with a 0700 directory nobody could not add it, and must still see names
        fd = self._libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        if self._libc.inotify_add_watch(fd, directory.encode(), WATCH_MASK) < 0:
            raise OSError(ctypes.get_errno(), "inotify_add_watch")
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
        if os.getresuid() != (NOBODY,) * 3 or os.getresgid() != (NOBODY,) * 3 or os.getgroups():
            raise RuntimeError("could not drop to nobody")
        try:  # root's 0600 file: proof that the drop took
            os.close(os.open(self._probe, os.O_RDONLY))
        except PermissionError:
            pass
        else:
            raise RuntimeError("nobody can still open a file of root's with mode 0600")
        os.write(ready_w, b"ready")
        os.close(ready_w)

        events = dict.fromkeys(EVENT_KINDS, 0)
        names: Dict[str, int] = {}  # name -> events naming it
        outcomes: Dict[str, Dict[str, int]] = {}  # name -> {"opened" | errno name: count}
        stats = {"passes": 0, "steps": 0, "opens_attempted": 0, "opens_succeeded": 0, "overflows": 0}
        key_reads = {"count": 0, "with_content": 0, "late": 0, "samples": []}  # names and modes, never content
        cert_reads = 0
        empty_held: Dict[Tuple[int, int], Tuple[int, str]] = {}  # inode -> (fd, name) opened while empty
        candidates = set(FILES)
        buffer = bytearray(65536)
        stop = False
        steps = [self._step_r]

        def key_read(name: str, st: os.stat_result, holds_key: bool, when: str) -> None:
            key_reads["count"] += 1
            key_reads["with_content"] += holds_key
            if len(key_reads["samples"]) < 5:
                key_reads["samples"].append(
                    {
                        "name": name,
                        "mode": oct(stat.S_IMODE(st.st_mode)),
                        "uid": st.st_uid,
                        "gid": st.st_gid,
                        "holds_key": holds_key,
                        "when": when,
                    }
                )

        def try_open(name: str) -> None:
            nonlocal cert_reads
            stats["opens_attempted"] += 1
            outcome = outcomes.setdefault(name, {})
            try:
                handle = os.open(os.path.join(directory, name), os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
            except OSError as exc:
                label = errno.errorcode.get(exc.errno, str(exc.errno))
                outcome[label] = outcome.get(label, 0) + 1
                return
            outcome["opened"] = outcome.get("opened", 0) + 1
            stats["opens_succeeded"] += 1
            st = os.fstat(handle)
            data = os.read(handle, 1 << 16) if stat.S_ISREG(st.st_mode) else b""
            if b"PRIVATE KEY" in data or KEY_NAME.fullmatch(name):
                key_read(name, st, b"PRIVATE KEY" in data, "at once")
            elif b"CERTIFICATE" in data:
                cert_reads += 1
            if not data and stat.S_ISREG(st.st_mode) and (st.st_dev, st.st_ino) not in empty_held:
                empty_held[(st.st_dev, st.st_ino)] = (handle, name)
            else:
                os.close(handle)

        while True:
            stats["passes"] += 1
            ready = select.select([self._stop_r, *steps], [], [], 0)[0]
            stop = stop or self._stop_r in ready  # then one last drain and pass: the writer is done
            stepping = bool(ready and steps and steps[0] in ready and os.read(steps[0], 1))
            if stepping:  # the writer waits: this whole pass begins after its call
                stats["steps"] += 1
            elif steps and steps[0] in ready:  # no writer holds the token pipe any more
                steps.clear()
            try:
                size = os.readv(fd, [buffer])
            except BlockingIOError:
                size = 0
            offset = 0
            while offset < size:
                _wd, mask, _cookie, length = _EVENT.unpack_from(buffer, offset)
                offset += _EVENT.size
                name = bytes(buffer[offset : offset + length]).rstrip(b"\0").decode()
                offset += length
                if mask & IN_Q_OVERFLOW:
                    stats["overflows"] += 1
                for kind, bit in EVENT_KINDS.items():
                    if mask & bit:
                        events[kind] += 1
                if name:
                    names[name] = names.get(name, 0) + 1
                    candidates.add(name)
                    try_open(name)  # on the event itself, before anything else
            try:
                listed = os.listdir(directory)
            except OSError:
                listed = []
            candidates.update(listed)
            for name in listed or sorted(candidates):
                try_open(name)
            if stepping:
                os.write(self._ack_w, b"a")
            if stop and size == 0:
                break

        for handle, name in empty_held.values():
            data = os.pread(handle, 1 << 16, 0)
            if b"PRIVATE KEY" in data:
                key_reads["late"] += 1
                key_read(name, os.fstat(handle), True, "later, through a descriptor opened while empty")
            os.close(handle)
        os.close(fd)
        return {
            **stats,
            "events": events,
            "names": names,
            "outcomes": outcomes,
            "key_reads": key_reads,
            "cert_reads": cert_reads,
            "held_empty": len(empty_held),
        }

    # -- in the test process -----------------------------------------------------------------------------

    def stop(self) -> Dict[str, Any]:
        for fd in self.writer_fds:
            os.close(fd)
        time.sleep(0.05)  # the last events reach the queue
        with contextlib.suppress(BrokenPipeError):  # a watcher gone early says why below
            os.write(self._stop_w, b"x")
        os.close(self._stop_w)
        chunks = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if not select.select([self._result_r], [], [], 1)[0]:
                continue
            chunk = os.read(self._result_r, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
        os.close(self._result_r)
        _pid, status = os.waitpid(self.pid, 0)
        result = json.loads(b"".join(chunks) or b"{}")
        assert os.waitstatus_to_exitcode(status) == 0 and "error" not in result, result
        return result


# ---------------------------------------------------------------------------------------------- the writer


def _material() -> List[Dict[str, bytes]]:
    """Two certificate/key sets for the same site: alternating them rewrites the key on every run."""
    p = pki()
    other = make_cert("www.example.com", issuer=p.inter, sans=["www.example.com"])
    return [
        {"cert": p.leaf.cert_pem, "key": p.leaf.key_pem, "chain": p.inter.cert_pem},
        {"cert": other.cert_pem, "key": key_pem(other.key), "chain": p.inter.cert_pem},
    ]


def _args(directory: Path, material: Dict[str, bytes], **extra: Any) -> Dict[str, Any]:
    return {
        "certificate_content": material["cert"].decode(),
        "private_key_content": material["key"].decode(),
        "chain_content": material["chain"].decode(),
        "cert_path": str(directory / "site.crt"),
        "key_path": str(directory / "site.key"),
        "chain_path": str(directory / "chain.pem"),
        "fullchain_path": str(directory / "full.pem"),
        **extra,
    }


def _run(
    runs: List[Dict[str, Any]], step: Optional[Tuple[int, int]] = None, fault: Optional[str] = None
) -> List[Dict[str, Any]]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([_ROOT, *(p for p in sys.path if p)]))
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD],
        input=json.dumps({"runs": runs, "step": step, "fault": fault}).encode(),
        capture_output=True,
        pass_fds=step or (),
        env=env,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    results = json.loads(proc.stdout)
    assert len(results) == len(runs)
    for result in results:
        assert result["code"] == 0, result["result"].get("msg")
    return results


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory nobody can reach (every parent searchable by others), 0755 unless a test tightens it.
    Under the temporary directory when others can reach it (ansible-test's own is its user's alone), or /tmp."""
    bases = [Path(tempfile.gettempdir()), Path("/tmp"), Path("/var/tmp")]
    reachable = [b for b in bases if b.is_dir() and all(os.stat(p).st_mode & stat.S_IXOTH for p in [b, *b.parents])]
    if not reachable:
        pytest.fail(f"none of {[str(b) for b in bases]} is searchable by others: nobody could reach the files")
    directory = Path(tempfile.mkdtemp(prefix="webedge-racing-reads-", dir=reachable[0]))
    directory.chmod(0o755)
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _watched(directory: Path, runs: List[Dict[str, Any]], stepped: bool, fault: Optional[str] = None):
    watcher = Watcher(directory)
    try:
        results = _run(runs, watcher.writer_fds if stepped else None, fault)
    finally:
        seen = watcher.stop()
    return results, seen


def _staged_keys(seen: Dict[str, Any]) -> List[str]:
    return sorted(n for n in seen["names"] if STAGED_KEY.fullmatch(n))


def _figures(case: str, runs: int, seen: Dict[str, Any]) -> None:
    """The measured figures, printed for the report (pytest -s shows them)."""
    print(
        f"\n[racing-reads] {case}: runs={runs} events={seen['events']} names={len(seen['names'])} "
        f"staged_keys_seen={len(_staged_keys(seen))} passes={seen['passes']} steps={seen['steps']} "
        f"opens_attempted={seen['opens_attempted']} opens_succeeded={seen['opens_succeeded']} "
        f"staged_keys_refused={sum(seen['outcomes'][n].get('EACCES', 0) > 0 for n in _staged_keys(seen))} "
        f"key_content_reads={seen['key_reads']['with_content']} key_name_reads={seen['key_reads']['count']} "
        f"cert_reads(positive control)={seen['cert_reads']} held_empty={seen['held_empty']}"
    )


def _assert_key_never_read(seen: Dict[str, Any]) -> None:
    assert seen["overflows"] == 0
    assert seen["key_reads"]["count"] == 0, seen["key_reads"]  # names and modes only: no key material
    assert seen["key_reads"]["with_content"] == 0


def _assert_every_staged_key_tried(seen: Dict[str, Any], pids: List[int]) -> None:
    """Each run's staged key was seen, and tried while it existed (refused, not 'no such file')."""
    staged = _staged_keys(seen)
    assert sorted(int(n.split(".")[3]) for n in staged) == sorted(pids)
    for name in staged:
        assert seen["outcomes"][name].get("EACCES", 0) > 0, (name, seen["outcomes"][name])
        assert "opened" not in seen["outcomes"][name]


PACES = [pytest.param(False, id="full-speed"), pytest.param(True, id="stepped")]


# ---------------------------------------------------------------------------------------------- the cases


@pytest.mark.parametrize("stepped", PACES)
def test_key_never_readable_while_rewritten(shared_dir: Path, stepped: bool) -> None:
    """30 runs (10 stepped), alternating two sets: every run stages and renames a new key, certificate and
    full chain; nobody opens the certificates (0644) and never the key."""
    material = _material()
    count = 10 if stepped else 30
    runs = [_args(shared_dir, material[i % 2]) for i in range(count)]
    results, seen = _watched(shared_dir, runs, stepped)
    _figures(f"rewrite 0755 {'stepped' if stepped else 'full-speed'}", count, seen)

    assert all(r["result"]["changed"] for r in results)
    assert (shared_dir / "site.key").read_bytes() == material[(count - 1) % 2]["key"]
    assert sorted(p.name for p in shared_dir.iterdir()) == sorted(FILES)
    _assert_key_never_read(seen)
    for kind in ("IN_CREATE", "IN_MOVED_TO", "IN_CLOSE_WRITE", "IN_ATTRIB", "IN_MODIFY"):
        assert seen["events"][kind] > 0, kind
    assert len([n for n in seen["names"] if STAGED_CERT.fullmatch(n)]) == count
    assert seen["cert_reads"] > 0  # positive control: nobody reaches this directory's readable files
    if stepped:
        _assert_every_staged_key_tried(seen, [r["pid"] for r in results])
    else:
        staged = _staged_keys(seen)
        assert len(staged) == count
        assert sum(seen["outcomes"][n].get("EACCES", 0) > 0 for n in staged) > 0


def test_backups_of_the_key_never_readable(shared_dir: Path) -> None:
    """With ``backup: true`` each run also writes a copy of the old key beside it (same owner and mode)."""
    material = _material()
    count = 8
    runs = [_args(shared_dir, material[i % 2], backup=True) for i in range(count)]
    results, seen = _watched(shared_dir, runs, True)
    _figures("backup 0755 stepped", count, seen)

    backups = [r["result"].get("backup_files", {}).get(str(shared_dir / "site.key")) for r in results]
    assert backups[0] is None and all(backups[1:])
    key_backups = sorted(n for n in seen["names"] if n.startswith("site.key."))
    assert key_backups == sorted(os.path.basename(b) for b in backups[1:])
    for name in key_backups:
        assert seen["outcomes"][name].get("EACCES", 0) > 0, (name, seen["outcomes"][name])
    _assert_key_never_read(seen)
    _assert_every_staged_key_tried(seen, [r["pid"] for r in results])
    cert_backups = [n for n in seen["names"] if n.startswith("site.crt.")]
    assert len(cert_backups) == count - 1
    assert all(seen["outcomes"][n].get("opened", 0) > 0 for n in cert_backups)  # positive control


def test_key_never_readable_while_its_owner_and_mode_change(shared_dir: Path) -> None:
    """Same bytes, other owner, group and mode: the key is changed in place (chown, chmod). From group root
    0640 to group nogroup 0600, the key must never be nogroup's and 0640 at once."""
    material = _material()[0]
    states = [
        {"owner": "0", "group": "0", "mode": "0640"},
        {"owner": "0", "group": str(NOBODY), "mode": "0600"},
        {"owner": "1", "group": "0", "mode": "0600"},
    ]
    runs = [_args(shared_dir, material, **states[i % 3]) for i in range(10)]
    _run(runs[:1])  # the files exist before the watcher starts: the runs below change attributes only
    results, seen = _watched(shared_dir, runs[1:], True)
    _figures("owner/group/mode 0755 stepped", len(runs) - 1, seen)

    for result in results:
        files = {f["role"]: f for f in result["result"]["files"]}
        assert files["key"]["changed"] and not files["key"]["content_changed"]
    final = (shared_dir / "site.key").stat()
    assert (final.st_uid, final.st_gid, stat.S_IMODE(final.st_mode)) == (0, 0, 0o640)
    _assert_key_never_read(seen)
    assert seen["events"]["IN_ATTRIB"] >= 2 * len(results)
    assert seen["outcomes"]["site.key"].get("EACCES", 0) > 0
    assert seen["cert_reads"] > 0


@pytest.mark.parametrize("stepped", PACES)
def test_nothing_reachable_in_the_roles_key_directory(shared_dir: Path, stepped: bool) -> None:
    """The key directory as the tls role makes it (0700, root's): not one open succeeds, not even a certificate,
    while the watch (added before dropping to nobody) sees every staged name."""
    shared_dir.chmod(0o700)
    material = _material()
    count = 6
    results, seen = _watched(shared_dir, [_args(shared_dir, material[i % 2]) for i in range(count)], stepped)
    _figures(f"rewrite 0700 {'stepped' if stepped else 'full-speed'}", count, seen)

    assert all(r["result"]["changed"] for r in results)
    assert seen["opens_attempted"] > 0
    assert seen["opens_succeeded"] == 0
    assert seen["key_reads"]["count"] == seen["cert_reads"] == 0
    assert sorted(int(n.split(".")[3]) for n in _staged_keys(seen)) == sorted(r["pid"] for r in results)
    assert {k for o in seen["outcomes"].values() for k in o} == {"EACCES"}


def test_the_watcher_catches_a_key_staged_readable_for_a_moment(shared_dir: Path) -> None:
    """The watcher's own check: a writer that makes the staged key 0644 right after creating it (tightened to
    0600 by the module before any byte is written) is caught, through the descriptor opened while empty."""
    material = _material()
    count = 4
    _results, seen = _watched(
        shared_dir, [_args(shared_dir, material[i % 2]) for i in range(count)], True, "staged-key-readable"
    )
    _figures("injected fault: staged key 0644 after create", count, seen)

    staged = _staged_keys(seen)
    assert len(staged) == count
    assert all(seen["outcomes"][n].get("opened", 0) > 0 for n in staged)
    assert seen["key_reads"]["late"] == seen["key_reads"]["with_content"] == count


MODES = [(0o640, 0o600), (0o600, 0o640), (0o640, 0o640), (0o660, 0o600), (0o600, 0o600)]


@pytest.mark.parametrize(("before", "after"), MODES, ids=[f"{b:04o}-{a:04o}" for b, a in MODES])
def test_mode_while_the_owner_changes_is_within_the_old_and_the_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, before: int, after: int
) -> None:
    """The in-place change, without a watcher: at the chown the file's mode is the old and the new one's common
    part, so neither the old group with the new mode nor the new group with the old mode ever holds."""
    _require_root()
    path = tmp_path / "site.key"
    path.write_bytes(b"same bytes")
    os.chown(path, 0, 0)
    path.chmod(before)
    at_chown: List[int] = []
    real_chown = os.chown

    def chown(target: Any, uid: int, gid: int, **kwargs: Any) -> None:
        at_chown.append(stat.S_IMODE(os.stat(target).st_mode))
        real_chown(target, uid, gid, **kwargs)

    monkeypatch.setattr(os, "chown", chown)
    install.apply(install.plan([install.FileSpec("key", str(path), b"same bytes", after, uid=0, gid=NOBODY)]))
    assert at_chown == [before & after]
    final = path.stat()
    assert (final.st_gid, stat.S_IMODE(final.st_mode)) == (NOBODY, after)


# The tls role's keys made on the host (sources acme and ca, roles/tls/tasks/key.yml): `openssl genpkey` writes the
# new key's first copy beside the key, with the role's arguments (vars/main.yml __tls_genpkey_args), after removing
# a copy an interrupted run left.
GENPKEY_ARGS = {
    "ec_p256": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    "rsa2048": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
}


@pytest.mark.parametrize("key_type", sorted(GENPKEY_ARGS))
def test_a_key_made_on_the_host_by_openssl_is_never_readable(shared_dir: Path, key_type: str) -> None:
    """openssl creates the key file 0600 before it writes a byte (whatever the umask): nobody, watching the directory,
    never opens it; the certificate beside it (0644) is the positive control."""
    chain = pki()
    (shared_dir / "site.crt").write_bytes(chain.leaf.cert_pem)
    (shared_dir / "site.crt").chmod(0o644)
    copy = shared_dir / ".site.key.new"
    count = 6 if key_type.startswith("rsa") else 15
    old_umask = os.umask(0o022)  # the usual umask: the file's mode must not come from it
    watcher = Watcher(shared_dir)
    try:
        for _run_index in range(count):
            copy.unlink(missing_ok=True)
            subprocess.run(["openssl", "genpkey", *GENPKEY_ARGS[key_type], "-out", str(copy)], check=True)
            time.sleep(0.01)  # the watcher's loop between events tries the finished key too
    finally:
        seen = watcher.stop()
        os.umask(old_umask)
    _figures(f"openssl genpkey {key_type}", count, seen)

    assert stat.S_IMODE(copy.stat().st_mode) == 0o600 and b"PRIVATE KEY" in copy.read_bytes()
    _assert_key_never_read(seen)
    assert ".site.key.new" in seen["names"] and seen["events"]["IN_CREATE"] >= count
    assert seen["outcomes"][".site.key.new"].get("EACCES", 0) > 0  # tried, and refused
    assert seen["cert_reads"] > 0
