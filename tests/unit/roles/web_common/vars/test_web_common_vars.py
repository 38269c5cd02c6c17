# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/web_common/vars/main.yml: the restore plan of a run, from what begin.yml, the caller and
commit.yml registered (results as the modules return them: fixtures/restore_plan)."""

from __future__ import annotations

import json
import pathlib

from ansible_collections.webedge.https.tests.unit.helpers.roles import ROOT, load, render

REGISTERED = json.loads((ROOT / "tests" / "unit" / "fixtures" / "restore_plan" / "registered.json").read_text())
VARS = load("web_common", "vars/main.yml")


def plan(**registered):
    return render("{{ __web_common_plan }}", {**VARS, "web_common_written": [], **registered})


def test_a_run_that_only_got_to_the_certificates():
    steps = plan(__web_common_certificates=REGISTERED["certificates"])
    assert [pathlib.PurePath(s["path"]).name for s in steps] == ["site.key", "site.fullchain.pem"]
    assert all(s["backup"] for s in steps)


def test_a_run_that_failed_before_begin_registered_anything_puts_nothing_back():
    assert plan() == []


def test_the_whole_run_certificates_then_the_callers_files_then_removals():
    steps = plan(
        __web_common_certificates=REGISTERED["certificates"],
        web_common_written=[REGISTERED["written_loop"], REGISTERED["linked"]],
        __web_common_saved=REGISTERED["saved"],
        __web_common_unlinked=REGISTERED["unlinked"],
    )
    assert [pathlib.PurePath(s["path"]).name for s in steps] == [
        "site.key",
        "site.fullchain.pem",
        "new.conf",
        "changed.conf",
        "new.conf",
        "stale.conf",
        "stale.conf",
    ]
    assert [bool(s["backup"]) for s in steps] == [True, True, False, True, False, True, False]
    assert steps[-1]["link"] == "../available/stale.conf"


def changed(**registered):
    return render(
        "{{ __web_common_changed }}",
        {**VARS, "web_common_written": [], "web_common_rollback_commands": [], **registered},
    )


def test_the_configuration_is_tested_again_only_after_a_change():
    unchanged = {"changed": False, "results": [{"changed": False}]}
    assert changed() is False
    assert changed(__web_common_certificates=unchanged, web_common_written=[unchanged, {"skipped": True}]) is False
    assert changed(__web_common_certificates=REGISTERED["certificates"]) is True  # a certificate replaced
    assert changed(web_common_written=[unchanged, {"changed": True, "results": [{"changed": True}]}]) is True
    assert changed(__web_common_unlinked={"changed": True, "results": []}) is True  # the default site removed
    assert changed(web_common_rollback_commands=[{"argv": ["a2dismod", "-q", "-f", "http2"]}]) is True
