# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The conventions every role of the collection follows, checked on every role's files.

* Variables: public ``<role>_<name>`` (defaults/, meta/argument_specs.yml), private ``__<role>_<name>``
  (vars/, set_fact, register, task and block vars, loop variables). Nothing else, except the
  variables a task hands to a role it includes (that role's public names) and the facts a role sets
  for its callers (``<role>_<name>``, named in its README).
* Every public variable documented with its default; every argument spec entry shaped alike.
* Every notify names a handler of the role; every module is fully qualified, from a declared collection.
* A role's tasks/validate.yml (bad input fails before any change) is the first thing main.yml imports.
* A README per role that says what it does and where its variables are documented.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterator, List, Set, Tuple

import pytest
import yaml

from ansible_collections.webedge.https.tests.unit.helpers.roles import ROLE_NAMES, ROLES, ROOT, load, tasks

# Roles not checked yet (none: every role follows the conventions).
PENDING: Set[str] = set()
CHECKED = [r for r in ROLE_NAMES if r not in PENDING]

# Names outside the convention, each with its reason.
EXCEPTIONS = {
    # the contract with compliance_report (its results_var default), hence no role prefix
    ("compliance", "webedge_https_compliance"),
}
TASK_KEYWORDS_WITH_ROLES = ("ansible.builtin.include_role", "ansible.builtin.import_role")


def _included_roles(item: Dict[str, Any]) -> Set[str]:
    """Short names of the roles a task includes, or that a block's tasks include."""
    found: Set[str] = set()
    for key in TASK_KEYWORDS_WITH_ROLES:
        if key in item:
            found.add(str(item[key]["name"]).rsplit(".", maxsplit=1)[-1])
    for key in ("block", "rescue", "always"):
        for child in item.get(key) or []:
            found |= _included_roles(child)
    return found


def defined_names(role: str) -> Iterator[Tuple[str, str, str]]:
    """(kind, name, allowed public prefix or "") of every variable the role's files define."""
    for name in (load(role, "vars/main.yml") if (ROLES / role / "vars" / "main.yml").is_file() else None) or {}:
        yield "vars/main.yml", name, ""
    for handlers in (False, True):
        for item in tasks(role, handlers=handlers):
            included = _included_roles(item)
            for name in item.get("vars") or {}:
                yield f"vars of {item.get('name')!r}", name, "|".join(sorted(included))
            for name in item.get("ansible.builtin.set_fact") or {}:
                # a templated name is the caller's (web_common_forget: test_web_common_callers.py checks them)
                if name != "cacheable" and "{{" not in name:
                    yield f"set_fact {item['name']!r}", name, role
            if "register" in item:
                yield f"register of {item['name']!r}", item["register"], ""
            control = item.get("loop_control") or {}
            for key in ("loop_var", "index_var"):
                if key in control:
                    yield f"{key} of {item['name']!r}", control[key], ""


@pytest.mark.parametrize("role", CHECKED)
def test_every_variable_a_role_defines_carries_its_prefix(role):
    wrong = []
    for where, name, public in defined_names(role):
        if (role, name) in EXCEPTIONS or name.startswith(f"__{role}_"):
            continue
        if public and any(name.startswith(f"{prefix}_") for prefix in public.split("|")):
            continue
        wrong.append(f"{where}: {name}")
    assert wrong == []


@pytest.mark.parametrize("role", CHECKED)
def test_facts_a_role_sets_for_its_caller_are_named_in_its_readme(role):
    readme = (ROLES / role / "README.md").read_text()
    outputs = {n for w, n, p in defined_names(role) if w.startswith("set_fact") and not n.startswith("__")}
    assert [n for n in sorted(outputs) if f"`{n}`" not in readme] == []


def _options(role: str) -> Dict[str, Dict[str, Dict[str, Any]]]:
    return {
        entry: spec.get("options") or {}
        for entry, spec in load(role, "meta/argument_specs.yml")["argument_specs"].items()
    }


@pytest.mark.parametrize("role", CHECKED)
def test_public_variables_are_defaults_documented_with_the_same_value(role):
    defaults = load(role, "defaults/main.yml") or {}
    entries = _options(role)
    assert all(name.startswith(f"{role}_") for name in defaults)
    documented: Dict[str, Any] = {}
    for entry, options in entries.items():
        for name, option in options.items():
            assert name.startswith(f"{role}_"), f"{entry}: {name}"
            if name in defaults:
                assert option.get("default") == defaults[name], f"{entry}: {name}"
            else:
                assert option.get("required") is True, f"{entry}: {name} has neither a default nor required: true"
            documented[name] = option
    assert sorted(set(defaults) - set(documented)) == []
    if set(entries) == {"main"}:
        assert set(entries["main"]) >= set(defaults)


@pytest.mark.parametrize("role", CHECKED)
def test_argument_spec_entries_have_one_shape(role):
    for entry, spec in load(role, "meta/argument_specs.yml")["argument_specs"].items():
        assert isinstance(spec["short_description"], str) and spec["short_description"], entry
        assert isinstance(spec.get("description"), list) and spec["description"], entry
        assert spec.get("author"), entry

        def check(options: Dict[str, Any], where: str) -> None:
            for name, option in options.items():
                assert option.get("description"), f"{where}{name}"
                assert option.get("type"), f"{where}{name}"
                check(option.get("options") or {}, f"{where}{name}.")

        check(spec.get("options") or {}, f"{entry}: ")


@pytest.mark.parametrize("role", CHECKED)
def test_every_notify_names_a_handler_of_the_role(role):
    handlers = list(tasks(role, handlers=True)) if (ROLES / role / "handlers" / "main.yml").is_file() else []
    names = {h["name"] for h in handlers} | {h.get("listen") for h in handlers if h.get("listen")}
    notified: List[str] = []
    for item in tasks(role):
        notify = item.get("notify", [])
        notified.extend([notify] if isinstance(notify, str) else notify)
        if "web_common_handler" in (item.get("vars") or {}):
            notified.append(item["vars"]["web_common_handler"])
    literal = [n for n in notified if "{{" not in n]
    assert sorted(set(literal) - names) == []
    # only the shared steps notify a handler they are given
    assert role == "web_common" or literal == notified


@pytest.mark.parametrize("role", CHECKED)
def test_every_module_is_fully_qualified_and_from_a_declared_collection(role):
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())
    allowed = {"ansible.builtin", "webedge.https", *galaxy.get("dependencies", {})}
    keywords = {"name", "block", "rescue", "always", "vars", "when", "loop", "loop_control", "register", "notify"}
    for handlers in (False, True):
        for item in tasks(role, handlers=handlers):
            if "block" in item:
                continue
            actions = [k for k in item if k not in keywords and "." in k]
            assert len(actions) == 1, (item.get("name"), actions)
            assert actions[0].count(".") == 2 and actions[0].rsplit(".", 1)[0] in allowed, actions[0]


# web_common's validate.yml is a step the web server roles include from theirs.
@pytest.mark.parametrize("role", [r for r in CHECKED if r != "web_common"])
def test_validate_is_imported_before_anything_else_happens(role):
    main = load(role, "tasks/main.yml")
    assert (ROLES / role / "tasks" / "validate.yml").is_file()
    imports = [i for i, t in enumerate(main) if t.get("ansible.builtin.import_tasks") == "validate.yml"]
    assert len(imports) == 1
    # before it, only facts about the host (no module that reads or changes it)
    assert all("ansible.builtin.set_fact" in t for t in main[: imports[0]])
    text = (ROLES / role / "tasks" / "validate.yml").read_text()
    assert re.search(r"^# .*(fails here|before)", text, re.MULTILINE), "validate.yml says what it is for"
    modules = {k for t in tasks(role, "validate.yml") for k in t if k.count(".") == 2}
    assert modules <= {
        "ansible.builtin.assert",
        "ansible.builtin.include_role",
        "ansible.builtin.import_role",
        "ansible.windows.setup",
    }


@pytest.mark.parametrize("role", CHECKED)
def test_every_role_has_a_readme_that_says_what_it_does_and_where_its_variables_are(role):
    text = (ROLES / role / "README.md").read_text()
    lines = text.splitlines()
    assert lines[0] == f"# webedge.https.{role}"
    assert len(lines[2]) > 40  # a first paragraph
    assert "meta/argument_specs.yml" in text or "docs/reference" in text


def test_every_role_is_checked_but_the_pending_ones():
    assert set(CHECKED) | PENDING == set(ROLE_NAMES) and {"apache", "compliance", "iis", "nginx", "web_common"} <= set(
        CHECKED
    )
