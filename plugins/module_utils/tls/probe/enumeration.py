# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Enumerate what a server accepts, one connection per question, stopping as early as possible.

* :func:`enumerate_suites`: the suites of one bucket a server accepts with one version <= TLS 1.2
  (offer, read the choice and its ServerKeyExchange, remove it, repeat), then one more hello
  telling whether the server enforces its own order;
* :func:`probe_tls13_suite`: is one TLS 1.3 suite accepted? The hello carries no key share, so the
  server answers with a cheap HelloRetryRequest naming the suite and group it picked;
* :func:`enumerate_tls13_groups`: the groups of one bucket accepted with TLS 1.3, by repeated
  HelloRetryRequests (each removes the group named);
* :func:`enumerate_tls12_groups`: the curves of one bucket accepted for ECDHE with TLS 1.2 (the
  ServerKeyExchange names the curve).

Every round asks ``clock()`` for its timeout, so a chain stops when the endpoint's budget is spent.
Runs on targets (Python 3.8+, standard library only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.ciphers import (
    CIPHER_SUITES,
    GROUPS,
    group_name,
    suites_for_version,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.clienthello import (
    RAW_VERSIONS,
    build_client_hello,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.rawprobe import (
    ConnectError,
    ResolvedAddress,
    exchange,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.records import ServerFlight

__all__ = [
    "TLS12_ANCHORS",
    "TLS12_GROUP_BUCKETS",
    "TLS13_GROUP_BUCKETS",
    "TLS13_SUITES",
    "Clock",
    "SuiteChoice",
    "SuiteEnumeration",
    "enumerate_suites",
    "enumerate_tls12_groups",
    "enumerate_tls13_groups",
    "probe_tls13_suite",
    "suite_buckets",
]

Clock = Callable[[], float]

MAX_ROUNDS = 64

TLS13_SUITES: Tuple[int, ...] = tuple(suites_for_version("TLSv1.3"))

_BY_NAME = {name: code for code, name in GROUPS.items()}


def _codes(*names: str) -> Tuple[int, ...]:
    return tuple(_BY_NAME[name] for name in names)


_LEGACY_CURVES = _codes(
    "secp224r1",
    "secp192r1",
    "secp256k1",
    "secp224k1",
    "secp192k1",
    "secp160k1",
    "secp160r1",
    "secp160r2",
    "sect163k1",
    "sect163r1",
    "sect163r2",
    "sect193r1",
    "sect193r2",
    "sect233k1",
    "sect233r1",
    "sect239k1",
    "sect283k1",
    "sect283r1",
    "sect409k1",
    "sect409r1",
    "sect571k1",
    "sect571r1",
)
_BRAINPOOL12 = _codes("brainpoolP256r1", "brainpoolP384r1", "brainpoolP512r1")

# Groups are split in buckets, each enumerated by its own chain of connections (concurrently), so an
# endpoint's wall time is its longest chain, typically 2 to 4 rounds.
TLS13_GROUP_BUCKETS: Tuple[Tuple[int, ...], ...] = (
    _codes("x25519", "x448"),
    _codes("secp256r1", "secp384r1", "secp521r1"),
    _codes("ffdhe2048", "ffdhe3072", "ffdhe4096", "ffdhe6144", "ffdhe8192"),
    _codes("X25519MLKEM768", "SecP256r1MLKEM768", "SecP384r1MLKEM1024", "MLKEM512", "MLKEM768", "MLKEM1024"),
    _codes("brainpoolP256r1tls13", "brainpoolP384r1tls13", "brainpoolP512r1tls13", "curveSM2")
    + _BRAINPOOL12
    + _LEGACY_CURVES,
)
TLS12_GROUP_BUCKETS: Tuple[Tuple[int, ...], ...] = (
    _codes("x25519", "x448"),
    _codes("secp256r1", "secp384r1", "secp521r1"),
    _BRAINPOOL12 + _codes("curveSM2"),
    _LEGACY_CURVES,
)


@dataclass(frozen=True)
class SuiteChoice:
    """A suite the server accepted, and the key exchange its ServerKeyExchange used (None: none read)."""

    code: int
    kex: Optional[str] = None


@dataclass(frozen=True)
class SuiteEnumeration:
    """One bucket's answer: the suites accepted in the order picked, and whether the server imposed it.

    ``server_order`` is None when the bucket had fewer than two suites to compare.
    """

    choices: Tuple[SuiteChoice, ...]
    server_order: Optional[bool] = None


def _kex_bucket(code: int) -> int:
    name = CIPHER_SUITES[code][0]
    if "_ECDHE_ECDSA_" in name:
        return 0
    if "_ECDHE_RSA_" in name:
        return 1
    return 2


def suite_buckets(version: str) -> List[List[int]]:
    """The suites offered with ``version``, split by key exchange family (ECDHE-ECDSA, ECDHE-RSA, the rest).

    A server only ever picks within the family its certificate allows, so enumerating each bucket
    as its own chain loses nothing, and the chains run concurrently.
    """
    buckets: List[List[int]] = [[], [], []]
    for code in suites_for_version(version):
        buckets[_kex_bucket(code)].append(code)
    return [bucket for bucket in buckets if bucket]


def _raise_if_unusable(flight: ServerFlight) -> None:
    if flight.outcome in ("timeout", "not_tls"):
        raise ConnectError(flight.detail or flight.outcome)


def _pick(
    address: ResolvedAddress, server_name: Optional[str], version: str, offered: Sequence[int], clock: Clock
) -> Tuple[Optional[int], ServerFlight]:
    """One hello offering ``offered``; the suite picked (None: refused) and the flight."""
    payload = build_client_hello(version, server_name, suites=offered)
    flight = exchange(address, payload, clock(), stop_after_hello=False)
    hello = flight.server_hello
    wanted = RAW_VERSIONS[version]
    if flight.outcome != "hello" or hello is None or hello.version != wanted or hello.cipher not in offered:
        _raise_if_unusable(flight)
        return None, flight
    return hello.cipher, flight


def _order_probe_pair(choices: Sequence[SuiteChoice]) -> Tuple[int, int]:
    """``(other, first)``: the server's first pick and another accepted suite, ChaCha20 avoided.

    OpenSSL's PRIORITIZE_CHACHA picks ChaCha20 first when the client lists it first, even when the
    server imposes its order, so a ChaCha20 suite would read as "client order".
    """
    first = choices[0].code
    others = [c.code for c in choices[1:]]
    plain = [code for code in others if "CHACHA20" not in CIPHER_SUITES[code][0]]
    return (plain or others)[0], first


def enumerate_suites(
    address: ResolvedAddress, server_name: Optional[str], version: str, suites: Sequence[int], clock: Clock
) -> SuiteEnumeration:
    """Suites of one bucket accepted with ``version`` (SSLv3 .. TLS 1.2). Raises ConnectError, BudgetExpired.

    Every round reads the whole first flight, so each accepted suite also reports its key exchange
    (the ServerKeyExchange curve or DH size). With two or more accepted, one last hello offers
    ``[other, first]``: a server that still picks ``first`` imposes its own order.
    """
    offered = list(suites)
    choices: List[SuiteChoice] = []
    for _round in range(MAX_ROUNDS):
        if not offered:
            break
        code, flight = _pick(address, server_name, version, offered, clock)
        if code is None:
            break
        choices.append(SuiteChoice(code, flight.kex_group))
        offered.remove(code)
    server_order: Optional[bool] = None
    if len(choices) >= 2:
        other, first = _order_probe_pair(choices)
        code, _flight = _pick(address, server_name, version, [other, first], clock)
        if code is not None:
            server_order = code == first
    return SuiteEnumeration(tuple(choices), server_order)


def probe_tls13_suite(address: ResolvedAddress, server_name: Optional[str], suite: int, clock: Clock) -> bool:
    """Whether the TLS 1.3 ``suite`` is accepted (HelloRetryRequest or ServerHello naming it). Raises ConnectError."""
    groups = tuple(code for bucket in TLS13_GROUP_BUCKETS for code in bucket)
    payload = build_client_hello("TLSv1.3", server_name, suites=[suite], groups=groups, key_shares=[])
    flight = exchange(address, payload, clock(), stop_after_hello=True)
    hello = flight.server_hello
    if flight.outcome == "hello" and hello is not None and hello.version == 0x0304:
        return hello.cipher == suite
    _raise_if_unusable(flight)
    return False


def enumerate_tls13_groups(
    address: ResolvedAddress, server_name: Optional[str], groups: Sequence[int], clock: Clock
) -> List[str]:
    """Groups of one bucket accepted with TLS 1.3: offer them with no key share, read the group the
    HelloRetryRequest names, remove it, repeat. Raises ConnectError, BudgetExpired."""
    offered = list(groups)
    accepted: List[str] = []
    for _round in range(MAX_ROUNDS):
        if not offered:
            break
        payload = build_client_hello("TLSv1.3", server_name, suites=TLS13_SUITES, groups=offered, key_shares=[])
        flight = exchange(address, payload, clock(), stop_after_hello=True)
        hello = flight.server_hello
        if flight.outcome != "hello" or hello is None or hello.version != 0x0304 or hello.group not in offered:
            _raise_if_unusable(flight)
            break
        accepted.append(group_name(hello.group))
        offered.remove(hello.group)
    return accepted


# In TLS 1.2 the client's supported_groups also bounds the curve of an ECDSA certificate (RFC 8422 5.1),
# so a hello that offers only the curves under test is refused by an ECDSA server whose certificate's
# curve is not among them: such hellos keep that curve (an "anchor") at the end of their list.
TLS12_ANCHORS: Tuple[int, ...] = _codes("secp256r1", "secp384r1", "secp521r1")


def enumerate_tls12_groups(
    address: ResolvedAddress,
    server_name: Optional[str],
    groups: Sequence[int],
    clock: Clock,
    anchors: Sequence[int] = TLS12_ANCHORS,
) -> List[str]:
    """Curves of one bucket accepted for ECDHE with TLS 1.2: offer only ECDHE suites and the bucket's
    curves not found yet (then the ``anchors``: the ECDSA certificate's curve), read the
    ServerKeyExchange's curve, repeat.

    Stops when the server picks a curve outside the bucket: the remaining ones are not accepted by a
    server that follows the client's order (most do); a server imposing its own order may rank one
    below an anchor curve, which then goes unseen. Raises ConnectError, BudgetExpired.
    """
    suites = [code for code in suites_for_version("TLSv1.2") if "_ECDHE_" in CIPHER_SUITES[code][0]]
    candidates = list(groups)
    accepted: List[str] = []
    for _round in range(MAX_ROUNDS):
        if not candidates:
            break
        offered = candidates + [code for code in anchors if code not in candidates]
        payload = build_client_hello("TLSv1.2", server_name, suites=suites, groups=offered)
        flight = exchange(address, payload, clock(), stop_after_hello=False)
        hello = flight.server_hello
        names = {group_name(code): code for code in candidates}
        if flight.outcome != "hello" or hello is None or hello.version != 0x0303 or flight.kex_group not in names:
            _raise_if_unusable(flight)
            break
        accepted.append(flight.kex_group)
        candidates.remove(names[flight.kex_group])
    return accepted
