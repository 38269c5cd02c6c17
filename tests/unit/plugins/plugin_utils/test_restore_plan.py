# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The restore plan, built from results the modules really returned (fixtures/restore_plan/registered.json,
captured by capture.yml next to it): every file the run wrote or removed comes back, nothing else."""

from __future__ import annotations

import copy
import json
import pathlib
from typing import Any, Dict

import pytest

from ansible_collections.webedge.https.plugins.plugin_utils.restore_plan import (
    RestorePlanError,
    RestoreStep,
    restore_plan,
    restore_steps,
)

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "restore_plan"
BASE = "/tmp/webedge-restore-plan"


@pytest.fixture(scope="module")
def registered() -> Dict[str, Any]:
    return json.loads((FIXTURES / "registered.json").read_text())


def backup_of(result: Dict[str, Any], path: str) -> str:
    return result["backup_files"][path]


def test_certificate_files_that_changed_come_back_from_their_backups(registered):
    # Given the second install of a certificate (new certificate and key, same chain)
    cert = registered["certificates"]["results"][0]
    # When the plan is built
    steps = restore_steps([registered["certificates"]])
    # Then the key and the full chain are put back from their copies, the unchanged chain is left alone
    assert steps == [
        RestoreStep(f"{BASE}/tls/site.key", backup_of(cert, f"{BASE}/tls/site.key")),
        RestoreStep(f"{BASE}/tls/site.fullchain.pem", backup_of(cert, f"{BASE}/tls/site.fullchain.pem")),
    ]
    assert all(step.backup.startswith(step.path + ".") for step in steps)


def test_written_files_new_ones_are_removed_replaced_ones_restored_unchanged_ones_ignored(registered):
    loop = registered["written_loop"]["results"]
    steps = restore_steps([registered["written_loop"], registered["written_single"]])
    assert steps == [
        RestoreStep(f"{BASE}/conf/new.conf"),  # did not exist: removed
        RestoreStep(f"{BASE}/conf/changed.conf", loop[2]["backup_file"]),  # same.conf did not change
        RestoreStep(f"{BASE}/conf/single.conf"),  # a single task's result, not a loop
    ]


def test_a_new_link_is_removed(registered):
    assert restore_steps([registered["linked"]]) == [RestoreStep(f"{BASE}/enabled/new.conf")]


def test_removed_files_come_back_from_their_saved_copies_and_removed_links_are_relinked(registered):
    steps = restore_steps([], saved=registered["saved"], unlinked=registered["unlinked"])
    assert steps == [
        RestoreStep(f"{BASE}/available/stale.conf", backup=f"{BASE}/available/stale.conf.webedge-saved~"),
        RestoreStep(f"{BASE}/enabled/stale.conf", link="../available/stale.conf"),
    ]


def test_skipped_tasks_and_empty_loops_add_nothing(registered):
    assert restore_steps([registered["skipped"], registered["empty_loop"], None], saved={}, unlinked=None) == []


def test_a_loop_that_failed_half_way_gives_back_what_it_wrote(registered):
    # The first item was written (a new file); the second failed and wrote nothing.
    assert restore_steps([registered["failed_loop"]]) == [RestoreStep(f"{BASE}/conf/partial.conf")]


def test_check_mode_predictions_that_name_no_file_add_nothing(registered):
    # copy and template in check mode report the change of a new or replaced file without naming it;
    # file (state=link) names the link it would make: the rollback, in check mode too, changes nothing.
    assert restore_steps([registered["check_mode_written"]]) == []
    assert restore_steps([registered["check_mode_linked"]]) == [RestoreStep(f"{BASE}/enabled/check-new.conf")]


def test_a_saved_copy_that_failed_is_not_restored(registered):
    saved = copy.deepcopy(registered["saved"])
    saved["results"][0] = {"failed": True, "item": f"{BASE}/available/stale.conf", "msg": "No space left"}
    assert restore_steps([], saved=saved) == []


def test_the_whole_run_in_order_as_dicts(registered):
    plan = restore_plan(
        [registered["certificates"], registered["written_loop"], registered["written_single"], registered["linked"]],
        saved=registered["saved"],
        unlinked=registered["unlinked"],
    )
    assert [step["path"].replace(BASE, "") for step in plan] == [
        "/tls/site.key",
        "/tls/site.fullchain.pem",
        "/conf/new.conf",
        "/conf/changed.conf",
        "/conf/single.conf",
        "/enabled/new.conf",
        "/available/stale.conf",
        "/enabled/stale.conf",
    ]
    assert all(set(step) == {"path", "backup", "link"} for step in plan)
    # what the roles loop over: copies to put back, links to recreate, files to remove
    assert len([s for s in plan if s["backup"]]) == 4
    assert len([s for s in plan if s["link"]]) == 1
    assert len([s for s in plan if not s["backup"] and not s["link"]]) == 3


@pytest.mark.parametrize(
    ("written", "saved", "unlinked", "message"),
    [
        ({"changed": True, "dest": "/x"}, None, None, "written: expected a list of registered results, got dict"),
        ("results", None, None, "written: expected a list of registered results, got str"),
        (["/etc/nginx/x.conf"], None, None, r"written\[0\]: expected a registered result \(a dict\), got str"),
        ([{"results": "none"}], None, None, r"written\[0\]: 'results' must be a list, got str"),
        ([{"results": [1]}], None, None, r"written\[0\]\.results\[0\]: expected a dict, got int"),
        ([], {"results": [{"dest": "/x~", "item": {"path": "/x"}}]}, None, "saved: the item of a saved copy"),
        ([], None, {"results": [{"changed": True, "item": "/x"}]}, r"unlinked: the item of a removed link"),
    ],
)
def test_results_of_another_shape_are_refused_with_what_is_wrong(written, saved, unlinked, message):
    with pytest.raises(RestorePlanError, match=message):
        restore_steps(written, saved=saved, unlinked=unlinked)
