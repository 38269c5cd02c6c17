# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The contract every firewall backend fulfils.

INTERFACE (for backend authors; ``nftables/backend.py`` and ``iptables/backend.py`` are worked examples)
======================================================================================================
* Subclass :class:`FirewallBackend`, set ``name`` (``"firewalld"``) and add the class to
  a :class:`~.registry.Registry` (``registry.LINUX`` for a Linux firewall), in the order
  ``backend: auto`` should probe it.
* ``__init__(runner, files=None, options=None)``: keep it cheap, run nothing.
  ``runner.run(argv, data=None) -> (rc, out, err)`` is the ONLY way to run a
  command (argv list, optional stdin text); ``files`` (:class:`FileStore`) is the
  only way to read/write files; ``options`` is :class:`BackendOptions` (zone, ...).
* ``classmethod probe(runner) -> Detection``: is this firewall the one filtering
  input on the host?  ``Detection(name, active, reason, variant)``; the reason is a
  sentence a person can check ("firewalld is running (firewall-cmd --state)").
* ``classmethod validate(desired, params)``: refuse options this firewall cannot honour
  (``ValidationError`` naming the value); runs before ``read``. The default accepts all.
* ``read(scope) -> Ruleset``: ONE read round trip. ``scope`` (:class:`ReadScope`) says
  which families the task talks about and whether the persisted files matter.
  ``Ruleset.rules`` holds the rules we own as neutral :class:`Rule` objects (only ours,
  never foreign ones); ``Ruleset.raw`` is whatever the backend needs later (parsed
  JSON, save text, handles, persisted file text...); ``Ruleset.connections`` the
  connections this task arrives on, when the read sees them (else the orchestrator
  uses ``SSH_CONNECTION``).
* ``plan(desired, current) -> Plan``: pure, no commands run. Use
  ``model.plan_rules(desired, current.rules)`` for the neutral add/remove,
  then render ``Plan.steps``: the exact commands (:class:`Step`: argv + stdin)
  and ``Plan.files`` (:class:`FileWrite`) a real run would perform. An empty
  plan (no steps, no files) means "nothing changes": check mode reports
  exactly ``plan.changed`` and shows ``plan.steps`` as the commands.
  Persistence (``desired.persist``) belongs in the plan too (steps or files).
* ``apply(plan)``: run ``plan.steps`` in order (ONE write round trip where the
  firewall allows: one ``nft -f -`` / one ``iptables-restore``), then write
  ``plan.files``; raise :class:`FirewallError` on the first failure with the
  command's stderr. The default implementation does exactly that.
* ``backend_reason(detection, current)``: the result's ``backend_reason``
  (default: the detection's reason).
* For ``firewall_info``: ``classmethod readable(detection)`` (can our rules be read
  now? default: the tools are installed), ``has_facts`` and ``facts(current)`` (facts
  reported under the backend's name, e.g. firewalld's zone).
* Raise ``model.FirewallError`` (or ``ValidationError``) for anything the
  user must fix; never ``fail_json`` from a backend.
* Mark what you own (comments "webedge.https", a dedicated table/chain) and
  never flush, reorder or rewrite anything else.
"""

from __future__ import annotations

import abc
import errno
import os
import tempfile
from dataclasses import dataclass, field
from typing import Any, ClassVar, Dict, List, Mapping, Optional, Protocol, Sequence, Tuple

from ansible_collections.webedge.https.plugins.module_utils.firewall.model import (
    DesiredState,
    FirewallError,
    ReadScope,
    Rule,
)

__all__ = [
    "COMMENT_MARK",
    "BackendOptions",
    "CachingRunner",
    "Detection",
    "FileStore",
    "FileWrite",
    "FirewallBackend",
    "LocalFileStore",
    "Plan",
    "Ruleset",
    "Runner",
    "Step",
    "rules_text",
]

COMMENT_MARK = "webedge.https"
"""Every rule we create carries this in its comment/description; nothing else is ever touched."""


class Runner(Protocol):
    """Runs one command: ``run(argv, data=None) -> (rc, stdout, stderr)``.

    A missing executable is reported as ``rc == 127`` (never an exception).
    """

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]: ...


class FileStore(Protocol):
    """Reads and writes whole text files on the managed host."""

    def read(self, path: str) -> Optional[str]:
        """The file's text, or ``None`` when it does not exist."""

    def write(self, path: str, text: str, mode: int = 0o644) -> None: ...


class LocalFileStore:
    """:class:`FileStore` for a module running on the host itself; writes are atomic (rename)."""

    def read(self, path: str) -> Optional[str]:
        try:
            with open(path, encoding="utf-8") as handle:
                return handle.read()
        except FileNotFoundError:
            return None

    def write(self, path: str, text: str, mode: int = 0o644) -> None:
        directory = os.path.dirname(path) or "."
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".webedge-", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(tmp, mode)
            try:
                os.replace(tmp, path)
            except OSError as exc:  # a bind-mounted file (containers) cannot be renamed over
                if exc.errno not in (errno.EBUSY, errno.EXDEV):
                    raise
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write(text)
                os.unlink(tmp)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise


@dataclass(frozen=True)
class Step:
    """One command of a plan: argv plus optional stdin (a script)."""

    argv: Tuple[str, ...]
    data: Optional[str] = None

    def as_dict(self) -> Dict[str, Any]:
        result: Dict[str, Any] = {"argv": list(self.argv)}
        if self.data is not None:
            result["stdin"] = self.data
        return result


@dataclass(frozen=True)
class FileWrite:
    """A file a plan writes (persistence): full new content."""

    path: str
    text: str
    mode: int = 0o644

    def as_dict(self) -> Dict[str, Any]:
        return {"path": self.path, "content": self.text}


@dataclass(frozen=True)
class Detection:
    """Whether a backend is the firewall filtering input here, and why.

    Attributes:
        name: backend name (``nftables``).
        active: it filters input on this host.
        reason: one sentence naming the evidence.
        variant: backend flavour (``nft``/``legacy`` for iptables), if any.
        available: its tools are installed.
    """

    name: str
    active: bool
    reason: str
    variant: Optional[str] = None
    available: bool = True


@dataclass(frozen=True)
class BackendOptions:
    """Backend-specific settings from the task (only some backends use each).

    Attributes:
        zone: firewalld zone (None: the default zone).
        variant: iptables ``nft`` or ``legacy`` (None: ask ``iptables -V``).
        connection_ports: the ports the task's connection may arrive on (Windows: its read
            looks for the connections to them, for the lockout check).
    """

    zone: Optional[str] = None
    variant: Optional[str] = None
    connection_ports: Tuple[int, ...] = ()


@dataclass(frozen=True)
class Connection:
    """A TCP connection this task may arrive on: to ``port`` on the host, from ``client``.

    ``client`` is None when the address could not be read (any address may then be the client).
    """

    port: int
    client: Optional[str] = None


@dataclass(frozen=True)
class Ruleset:
    """What ``read()`` saw.

    Attributes:
        rules: the rules we own.
        raw: the backend's own state for ``plan()``.
        connections: the connections this task arrives on, when the read sees them
            (Windows); None: the orchestrator takes them from ``SSH_CONNECTION``.
    """

    rules: Tuple[Rule, ...]
    raw: Any = field(default=None, compare=False, hash=False, repr=False)
    connections: Optional[Tuple[Connection, ...]] = None


def rules_text(rules: Sequence[Rule]) -> str:
    """One line per rule, sorted: the diff text."""
    return "".join(rule.describe() + "\n" for rule in sorted(rules))


@dataclass(frozen=True)
class Plan:
    """The difference to apply, and exactly how.

    Attributes:
        before: owned rules now.
        after: owned rules once applied.
        add: rules added. remove: rules removed.
        steps: commands to run, in order. files: files to write (persistence).
        notes: facts worth reporting (e.g. foreign chains we also open).
    """

    before: Tuple[Rule, ...]
    after: Tuple[Rule, ...]
    add: Tuple[Rule, ...] = ()
    remove: Tuple[Rule, ...] = ()
    steps: Tuple[Step, ...] = ()
    files: Tuple[FileWrite, ...] = ()
    notes: Tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.steps or self.files)

    def to_diff(self, backend: str = "firewall") -> Dict[str, str]:
        """Ansible diff: before/after text of our rules (plus the persisted files that change)."""
        diff = {
            "before_header": f"{backend}: webedge.https rules (before)",
            "after_header": f"{backend}: webedge.https rules (after)",
            "before": rules_text(self.before),
            "after": rules_text(self.after),
        }
        if self.files and not self.add and not self.remove:
            diff["after"] += "".join(f"# persisted to {f.path}\n" for f in self.files)
        return diff


def neutral_after(current: Sequence[Rule], add: Sequence[Rule], remove: Sequence[Rule]) -> Tuple[Rule, ...]:
    return tuple(sorted((set(current) - set(remove)) | set(add)))


class FirewallBackend(abc.ABC):
    """One firewall dialect. See the INTERFACE note at the top of this file."""

    name: ClassVar[str] = "abstract"
    has_facts: ClassVar[bool] = False  # firewall_info reports facts(...) under this backend's name

    def __init__(
        self,
        runner: Runner,
        files: Optional[FileStore] = None,
        options: Optional[BackendOptions] = None,
    ) -> None:
        self.runner = runner
        self.files: FileStore = files if files is not None else LocalFileStore()
        self.options = options or BackendOptions()

    @classmethod
    @abc.abstractmethod
    def probe(cls, runner: Runner) -> Detection:
        """Is this the firewall that filters input here? Read-only."""

    def is_active(self) -> bool:
        return self.probe(self.runner).active

    @classmethod
    def validate(cls, desired: DesiredState, params: Mapping[str, Any]) -> None:
        """Refuse options this firewall cannot honour (``ValidationError``); runs before ``read``."""
        return None  # every option means something to a Linux firewall

    @abc.abstractmethod
    def read(self, scope: ReadScope) -> Ruleset:
        """Current owned rules (and the raw state ``plan`` needs)."""

    @abc.abstractmethod
    def plan(self, desired: DesiredState, current: Ruleset) -> Plan:
        """Pure: the steps and files that turn ``current`` into ``desired``."""

    def apply(self, plan: Plan) -> List[Dict[str, Any]]:
        """Run the plan's steps, then write its files. Returns the steps run (as dicts)."""
        done: List[Dict[str, Any]] = []
        for step in plan.steps:
            rc, out, err = self.runner.run(list(step.argv), data=step.data)
            if rc != 0:
                raise FirewallError(
                    f"{self.name}: command {' '.join(step.argv)!r} failed (rc={rc}): {(err or out).strip()}"
                )
            done.append(step.as_dict())
        for item in plan.files:
            self.files.write(item.path, item.text, item.mode)
        return done

    def persist(self, plan: Plan) -> None:
        """Write only the plan's persistence files (``apply`` already does this)."""
        for item in plan.files:
            self.files.write(item.path, item.text, item.mode)

    def backend_reason(self, detection: Detection, current: Ruleset) -> str:
        """The result's ``backend_reason``: why this firewall was managed."""
        return detection.reason

    # firewall_info -----------------------------------------------------------
    @classmethod
    def readable(cls, detection: Detection) -> bool:
        """Can our rules be read back now (read-only)? By default: when the tools are installed."""
        return detection.available

    def facts(self, current: Ruleset) -> Optional[Dict[str, Any]]:
        """What ``firewall_info`` reports of this firewall beside our rules (read-only), when ``has_facts``."""
        return None

    # helpers for subclasses -------------------------------------------------
    def _run_checked(self, argv: Sequence[str], data: Optional[str] = None) -> str:
        rc, out, err = self.runner.run(list(argv), data=data)
        if rc != 0:
            raise FirewallError(f"{self.name}: command {' '.join(argv)!r} failed (rc={rc}): {(err or out).strip()}")
        return out


class CachingRunner:
    """Wraps a :class:`Runner`; while ``caching`` is on, identical read-only calls run once.

    The engine turns caching on for detection and ``read()`` (so ``nft -j list
    ruleset`` run by the probe is not run again by the backend) and off before
    ``apply()``, so every write really runs.
    """

    def __init__(self, runner: Runner) -> None:
        self.inner = runner
        self.caching = False
        self.calls: List[Tuple[Tuple[str, ...], Optional[str]]] = []
        self._cache: Dict[Tuple[str, ...], Tuple[int, str, str]] = {}

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        key = tuple(argv)
        if self.caching and data is None and key in self._cache:
            return self._cache[key]
        self.calls.append((key, data))
        result = self.inner.run(list(argv), data=data)
        if self.caching and data is None:
            self._cache[key] = result
        else:
            self._cache.clear()
        return result
