# The lab's connection to molecule's podman hosts: containers.podman.podman with pipelining.
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# containers.podman.podman runs `podman exec` without -i, so it cannot pipeline: every module costs a
# `podman mount`, then an exec each for mkdir, chmod, the module and rm (about 0.7 s each on a loaded
# lab machine). This one runs a pipelined module as a single `podman exec -i` (the module on stdin) and
# mounts the container only when a file is copied. extensions/molecule/config.yml puts this directory in
# ANSIBLE_CONNECTION_PLUGINS: the inventory molecule writes says `ansible_connection: podman`, which then
# names this plugin. Runs that keep remote files, or turn pipelining off, take the parent's path.
DOCUMENTATION = """
    name: podman
    short_description: Run commands in a lab podman container, pipelined
    description:
      - containers.podman.podman, with modules pipelined through C(podman exec -i).
    extends_documentation_fragment:
      - connection_pipelining
    options:
      remote_addr:
        description: The ID of the container.
        default: inventory_hostname
        vars:
          - name: ansible_host
          - name: inventory_hostname
          - name: ansible_podman_host
      remote_user:
        description: User to run commands as inside the container.
        ini:
          - section: defaults
            key: remote_user
        env:
          - name: ANSIBLE_REMOTE_USER
        vars:
          - name: ansible_user
      podman_extra_args:
        description: Extra arguments to pass to the podman command line.
        default: ''
        ini:
          - section: defaults
            key: podman_extra_args
        vars:
          - name: ansible_podman_extra_args
        env:
          - name: ANSIBLE_PODMAN_EXTRA_ARGS
      podman_executable:
        description: Executable for podman command.
        default: podman
        vars:
          - name: ansible_podman_executable
        env:
          - name: ANSIBLE_PODMAN_EXECUTABLE
"""

import shlex

from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.connection import ConnectionBase

from ansible_collections.containers.podman.plugins.connection.podman import Connection as PodmanConnection


class Connection(PodmanConnection):
    """containers.podman.podman, pipelined; the container is mounted only to copy files."""

    has_pipelining = True

    def _connect(self):
        ConnectionBase._connect(self)
        self._connected = True
        return self

    def _mount(self):
        if self._mount_point is None and not getattr(self, "_mount_tried", False):
            self._mount_tried = True
            PodmanConnection._connect(self)

    def exec_command(self, cmd, in_data=None, sudoable=False):
        if in_data is None:
            return super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
        ConnectionBase.exec_command(self, cmd, in_data=in_data, sudoable=sudoable)
        exec_args = ["exec", "-i"] + (["--user", self.user] if self.user else [])
        return self._podman(exec_args, shlex.split(to_native(cmd, errors="surrogate_or_strict")), in_data)

    def put_file(self, in_path, out_path):
        self._mount()
        super().put_file(in_path, out_path)

    def fetch_file(self, in_path, out_path):
        self._mount()
        super().fetch_file(in_path, out_path)
