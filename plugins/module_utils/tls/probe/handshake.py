# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real handshake, with Python's ``ssl``: what a default client negotiates, and chain trust.

First a verifying handshake (chain against ``ca_file`` or the system store; the hostname is
checked separately, in ``certinfo``, so a mismatch never hides the rest). When verification
fails, a second, non-verifying handshake fetches the certificate and negotiated parameters; when
the default client cannot handshake at all (legacy-only server), a permissive one tries. The
HTTP GET for HSTS/Server rides on whichever handshake succeeded.
"""

from __future__ import annotations

import socket
import ssl
import warnings
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.clienthello import sni_name
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.http import (
    HttpError,
    HttpHead,
    fetch_head,
    host_header,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import (
    ConnectError,
    ResolvedAddress,
    connect,
)

__all__ = ["OP_LEGACY_SERVER_CONNECT", "Contexts", "HandshakeResult", "make_contexts", "ssl_handshake"]

_SSL_VERSION_NAMES = {"TLSv1": "TLSv1", "TLSv1.1": "TLSv1.1", "TLSv1.2": "TLSv1.2", "TLSv1.3": "TLSv1.3"}


@dataclass(frozen=True)
class Contexts:
    verify: ssl.SSLContext
    noverify: ssl.SSLContext
    legacy: ssl.SSLContext


# SSL_OP_LEGACY_SERVER_CONNECT (named in ssl from Python 3.12): OpenSSL 3 clients refuse servers without
# RFC 5746 renegotiation_info; the probe must still handshake with them (VULN-04 judges that separately).
OP_LEGACY_SERVER_CONNECT = getattr(ssl, "OP_LEGACY_SERVER_CONNECT", 0x4)


def make_contexts(ca_file: Optional[str]) -> Contexts:
    """Build the three client contexts once per run (loading a CA store is not free). Raises on a bad ca_file."""
    verify = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    verify.check_hostname = False  # checked separately so a mismatch is reported, not fatal
    verify.verify_mode = ssl.CERT_REQUIRED
    if ca_file:
        verify.load_verify_locations(cafile=ca_file)
    else:
        verify.load_default_certs(ssl.Purpose.SERVER_AUTH)

    noverify = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    noverify.check_hostname = False
    noverify.verify_mode = ssl.CERT_NONE

    legacy = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    legacy.check_hostname = False
    legacy.verify_mode = ssl.CERT_NONE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # deliberately legacy: it is a probe
            legacy.minimum_version = ssl.TLSVersion.TLSv1
        legacy.set_ciphers("ALL:COMPLEMENTOFALL:@SECLEVEL=0")
    except (ValueError, ssl.SSLError):  # a local library without legacy support: keep what it has
        pass
    for context in (verify, noverify, legacy):
        context.options |= OP_LEGACY_SERVER_CONNECT
    return Contexts(verify=verify, noverify=noverify, legacy=legacy)


@dataclass
class HandshakeResult:
    """Attributes:
    error: set when no handshake at all succeeded (the reason).
    version/cipher_openssl: what the handshake that succeeded negotiated.
    leaf_der: the server certificate (DER).
    chain_der: the served chain from ``get_unverified_chain`` when the interpreter has it.
    chain_valid/chain_error: the verifying handshake's verdict (None: could not be judged).
    verified_peercert: ``getpeercert()`` dict (only after a verified handshake).
    http/http_error: the response head of ``GET /`` over that connection.
    notes: things the user should know (fallbacks taken).
    """

    error: Optional[str] = None
    connect_error: bool = False
    version: Optional[str] = None
    cipher_openssl: Optional[str] = None
    leaf_der: Optional[bytes] = None
    chain_der: Optional[Tuple[bytes, ...]] = None
    chain_valid: Optional[bool] = None
    chain_error: Optional[str] = None
    verified_peercert: Optional[Dict[str, Any]] = None
    http: Optional[HttpHead] = None
    http_error: Optional[str] = None
    notes: List[str] = field(default_factory=list)


def _served_chain(tls: ssl.SSLSocket) -> Optional[Tuple[bytes, ...]]:
    """The chain as served. Public API from Python 3.13; the same method exists privately since 3.10."""
    getter = getattr(tls, "get_unverified_chain", None)
    if getter is None:
        sslobj = getattr(tls, "_sslobj", None)
        getter = getattr(sslobj, "get_unverified_chain", None)
    if getter is None:
        return None
    try:
        chain = getter()
    except (AttributeError, ValueError, ssl.SSLError):
        return None
    if not chain:
        return None
    out: List[bytes] = []
    for cert in chain:
        if isinstance(cert, bytes):
            out.append(cert)
        else:
            out.append(cert.public_bytes(ssl._ssl.ENCODING_DER))
    return tuple(out)


def _attempt(
    address: ResolvedAddress,
    context: ssl.SSLContext,
    server_name: str,
    port: int,
    timeout: float,
    http_checks: bool,
    result: HandshakeResult,
) -> None:
    """One handshake; fills ``result``. Raises ConnectError, ssl.SSLError, OSError."""
    raw = connect(address, timeout)
    try:
        tls = context.wrap_socket(raw, server_hostname=sni_name(server_name), do_handshake_on_connect=False)
    except BaseException:
        raw.close()
        raise
    try:
        tls.settimeout(timeout)
        tls.do_handshake()
        result.version = _SSL_VERSION_NAMES.get(tls.version() or "", tls.version())
        cipher = tls.cipher()
        result.cipher_openssl = cipher[0] if cipher else None
        result.leaf_der = tls.getpeercert(binary_form=True)
        result.chain_der = _served_chain(tls)
        if context.verify_mode == ssl.CERT_REQUIRED:
            result.verified_peercert = tls.getpeercert()
        if http_checks:
            try:
                result.http = fetch_head(tls, host_header(server_name, port, 443), timeout)
            except HttpError as exc:
                result.http_error = str(exc)
    finally:
        tls.close()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError):
        return exc.reason or str(exc)
    return str(exc) or exc.__class__.__name__


def ssl_handshake(
    address: ResolvedAddress,
    server_name: str,
    port: int,
    contexts: Contexts,
    timeout: float,
    *,
    http_checks: bool,
) -> HandshakeResult:
    result = HandshakeResult()
    try:
        _attempt(address, contexts.verify, server_name, port, timeout, http_checks, result)
        result.chain_valid = True
        return result
    except ConnectError as exc:
        return HandshakeResult(error=str(exc), connect_error=True)
    except ssl.SSLCertVerificationError as exc:
        result.chain_valid = False
        result.chain_error = exc.verify_message or _describe(exc)
        fallbacks = [contexts.noverify, contexts.legacy]
    except (ssl.SSLError, OSError) as exc:
        if isinstance(exc, socket.timeout):  # a server that does not answer will not answer a retry either
            result.error = f"TLS handshake failed: no answer within {timeout:g} s"
            return result
        result.chain_error = f"not verified: the local TLS library could not handshake ({_describe(exc)})"
        fallbacks = [contexts.legacy]
    last_error = ""
    for context in fallbacks:
        try:
            _attempt(address, context, server_name, port, timeout, http_checks, result)
            return result
        except ConnectError as exc:
            result.error = str(exc)
            result.connect_error = True
            return result
        except (ssl.SSLError, OSError) as exc:
            last_error = _describe(exc)
    result.error = f"TLS handshake failed: {last_error}"
    return result
