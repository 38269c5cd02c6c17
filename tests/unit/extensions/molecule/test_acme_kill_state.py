# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The acme scenario's state reader (``extensions/molecule/acme/files/kill_state.py``), run on local files and a
local TLS server: what the kill chain's checks compare (the installed certificate, whether the key is the
certificate's, the private key directory's files with their modes, the challenge responses and order lists, the
served certificate per name), and never any private key material."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import pwd
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.playbooks import COLLECTIONS_ROOT
from ansible_collections.webedge.https.tests.unit.helpers.tls_certs import make_cert, pem_of

READER = COLLECTIONS_ROOT / "ansible_collections" / "webedge" / "https" / "extensions" / "molecule" / "acme" / "files"
READER = READER / "kill_state.py"


def load_reader():
    spec = importlib.util.spec_from_file_location("acme_kill_state", READER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Server:
    """A TLS server on 127.0.0.1 serving one certificate whatever the SNI, one handshake per connection."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(str(cert), str(key))
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _peer = self.sock.accept()
            except OSError:
                return
            try:
                with self.context.wrap_socket(conn, server_side=True):
                    pass
            except (OSError, ssl.SSLError):
                conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def host(tmp_path, monkeypatch):
    """A web host's files under tmp_path, the reader pointed at them, a served certificate (the installed one)."""
    reader = load_reader()
    certs, keys = tmp_path / "ssl", tmp_path / "ssl" / "private"
    challenges, state = tmp_path / "challenge", tmp_path / "state"
    for directory in (keys, challenges, state):
        directory.mkdir(parents=True)
    installed = make_cert("site.lab.test", sans=["site.lab.test"])
    (certs / "site.fullchain.pem").write_bytes(installed.cert_pem + pem_of(make_cert("Intermediate", ca=True).cert))
    (certs / "site.crt").write_bytes(installed.cert_pem)
    key = keys / "site.key"
    key.write_bytes(installed.key_pem)
    key.chmod(0o600)
    server = Server(certs / "site.crt", key)
    monkeypatch.setattr(reader, "CERT_DIR", str(certs))
    monkeypatch.setattr(reader, "KEY_DIR", str(keys))
    monkeypatch.setattr(reader, "CHALLENGE_DIR", str(challenges))
    monkeypatch.setattr(reader, "STATE_DIR", str(state))
    monkeypatch.setattr(reader, "PORT", server.port)
    monkeypatch.setattr(reader, "main_pid", lambda service: f"pid of {service}")
    yield reader, tmp_path, installed
    server.close()


def fingerprint(pair) -> str:
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pair.cert_pem.decode())).hexdigest()


def owner() -> str:
    return pwd.getpwuid(os.getuid()).pw_name


def test_a_host_with_its_installed_certificate_served(host):
    reader, _root, installed = host
    state = reader.read_state("nginx", "127.0.0.1", ["site.lab.test", "www.site.lab.test"])
    assert state["installed"] == state["cert"] == fingerprint(installed)
    assert state["cert_public"] == state["key_public"]
    assert state["served"] == {"site.lab.test": fingerprint(installed), "www.site.lab.test": fingerprint(installed)}
    assert state["private"] == {"site.key": f"600 {owner()}"}
    assert state["challenges"] == state["lists"] == []
    assert state["pid"] == "pid of nginx"


def test_a_key_that_is_not_the_certificates_and_a_first_copy_left_open(host):
    reader, root, installed = host
    other = make_cert("other.lab.test")
    (root / "ssl" / "private" / "site.key").write_bytes(other.key_pem)
    copy = root / "ssl" / "private" / ".site.key.new"
    copy.write_bytes(other.key_pem)
    copy.chmod(0o644)
    state = reader.read_state("apache2", "127.0.0.1", [])
    assert state["cert_public"] != state["key_public"]
    assert not state["key_public"].startswith("error")
    assert state["private"] == {".site.key.new": f"644 {owner()}", "site.key": f"600 {owner()}"}
    assert state["installed"] == fingerprint(installed)


def test_a_new_certificate_installed_and_the_old_one_served(host):
    reader, root, old = host
    new = make_cert("site.lab.test", sans=["site.lab.test"])
    (root / "ssl" / "site.fullchain.pem").write_bytes(new.cert_pem)
    (root / "ssl" / "site.crt").write_bytes(new.cert_pem)
    (root / "ssl" / "private" / "site.key").write_bytes(new.key_pem)
    state = reader.read_state("nginx", "127.0.0.1", ["site.lab.test"])
    assert state["installed"] == state["cert"] == fingerprint(new)
    assert state["served"] == {"site.lab.test": fingerprint(old)}
    assert state["cert_public"] == state["key_public"]


def test_challenge_responses_and_order_lists(host):
    reader, root, _installed = host
    for name in ("token-1", "other-client-token"):
        (root / "challenge" / name).write_text("x")
    for name in ("acme-challenges.site", "nginx.loaded"):
        (root / "state" / name).write_text("x")
    state = reader.read_state("nginx", "127.0.0.1", [])
    assert state["challenges"] == ["other-client-token", "token-1"]
    assert state["lists"] == ["acme-challenges.site"]


def test_nothing_served_is_an_error_not_a_certificate(host, monkeypatch):
    reader, _root, _installed = host
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    monkeypatch.setattr(reader, "PORT", closed.getsockname()[1])
    closed.close()
    assert reader.read_state("nginx", "127.0.0.1", ["site.lab.test"])["served"]["site.lab.test"].startswith("error")


def test_run_as_a_command_it_prints_json_without_key_material(host):
    reader, root, installed = host
    # the command reads the real paths: run the module's read_state through a child with the same patches
    code = (
        "import json, importlib.util, sys;"
        f"spec = importlib.util.spec_from_file_location('r', {str(READER)!r});"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m);"
        f"m.CERT_DIR = {str(root / 'ssl')!r}; m.KEY_DIR = {str(root / 'ssl' / 'private')!r};"
        f"m.CHALLENGE_DIR = {str(root / 'challenge')!r}; m.STATE_DIR = {str(root / 'state')!r};"
        f"m.PORT = {reader.PORT}; m.main_pid = lambda s: '1';"
        "sys.argv = ['kill_state', 'nginx', '127.0.0.1', 'site.lab.test']; m.main()"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out)["served"] == {"site.lab.test": fingerprint(installed)}
    for line in installed.key_pem.decode().splitlines()[1:-1]:
        assert line not in out
    assert "PRIVATE KEY" not in out
