# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test helper: a test PKI, ``openssl s_server``, the lab's SSLv3/SSLv2 server and tiny Python HTTP(S)
servers for the probe tests.

Everything listens on 127.0.0.1 or ::1 on a free port and is stopped when its ``with`` block ends.
"""

from __future__ import annotations

import datetime
import http.server
import itertools
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Optional, Sequence, Tuple

import pytest

cryptography = pytest.importorskip("cryptography")

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import ResolvedAddress

OPENSSL = shutil.which("openssl")
# The lab's legacy-protocol server (pure Python: no OpenSSL can speak SSLv3 or SSLv2 any more).
LEGACY_SERVER = (
    Path(__file__).resolve().parents[3] / "extensions" / "molecule" / "shared" / "lab-files" / "legacy_tls_server.py"
)
NOW = datetime.datetime.now(datetime.timezone.utc)


def der_of(path: Path) -> bytes:
    """The DER bytes of the (first) certificate in a PEM file."""
    return x509.load_pem_x509_certificate(path.read_bytes()).public_bytes(serialization.Encoding.DER)


def loopback(port: int) -> ResolvedAddress:
    """127.0.0.1:``port`` as the probe's resolved address (for calling its primitives directly)."""
    return ResolvedAddress(socket.AF_INET, ("127.0.0.1", port))


def ipv6_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_listening(host: str, port: int, timeout: float = 10.0) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.2)
            if sock.connect_ex((host, port)) == 0:
                return
        time.sleep(0.02)
    raise RuntimeError(f"nothing listens on {host}:{port}")


# --- PKI ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issued:
    cert: Path
    key: Path
    fullchain: Path  # leaf + intermediate(s)
    chain: Optional[Path] = None  # the intermediate(s) alone (s_server -cert_chain)


@dataclass(frozen=True)
class Pki:
    root: Path  # the trust anchor (the tests' ca_file)
    intermediate: Path
    good: Issued  # RSA 2048, localhost/127.0.0.1/::1, via the intermediate
    ec: Issued  # EC P-256, same names
    expired: Issued
    wrong_name: Issued  # only other.example.test
    self_signed: Issued
    other_root: Path  # an unrelated CA: chain untrusted against it
    ocsp: Optional[Issued] = None  # RSA, names an OCSP responder (AIA)
    must_staple: Optional[Issued] = None  # RSA, OCSP responder and TLS Feature status_request
    intermediate_key: Optional[Path] = None


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "webedge tests"), x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    )


def _issue(
    subject: str,
    key,
    issuer_cert: Optional[x509.Certificate],
    issuer_key,
    *,
    ca: bool,
    names: Sequence[str] = (),
    not_before: Optional[datetime.datetime] = None,
    not_after: Optional[datetime.datetime] = None,
    path_length: Optional[int] = None,
    extra: Sequence[x509.ExtensionType] = (),
) -> x509.Certificate:
    import ipaddress

    public = key.public_key()
    issuer_name = issuer_cert.subject if issuer_cert is not None else _name(subject)
    issuer_public = issuer_cert.public_key() if issuer_cert is not None else public
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - datetime.timedelta(days=1))
        .not_valid_after(not_after or NOW + datetime.timedelta(days=200))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public), critical=False)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length if ca else None), critical=True)
    )
    if ca:
        usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
    else:
        usage = x509.KeyUsage(True, False, isinstance(key, rsa.RSAPrivateKey), False, False, False, False, False, False)
        sans: List[x509.GeneralName] = []
        for name in names:
            try:
                sans.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                sans.append(x509.DNSName(name))
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    builder = builder.add_extension(usage, critical=True)
    for extension in extra:
        builder = builder.add_extension(extension, critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _write_key(path: Path, key) -> Path:
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    path.chmod(0o600)
    return path


def make_pki(base: Path) -> Pki:
    """Root, intermediate and leaves, RFC 5280-complete (SKI/AKI, critical KeyUsage/BasicConstraints, EKU, SAN)."""
    root_key = ec.generate_private_key(ec.SECP384R1())
    root = _issue("webedge test root", root_key, None, root_key, ca=True, path_length=1)
    inter_key = ec.generate_private_key(ec.SECP384R1())
    inter = _issue("webedge test intermediate", inter_key, root, root_key, ca=True, path_length=0)
    other_key = ec.generate_private_key(ec.SECP256R1())
    other = _issue("unrelated root", other_key, None, other_key, ca=True)
    (base / "root.pem").write_bytes(_pem(root))
    (base / "intermediate.pem").write_bytes(_pem(inter))
    (base / "other.pem").write_bytes(_pem(other))
    local = ("localhost", "127.0.0.1", "::1")

    def leaf(label: str, key, names: Sequence[str], **kwargs) -> Issued:
        cert = _issue(f"{label}.test", key, inter, inter_key, ca=False, names=names, **kwargs)
        (base / f"{label}.pem").write_bytes(_pem(cert))
        (base / f"{label}-full.pem").write_bytes(_pem(cert) + _pem(inter))
        return Issued(
            base / f"{label}.pem",
            _write_key(base / f"{label}.key", key),
            base / f"{label}-full.pem",
            base / "intermediate.pem",
        )

    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    self_key = ec.generate_private_key(ec.SECP256R1())
    responder = x509.AuthorityInformationAccess(
        [
            x509.AccessDescription(
                x509.oid.AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier("http://ocsp.test/")
            )
        ]
    )
    must_staple = x509.TLSFeature([x509.TLSFeatureType.status_request])
    self_cert = _issue("localhost", self_key, None, self_key, ca=False, names=local)
    (base / "self.pem").write_bytes(_pem(self_cert))
    return Pki(
        root=base / "root.pem",
        intermediate=base / "intermediate.pem",
        good=leaf("good", rsa_key, local),
        ec=leaf("ec", ec.generate_private_key(ec.SECP256R1()), local),
        expired=leaf(
            "expired",
            ec.generate_private_key(ec.SECP256R1()),
            local,
            not_before=NOW - datetime.timedelta(days=100),
            not_after=NOW - datetime.timedelta(days=10),
        ),
        wrong_name=leaf("wrong", ec.generate_private_key(ec.SECP256R1()), ("other.example.test",)),
        self_signed=Issued(base / "self.pem", _write_key(base / "self.key", self_key), base / "self.pem"),
        other_root=base / "other.pem",
        ocsp=leaf("ocsp", rsa_key, local, extra=(responder,)),
        must_staple=leaf("must-staple", rsa_key, local, extra=(responder, must_staple)),
        intermediate_key=_write_key(base / "intermediate.key", inter_key),
    )


def ocsp_response(pki: Pki, issued: Issued, path: Path, *, revoked: bool = False) -> Path:
    """A DER OCSP response for ``issued`` signed by the intermediate (what s_server -status_file staples)."""
    issuer = x509.load_pem_x509_certificate(pki.intermediate.read_bytes())
    key = serialization.load_pem_private_key(pki.intermediate_key.read_bytes(), None)  # type: ignore[union-attr]
    leaf = x509.load_pem_x509_certificate(issued.cert.read_bytes())
    status = ocsp.OCSPCertStatus.REVOKED if revoked else ocsp.OCSPCertStatus.GOOD
    builder = ocsp.OCSPResponseBuilder().add_response(
        cert=leaf,
        issuer=issuer,
        algorithm=hashes.SHA256(),
        cert_status=status,
        this_update=NOW,
        next_update=NOW + datetime.timedelta(days=1),
        revocation_time=NOW if revoked else None,
        revocation_reason=None,
    )
    response = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, issuer).sign(key, hashes.SHA256())
    path.write_bytes(response.public_bytes(serialization.Encoding.DER))
    return path


# --- openssl s_server --------------------------------------------------------------------------


@contextmanager
def _serving(command: List[str], host: str, port: int, name: str) -> Iterator[None]:
    """Run a test server ``command`` until the block ends; fail naming ``name`` if it never listens."""
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        try:
            wait_listening(host, port)
        except RuntimeError:
            process.kill()
            _out, err = process.communicate(timeout=5)
            raise RuntimeError(f"{name} did not start: {err.decode(errors='replace')[-500:]}") from None
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if process.stderr:
            process.stderr.close()


@contextmanager
def s_server(issued: Issued, *args: str, chain: bool = True, host: str = "127.0.0.1") -> Iterator[int]:
    """``openssl s_server -www`` serving ``issued`` (with its intermediate when ``chain``); yields the port."""
    if OPENSSL is None:
        pytest.skip("openssl is not installed")
    port = free_port(host)
    accept = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    command = [OPENSSL, "s_server", "-accept", accept, "-cert", str(issued.cert), "-key", str(issued.key)]
    if ":" in host:
        command.append("-6")
    if chain and issued.chain is not None:
        command += ["-cert_chain", str(issued.chain)]
    command += ["-www", "-quiet", *args]
    with _serving(command, host, port, "s_server"):
        yield port


# --- the lab's SSLv3 / SSLv2 server -------------------------------------------------------------


@contextmanager
def legacy_server(issued: Issued, *args: str, host: str = "127.0.0.1") -> Iterator[int]:
    """``legacy_tls_server.py`` serving ``issued`` (an RSA leaf, with its chain); yields the port.

    ``args``: ``--protocols SSLv2,SSLv3``, ``--tls-hello downgrade``, ``--no-http``.
    """
    port = free_port(host)
    command = [sys.executable, str(LEGACY_SERVER), "--cert", str(issued.fullchain), "--key", str(issued.key)]
    command += ["--address", host, "--port", str(port), *args]
    with _serving(command, host, port, "legacy_tls_server"):
        yield port


# --- Python HTTP(S) servers --------------------------------------------------------------------


def _handler(status: int, headers: Sequence[Tuple[str, str]], server_header: Optional[str]):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def version_string(self) -> str:
            return server_header or ""

        def do_GET(self) -> None:
            body = b"ok\n"
            self.send_response_only(status)
            if server_header:
                self.send_header("Server", server_header)
            for key, value in headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:
            pass

    return Handler


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


@contextmanager
def http_server(
    *,
    status: int = 200,
    headers: Sequence[Tuple[str, str]] = (),
    server_header: Optional[str] = None,
    tls: Optional[Issued] = None,
    host: str = "127.0.0.1",
) -> Iterator[int]:
    """A Python HTTP (or HTTPS with ``tls``) server answering every GET with ``status`` and ``headers``."""

    class Server(_Server):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    server = Server((host, 0), _handler(status, headers, server_header))
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(tls.fullchain), str(tls.key))
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def tcp_server(banner: Optional[bytes], host: str = "127.0.0.1") -> Iterator[int]:
    """A TCP service that is not TLS: it sends ``banner`` (or stays silent) and holds the connection."""
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((host, 0))
    listener.listen(64)
    listener.settimeout(0.1)
    stop = threading.Event()
    held: List[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _peer = listener.accept()
            except (socket.timeout, OSError):
                continue
            if banner:
                with suppress(OSError):
                    conn.sendall(banner)
            held.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
        for conn in held:
            conn.close()


# --- connections in flight ----------------------------------------------------------------------


@dataclass
class Gate:
    """What a set of :func:`gated_servers` saw: the most connections held open at once (``peak``) and the
    most servers with a held connection at the same moment (``peak_servers``)."""

    release_at: int
    held: List[int]
    peak: int = 0
    peak_servers: int = 0
    released: bool = False


@contextmanager
def gated_servers(count: int, release_at: int, hold: float = 20.0) -> Iterator[Tuple[List[int], Gate]]:
    """``count`` TCP servers sharing one gate: each connection is held (its first bytes read, nothing
    answered) until connections to ``release_at`` different servers are held at the same time, or
    ``hold`` seconds after the servers started; then every connection gets a handshake_failure alert.

    Proves concurrency without a clock: a client that probes one server after the other can never hold
    connections to two servers at once, however fast or slow the machine is. Yields the ports and the
    :class:`Gate` with the peaks seen.
    """
    gate = Gate(release_at=release_at, held=[0] * count)
    lock = threading.Lock()
    opened = threading.Event()
    deadline = time.monotonic() + hold
    stop = threading.Event()
    listeners = []
    for _index in range(count):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        listener.settimeout(0.1)
        listeners.append(listener)

    def handle(conn: socket.socket, index: int) -> None:
        with conn, suppress(OSError):
            conn.settimeout(hold + 5)
            if not conn.recv(65536):
                return
            with lock:
                gate.held[index] += 1
                gate.peak = max(gate.peak, sum(gate.held))
                gate.peak_servers = max(gate.peak_servers, sum(1 for n in gate.held if n))
                if gate.peak_servers >= release_at:
                    gate.released = True
                    opened.set()
            opened.wait(max(0.0, deadline - time.monotonic()))
            with lock:
                gate.held[index] -= 1
            conn.sendall(_tls_record(21, b"\x02\x28"))

    def serve(index: int) -> None:
        while not stop.is_set():
            try:
                conn, _peer = listeners[index].accept()
            except (socket.timeout, OSError):
                continue
            threading.Thread(target=handle, args=(conn, index), daemon=True).start()

    threads = [threading.Thread(target=serve, args=(index,), daemon=True) for index in range(count)]
    for thread in threads:
        thread.start()
    try:
        yield [listener.getsockname()[1] for listener in listeners], gate
    finally:
        opened.set()
        stop.set()
        for thread in threads:
            thread.join(timeout=5)
        for listener in listeners:
            listener.close()


# --- scripted misbehaving servers ---------------------------------------------------------------


def _tls_record(content_type: int, payload: bytes, version: int = 0x0303) -> bytes:
    return bytes([content_type]) + version.to_bytes(2, "big") + len(payload).to_bytes(2, "big") + payload


def _handshake(kind: int, body: bytes) -> bytes:
    return bytes([kind]) + len(body).to_bytes(3, "big") + body


@contextmanager
def _scripted(answer, host: str = "127.0.0.1") -> Iterator[int]:
    """A TCP server that reads one ClientHello record per connection and calls ``answer(conn, hello)``."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((host, 0))
    listener.listen(128)
    listener.settimeout(0.1)
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            data = b""
            with suppress(OSError):
                while len(data) < 5 or len(data) < 5 + int.from_bytes(data[3:5], "big"):
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                answer(conn, data[5 : 5 + int.from_bytes(data[3:5], "big")])

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _peer = listener.accept()
            except (socket.timeout, OSError):
                continue
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def _offered_suites(hello: bytes) -> List[int]:
    """The cipher suites of a ClientHello (handshake message with its 4-byte header); ``[]`` for anything
    else (an SSLv2 hello read as a record, an alert, a truncated message): a scripted server must answer
    every probe, not die in its thread."""
    if len(hello) < 4 or hello[0] != 1:
        return []
    body = hello[4 : 4 + int.from_bytes(hello[1:4], "big")]
    offset = 2 + 32  # legacy_version, random
    if len(body) < offset + 1:
        return []
    offset += 1 + body[offset]  # legacy_session_id
    if len(body) < offset + 2:
        return []
    length = int.from_bytes(body[offset : offset + 2], "big")
    raw = body[offset + 2 : offset + 2 + length]
    if length % 2 or len(raw) != length:
        return []
    return [int.from_bytes(raw[i : i + 2], "big") for i in range(0, length, 2)]


@contextmanager
def hello_only_server(
    issued: Issued,
    *,
    suite: int = 0x009C,
    extensions: Sequence[Tuple[int, bytes]] = ((0xFF01, b"\x00"), (0x0017, b"")),
    host: str = "127.0.0.1",
) -> Iterator[int]:
    """A TLS 1.2 server that answers a hello offering ``suite`` (default TLS_RSA_WITH_AES_128_GCM_SHA256)
    with ServerHello (carrying exactly ``extensions``), Certificate and ServerHelloDone, and nothing more
    (any other hello gets a handshake_failure alert). For the questions a ServerHello answers
    (renegotiation_info, extended master secret) on a server no packaged stack can make."""
    chain = [x509.load_pem_x509_certificate(block) for block in _pem_blocks(issued.fullchain.read_bytes())]
    ders = b"".join(
        len(der).to_bytes(3, "big") + der for der in (c.public_bytes(serialization.Encoding.DER) for c in chain)
    )
    ext_bytes = b"".join(kind.to_bytes(2, "big") + len(data).to_bytes(2, "big") + data for kind, data in extensions)

    def answer(conn: socket.socket, hello: bytes) -> None:
        if suite not in _offered_suites(hello):
            conn.sendall(_tls_record(21, b"\x02\x28"))
            return
        body = b"\x03\x03" + b"\x5a" * 32 + b"\x00" + suite.to_bytes(2, "big") + b"\x00"
        body += len(ext_bytes).to_bytes(2, "big") + ext_bytes
        flight = _handshake(2, body) + _handshake(11, len(ders).to_bytes(3, "big") + ders) + _handshake(14, b"")
        conn.sendall(_tls_record(22, flight))
        with suppress(OSError):
            conn.recv(65536)  # then whatever the client says ends the connection

    with _scripted(answer, host) as port:
        yield port


def _pem_blocks(data: bytes) -> List[bytes]:
    marker = b"-----END CERTIFICATE-----"
    return [block + marker for block in data.split(marker) if b"BEGIN CERTIFICATE" in block]


@contextmanager
def resetting_server(after: int = 40, host: str = "127.0.0.1") -> Iterator[int]:
    """Reads the ClientHello, sends the first ``after`` bytes of a ServerHello record, then resets (RST)."""

    def answer(conn: socket.socket, hello: bytes) -> None:
        body = b"\x03\x03" + b"\x5a" * 32 + b"\x00" + b"\xc0\x2f" + b"\x00"
        conn.sendall(_tls_record(22, _handshake(2, body))[:after])
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")

    with _scripted(answer, host) as port:
        yield port


@contextmanager
def slow_loris_server(interval: float = 0.5, host: str = "127.0.0.1") -> Iterator[int]:
    """Accepts, then trickles a plausible TLS record header one byte every ``interval`` seconds, forever."""

    def answer(conn: socket.socket, hello: bytes) -> None:
        for byte in itertools.cycle(_tls_record(22, b"\x02" + b"\x00" * 2000)):
            conn.sendall(bytes([byte]))
            time.sleep(interval)

    with _scripted(answer, host) as port:
        yield port
