# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The nginx and apache roles run web_common's steps without its argument-spec validation task (one task
execution per step and host saved: rolespec_validate false, their own spec checks the input): so each caller
gives every required option of each step it runs, here, and imports every step (no include task per run)."""

from __future__ import annotations

from typing import Any, Dict, List, Set

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.roles import load

SPECS = load("web_common", "meta/argument_specs.yml")["argument_specs"]


def required(step: str) -> Set[str]:
    return {name for name, option in SPECS[step]["options"].items() if option.get("required")}


def steps(role: str) -> Dict[str, Dict[str, Any]]:
    """Each web_common step the role runs, with the variables it gets (the task's and its blocks', main.yml's block
    included: the files it imports and includes are walked with those variables)."""
    found: Dict[str, Dict[str, Any]] = {}

    def walk(items: List[Dict[str, Any]], inherited: Dict[str, Any]) -> None:
        for item in items or []:
            scope = {**inherited, **item.get("vars", {})}
            for block_key in ("block", "rescue", "always"):
                walk(item.get(block_key), scope)
            for key in ("ansible.builtin.import_tasks", "ansible.builtin.include_tasks"):
                if key in item:
                    walk(load(role, f"tasks/{item[key]}"), scope)
            for key in ("ansible.builtin.import_role", "ansible.builtin.include_role"):
                if key in item and item[key]["name"] == "webedge.https.web_common":
                    found.setdefault(item[key]["tasks_from"], []).append({"how": key, "args": item[key], "vars": scope})

    walk(load(role, "tasks/main.yml"), {})
    return found


@pytest.mark.parametrize("role", ["nginx", "apache"])
def test_every_step_gets_its_required_options_and_skips_only_the_spec_task(role):
    found = steps(role)
    assert set(found) == {"validate", "read", "begin", "commit", "rollback"}
    assert len(found["read"]) == 2  # first, and again after the package module (tasks/install.yml)
    for step, uses in found.items():
        for use in uses:
            assert required(step) <= set(use["vars"]), (role, step, required(step) - set(use["vars"]))
            assert use["args"]["rolespec_validate"] is False
            assert set(use["vars"]) - {"web_common_stapling_sites"} <= {
                name for spec in SPECS.values() for name in spec["options"]
            }, "a variable no entry point documents"
            # every step imported: no include task per run
            assert use["how"] == "ansible.builtin.import_role", (role, step)


@pytest.mark.parametrize("role", ["nginx", "apache"])
def test_the_callers_syntax_check_is_part_of_the_one_site_assert(role):
    """validate.yml of the caller is the one import of web_common's validate step (no assert task of its own): its check
    that no value carries configuration syntax is web_common_config_errors, failed by web_common's assert."""
    (only,) = load(role, "tasks/validate.yml")
    assert only["ansible.builtin.import_role"]["tasks_from"] == "validate"
    assert f"web_config_errors('{role}', '{role}_sites'" in only["vars"]["web_common_config_errors"]
    (check,) = load("web_common", "tasks/validate.yml")
    assert check["ansible.builtin.assert"]["that"] == ["__web_common_errors | length == 0"]
    # the caller's list only when the sites pass: its validator may assume well-formed sites
    assert check["vars"]["__web_common_errors"] == (
        "{{ __web_common_site_errors if __web_common_site_errors | length > 0 else web_common_config_errors }}"
    )
