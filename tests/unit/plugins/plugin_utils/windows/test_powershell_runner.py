# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller-side PowerShell runner: the stub on the command line, the script on stdin."""

from __future__ import annotations

import base64
from unittest.mock import MagicMock

import pytest

from ansible_collections.webedge.https.plugins.plugin_utils.windows.powershell import (
    STUB,
    PowerShellError,
    PowerShellRunner,
    connection_ports,
    encode_command,
    is_windows,
)


def test_each_run_is_one_command_with_the_stub_and_the_script_on_stdin():
    execute = MagicMock(return_value={"rc": 0, "stdout": b'{"ok": true}\n', "stderr": ""})
    answer = PowerShellRunner(execute).run(["ignored"], "Write-Output 1")
    assert answer == (0, '{"ok": true}\n', "")
    execute.assert_called_once_with(encode_command(STUB), sudoable=False, in_data=b"Write-Output 1")
    assert base64.b64decode(encode_command(STUB).rsplit(" ", 1)[1]).decode("utf-16-le") == STUB


@pytest.mark.parametrize("script", [None, "Write-Output 'caf\u00e9'"])
def test_a_missing_or_non_ascii_script_is_refused_before_sending(script):
    execute = MagicMock()
    with pytest.raises(PowerShellError, match="ASCII"):
        PowerShellRunner(execute).run([], script)
    execute.assert_not_called()


def test_an_answer_without_rc_counts_as_failed():
    assert PowerShellRunner(MagicMock(return_value={})).run([], "Write-Output 1") == (1, "", "")


def test_windows_by_shell_family():
    connection = MagicMock()
    connection._shell.SHELL_FAMILY = "powershell"
    assert is_windows(connection, {}) is True


@pytest.mark.parametrize(
    ("option", "task_vars", "expected"),
    [
        (5986, {}, (5986,)),
        ("5985", {}, (5985,)),
        (None, {"ansible_port": 2222}, (2222,)),
        (None, {"ansible_connection": "winrm"}, (5985, 5986)),
        (None, {"ansible_connection": "ansible.builtin.ssh"}, (22,)),
    ],
)
def test_connection_ports(option, task_vars, expected):
    connection = MagicMock()
    connection.get_option.return_value = option
    connection.transport = "unknown"
    assert connection_ports(connection, task_vars) == expected


@pytest.mark.parametrize(
    ("family", "task_vars", "expected"),
    [
        ("powershell", {}, True),
        ("sh", {"ansible_connection": "psrp"}, True),
        ("sh", {"ansible_connection": "ssh"}, False),
    ],
)
def test_windows_is_recognised_by_shell_or_connection(family, task_vars, expected):
    connection = MagicMock()
    connection._shell.SHELL_FAMILY = family
    assert is_windows(connection, task_vars) is expected
