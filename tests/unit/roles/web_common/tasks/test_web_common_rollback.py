# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/web_common/tasks/rollback.yml: the order of the rollback, and the message the play fails with
(rendered by Ansible's templar from the task file). The rollback itself runs for real in the molecule
scenario webserver_broken."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.roles import render, task, tasks

FAIL = task("web_common", "rollback.yml", "Fail with the server's own message")


def message(**variables: Any) -> str:
    context: Dict[str, Any] = {
        "web_common_server": "nginx",
        "web_common_test_command": ["nginx", "-t"],
        "ansible_check_mode": False,
        "ansible_failed_task": {"name": "Test the whole configuration with nginx -t"},
        "ansible_failed_result": {"rc": 1, "stderr": "", "msg": "non-zero return code"},
        "__web_common_retest": {"rc": 0, "stderr": ""},
        **FAIL["vars"],
    }
    context.update(variables)
    return render(FAIL["ansible.builtin.fail"]["msg"], context)


def test_the_servers_own_message_and_a_restored_configuration_that_passes():
    nginx_error = (
        'nginx: [emerg] unknown directive "this_is_not_a_directive" in /etc/nginx/conf.d/webedge-site-site.conf:40\n'
        "nginx: configuration file /etc/nginx/nginx.conf test failed"
    )
    text = message(ansible_failed_result={"rc": 1, "stderr": nginx_error + "\n", "msg": "non-zero return code"})
    assert text == (
        "nginx: the new configuration was not applied (Test the whole configuration with nginx -t): "
        + nginx_error
        + " -- The previous files were put back and nginx was not reloaded; the restored configuration passes nginx -t."
    )


def test_apache_names_itself_and_its_test_command():
    text = message(
        web_common_server="Apache",
        web_common_test_command=["apache2ctl", "configtest"],
        ansible_failed_task={"name": "Test the whole configuration with apache2ctl configtest"},
        ansible_failed_result={
            "rc": 1,
            "stderr": "AH00526: Syntax error on line 40: Invalid command 'ThisIsNotADirective'",
        },
    )
    assert text.startswith(
        "apache: the new configuration was not applied (Test the whole configuration with apache2ctl"
    )
    assert (
        "Invalid command 'ThisIsNotADirective' -- The previous files were put back and Apache was not reloaded" in text
    )
    assert text.endswith("the restored configuration passes apache2ctl configtest.")


def test_a_restored_configuration_that_fails_too_is_said_with_its_error():
    text = message(__web_common_retest={"rc": 1, "stderr": "nginx: [emerg] still broken\n"})
    assert text.endswith("the restored configuration FAILS nginx -t too: nginx: [emerg] still broken")


@pytest.mark.parametrize(
    ("failed", "shown"),
    [
        ({"msg": "the certificate expires in 3 days (min_days_valid=30)"}, "the certificate expires in 3 days"),
        ({"stderr": "", "msg": "One or more items failed"}, "One or more items failed"),
        ({}, "unknown error"),
    ],
)
def test_a_task_without_stderr_gives_its_msg(failed, shown):
    text = message(ansible_failed_task={"name": "Install the site certificates and keys"}, ansible_failed_result=failed)
    assert text.startswith(
        f"nginx: the new configuration was not applied (Install the site certificates and keys): {shown}"
    )


@pytest.mark.parametrize("check_mode_variable", [True, False])
def test_check_mode_says_nothing_was_changed_and_runs_no_test(check_mode_variable):
    # the restored-configuration test is skipped in check mode: its result has no rc. (A role included
    # with check_mode on the include, not --check, may still see ansible_check_mode false.)
    text = message(ansible_check_mode=check_mode_variable, __web_common_retest={"changed": False, "skipped": True})
    assert text.endswith("-- Check mode: nothing was changed.")
    assert "put back" not in text


def test_files_are_put_back_before_the_undo_commands_and_the_test_and_the_failure_comes_last():
    names = [t["name"] for t in tasks("web_common", "rollback.yml")]
    assert names == [
        "Put back the files that were replaced",
        "Remove the copies that were put back",
        "Look for copies of the managed files left behind by a failed write or an earlier run",
        "Remove the copies of the managed files left behind",
        "Put back the symbolic links that were removed",
        "Remove the files and links that did not exist before",
        "Undo what this run changed besides files",
        "Test the restored configuration",
        "Fail with the server's own message",
    ]
    retest = task("web_common", "rollback.yml", "Test the restored configuration")
    assert retest["failed_when"] is False and retest["changed_when"] is False
    assert retest["ansible.builtin.command"]["argv"] == "{{ web_common_test_command }}"


@pytest.mark.parametrize(
    ("name", "selection"),
    [
        ("Put back the files that were replaced", "selectattr('backup')"),
        ("Remove the copies that were put back", "selectattr('backup')"),
        ("Put back the symbolic links that were removed", "selectattr('link')"),
        ("Remove the files and links that did not exist before", "rejectattr('backup') | rejectattr('link')"),
    ],
)
def test_each_restore_step_takes_its_part_of_the_plan(name, selection):
    assert task("web_common", "rollback.yml", name)["loop"] == "{{ __web_common_plan | " + selection + " | list }}"
