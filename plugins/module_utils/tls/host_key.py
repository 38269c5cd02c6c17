# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A private key that already lives on the host, checked against a certificate there.

``tls_certificate`` with ``host_private_key`` installs a certificate whose key was made on the
host (the tls role's ``acme`` and ``ca`` sources): the controller never reads that key. Here, on
the host, ``openssl pkey -pubout`` gives the key's public half (SubjectPublicKeyInfo), and the
certificate's SubjectPublicKeyInfo is read from its DER (:mod:`.der`): the two must be the same
bytes. The key's content is kept only to be written to ``key_path``; nothing here
returns or prints it.

Runs on targets (Python 3.8+, standard library only; ``openssl`` on the host).
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from typing import Callable, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.tls import der

__all__ = ["HostKey", "HostKeyError", "read_host_key"]

# run(argv) -> (rc, stdout, stderr): ModuleRunner.run on the host, a fake in the tests.
Runner = Callable[[Sequence[str]], Tuple[int, str, str]]


class HostKeyError(Exception):
    """The key on the host cannot be used; the message names the path, never the content."""


@dataclass(frozen=True)
class HostKey:
    """A key read on the host. ``content`` is key material: never return, print or log it."""

    path: str
    public_sha256: str  # of the SubjectPublicKeyInfo DER, lower-case hex (as the controller reports keys)
    content: bytes = field(repr=False)


def read_host_key(path: str, certificate_pem: str, run: Runner) -> HostKey:
    """Read the key at ``path`` and check that it is the key of ``certificate_pem``."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise HostKeyError(f"host_private_key {path}: no such file on the host") from None
    except OSError as exc:
        raise HostKeyError(f"host_private_key {path}: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise HostKeyError(f"host_private_key {path}: not a regular file")
    rc, out, err = run(["openssl", "pkey", "-in", path, "-pubout"])
    if rc != 0:
        first = (err or "").strip().splitlines()[:1]
        reason = first[0] if first else f"rc={rc}"
        raise HostKeyError(f"host_private_key {path}: openssl cannot read it as a private key ({reason})")
    try:
        public = der.pem_blocks(out, "PUBLIC KEY")
        if not public:
            raise der.DerError("no PEM public key in openssl's output")
        key_spki = public[0]
        cert_spki = der.certificate_spki(der.certificate_der(certificate_pem))
    except der.DerError as exc:
        raise HostKeyError(f"host_private_key {path}: {exc}") from None
    key_sha = hashlib.sha256(key_spki).hexdigest()
    if key_spki != cert_spki:
        raise HostKeyError(
            f"host_private_key {path} is not the key of the certificate (sha256 of its public key {key_sha[:16]}..., "
            f"of the certificate's {hashlib.sha256(cert_spki).hexdigest()[:16]}...)"
        )
    try:
        with open(path, "rb") as handle:
            content = handle.read()
    except OSError as exc:
        raise HostKeyError(f"host_private_key {path}: cannot read ({exc.strerror})") from None
    return HostKey(path=path, public_sha256=key_sha, content=content)
