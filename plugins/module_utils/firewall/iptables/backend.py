# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""iptables backend (both ``iptables-nft`` and ``iptables-legacy``; ``ip6tables`` for IPv6).

The saves are read through ``parse.py``, shared with the verdict evaluator.

What we own, per address family, in the ``filter`` table only:

* the chain ``WEBEDGE-HTTPS``, one ``-j ACCEPT`` rule per :class:`Rule`, each
  with ``-m comment --comment "webedge.https: <rule>"``;
* one jump ``-A INPUT -m comment --comment "webedge.https" -j WEBEDGE-HTTPS``,
  placed before the first unconditional ``DROP``/``REJECT`` of ``INPUT`` (or
  an unconditional jump to a chain that ends in one), else at its end. An
  accept after an unconditional ``REJECT`` never matches; an accept at the very
  top would bypass fail2ban bans and the admin's conditional drops, and fight
  fail2ban (which inserts its own jumps at the top) on every run.

Read: ``iptables-<variant>-save -t filter`` (and ``ip6tables-...``). Write: one
``iptables-<variant>-restore --noflush`` input per family that only declares
(and so rebuilds) our chain and adds/deletes our jump: Docker's
``DOCKER``/``DOCKER-USER`` chains, fail2ban's ``f2b-*`` chains and every other
rule stay byte-for-byte the same.

Persistence (``persist: true``): ``/etc/iptables/rules.v4`` / ``rules.v6``
(what ``netfilter-persistent`` loads at boot). An existing file is edited in
its ``*filter`` section only where our lines are (our chain declaration, our
rules, our jump); nothing else in it changes. A missing file is created from
the ``filter`` table as read now (with our change applied) - that is what
``netfilter-persistent save`` would write for that table; install
``iptables-persistent`` for it to be loaded at boot.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from ansible_collections.webedge.https.plugins.module_utils.firewall.backend import (
    COMMENT_MARK,
    Detection,
    FileWrite,
    FirewallBackend,
    Plan,
    Ruleset,
    Runner,
    Step,
    neutral_after,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.iptables.parse import (
    SaveRule,
    SaveTable,
    filter_table,
    split_rule,
)
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import (
    DesiredState,
    FirewallError,
    ReadScope,
    Rule,
    plan_rules,
)
from ansible_collections.webedge.https.plugins.module_utils.ports import PortRange

__all__ = [
    "CHAIN",
    "RULES_PATHS",
    "IptablesBackend",
    "family_state",
    "render_jump",
    "render_rule",
    "restore_input",
    "save_argv",
    "update_rules_file",
]

CHAIN = "WEBEDGE-HTTPS"
RULES_PATHS = {"ipv4": "/etc/iptables/rules.v4", "ipv6": "/etc/iptables/rules.v6"}
VARIANTS = ("nft", "legacy")
_BLOCKING = {"DROP", "REJECT"}
BUILTIN_CHAINS = {"INPUT", "FORWARD", "OUTPUT", "PREROUTING", "POSTROUTING"}


def _tool(family: str, variant: str, suffix: str) -> str:
    base = "iptables" if family == "ipv4" else "ip6tables"
    return f"{base}-{variant}{suffix}"


def save_argv(family: str, variant: str) -> Tuple[str, ...]:
    return (_tool(family, variant, "-save"), "-t", "filter")


def restore_argv(family: str, variant: str) -> Tuple[str, ...]:
    return (_tool(family, variant, "-restore"), "--noflush", "--wait", "10")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_rule(rule: Rule) -> str:
    """Our rule in iptables-save's own canonical spelling (so the save output matches it)."""
    parts = [f"-A {CHAIN}"]
    if rule.source is not None:
        parts.append(f"-s {rule.source}")
    dport = str(rule.ports.first) if rule.ports.count == 1 else f"{rule.ports.first}:{rule.ports.last}"
    parts.append(f"-p {rule.protocol} -m {rule.protocol} --dport {dport}")
    parts.append(f"-m comment --comment {_quote(COMMENT_MARK + ': ' + rule.describe())}")
    parts.append("-j ACCEPT")
    return " ".join(parts)


def render_jump(action: str = "-A INPUT") -> str:
    return f"{action} -m comment --comment {_quote(COMMENT_MARK)} -j {CHAIN}"


def _option(tokens: Sequence[str], *names: str) -> Optional[str]:
    for i, tok in enumerate(tokens[:-1]):
        if tok in names:
            return tokens[i + 1]
    return None


def parse_own_rule(rule: SaveRule, family: str) -> Optional[Rule]:
    """One line of our chain back into a :class:`Rule` (None: not a shape we write)."""
    if rule.line != rule.line.strip() or rule.target != "ACCEPT":
        return None
    comment = _option(rule.tokens, "--comment") or ""
    if not comment.startswith(COMMENT_MARK):
        return None
    protocol = _option(rule.tokens, "-p", "--protocol")
    dport = _option(rule.tokens, "--dport", "--destination-port")
    if protocol not in ("tcp", "udp") or dport is None:
        return None
    first, last = ([*dport.split(":", 1), ""])[:2]
    if not first.isdigit() or (last and not last.isdigit()):
        return None
    source = _option(rule.tokens, "-s", "--source")
    try:
        parsed = Rule(family, protocol, PortRange(int(first), int(last or first)), source)
    except FirewallError:
        return None
    return parsed if render_rule(parsed) == rule.line else None


def _blocking_chains(table: SaveTable) -> Set[str]:
    blocking: Set[str] = set()
    changed = True
    while changed:
        changed = False
        for chain in table.chains:
            if chain in blocking or chain == CHAIN:
                continue
            for rule in table.chain_rules(chain):
                if rule.unconditional and (rule.target in _BLOCKING or rule.target in blocking):
                    blocking.add(chain)
                    changed = True
                    break
    return blocking


@dataclass(frozen=True)
class FamilyState:
    """What we read for one address family."""

    family: str
    table: SaveTable
    own_chain: bool
    own_rules: Tuple[Rule, ...]
    own_unparsed: int
    jumps: Tuple[int, ...]  # indexes of our jumps among INPUT's rules
    block_index: Optional[int]  # first unconditional blocking rule among INPUT's non-jump rules
    jump_ok: bool
    rules_file: Optional[str] = None
    save_text: str = ""


def family_state(family: str, text: str) -> FamilyState:
    table = filter_table(text)
    own = table.chain_rules(CHAIN)
    parsed = [parse_own_rule(r, family) for r in own]
    input_rules = table.chain_rules("INPUT")
    jumps = tuple(i for i, r in enumerate(input_rules) if r.target == CHAIN)
    blocking = _blocking_chains(table)
    others = [r for r in input_rules if r.target != CHAIN]
    block_index = next(
        (i for i, r in enumerate(others) if r.unconditional and (r.target in _BLOCKING or r.target in blocking)),
        None,
    )
    jump_ok = len(jumps) == 1 and input_rules[jumps[0]].line == render_jump()
    if jump_ok and block_index is not None:
        jump_ok = jumps[0] <= block_index  # before the first blocking rule
    return FamilyState(
        family=family,
        table=table,
        own_chain=CHAIN in table.chains,
        own_rules=tuple(p for p in parsed if p is not None),
        own_unparsed=sum(1 for p in parsed if p is None),
        jumps=jumps,
        block_index=block_index,
        jump_ok=jump_ok,
        save_text=text,
    )


# ---------------------------------------------------------------------------
# planning


def restore_input(state: FamilyState, wanted: Sequence[Rule]) -> str:
    """The ``iptables-restore --noflush`` input that makes our chain and jump match ``wanted`` ("" if none)."""
    wanted = sorted(wanted)
    chain_ok = state.own_chain and list(state.own_rules) == wanted and state.own_unparsed == 0
    lines: List[str] = []
    if wanted:
        if not chain_ok:
            lines.append(f":{CHAIN} - [0:0]")  # with --noflush, declaring our chain (re)creates it empty
            lines.extend(render_rule(r) for r in wanted)
        if not state.jump_ok:
            lines.extend(f"-D INPUT {i + 1}" for i in reversed(state.jumps))
            if state.block_index is not None:
                lines.append(render_jump(f"-I INPUT {state.block_index + 1}"))
            else:
                lines.append(render_jump("-A INPUT"))
    elif state.own_chain or state.jumps:
        lines.extend(f"-D INPUT {i + 1}" for i in reversed(state.jumps))
        if state.own_chain:
            lines.extend([f"-F {CHAIN}", f"-X {CHAIN}"])
    if not lines:
        return ""
    return "*filter\n" + "".join(line + "\n" for line in lines) + "COMMIT\n"


def _is_ours(line: str) -> bool:
    text = line.strip()
    return text.startswith(f":{CHAIN} ") or text.startswith(f"-A {CHAIN} ") or text == render_jump()


def update_rules_file(text: str, wanted: Sequence[Rule]) -> str:
    """A netfilter-persistent rules file with only our lines replaced (pure, deterministic)."""
    lines = [line for line in text.splitlines() if not _is_ours(line)]
    if not wanted:
        return "\n".join(lines) + "\n" if lines else ""
    if "*filter" not in [line.strip() for line in lines]:
        lines.extend(["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", "COMMIT"])
    start = [line.strip() for line in lines].index("*filter")
    end = next(i for i in range(start, len(lines)) if lines[i].strip() == "COMMIT")
    section = filter_table("\n".join(lines[start : end + 1]))
    blocking = _blocking_chains(section)
    # iptables-save order: built-in chains, then user chains sorted by name; rules grouped the same way
    decl_at: Optional[int] = None
    last_decl = start
    rules_at: Optional[int] = None
    input_lines: List[int] = []
    block_at: Optional[int] = None
    for i in range(start + 1, end):
        stripped = lines[i].strip()
        if stripped.startswith(":"):
            name = stripped[1:].split(" ", 1)[0]
            last_decl = i
            if decl_at is None and name not in BUILTIN_CHAINS and name > CHAIN:
                decl_at = i
        elif stripped.startswith("-A "):
            name = stripped.split(" ", 2)[1]
            if rules_at is None and name not in BUILTIN_CHAINS and name > CHAIN:
                rules_at = i
            if name == "INPUT":
                input_lines.append(i)
                rule = SaveRule("INPUT", stripped, split_rule(stripped))
                if block_at is None and rule.unconditional and (rule.target in _BLOCKING or rule.target in blocking):
                    block_at = i
    jump_at = block_at if block_at is not None else (input_lines[-1] + 1 if input_lines else end)
    inserts = [
        (rules_at if rules_at is not None else end, 0, [render_rule(r) for r in sorted(wanted)]),
        (jump_at, 1, [render_jump()]),
        (decl_at if decl_at is not None else last_decl + 1, 2, [f":{CHAIN} - [0:0]"]),
    ]
    # bottom up so earlier indexes stay valid; at one index the jump ends up above our rules
    for index, _order, new in sorted(inserts, key=lambda item: (-item[0], item[1])):
        lines[index:index] = new
    return "\n".join(lines) + "\n"


LEGACY_TABLE_NAMES = {"ipv4": "/proc/net/ip_tables_names", "ipv6": "/proc/net/ip6_tables_names"}


def _legacy_tables_exist(runner: Runner) -> bool:
    """Legacy (x_tables) tables exist in this netns: the kernel lists them in /proc, read side-effect free."""
    for path in LEGACY_TABLE_NAMES.values():
        rc, out = runner.run(["cat", path])[:2]
        if rc == 0 and "filter" in out.split():
            return True
    return False


def _legacy_installed(runner: Runner) -> bool:
    rc = runner.run(["iptables-legacy", "--version"])[0]
    return rc != 127


class IptablesBackend(FirewallBackend):
    name = "iptables"

    @classmethod
    def probe(cls, runner: Runner) -> Detection:
        found: Dict[str, bool] = {}
        reasons: List[str] = []
        for variant in VARIANTS:
            has = False
            if variant == "legacy" and not _legacy_tables_exist(runner):
                # iptables-legacy-save would create empty legacy tables (and load ip_tables): don't probe
                if _legacy_installed(runner):
                    found.setdefault(variant, False)
                continue
            for family in ("ipv4", "ipv6"):
                rc, out, err = runner.run(list(save_argv(family, variant)))
                if rc == 127:
                    break
                if rc != 0:
                    reasons.append(f"{save_argv(family, variant)[0]} failed: {(err or out).strip()}")
                    continue
                found.setdefault(variant, False)
                if filter_table(out).has_rules:
                    has = True
                    reasons.append(f"{save_argv(family, variant)[0]} shows filter rules")
            if has:
                found[variant] = True
        if not found:
            return Detection(cls.name, False, "iptables is not installed", available=False)
        active = [v for v in VARIANTS if found.get(v)]
        if len(active) == 1:
            return Detection(cls.name, True, "; ".join(reasons), variant=active[0])
        rc, out = runner.run(["iptables", "-V"])[:2]
        default = "legacy" if "legacy" in out else "nft" if rc == 0 and "nf_tables" in out else None
        if default is None:
            default = next(iter(found))
        if active:  # both variants hold rules: follow the `iptables` alternative
            why = "; ".join(reasons) + f"; both variants hold rules, using {default} (iptables -V)"
            return Detection(cls.name, True, why, variant=default)
        return Detection(cls.name, False, f"no iptables filter rules (iptables -V: {out.strip()})", variant=default)

    def _variant(self) -> str:
        if self.options.variant in VARIANTS:
            return str(self.options.variant)
        rc, out = self.runner.run(["iptables", "-V"])[:2]
        return "legacy" if rc == 0 and "legacy" in out else "nft"

    def read(self, scope: ReadScope) -> Ruleset:
        variant = self._variant()
        states: List[FamilyState] = []
        for family in ("ipv4", "ipv6"):
            argv = save_argv(family, variant)
            rc, out, err = self.runner.run(list(argv))
            if rc != 0:
                if family == "ipv6" and "ipv6" not in scope.families:
                    continue  # no IPv6 stack and none asked for
                raise FirewallError(f"iptables: {' '.join(argv)!r} failed (rc={rc}): {(err or out).strip()}")
            state = family_state(family, out)
            if scope.persist:
                state = replace(state, rules_file=self.files.read(RULES_PATHS[family]))
            states.append(state)
        rules = tuple(sorted(r for s in states for r in s.own_rules))
        return Ruleset(rules=rules, raw=(variant, tuple(states)))

    def plan(self, desired: DesiredState, current: Ruleset) -> Plan:
        variant, states = current.raw
        add, remove = plan_rules(desired, current.rules)
        after = neutral_after(current.rules, add, remove)
        steps: List[Step] = []
        files: List[FileWrite] = []
        notes: List[str] = []
        for state in states:
            wanted = [r for r in after if r.family == state.family]
            script = restore_input(state, wanted)
            if script:
                steps.append(Step(restore_argv(state.family, variant), script))
            if desired.persist:
                base = state.rules_file
                if base is None:
                    if not wanted:
                        continue
                    base = "\n".join(
                        line for line in state.save_text.splitlines() if line.strip() and not line.startswith("#")
                    )
                    notes.append(f"{RULES_PATHS[state.family]} created; install iptables-persistent to load it at boot")
                new = update_rules_file(base, wanted)
                if new != state.rules_file:
                    files.append(FileWrite(RULES_PATHS[state.family], new, 0o640))
        if not any(s.family == "ipv6" for s in states) and any(r.family == "ipv6" for r in after):
            raise FirewallError("iptables: ip6tables is not usable here; use family: ipv4")
        return Plan(
            before=current.rules,
            after=after,
            add=add,
            remove=remove,
            steps=tuple(steps),
            files=tuple(files),
            notes=tuple(notes),
        )

    def apply(self, plan: Plan) -> List[Dict[str, Any]]:
        """Run one restore per family, then write the files. When a restore fails after another family's
        restore ran (ip6tables-restore failing after iptables-restore succeeded), that family gets our
        previous rules back: a failed change never leaves IPv4 changed and IPv6 not."""
        done: List[Step] = []
        for step in plan.steps:
            rc, out, err = self.runner.run(list(step.argv), data=step.data)
            if rc != 0:
                message = f"{self.name}: command {' '.join(step.argv)!r} failed (rc={rc}): {(err or out).strip()}"
                raise FirewallError(message + self._undo(done, plan.before))
            done.append(step)
        for item in plan.files:
            self.files.write(item.path, item.text, item.mode)
        return [step.as_dict() for step in done]

    def _undo(self, done: Sequence[Step], before: Sequence[Rule]) -> str:
        """Put our chain and jump back as they were in the families whose restore ran; say what was done."""
        families = []
        for step in reversed(done):
            tool, variant = step.argv[0].split("-")[:2]  # iptables-legacy-restore, ip6tables-nft-restore
            family = "ipv6" if tool == "ip6tables" else "ipv4"
            rc, out = self.runner.run(list(save_argv(family, variant)))[:2]
            script = restore_input(family_state(family, out), [r for r in before if r.family == family])
            if rc != 0 or (script and self.runner.run(list(restore_argv(family, variant)), data=script)[0] != 0):
                return f" ({family} was changed and could not be put back; check the chain {CHAIN})"
            families.append(family)
        return f" (the previous {' and '.join(families)} rules were put back)" if families else ""
