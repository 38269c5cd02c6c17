# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/web_common/tasks/commit.yml (with remove.yml and test.yml, which it includes): nothing is removed
without a copy, the whole configuration is tested after every change and not in check mode, and the copies
go only after a passing test. A converged host runs one skipped include (commit_changes.yml holds the steps)."""

from __future__ import annotations

from ansible_collections.webedge.https.tests.unit.helpers.roles import render, task, tasks

(COMMIT,) = list(tasks("web_common", "commit.yml"))
NAMES = [t["name"] for t in tasks("web_common", "commit_changes.yml")]
REMOVE = task("web_common", "commit_changes.yml", NAMES[0])
TEST = task("web_common", "commit_changes.yml", NAMES[3])


def test_the_order_remove_then_test_and_drop_the_copies_behind_one_include():
    # the read (read.yml) is the caller's own first step, before anything is written: not part of begin.yml
    assert all("read.yml" not in str(t) for t in tasks("web_common", "begin.yml"))
    assert COMMIT["ansible.builtin.include_tasks"] == "commit_changes.yml"
    assert [t["name"] for t in tasks("web_common", "read.yml")] == [
        "Look for files the server has not loaded yet (written after its last reload by this role)"
    ]
    assert NAMES == [
        "Remove the files and links no longer wanted, keeping a copy of each file",
        "Remove the copies of the managed files that an earlier run left behind",
        "Create the ACME challenge directories and the document roots",
        "Test the whole configuration and drop the copies kept for a rollback, with"
        " {{ web_common_test_command | join(' ') }}",
    ]
    assert REMOVE["ansible.builtin.include_tasks"] == "remove.yml"
    assert TEST["ansible.builtin.include_tasks"] == "test.yml"
    assert [t["name"] for t in tasks("web_common", "remove.yml")] == [
        "Keep a copy of the files about to be removed",
        "Remove the files no longer wanted",
        "Remove the symbolic links no longer wanted",
    ]
    assert [t["name"] for t in tasks("web_common", "test.yml")] == [
        "Test the whole configuration with {{ web_common_test_command | join(' ') }}",
        "Remove the copies kept for a rollback",
    ]


def test_the_removal_steps_run_only_when_something_is_to_be_removed():
    def included(files, links):
        return render(
            "{{ " + REMOVE["when"] + " }}", {"web_common_remove_files": files, "web_common_remove_links": links}
        )

    assert included([], []) is False
    assert included(["/etc/nginx/conf.d/webedge-site-old.conf"], []) is True
    assert included([], [{"path": "/etc/nginx/sites-enabled/default", "link": "/x"}]) is True


def test_only_files_whose_copy_was_made_are_removed():
    copy = task("web_common", "remove.yml", "Keep a copy of the files about to be removed")
    assert copy["register"] == "__web_common_saved"
    assert copy["ansible.builtin.copy"]["remote_src"] is True and copy["ansible.builtin.copy"]["mode"] == "preserve"
    remove = task("web_common", "remove.yml", "Remove the files no longer wanted")
    assert remove["loop"] == "{{ __web_common_saved.results }}"
    assert remove["ansible.builtin.file"] == {"path": "{{ item.item }}", "state": "absent"}


def test_the_steps_are_included_only_when_one_of_them_has_something_to_do():
    quiet = {
        "web_common_remove_files": [],
        "web_common_remove_links": [],
        "web_common_keep_backups": False,
        "__web_common_state": {"leftovers": [], "directories": [], "unloaded": ""},
        "ansible_check_mode": False,
        "__web_common_changed": False,
        "__web_common_unloaded": {"changed": False, "stdout": ""},
    }

    def included(**changed):
        return render("{{ " + COMMIT["when"] + " }}", {**quiet, **changed})

    assert included() is False  # a converged host: one skipped task
    assert included(web_common_remove_files=["/etc/nginx/conf.d/webedge-site-old.conf"]) is True
    assert included(web_common_remove_links=[{"path": "/etc/nginx/sites-enabled/default", "link": "/x"}]) is True
    left = {"leftovers": ["/etc/nginx/conf.d/a.conf.1.2026-12-03@19:35:36~"], "directories": [], "unloaded": ""}
    assert included(__web_common_state=left) is True
    assert included(__web_common_state=left, web_common_keep_backups=True) is False  # kept: nothing to remove
    assert included(__web_common_state={"leftovers": [], "directories": ["/var/www/www"], "unloaded": ""}) is True
    assert included(__web_common_changed=True) is True
    assert included(__web_common_unloaded={"changed": True, "stdout": ""}) is True
    # check mode: no test, so a change alone does not include the steps (the removals and directories still do)
    assert included(__web_common_changed=True, ansible_check_mode=True) is False
    assert included(__web_common_state=left, ansible_check_mode=True) is True


def test_the_test_runs_the_callers_command_as_argv_only_after_a_change_and_not_in_check_mode():
    assert TEST["when"] == (
        "not ansible_check_mode and (__web_common_changed | bool or __web_common_unloaded is changed"
        " or __web_common_cleaned is changed)"
    )
    test = task("web_common", "test.yml", "Test the whole configuration with {{ web_common_test_command | join(' ') }}")
    assert test["ansible.builtin.command"] == {"argv": "{{ web_common_test_command }}"}
    assert test["changed_when"] is False
    assert "failed_when" not in test  # a failing test fails the block: the caller's rescue rolls back
    assert "when" not in test


def test_the_copies_go_after_a_real_passing_run_unless_kept():
    drop = task("web_common", "test.yml", "Remove the copies kept for a rollback")
    assert drop["loop"] == "{{ __web_common_plan | selectattr('backup') | list }}"
    assert drop["when"] == "not web_common_keep_backups"  # test.yml is never included in check mode


def test_every_removal_notifies_the_callers_handler():
    for name in ("Remove the files no longer wanted", "Remove the symbolic links no longer wanted"):
        assert task("web_common", "remove.yml", name)["notify"] == "{{ web_common_handler }}"
