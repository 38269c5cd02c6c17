# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module killed (SIGKILL) at chosen moments inside its write, then run again.

The module runs in a child process of its own; the child counts the file system calls of the write
(each staged file's ``fsync``, each ``rename``) and SIGKILLs itself right after the chosen one, so
nothing of the module's own clean-up runs. What must hold after each kill: every destination holds
its old or its new bytes; a staged file is never readable by others; and a new run replaces every
file, removes what the killed run staged (reported as ``stale_files``) and leaves nothing else.
Between the renames the four files are a mix of old and new (each file is replaced atomically, the
set is not): the window is the renames alone, every file being staged and synced before the first.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.tls_certs import key_pem, make_cert, pki

FILES = ("site.crt", "site.key", "chain.pem", "full.pem")

_CHILD = r"""
import json, os, signal, sys
from ansible_collections.webedge.https.tests.unit.helpers.module_args import patch_module_args
from ansible_collections.webedge.https.plugins.modules import tls_certificate

args, call, kill_after = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3])
real = getattr(os, call)
calls = [0]

def counted(*a, **k):
    out = real(*a, **k)
    calls[0] += 1
    if calls[0] == kill_after:
        os.kill(os.getpid(), signal.SIGKILL)
    return out

if kill_after:
    setattr(os, call, counted)
with patch_module_args(args):
    tls_certificate.main()
"""


def _args(tmp_path: Path, cert: bytes, key: bytes, chain: bytes) -> Dict[str, Any]:
    return {
        "certificate_content": cert.decode(),
        "private_key_content": key.decode(),
        "chain_content": chain.decode(),
        "cert_path": str(tmp_path / "site.crt"),
        "key_path": str(tmp_path / "site.key"),
        "chain_path": str(tmp_path / "chain.pem"),
        "fullchain_path": str(tmp_path / "full.pem"),
    }


# The directory holding ansible_collections/ (this file is inside it), for the child's imports.
_ROOT = next(str(p.parent) for p in Path(__file__).absolute().parents if p.name == "ansible_collections")


def _run(args: Dict[str, Any], call: str = "rename", kill_after: int = 0) -> Tuple[int, Dict[str, Any]]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([_ROOT, *(p for p in sys.path if p)]))
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(args), call, str(kill_after)],
        capture_output=True,
        env=env,
        check=False,
        timeout=60,
    )
    result = json.loads(proc.stdout) if proc.stdout.strip() else {}
    return proc.returncode, result


def _sets() -> Tuple[Dict[str, bytes], Dict[str, bytes], Dict[str, Any], Dict[str, Any]]:
    """The old and the new files (bytes by name), and the module arguments installing each."""
    p = pki()
    new_leaf = make_cert("www.example.com", issuer=p.inter, sans=["www.example.com"])
    old = {
        "site.crt": p.leaf.cert_pem,
        "site.key": p.leaf.key_pem,
        "chain.pem": p.inter.cert_pem,
        "full.pem": p.leaf.cert_pem + p.inter.cert_pem,
    }
    new_cert = new_leaf.cert_pem
    new_key = key_pem(new_leaf.key)
    new = {
        "site.crt": new_cert,
        "site.key": new_key,
        "chain.pem": p.inter.cert_pem,
        "full.pem": new_cert + p.inter.cert_pem,
    }
    return old, new, {"cert": old["site.crt"], "key": old["site.key"]}, {"cert": new_cert, "key": new_key}


def _leftovers(tmp_path: Path) -> List[Path]:
    return sorted(p for p in tmp_path.iterdir() if p.name not in FILES)


# The changed files are site.crt, site.key and full.pem (the chain is the same): three staged, three renames.
KILLS = [pytest.param("fsync", n, id=f"after-staging-{n}") for n in (1, 2, 3)] + [
    pytest.param("rename", n, id=f"after-rename-{n}") for n in (1, 2, 3)
]


@pytest.mark.parametrize(("call", "kill_after"), KILLS)
def test_killed_inside_the_write_then_run_again(tmp_path: Path, call: str, kill_after: int) -> None:
    old, new, old_material, new_material = _sets()
    chain = pki().inter.cert_pem
    code, _result = _run(_args(tmp_path, old_material["cert"], old_material["key"], chain))
    assert code == 0

    code, _result = _run(_args(tmp_path, new_material["cert"], new_material["key"], chain), call, kill_after)
    assert code == -signal.SIGKILL

    renamed = kill_after if call == "rename" else 0
    for name in FILES:
        data = (tmp_path / name).read_bytes()
        assert data in (old[name], new[name]), name
    assert sum((tmp_path / n).read_bytes() != old[n] for n in FILES) == renamed
    staged = _leftovers(tmp_path)
    assert len(staged) == (kill_after if call == "fsync" else 3 - kill_after)
    for path in staged:
        assert path.name.startswith(".") and path.name.endswith(".tmp"), path
        if path.name.startswith(".site.key."):
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path

    code, result = _run(_args(tmp_path, new_material["cert"], new_material["key"], chain))
    assert code == 0
    assert result["changed"] is (renamed < 3)
    assert sorted(result["stale_files"]) == [str(p) for p in staged]
    assert {n: (tmp_path / n).read_bytes() for n in FILES} == new
    assert _leftovers(tmp_path) == []

    code, result = _run(_args(tmp_path, new_material["cert"], new_material["key"], chain))
    assert (code, result["changed"], result["stale_files"]) == (0, False, [])


def test_check_mode_reports_stale_files_and_keeps_them(tmp_path: Path) -> None:
    _old, new, old_material, _new_material = _sets()
    chain = pki().inter.cert_pem
    args = _args(tmp_path, old_material["cert"], old_material["key"], chain)
    assert _run(args)[0] == 0
    code, _result = _run(dict(args, certificate_content=new["site.crt"].decode()), "fsync", 1)
    assert code == -signal.SIGKILL
    staged = _leftovers(tmp_path)
    assert len(staged) == 1

    code, result = _run(dict(args, _ansible_check_mode=True))
    assert (code, result["changed"], result["stale_files"]) == (0, True, [str(staged[0])])
    assert _leftovers(tmp_path) == staged


def test_a_running_writers_staged_file_is_left_alone(tmp_path: Path) -> None:
    """Another run still going (its process alive) owns its staged file: it is not stale."""
    _old, _new, old_material, _new_material = _sets()
    args = _args(tmp_path, old_material["cert"], old_material["key"], pki().inter.cert_pem)
    assert _run(args)[0] == 0
    live = tmp_path / f".site.key.{os.getpid()}.0.tmp"
    live.write_bytes(b"in flight")
    code, result = _run(args)
    assert (code, result["changed"], result["stale_files"]) == (0, False, [])
    assert live.exists()
