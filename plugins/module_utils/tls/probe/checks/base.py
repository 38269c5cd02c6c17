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

__all__ = ["Basics", "Endpoint", "EndpointReport", "Job", "ProbeCheck", "ProbeSettings"]

Job = Callable[[], Any]


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

    def jobs(self, endpoint: Endpoint) -> List[Job]:
        """The connections this check needs for ``endpoint``, each a callable."""
        return []

    @abc.abstractmethod
    def apply(self, endpoint: Endpoint, basics: Basics, answers: Sequence[Future], report: EndpointReport) -> None:
        """Put the answers (the futures of :meth:`jobs`, in order) into ``report``."""
