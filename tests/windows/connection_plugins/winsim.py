# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A connection plugin for tests: a simulated Windows host, driven as the winrm plugin drives a host.

Ansible's ``powershell`` shell plugin builds every command (``PowerShell ... -EncodedCommand`` with the
bootstrap wrapper and the exec manifest on stdin for a module, our stub with the script on stdin for
our own PowerShell), exactly as over WinRM: like ``ansible.builtin.winrm`` this plugin always pipelines
modules and takes files with ``put_file``. The host behind it is ``tests/unit/helpers/winsim.py``, its
state in the JSON file named by ``winsim_state`` (or ``WINSIM_STATE``).
"""

from __future__ import annotations

DOCUMENTATION = """
name: winsim
short_description: A simulated Windows host (tests only)
description:
  - Runs what Ansible's PowerShell shell plugin sends against a simulated Windows host kept in a JSON file.
author: webedge.https contributors
options:
  state:
    description: Path of the simulated host's state file.
    type: str
    vars:
      - name: winsim_state
    env:
      - name: WINSIM_STATE
"""

from ansible.plugins.connection import ConnectionBase

from ansible_collections.webedge.https.tests.unit.helpers.winsim import SimulatedWindows, locked


class Connection(ConnectionBase):
    transport = "winsim"
    module_implementation_preferences = (".ps1", ".exe", "")
    allow_executable = False
    has_pipelining = True
    allow_extras = True

    def __init__(self, *args, **kwargs):
        self.always_pipeline_modules = True
        self.has_native_async = True
        self._shell_type = "powershell"
        super().__init__(*args, **kwargs)

    def _connect(self):
        self._connected = True
        return self

    def _host(self, action):
        path = self.get_option("state")
        with locked(path):
            host = SimulatedWindows(path)
            answer = action(host)
            host.save()
        return answer

    def exec_command(self, cmd, in_data=None, sudoable=True):
        super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
        return self._host(lambda host: host.exec(cmd, in_data))

    def put_file(self, in_path, out_path):
        super().put_file(in_path, out_path)
        with open(in_path, "rb") as handle:
            data = handle.read()
        self._host(lambda host: host.put_file(data, out_path))

    def fetch_file(self, in_path, out_path):
        raise NotImplementedError("winsim: fetch_file is not simulated")

    def reset(self):
        def count(host):
            host.state["resets"] += 1

        self._host(count)

    def close(self):
        self._connected = False
