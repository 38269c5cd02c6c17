# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Session resumption below TLS 1.3 (``vulnerabilities.session_resumption_ids`` / ``_tickets``).

Two chains of two handshakes with Python's ``ssl`` (which keeps sessions): one with tickets
disabled (the server must find the session by its id), one with tickets. TLS 1.3 resumes with
tickets of its own, so a TLS 1.3-only server is not asked. Runs on targets (Python 3.8+).
"""

from __future__ import annotations

import contextlib
import functools
import ssl
import threading
import warnings
from concurrent.futures import Future
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.base import (
    Basics,
    BudgetExpired,
    Endpoint,
    EndpointReport,
    Job,
    Prior,
    ProbeCheck,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.hello_features import (
    LEGACY_ORDER,
    outcome,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.clienthello import sni_name
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.handshake import OP_LEGACY_SERVER_CONNECT
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import ConnectError, connect

__all__ = ["SessionResumption"]

_CONTEXTS: Dict[bool, ssl.SSLContext] = {}
_LOCK = threading.Lock()


def _context(tickets: bool) -> ssl.SSLContext:
    with _LOCK:
        if tickets not in _CONTEXTS:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # deliberately legacy: it is a probe
                context.maximum_version = ssl.TLSVersion.TLSv1_2
                try:
                    context.minimum_version = ssl.TLSVersion.TLSv1
                    context.set_ciphers("ALL:COMPLEMENTOFALL:@SECLEVEL=0")
                except (ValueError, ssl.SSLError):
                    pass
            context.options |= OP_LEGACY_SERVER_CONNECT
            if not tickets:
                context.options |= ssl.OP_NO_TICKET
            _CONTEXTS[tickets] = context
        return _CONTEXTS[tickets]


def _handshake(endpoint: Endpoint, context: ssl.SSLContext, session: Optional[ssl.SSLSession]) -> Tuple[Any, bool]:
    raw = connect(endpoint.address, endpoint.timeout())
    try:
        tls = context.wrap_socket(
            raw, server_hostname=sni_name(endpoint.server_name), do_handshake_on_connect=False, session=session
        )
    except BaseException:
        raw.close()
        raise
    try:
        tls.do_handshake()
        session, reused = tls.session, tls.session_reused
        with contextlib.suppress(ssl.SSLError, OSError):
            tls.unwrap()  # close_notify: some servers drop the session of a connection that just vanishes
        return session, reused
    finally:
        tls.close()


def resume(endpoint: Endpoint, tickets: bool) -> Tuple[Optional[bool], str]:
    """Whether a second handshake resumed the first one's session (by ticket, or by id). Raises ConnectError."""
    context = _context(tickets)
    what = "ticket" if tickets else "session id"
    try:
        session, _reused = _handshake(endpoint, context, None)
        if session is None or (tickets and not session.has_ticket) or (not tickets and not session.id):
            return False, f"the server issued no {what}"
        _session, reused = _handshake(endpoint, context, session)
    except (ssl.SSLError, OSError) as exc:
        return None, f"not checked: handshake failed ({exc.__class__.__name__}: {exc})"
    if reused:
        return True, f"a session was resumed by its {what}"
    return False, f"a {what} was issued but not honoured"


class SessionResumption(ProbeCheck):
    name = "session_resumption"

    def connections(self) -> int:
        return 2

    def jobs(self, endpoint: Endpoint, prior: Prior) -> List[Job]:
        return [functools.partial(resume, endpoint, False), functools.partial(resume, endpoint, True)]

    def apply(self, endpoint: Endpoint, basics: Basics, answers: Sequence[Future], report: EndpointReport) -> None:
        vulns = report.result["vulnerabilities"]
        legacy = any(basics.versions[name].accepted for name in LEGACY_ORDER)
        for key, future in zip(("session_resumption_ids", "session_resumption_tickets"), answers):
            if not legacy:
                vulns[key] = outcome(None, "TLS 1.3 only: resumption below TLS 1.3 does not arise", applicable=False)
                continue
            try:
                value, reason = future.result()
            except (ConnectError, BudgetExpired) as exc:
                value, reason = None, f"not checked: {exc}"
            vulns[key] = outcome(value, reason)
