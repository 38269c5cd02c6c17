# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/web_common/tasks/commit.yml: nothing is removed without a copy, the whole configuration is
tested after every change and not in check mode, and the copies go only after a passing test."""

from __future__ import annotations

from ansible_collections.webedge.https.tests.unit.helpers.roles import task, tasks

NAMES = [t["name"] for t in tasks("web_common", "commit.yml")]


def test_the_order_copy_remove_unlink_test_then_drop_the_copies():
    assert NAMES == [
        "Keep a copy of the files about to be removed",
        "Remove the files no longer wanted",
        "Remove the symbolic links no longer wanted",
        "Look for files the server has not loaded yet (written after its last reload by this role)",
        "Test the whole configuration with {{ web_common_test_command | join(' ') }}",
        "Remove the copies kept for a rollback",
    ]


def test_only_files_whose_copy_was_made_are_removed():
    copy = task("web_common", "commit.yml", "Keep a copy of the files about to be removed")
    assert copy["register"] == "__web_common_saved"
    assert copy["ansible.builtin.copy"]["remote_src"] is True and copy["ansible.builtin.copy"]["mode"] == "preserve"
    remove = task("web_common", "commit.yml", "Remove the files no longer wanted")
    assert remove["loop"] == "{{ __web_common_saved.results }}"
    assert remove["ansible.builtin.file"] == {"path": "{{ item.item }}", "state": "absent"}


def test_the_test_runs_the_callers_command_as_argv_only_after_a_change_and_not_in_check_mode():
    test = task("web_common", "commit.yml", NAMES[4])
    assert test["ansible.builtin.command"] == {"argv": "{{ web_common_test_command }}"}
    assert test["when"] == "not ansible_check_mode and (__web_common_changed or __web_common_unloaded is changed)"
    assert test["changed_when"] is False
    assert "failed_when" not in test  # a failing test fails the block: the caller's rescue rolls back


def test_the_copies_go_after_a_real_passing_run_unless_kept():
    drop = task("web_common", "commit.yml", "Remove the copies kept for a rollback")
    assert drop["loop"] == "{{ __web_common_plan | selectattr('backup') | list }}"
    assert drop["when"] == "not web_common_keep_backups and not ansible_check_mode"


def test_every_removal_notifies_the_callers_handler():
    for name in NAMES[1:3]:
        assert task("web_common", "commit.yml", name)["notify"] == "{{ web_common_handler }}"
