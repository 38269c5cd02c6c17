# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vulnerability questions with connections of their own (``vulnerabilities``): Heartbleed, CCS
injection, ROBOT, TLS_FALLBACK_SCSV and client-initiated renegotiation.

All start at once with the endpoint's other jobs; the fallback question waits for the version
probes (it needs the two best versions). ROBOT is one chain per payload: with ChangeCipherSpec and
Finished, without, and with again (the repeat shows an inconsistent server); a server without RSA
key exchange ends each chain after one refused hello. Runs on targets (Python 3.8+).
"""

from __future__ import annotations

import functools
from concurrent.futures import Future
from typing import Any, Dict, List, Mapping, Sequence

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
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import ConnectError, VersionResult
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.tls12client import try_client_renegotiation
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.vulnprobes import (
    NOT_APPLICABLE,
    ROBOT_PAYLOADS,
    probe_ccs_injection,
    probe_fallback_scsv,
    probe_heartbleed,
    robot_attempt,
    robot_verdict,
)

__all__ = ["Vulnerabilities"]

_VERSION_ORDER = ("TLSv1.3", *LEGACY_ORDER)


def _robot_chain(endpoint: Endpoint, kind: str) -> List[str]:
    """One payload's answers: ``[with Finished, without, with again]`` (one answer when no RSA)."""
    answers = [robot_attempt(endpoint.address, endpoint.server_name, kind, True, endpoint.timeout())]
    if answers[0] == "no_rsa":
        return answers
    answers.append(robot_attempt(endpoint.address, endpoint.server_name, kind, False, endpoint.timeout()))
    answers.append(robot_attempt(endpoint.address, endpoint.server_name, kind, True, endpoint.timeout()))
    return answers


def _fallback(endpoint: Endpoint, prior: Prior) -> Any:
    versions = prior.versions()
    accepted = [name for name in _VERSION_ORDER if versions[name].accepted]
    return probe_fallback_scsv(endpoint.address, endpoint.server_name, accepted, endpoint.timeout())


def _highest_legacy(prior: Prior) -> str:
    """The highest version below TLS 1.3 the server accepts (TLS 1.2 when it accepts none: then the
    answer is a refusal, and the question does not arise)."""
    versions = prior.versions()
    return next((name for name in LEGACY_ORDER if versions[name].accepted), "TLSv1.2")


def _heartbleed(endpoint: Endpoint, prior: Prior) -> Any:
    version = _highest_legacy(prior)
    return probe_heartbleed(endpoint.address, endpoint.server_name, endpoint.timeout(), version)


def _ccs_injection(endpoint: Endpoint, prior: Prior) -> Any:
    version = _highest_legacy(prior)
    return probe_ccs_injection(endpoint.address, endpoint.server_name, endpoint.timeout(), version)


def _renegotiation(endpoint: Endpoint) -> Any:
    return try_client_renegotiation(endpoint.address, endpoint.server_name, endpoint.timeout())


def _legacy_accepted(versions: Mapping[str, VersionResult]) -> bool:
    return any(versions[name].accepted for name in LEGACY_ORDER)


def _result(future: Future) -> Any:
    """The job's answer, or ``(None, "not checked: ...")`` when its connection failed."""
    try:
        return future.result()
    except (ConnectError, BudgetExpired) as exc:
        return None, f"not checked: {exc}"


class Vulnerabilities(ProbeCheck):
    name = "vulnerabilities"

    def connections(self) -> int:
        return 4 + len(ROBOT_PAYLOADS)

    def jobs(self, endpoint: Endpoint, prior: Prior) -> List[Job]:
        return [
            functools.partial(_heartbleed, endpoint, prior),
            functools.partial(_ccs_injection, endpoint, prior),
            functools.partial(_fallback, endpoint, prior),
            functools.partial(_renegotiation, endpoint),
            *(functools.partial(_robot_chain, endpoint, kind) for kind in ROBOT_PAYLOADS),
        ]

    def apply(self, endpoint: Endpoint, basics: Basics, answers: Sequence[Future], report: EndpointReport) -> None:
        vulns: Dict[str, Any] = report.result["vulnerabilities"]
        legacy = _legacy_accepted(basics.versions)
        for key, future in (("heartbleed", answers[0]), ("ccs_injection", answers[1])):
            value, reason = _result(future)
            vulns[key] = self._legacy_only(legacy, value, reason)
        value, reason = _result(answers[2])
        vulns["fallback_scsv"] = outcome(value, reason, applicable=not reason.startswith(NOT_APPLICABLE))
        vulns["client_renegotiation"] = self._renegotiation(legacy, answers[3])
        vulns["robot"] = self._robot(answers[4:])

    @staticmethod
    def _legacy_only(legacy: bool, value: Any, reason: str) -> Dict[str, Any]:
        if not legacy:
            return outcome(None, "TLS 1.3 only: the question does not arise", applicable=False)
        if reason.startswith(NOT_APPLICABLE):
            return outcome(None, f"not checked: {reason}")
        return outcome(value, reason)

    @staticmethod
    def _renegotiation(legacy: bool, future: Future) -> Dict[str, Any]:
        if not legacy:
            return outcome(None, "TLS 1.3 only: no renegotiation", applicable=False)
        answer = _result(future)
        if isinstance(answer, tuple):
            return outcome(None, answer[1])
        return outcome(answer.accepted, answer.reason)

    @staticmethod
    def _robot(futures: Sequence[Future]) -> Dict[str, Any]:
        chains: Dict[str, List[str]] = {}
        for kind, future in zip(ROBOT_PAYLOADS, futures):
            answer = _result(future)
            if isinstance(answer, tuple):
                return outcome(None, answer[1])
            chains[kind] = answer
        if all(chain == ["no_rsa"] for chain in chains.values()):
            return outcome(None, "no RSA key exchange suite accepted", applicable=False)
        if any(chain[0] == "no_rsa" for chain in chains.values()):
            return outcome(None, "not checked: RSA key exchange was accepted only on some connections")
        with_finished = {kind: [chain[0], chain[2]] for kind, chain in chains.items()}
        value, reason = robot_verdict(with_finished)
        if value == "no_oracle":
            value, reason = robot_verdict({kind: [chain[1]] for kind, chain in chains.items()})
        return outcome(value, reason)
