# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Target-side install logic: atomic writes, mode from creation, change detection, backups."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, List, Tuple

import pytest

from ansible_collections.webedge.https.plugins.module_utils.tls import install

KEY = b"-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n"
CERT = b"-----BEGIN CERTIFICATE-----\nTUlJQg==\n-----END CERTIFICATE-----\n"


def _spec(
    tmp_path: Path, role: str = "key", content: bytes = KEY, mode: int = 0o600, name: str = ""
) -> install.FileSpec:
    return install.FileSpec(role=role, path=str(tmp_path / (name or f"site.{role}")), content=content, mode=mode)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_is_written_with_its_mode(tmp_path: Path) -> None:
    changes = install.plan([_spec(tmp_path, mode=0o640)])
    assert [c.changed for c in changes] == [True]
    install.apply(changes)
    assert (tmp_path / "site.key").read_bytes() == KEY
    assert _mode(tmp_path / "site.key") == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site.key"]  # no temporary file left


def test_temp_file_is_0600_from_creation_and_mode_set_before_content_and_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: List[Tuple[str, Any]] = []
    real_open, real_fchmod, real_fchown, real_write, real_rename = os.open, os.fchmod, os.fchown, os.write, os.rename

    def fake_open(path: Any, flags: int, mode: int = 0o777, **kw: Any) -> int:
        events.append(("open", (os.path.basename(path), flags & os.O_EXCL != 0, oct(mode))))
        return real_open(path, flags, mode, **kw)

    def fake_fchmod(fd: int, mode: int) -> None:
        events.append(("fchmod", oct(mode)))
        real_fchmod(fd, mode)

    def fake_fchown(fd: int, uid: int, gid: int) -> None:
        events.append(("fchown", (uid, gid)))
        real_fchown(fd, uid, gid)

    def fake_write(fd: int, data: Any) -> int:
        events.append(("write", oct(stat.S_IMODE(os.fstat(fd).st_mode))))
        return real_write(fd, data)

    def fake_rename(src: str, dst: str) -> None:
        events.append(("rename", oct(stat.S_IMODE(os.stat(src).st_mode))))
        real_rename(src, dst)

    monkeypatch.setattr(os, "open", fake_open)
    monkeypatch.setattr(os, "fchmod", fake_fchmod)
    monkeypatch.setattr(os, "fchown", fake_fchown)
    monkeypatch.setattr(os, "write", fake_write)
    monkeypatch.setattr(os, "rename", fake_rename)
    monkeypatch.setattr(install, "_can_chown", lambda: True)
    monkeypatch.setattr(os, "umask", lambda _mask: 0)  # a permissive umask must not matter
    spec = install.FileSpec("key", str(tmp_path / "site.key"), KEY, 0o640, uid=os.geteuid(), gid=os.getegid())
    install.apply(install.plan([spec]))

    kinds = [e[0] for e in events if e[0] != "open" or e[1][0].endswith(".tmp")]
    assert kinds[:5] == ["open", "fchown", "fchmod", "write", "rename"]
    opened = next(e[1] for e in events if e[0] == "open")
    assert opened[1:] == (True, "0o600")  # O_EXCL, created 0600
    assert next(e[1] for e in events if e[0] == "write") == "0o640"  # final mode before the first byte
    assert next(e[1] for e in events if e[0] == "rename") == "0o640"


def test_same_bytes_and_attributes_is_not_a_change(tmp_path: Path) -> None:
    install.apply(install.plan([_spec(tmp_path)]))
    before = (tmp_path / "site.key").stat().st_ino
    changes = install.plan([_spec(tmp_path)])
    assert [c.changed for c in changes] == [False]
    install.apply(changes)
    assert (tmp_path / "site.key").stat().st_ino == before  # not rewritten


CHANGES = [
    pytest.param(KEY + b"\n", 0o600, True, False, id="one-byte-more-is-a-content-change"),
    pytest.param(KEY, 0o640, False, True, id="mode-only-is-an-attribute-change"),
    pytest.param(KEY, 0o600, False, False, id="identical-is-no-change"),
]


@pytest.mark.parametrize(("content", "mode", "content_changed", "attributes_changed"), CHANGES)
def test_changed_only_when_bytes_or_attributes_differ(
    tmp_path: Path, content: bytes, mode: int, content_changed: bool, attributes_changed: bool
) -> None:
    install.apply(install.plan([_spec(tmp_path)]))
    (change,) = install.plan([_spec(tmp_path, content=content, mode=mode)])
    assert (change.content_changed, change.attributes_changed) == (content_changed, attributes_changed)
    install.apply([change])
    assert (tmp_path / "site.key").read_bytes() == content
    assert _mode(tmp_path / "site.key") == mode


def test_backup_keeps_old_bytes_and_mode_and_is_returned(tmp_path: Path) -> None:
    install.apply(install.plan([_spec(tmp_path, mode=0o600)]))
    backups = install.apply(install.plan([_spec(tmp_path, content=b"new\n")]), backup=True)
    backup = Path(backups[str(tmp_path / "site.key")])
    assert backup.read_bytes() == KEY
    assert _mode(backup) == 0o600
    assert backup.name.startswith("site.key.") and backup.name.endswith("~")
    assert (tmp_path / "site.key").read_bytes() == b"new\n"


def test_no_backup_without_a_content_change(tmp_path: Path) -> None:
    install.apply(install.plan([_spec(tmp_path)]))
    assert install.apply(install.plan([_spec(tmp_path, mode=0o640)]), backup=True) == {}


def test_failure_while_staging_leaves_every_file_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    specs = [_spec(tmp_path, "cert", CERT, 0o644), _spec(tmp_path, "key")]
    install.apply(install.plan(specs))
    new_specs = [_spec(tmp_path, "cert", CERT + CERT, 0o644), _spec(tmp_path, "key", b"other\n")]
    changes = install.plan(new_specs)
    real_open = os.open
    calls = {"n": 0}

    def failing_open(path: Any, flags: int, mode: int = 0o777, **kw: Any) -> int:
        if str(path).endswith(".tmp"):
            calls["n"] += 1
            if calls["n"] == 2:
                raise OSError(28, "No space left on device", str(path))
        return real_open(path, flags, mode, **kw)

    monkeypatch.setattr(os, "open", failing_open)
    with pytest.raises(install.InstallError, match="No space left on device"):
        install.apply(changes)
    assert (tmp_path / "site.cert").read_bytes() == CERT
    assert (tmp_path / "site.key").read_bytes() == KEY
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site.cert", "site.key"]


def test_missing_directory_fails_naming_it(tmp_path: Path) -> None:
    spec = install.FileSpec("key", str(tmp_path / "nodir" / "site.key"), KEY, 0o600)
    with pytest.raises(install.InstallError, match=r"key_path .*nodir/site.key: the directory .*nodir does not exist"):
        install.plan([spec])


def test_check_mode_predicts_a_new_file_in_a_directory_an_earlier_task_would_create(tmp_path: Path) -> None:
    spec = install.FileSpec("key", str(tmp_path / "nodir" / "site.key"), KEY, 0o600)
    (change,) = install.plan([spec], predict_missing_dirs=True)
    assert change.changed and change.content_changed and not change.before.exists
    assert not (tmp_path / "nodir").exists()


def test_check_mode_still_fails_when_the_parent_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    spec = install.FileSpec("key", str(tmp_path / "afile" / "site.key"), KEY, 0o600)
    with pytest.raises(install.InstallError, match="does not exist"):
        install.plan([spec], predict_missing_dirs=True)


def test_same_path_for_two_roles_fails(tmp_path: Path) -> None:
    with pytest.raises(install.InstallError, match="given for both cert_path and key_path"):
        install.plan([_spec(tmp_path, "cert", CERT, 0o644, name="x"), _spec(tmp_path, "key", name="x")])


MODES = [
    pytest.param("0600", 0o600, id="string-with-leading-zero"),
    pytest.param("640", 0o640, id="string-without-leading-zero"),
    pytest.param(0o640, 0o640, id="integer"),
    pytest.param("0o600", 0o600, id="python-octal-literal"),
]


@pytest.mark.parametrize(("value", "expected"), MODES)
def test_parse_mode(value: Any, expected: int) -> None:
    assert install.parse_mode(value) == expected


@pytest.mark.parametrize("value", ["u=rw", "0999", "rw-------", True])
def test_parse_mode_refuses_non_octal(value: Any) -> None:
    with pytest.raises(install.InstallError, match="mode"):
        install.parse_mode(value)


def test_unknown_owner_and_group_fail_naming_them() -> None:
    with pytest.raises(install.InstallError, match="owner: no such user 'no-such-user-xyz'"):
        install.resolve_owner("no-such-user-xyz")
    with pytest.raises(install.InstallError, match="group: no such group 'no-such-group-xyz'"):
        install.resolve_group("no-such-group-xyz")


def test_certificate_blocks_keep_certificates_only() -> None:
    assert install.certificate_blocks(CERT + KEY) == [CERT.decode()]
