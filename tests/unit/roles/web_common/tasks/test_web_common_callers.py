# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The nginx and apache roles run web_common's steps without its argument-spec validation task (one task
execution per step and host saved: rolespec_validate false, their own spec checks the input): so each caller
gives every required option of each step it runs, here, and imports begin, commit and rollback (no include
task per run)."""

from __future__ import annotations

from typing import Any, Dict, Set

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.roles import load

SPECS = load("web_common", "meta/argument_specs.yml")["argument_specs"]


def required(step: str) -> Set[str]:
    return {name for name, option in SPECS[step]["options"].items() if option.get("required")}


def steps(role: str) -> Dict[str, Dict[str, Any]]:
    """Each web_common step the role runs, with the variables it gets (the task's and its block's)."""
    found: Dict[str, Dict[str, Any]] = {}
    for file in ("validate.yml", "apply.yml"):
        for item in load(role, f"tasks/{file}"):
            for block_key in ("block", "rescue"):
                for inner in item.get(block_key) or []:
                    for key in ("ansible.builtin.import_role", "ansible.builtin.include_role"):
                        if key in inner and inner[key]["name"] == "webedge.https.web_common":
                            found[inner[key]["tasks_from"]] = {
                                "how": key,
                                "args": inner[key],
                                "vars": {**item.get("vars", {}), **inner.get("vars", {})},
                            }
            for key in ("ansible.builtin.import_role", "ansible.builtin.include_role"):
                if key in item and item[key]["name"] == "webedge.https.web_common":
                    found[item[key]["tasks_from"]] = {"how": key, "args": item[key], "vars": item.get("vars", {})}
    return found


@pytest.mark.parametrize("role", ["nginx", "apache"])
def test_every_step_gets_its_required_options_and_skips_only_the_spec_task(role):
    found = steps(role)
    assert set(found) == {"validate", "begin", "commit", "rollback"}
    for step, use in found.items():
        assert required(step) <= set(use["vars"]), (role, step, required(step) - set(use["vars"]))
        assert use["args"]["rolespec_validate"] is False
        assert set(use["vars"]) - {"web_common_stapling_sites"} <= {
            name for spec in SPECS.values() for name in spec["options"]
        }, "a variable no entry point documents"
    for step in ("begin", "commit", "rollback"):
        assert found[step]["how"] == "ansible.builtin.import_role", (role, step)
