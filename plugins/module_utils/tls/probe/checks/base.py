# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shape of a probe check, and what every check is given.

A check answers one question about an endpoint in two steps, as sslyze's scan commands do:

1. :meth:`ProbeCheck.jobs`: the connections it needs, each a callable the runner puts in the
   shared thread pool (one connection each, so every endpoint's questions run at once);
2. :meth:`ProbeCheck.apply`: once they are answered, put what they found into the endpoint's
   result (and notes for the user).

Every check also reads :class:`Basics`, the answers the runner always collects: the raw answer
to each protocol version and the real handshake. A new check is one subclass in its own file
under ``checks/`` and one entry in ``checks/registry.py``. Runs on targets (Python 3.8+,
standard library only).
"""

from __future__ import annotations

import abc
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Sequence

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.certinfo import (
    CertificateReader,
    StdlibCertificateReader,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.handshake import Contexts, HandshakeResult
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import ResolvedAddress, VersionResult
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.targets import Target

__all__ = [
    "Basics",
    "Budget",
    "BudgetExpired",
    "Endpoint",
    "EndpointReport",
    "Job",
    "Prior",
    "ProbeCheck",
    "ProbeSettings",
]

Job = Callable[[], Any]

# An endpoint's connections all end within this many timeouts of its first one: the version probes
# (one timeout) and the connections that wait for them (one more).
BUDGET_TIMEOUTS = 2


class BudgetExpired(Exception):
    """The endpoint's time budget ran out before a check could ask its question; ``str()`` says so."""


class Budget:
    """An endpoint's clock: each connection gets the timeout, or what is left of the budget if less.

    The clock starts when the endpoint's first job asks (not when the jobs were queued), so targets
    waiting for a free thread do not lose time. Thread-safe.
    """

    def __init__(self, timeout: float, timeouts: int = BUDGET_TIMEOUTS) -> None:
        self.timeout = timeout
        self.total = timeout * timeouts
        self._start: Optional[float] = None
        self._lock = threading.Lock()

    def remaining(self) -> float:
        """Seconds the next connection may take; raises :class:`BudgetExpired` when none are left."""
        now = time.monotonic()
        with self._lock:
            if self._start is None:
                self._start = now
            left = self._start + self.total - now
        if left <= 0.05:
            raise BudgetExpired(f"the endpoint's time budget ({self.total:g} s, {BUDGET_TIMEOUTS} x timeout) ran out")
        return min(self.timeout, left)


@dataclass(frozen=True)
class ProbeSettings:
    """One run's settings, shared by every endpoint.

    Attributes:
        timeout: seconds for each connection and each answer.
        http_checks: also ``GET /`` over TLS and the plain-HTTP redirect.
        http_port: the redirect check's port for targets without their own.
        contexts: the client TLS contexts (built once per run).
        anchors: DER subjects of the trust anchors (for chain completeness).
        reader: reads the served certificates (the standard-library one unless injected).
    """

    timeout: float = 5.0
    http_checks: bool = True
    http_port: int = 80
    contexts: Optional[Contexts] = None
    anchors: FrozenSet[bytes] = frozenset()
    reader: CertificateReader = field(default_factory=StdlibCertificateReader)


@dataclass(frozen=True)
class Endpoint:
    """One endpoint being probed: what was asked for, where it resolved, with which settings."""

    target: Target
    address: ResolvedAddress
    settings: ProbeSettings
    now: Optional[datetime] = None  # when certificates are judged (None: at the time they are read)
    budget: Optional[Budget] = None

    def timeout(self) -> float:
        """The timeout for this endpoint's next connection (raises BudgetExpired when the budget is spent)."""
        return self.budget.remaining() if self.budget is not None else self.settings.timeout

    @property
    def server_name(self) -> str:
        return self.target.server_name


class Prior:
    """What a job may wait for: the endpoint's version probes (submitted before every check's jobs).

    A job that calls :meth:`versions` blocks until they are answered; they were queued first, so
    they are running or done by then and the wait cannot deadlock the shared pool.
    """

    def __init__(self, versions: Mapping[str, Future]) -> None:
        self._versions = versions

    def versions(self) -> Mapping[str, VersionResult]:
        return {name: future.result() for name, future in self._versions.items()}


@dataclass(frozen=True)
class Basics:
    """What every check may read: each protocol version's raw answer and the real handshake."""

    versions: Mapping[str, VersionResult]
    handshake: HandshakeResult


@dataclass
class EndpointReport:
    """One endpoint's ``ProbeResult`` (``result``) and the notes for the user (task warnings)."""

    result: Dict[str, Any]
    notes: List[str] = field(default_factory=list)


class ProbeCheck(abc.ABC):
    """One question about an endpoint; subclasses set ``name`` and implement :meth:`apply`."""

    name = ""
    # Applied even when the endpoint gave no usable TLS answer (the result then carries ``error``).
    after_error = False

    def connections(self) -> int:
        """The most jobs :meth:`jobs` returns (the runner sizes its thread pool with it)."""
        return 0

    def jobs(self, endpoint: Endpoint, prior: Prior) -> List[Job]:
        """The connections this check needs for ``endpoint``, each a callable (``prior``: what they may wait for)."""
        return []

    @abc.abstractmethod
    def apply(self, endpoint: Endpoint, basics: Basics, answers: Sequence[Future], report: EndpointReport) -> None:
        """Put the answers (the futures of :meth:`jobs`, in order) into ``report``."""
