# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A real ``ansible-playbook -vvvv`` run against localhost: the key body never shows in the output."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ansible_collections.webedge.https.plugins.modules import tls_certificate
from ansible_collections.webedge.https.tests.unit.helpers.tls_certs import key_pem, make_key, pki

COLLECTIONS_ROOT = Path(os.path.abspath(tls_certificate.__file__)).parents[5]


def _playbook_binary() -> str:
    sibling = Path(sys.executable).with_name("ansible-playbook")
    return str(sibling) if sibling.exists() else (shutil.which("ansible-playbook") or "")


PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Install from inline content
      webedge.https.tls_certificate:
        certificate_content: "{{ lookup('file', dir + '/leaf.crt') }}"
        private_key_content: "{{ lookup('file', dir + '/leaf.key') }}"
        chain: "{{ dir }}/chain.pem"
        cert_path: "{{ dir }}/out/site.crt"
        key_path: "{{ dir }}/out/site.key"
        fullchain_path: "{{ dir }}/out/full.pem"
        hostnames: [www.example.com]
        backup: true
    - name: Install from files on the host (remote_src, slurp)
      webedge.https.tls_certificate:
        remote_src: true
        certificate: "{{ dir }}/leaf.crt"
        private_key: "{{ dir }}/enc.key"
        private_key_passphrase: "{{ passphrase }}"
        chain: "{{ dir }}/chain.pem"
        key_path: "{{ dir }}/out/site2.key"
        fullchain_path: "{{ dir }}/out/full2.pem"
    - name: A key of another certificate fails and leaves the files
      webedge.https.tls_certificate:
        certificate_content: "{{ lookup('file', dir + '/leaf.crt') }}"
        private_key_content: "{{ lookup('file', dir + '/other.key') }}"
        key_path: "{{ dir }}/out/site.key"
        cert_path: "{{ dir }}/out/site.crt"
      ignore_errors: true
"""


@pytest.mark.skipif(not _playbook_binary(), reason="ansible-playbook not available")
def test_vvvv_run_never_prints_the_key_body(tmp_path: Path) -> None:
    p = pki()
    other = make_key("ec_p384")
    (tmp_path / "out").mkdir()
    (tmp_path / "leaf.crt").write_bytes(p.leaf.cert_pem)
    (tmp_path / "leaf.key").write_bytes(p.leaf.key_pem)
    (tmp_path / "enc.key").write_bytes(key_pem(p.leaf.key, b"s3cret-pass"))
    (tmp_path / "other.key").write_bytes(key_pem(other))
    (tmp_path / "chain.pem").write_bytes(p.inter.cert_pem)
    (tmp_path / "play.yml").write_text(PLAY)
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS_ROOT),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "ltmp"),
        ANSIBLE_REMOTE_TMP=str(tmp_path / "rtmp"),
    )
    run = subprocess.run(
        [
            _playbook_binary(),
            "-vvvv",
            "--diff",
            "-i",
            "localhost,",
            "-c",
            "local",
            "-e",
            f"ansible_python_interpreter={sys.executable}",
            "-e",
            f"dir={tmp_path}",
            "-e",
            "passphrase=s3cret-pass",
            str(tmp_path / "play.yml"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    assert "ok=3" in output and "ignored=1" in output
    assert (tmp_path / "out" / "site.key").read_bytes() == p.leaf.key_pem
    assert "private key does not match the certificate" in output
    for key in (p.leaf.key_pem, key_pem(p.leaf.key, b"s3cret-pass"), key_pem(other)):
        for line in key.decode().splitlines()[1:-1]:
            assert line not in output, "key material in the -vvvv output"
    assert "s3cret-pass" not in output.replace("passphrase=s3cret-pass", "")
