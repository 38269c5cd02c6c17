# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ufw backend: ``ufw allow ... comment 'webedge.https'``.

Reading runs no command: ufw's own record of its rules is ``/etc/ufw/user.rules``
and ``/etc/ufw/user6.rules``, one ``### tuple ###`` line per rule
(``### tuple ### allow tcp 443 0.0.0.0/0 any 0.0.0.0/0 in comment=<hex>``);
``/etc/default/ufw`` says whether ufw handles IPv6 (``IPV6=yes``).

What we own: tuples whose comment is exactly ``webedge.https``, action
``allow``, direction ``in`` on any interface, to any destination address, from
any source port. Nothing else is touched. ufw keeps one rule per
specification and a second ``ufw allow`` with another comment rewrites the
first one's comment - or, for a ``deny``, ``reject`` or ``limit`` of the same
specification, its action ("Rule updated") - so a rule the admin already has
(same protocol, port and source, any action, another or no comment) is left
alone and never claimed; ``notes`` says so (and a deny left in place makes
``firewall_port`` report ``effective: false``).

Writing: one ``ufw`` command per change - but one command covers
both families when the source is any (``from any`` writes the IPv4 and the
IPv6 tuple); ``from 0.0.0.0/0`` / ``from ::/0`` address one family only.
Additions come before deletions (ufw never merges ranges, so order does not
change the result, and nothing is closed before its replacement is open).
A command failing after others ran undoes them, last first: an added rule is
deleted again (the list is as before), a deleted one allowed again (at the
end of ufw's list: before the change it may have stood earlier).
``ufw delete`` matches the specification and ignores comments - which is
safe here because ufw holds at most one rule per specification and we only
delete specifications whose rule carries our comment. ``ufw allow`` appends
to the end of the rule list: an earlier deny/reject/limit on the same port
wins over it (first match), and ``notes`` names such rules rather than us
reordering anyone's rules. Persistence is ufw's own: every ``ufw`` command
updates its rule files. ufw is not safe to run concurrently; tasks must not
target the same host in parallel.

ufw has no batch mode, and each ``ufw`` process spends most of its time
starting up, so ``apply`` runs a plan's commands in ONE process through
ufw's own library (``batch.py``), falling back to one ``ufw`` per
command when that cannot start. ``commands`` and check mode show the
per-rule ``ufw`` commands either way, and each one's output is checked alike.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import (
    COMMENT_MARK,
    Detection,
    FirewallBackend,
    Plan,
    Ruleset,
    Runner,
    Step,
    neutral_after,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import (
    DesiredState,
    FirewallError,
    ReadScope,
    Rule,
    plan_rules,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.ufw import batch
from ansible_collections.webedge.https.plugins.module_utils.firewall.ufw.parse import (
    ANY,
    Tuple_,
    ipv6_enabled,
    parse_status,
    parse_tuples,
)
from ansible_collections.webedge.https.plugins.module_utils.ports import PortRange

__all__ = ["DEFAULTS_PATH", "RULES_PATHS", "UfwBackend", "UfwState", "inverse_argv", "render_steps"]

CMD = "ufw"
RULES_PATHS = {"ipv4": "/etc/ufw/user.rules", "ipv6": "/etc/ufw/user6.rules"}
DEFAULTS_PATH = "/etc/default/ufw"
_ERROR_MARKERS = ("ERROR:", "Could not delete non-existent rule", "Invalid syntax", "Bad port")


@dataclass(frozen=True)
class UfwState:
    """What ``read()`` saw: the tuples of both files and whether ufw does IPv6."""

    tuples: Tuple[Tuple_, ...]
    ipv6: bool

    def owned(self) -> Tuple[Tuple_, ...]:
        return tuple(t for t in self.tuples if t.ours)

    def owned_rules(self) -> Tuple[Rule, ...]:
        return tuple(sorted({r for r in (t.as_rule() for t in self.owned()) if r is not None}))

    def foreign_same(self, rule: Rule) -> Optional[Tuple_]:
        """A rule not ours with the same specification, whatever its action.

        ``ufw allow`` of the same specification rewrites such a rule ("Rule updated"): the comment
        of an ``allow``, and the action itself of a ``deny``, ``reject`` or ``limit``.
        """
        for item in self.tuples:
            if not item.ours and replace(item, action="allow").as_rule() == rule:
                return item
        return None

    def shadowing(self, rule: Rule) -> List[Tuple_]:
        """Foreign deny/reject/limit rules on an overlapping port: listed before ours, they win."""
        hits = []
        for item in self.tuples:
            ports = item.ports
            if item.family != rule.family or item.action == "allow" or item.ours:
                continue
            if item.protocol not in (rule.protocol, "any"):
                continue
            if item.dport == "any":
                hits.append(item)
                continue
            if ports is None or ports.last < rule.ports.first or ports.first > rule.ports.last:
                continue
            hits.append(item)
        return hits


def _port_arg(ports: PortRange) -> str:
    return str(ports.first) if ports.first == ports.last else f"{ports.first}:{ports.last}"


def _grouped(rules: Sequence[Rule]) -> List[Tuple[str, str, PortRange]]:
    """``(from, protocol, ports)`` per call: a v4+v6 pair from any source is one ``from any`` call."""
    rule_set = set(rules)
    calls: Set[Tuple[str, str, PortRange]] = set()
    for rule in rule_set:
        if rule.source is not None:
            calls.add((rule.source, rule.protocol, rule.ports))
            continue
        twin = Rule("ipv6" if rule.family == "ipv4" else "ipv4", rule.protocol, rule.ports, None)
        src = "any" if twin in rule_set else ANY[rule.family]
        calls.add((src, rule.protocol, rule.ports))
    return sorted(calls, key=lambda c: (c[2], c[1], c[0]))


def render_steps(add: Sequence[Rule], remove: Sequence[Rule]) -> List[Step]:
    """``ufw allow`` for each addition (with our comment), then ``ufw delete allow`` for each removal."""
    steps: List[Step] = []
    for src, proto, ports in _grouped(add):
        argv = [CMD, "allow", "proto", proto, "from", src, "to", "any", "port", _port_arg(ports)]
        steps.append(Step((*argv, "comment", COMMENT_MARK)))
    for src, proto, ports in _grouped(remove):
        steps.append(Step((CMD, "delete", "allow", "proto", proto, "from", src, "to", "any", "port", _port_arg(ports))))
    return steps


class UfwBackend(FirewallBackend):
    """ufw; see the module docstring for what we own and how."""

    name = "ufw"
    has_facts = True

    @classmethod
    def probe(cls, runner: Runner) -> Detection:
        rc, out, err = runner.run([CMD, "status"])
        if rc == 127:
            return Detection(cls.name, False, "ufw is not installed", available=False)
        if rc != 0:
            return Detection(cls.name, False, f"'ufw status' failed: {(err or out).strip()}")
        if parse_status(out)["active"]:
            return Detection(cls.name, True, "ufw is active (ufw status)")
        return Detection(cls.name, False, "ufw is installed but inactive (ufw status)")

    def read(self, scope: ReadScope) -> Ruleset:
        tuples: List[Tuple_] = []
        for family, path in RULES_PATHS.items():
            tuples.extend(parse_tuples(self.files.read(path), family))
        state = UfwState(tuple(tuples), ipv6_enabled(self.files.read(DEFAULTS_PATH)))
        return Ruleset(rules=state.owned_rules(), raw=state)

    def facts(self, current: Ruleset) -> Optional[Dict[str, Any]]:
        """``ufw status verbose``: active, default policies, logging (None when it fails)."""
        rc, out, _err = self.runner.run([CMD, "status", "verbose"])
        return parse_status(out) if rc == 0 else None

    def plan(self, desired: DesiredState, current: Ruleset) -> Plan:
        state: UfwState = current.raw
        before = current.rules
        add, remove = plan_rules(desired, before)
        notes: List[str] = []
        if not state.ipv6 and any(r.family == "ipv6" for r in add):
            raise FirewallError(
                f"ufw does not handle IPv6 here (IPV6=no in {DEFAULTS_PATH}); "
                "set family: ipv4 or enable IPv6 in ufw first; nothing was changed"
            )
        kept_add: List[Rule] = []
        for rule in add:
            other = state.foreign_same(rule)
            if other is not None and other.action == "allow":
                notes.append(
                    f"ufw already has {rule.describe()} ({other.line.strip()}) without the webedge.https comment; "
                    "left as it is and not claimed"
                )
                continue
            if other is not None:
                notes.append(
                    f"ufw rule '{other.line.strip()}' ({other.action}) has the specification of {rule.describe()}: "
                    "ufw keeps one rule per specification and allowing it would replace that rule, so it is left "
                    "as it is and the port stays closed"
                )
                continue
            kept_add.append(rule)
            for item in state.shadowing(rule):
                notes.append(
                    f"ufw rule '{item.line.strip()}' comes first and decides packets it matches before "
                    f"{rule.describe()}"
                )
        after = neutral_after(before, kept_add, remove)
        return Plan(
            before=before,
            after=after,
            add=tuple(sorted(kept_add)),
            remove=tuple(sorted(remove)),
            steps=tuple(render_steps(kept_add, remove)),
            notes=tuple(dict.fromkeys(notes)),
        )

    def apply(self, plan: Plan) -> List[Dict[str, Any]]:
        """Run the steps, in ONE ufw process when possible (see ``batch.py``), else one ``ufw`` each.

        Either way every command's output is checked on its own: ufw reports some failures with
        rc 0 ("Could not delete non-existent rule"). A command failing after others ran undoes them
        (see :meth:`_undo`): a failed change leaves the rules as they were.
        """
        done: List[Step] = []
        try:
            if not self._apply_batch(plan.steps, done):
                for step in plan.steps:
                    rc, out, err = self.runner.run(list(step.argv), data=step.data)
                    _check_output(step, rc, out, err, len(done))
                    done.append(step)
        except FirewallError as exc:
            raise FirewallError(f"{exc}{self._undo(done)}") from None
        return [step.as_dict() for step in done]

    def _apply_batch(self, steps: Sequence[Step], done: List[Step]) -> bool:
        """Run the steps through one batch, appending each one that succeeded to ``done``; ``False`` when
        the batch ran no command."""
        if len(steps) < 2 or not all(_batchable(step) for step in steps):
            return False  # one command costs one start-up either way
        script = batch.find_ufw_script(self.files)
        if script is None:
            return False
        combined = batch.batch_step(script, steps, _ERROR_MARKERS)
        rc, out, err = self.runner.run(list(combined.argv), data=combined.data)
        result = batch.parse_output(out)
        if not result.started:
            return False  # nothing ran: the CLI loop does the same work and reports errors in ufw's words
        for outcome in result.outcomes[: len(steps)]:  # in order, from the first command
            step = steps[len(done)]
            _check_output(step, outcome.rc, outcome.out, outcome.err, len(done))
            done.append(step)
        if len(done) < len(steps):  # it died (killed, crashed): a command begun may be half applied
            step = steps[len(done)]
            where = "during" if len(done) in result.started else "before"
            raise FirewallError(
                f"ufw: the batch stopped {where} command {' '.join(step.argv)!r} (rc={rc}): "
                f"{err.strip()[-2000:] or 'no error output'}{_applied(len(done))}"
            )
        return True

    def _undo(self, done: Sequence[Step]) -> str:
        """Undo the commands that ran, last first, one ``ufw`` each: a rule added is deleted, a rule deleted
        is allowed again (appended to the end of ufw's list, where ``ufw allow`` put it); say what was done."""
        for step in reversed(done):
            argv = inverse_argv(step.argv)
            rc, out, err = self.runner.run(list(argv))
            text = f"{out}\n{err}"
            if rc != 0 or any(marker in text for marker in _ERROR_MARKERS):
                return (
                    f", and could not all be undone: {' '.join(argv)!r} failed (rc={rc}): {text.strip()}; "
                    "check ufw status"
                )
        return ", then undone: the previous rules are back" if done else ""


def inverse_argv(argv: Sequence[str]) -> Tuple[str, ...]:
    """The ``ufw`` command that undoes one of :func:`render_steps`'s commands."""
    if argv[1:2] == ("allow",):  # ufw allow ... comment webedge.https
        return (CMD, "delete", "allow", *argv[2:-2])
    return (CMD, "allow", *argv[3:], "comment", COMMENT_MARK)  # ufw delete allow ...


def _batchable(step: Step) -> bool:
    """Only the rule commands ``render_steps`` writes go through the batch."""
    return step.data is None and step.argv[:1] == (CMD,) and step.argv[1:2] in (("allow",), ("delete",))


def _applied(count: int) -> str:
    return f"; the {count} command(s) before it were applied" if count else ""


def _check_output(step: Step, rc: int, out: str, err: str, before: int) -> None:
    """Raise when ufw failed; ``before`` commands of this task already ran (and stay applied)."""
    text = f"{out}\n{err}"
    if rc != 0 or any(marker in text for marker in _ERROR_MARKERS):
        raise FirewallError(f"ufw: command {' '.join(step.argv)!r} failed (rc={rc}): {text.strip()}{_applied(before)}")
