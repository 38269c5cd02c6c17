# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""firewalld backend, through the ``firewall-cmd`` command line (no D-Bus bindings).

Where our rules go: one zone - the task's ``zone``, else the default zone
(``firewall-cmd --list-all`` names it in its first line). Rules become:

* a plain port (``--add-port=443/tcp``) when the source is any and both
  families are wanted - what an admin would type;
* a rich rule otherwise (a source, or one family only):
  ``rule family="ipv4" source address="10.0.0.0/8" port port="443" protocol="tcp" accept``.

Ownership: firewalld keeps no comments, so we record what WE added in
:data:`STATE_PATH` (``/var/lib/webedge-https/firewalld.json``: per zone, the
ports and rich rules we added). Only recorded items are ever removed. An item
that is already in the zone but not recorded (an admin opened 443/tcp
themselves) is left alone and never claimed: opening it again changes
nothing, closing it does not remove it, and ``notes`` says so.

Runtime and permanent: both are read (``--list-all`` and ``--permanent
--list-all``: two reads, firewall-cmd cannot list both at once) and both are
written, each with as few calls as firewall-cmd allows. One call may carry many
``--add-port`` (or many ``--add-rich-rule``...) options but firewall-cmd refuses
to mix option kinds in one call ("argument --add-rich-rule: not allowed with
argument --add-port"), so a layer takes at most four calls (add rich rules,
remove ports, add ports, remove rich rules - see :func:`render_steps` for why
ports go remove-first); opening ports is one call per layer. We never
``--reload`` (it would drop the admin's runtime-only changes) and never
``--runtime-to-permanent`` (it would persist them). ``persist: false`` touches
the runtime layer only; a later ``persist: true`` task makes permanent the
items it names (same protocol, overlapping ports), not every item we own.

Unknown zone: ``--list-all`` fails with ``INVALID_ZONE`` (rc 112) during the
read, before anything is planned or changed. firewalld not running (rc 252):
an error too - the permanent layer alone is not managed offline.

A change of several calls (the runtime layer, then the permanent one) that fails partway is undone: the calls
that ran are reversed, last first (``--add-port=`` by ``--remove-port=``, a rich rule added by its removal, and
the other way round), and the ownership file is not written, so both layers are as they were before the task.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import (
    Detection,
    FileWrite,
    FirewallBackend,
    Plan,
    Ruleset,
    Runner,
    Step,
    neutral_after,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.firewalld.parse import (
    Item,
    ZoneInfo,
    describe_zone,
    items_for_rules,
    parse_list_all,
    parse_state,
    render_state,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import (
    DesiredState,
    FirewallError,
    ReadScope,
    Rule,
    ValidationError,
    plan_rules,
)

__all__ = ["CMD", "STATE_PATH", "FirewalldBackend", "FirewalldState", "inverse_argv", "list_all_argv", "render_steps"]

CMD = "firewall-cmd"
STATE_PATH = "/var/lib/webedge-https/firewalld.json"
RC_NOT_RUNNING = 252
RC_INVALID_ZONE = 112
_ZONE_NAME = re.compile(r"^[A-Za-z0-9_+-][A-Za-z0-9_.+-]{0,63}$")


@dataclass(frozen=True)
class FirewalldState:
    """What ``read()`` saw: both layers of the zone and the ownership file."""

    zone: str
    runtime: ZoneInfo
    permanent: ZoneInfo
    owned: Mapping[str, FrozenSet[Item]]
    state_text: Optional[str]

    @property
    def zone_owned(self) -> FrozenSet[Item]:
        return self.owned.get(self.zone, frozenset())

    def present(self, item: Item) -> bool:
        return item in self.runtime.items or item in self.permanent.items

    def foreign_cover(self, item: Item) -> Optional[Item]:
        """An entry not ours that already holds ``item`` (firewalld treats a port inside a range as present)."""
        if item in self.zone_owned:
            return None
        for info in (self.runtime, self.permanent):
            for other in info.items:
                if other in self.zone_owned:
                    continue
                if other == item:
                    return other
                if (
                    item.kind == other.kind == "port"
                    and other.protocol == item.protocol
                    and other.ports.first <= item.ports.first
                    and item.ports.last <= other.ports.last
                ):
                    return other
        return None

    def owned_present(self) -> Tuple[Item, ...]:
        return tuple(sorted(i for i in self.zone_owned if self.present(i)))


# ---------------------------------------------------------------------------
# commands


def list_all_argv(zone: Optional[str], permanent: bool = False) -> List[str]:
    argv = [CMD]
    if permanent:
        argv.append("--permanent")
    if zone:
        argv.append(f"--zone={zone}")
    argv.append("--list-all")
    return argv


def render_steps(
    zone: str,
    add: Sequence[Item],
    remove: Sequence[Tuple[Item, str]],
    permanent: bool,
) -> List[Step]:
    """At most four calls for one layer: add rich rules, remove ports, add ports, remove rich rules.

    ``remove`` pairs each item with the text firewalld shows for it (a rich
    rule is removed by its exact text). Ports are removed BEFORE ports are
    added: firewalld treats a port inside an existing range as already there
    (``ALREADY_ENABLED``), so splitting ``8000-8010`` into ``8000-8004`` and
    ``8006-8010`` only works in that order (seen with firewalld 1.3). Rich
    rules are matched exactly, so they are added first and removed last.
    """
    base = [CMD] + (["--permanent"] if permanent else []) + [f"--zone={zone}"]
    steps: List[Step] = []
    groups = (
        ("--add-rich-rule=", [i.text() for i in add if i.kind == "rich"]),
        ("--remove-port=", [t for i, t in remove if i.kind == "port"]),
        ("--add-port=", [i.text() for i in add if i.kind == "port"]),
        ("--remove-rich-rule=", [t for i, t in remove if i.kind == "rich"]),
    )
    for flag, values in groups:
        if values:
            steps.append(Step(tuple(base + [flag + v for v in values])))
    return steps


_INVERSE = {
    "--add-port=": "--remove-port=",
    "--remove-port=": "--add-port=",
    "--add-rich-rule=": "--remove-rich-rule=",
    "--remove-rich-rule=": "--add-rich-rule=",
}


def inverse_argv(argv: Sequence[str]) -> List[str]:
    """The call that undoes ``argv`` (a call of :func:`render_steps`): every add option a remove, and back."""
    out: List[str] = []
    for arg in argv:
        flag = next((f for f in _INVERSE if arg.startswith(f)), None)
        out.append(arg if flag is None else _INVERSE[flag] + arg[len(flag) :])
    return out


def _rules_of(items: Iterable[Item]) -> Tuple[Rule, ...]:
    return tuple(sorted({r for item in items for r in item.rules()}))


class FirewalldBackend(FirewallBackend):
    """firewalld via ``firewall-cmd``; see the module docstring for what we own and how."""

    name = "firewalld"
    has_facts = True

    @classmethod
    def probe(cls, runner: Runner) -> Detection:
        rc, out, err = runner.run([CMD, "--state"])
        if rc == 127:
            return Detection(cls.name, False, "firewall-cmd is not installed", available=False)
        state = (out or err).strip()
        if rc == 0 and state == "running":
            return Detection(cls.name, True, "firewalld is running (firewall-cmd --state)")
        return Detection(cls.name, False, f"firewalld is not running (firewall-cmd --state: {state or rc})")

    def _zone_option(self) -> Optional[str]:
        zone = self.options.zone
        if zone is not None and not _ZONE_NAME.match(zone):
            raise ValidationError(f"invalid firewalld zone {zone!r}: letters, digits, '_', '-', '+' and '.' only")
        return zone

    def _list(self, zone: Optional[str], permanent: bool) -> ZoneInfo:
        argv = list_all_argv(zone, permanent)
        rc, out, err = self.runner.run(argv)
        message = (err or out).strip()
        if rc == RC_INVALID_ZONE or "INVALID_ZONE" in message:
            raise FirewallError(f"firewalld zone {zone!r} does not exist; nothing was changed ({message})")
        if rc == RC_NOT_RUNNING:
            raise FirewallError(f"firewalld is not running; start it first ({message})")
        if rc != 0:
            raise FirewallError(f"firewalld: command {' '.join(argv)!r} failed (rc={rc}): {message}")
        return parse_list_all(out)

    @classmethod
    def readable(cls, detection: Detection) -> bool:
        return detection.active  # firewall-cmd lists zones only while firewalld runs

    def read(self, scope: ReadScope) -> Ruleset:
        zone = self._zone_option()
        runtime = self._list(zone, permanent=False)
        permanent = self._list(runtime.zone, permanent=True)
        state_text = self.files.read(STATE_PATH)
        state = FirewalldState(runtime.zone, runtime, permanent, parse_state(state_text), state_text)
        return Ruleset(rules=_rules_of(state.owned_present()), raw=state)

    def apply(self, plan: Plan) -> List[Dict[str, Any]]:
        """Run the calls, then write the ownership file; a call that fails after others ran undoes them."""
        done: List[Step] = []
        for step in plan.steps:
            rc, out, err = self.runner.run(list(step.argv), data=step.data)
            if rc != 0:
                message = f"{self.name}: command {' '.join(step.argv)!r} failed (rc={rc}): {(err or out).strip()}"
                raise FirewallError(message + self._undo(done))
            done.append(step)
        for item in plan.files:
            self.files.write(item.path, item.text, item.mode)
        return [step.as_dict() for step in done]

    def _undo(self, done: Sequence[Step]) -> str:
        """Reverse the calls that ran, last first; say what was done."""
        for step in reversed(done):
            argv = inverse_argv(step.argv)
            rc, out, err = self.runner.run(argv)
            if rc != 0:
                return (
                    f" (the {len(done)} call(s) before it were applied and could not all be undone: "
                    f"{' '.join(argv)!r} failed (rc={rc}): {(err or out).strip()}; check firewall-cmd --list-all)"
                )
        return f" (the {len(done)} call(s) before it were undone: the previous rules are back)" if done else ""

    def facts(self, current: Ruleset) -> Optional[Dict[str, Any]]:
        """The zone's filtering settings (runtime)."""
        state: FirewalldState = current.raw
        return describe_zone(state.runtime)

    def plan(self, desired: DesiredState, current: Ruleset) -> Plan:
        state: FirewalldState = current.raw
        owned_now = state.owned_present()
        current_rules = _rules_of(owned_now)
        add, remove = plan_rules(desired, current_rules)
        wanted = items_for_rules(neutral_after(current_rules, add, remove))

        notes: List[str] = []
        keep: Set[Item] = set()
        for item in wanted:
            cover = state.foreign_cover(item)
            if cover is None:
                keep.add(item)
            else:
                held = item.text() if cover == item else f"{item.text()} (inside {cover.text()})"
                notes.append(
                    f"{held} is already in firewalld zone {state.zone} but was not added by webedge.https; "
                    "left as it is and not claimed"
                )
        dropped = [i for i in owned_now if i not in keep]
        if not desired.persist:  # an owned permanent copy we do not touch stays ours
            keep.update(i for i in dropped if i in state.permanent.items)

        layers = [(state.runtime, False)] + ([(state.permanent, True)] if desired.persist else [])
        # A permanent item removed here (8000-8010 when 8005 is closed) is replaced there by what is left of it
        # (8000-8004, 8006-8010), although the task does not name those ports.
        replaced = [i for i in dropped if i in state.permanent.items]
        steps: List[Step] = []
        for info, permanent in layers:
            to_add = [
                i
                for i in sorted(keep)
                if i not in info.items
                and i in wanted
                and (not permanent or _concerns(i, desired) or any(_overlaps(i, r) for r in replaced))
            ]
            to_remove = [(i, info.items[i]) for i in dropped if i in info.items]
            steps.extend(render_steps(state.zone, to_add, to_remove, permanent))

        owned_after = dict(state.owned)
        owned_after[state.zone] = frozenset(keep)
        files: Tuple[FileWrite, ...] = ()
        if _state_differs(state.owned, owned_after):
            files = (FileWrite(STATE_PATH, render_state(owned_after)),)

        after_items = [i for i in keep if i in wanted]
        after_rules = _rules_of(after_items)
        return Plan(
            before=current_rules,
            after=after_rules,
            add=tuple(r for r in after_rules if r not in current_rules),
            remove=tuple(r for r in current_rules if r not in after_rules),
            steps=tuple(steps),
            files=files,
            notes=tuple(notes),
        )


def _concerns(item: Item, desired: DesiredState) -> bool:
    """Does the task talk about this item (same protocol, overlapping ports)? Only those are made permanent:
    a rule an earlier task opened with ``persist: false`` stays runtime-only until a task names it."""
    return item.protocol in desired.all_protocols and any(
        not (p.last < item.ports.first or p.first > item.ports.last) for p in desired.ports
    )


def _overlaps(item: Item, other: Item) -> bool:
    """Same kind, family, source and protocol, and overlapping ports."""
    return (item.kind, item.family, item.source, item.protocol) == (
        other.kind,
        other.family,
        other.source,
        other.protocol,
    ) and not (item.ports.last < other.ports.first or item.ports.first > other.ports.last)


def _state_differs(before: Mapping[str, FrozenSet[Item]], after: Mapping[str, FrozenSet[Item]]) -> bool:
    def clean(m: Mapping[str, FrozenSet[Item]]) -> Dict[str, FrozenSet[Item]]:
        return {k: v for k, v in m.items() if v}

    return clean(before) != clean(after)
