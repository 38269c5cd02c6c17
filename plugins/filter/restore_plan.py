# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The restore_plan filter: what to put back when a web server refuses a new configuration."""

from __future__ import annotations

DOCUMENTATION = r"""
name: restore_plan
short_description: What to put back when a web server refuses a new configuration
version_added: 0.1.0
description:
  - Builds, from the registered results of the tasks that wrote a configuration in place, the list of
    steps that put every file back as it was before the run. The web server roles (through the role
    P(webedge.https.web_common#role)) use it when C(nginx -t) or C(apache2ctl configtest) fails, and to remove
    the copies after a successful test.
  - Each step is C({path, backup, link}). With C(backup), copy C(backup) over C(path). With C(link), make
    C(path) a symbolic link to C(link) again. With neither, remove C(path), which did not exist before.
  - Results that changed nothing (unchanged, skipped, failed items) add no step, nor do check mode's predictions
    that name no file (C(template) and C(copy) of a new file). Each registered variable may be a single task's
    result or a loop's (C(results)).
author:
  - webedge.https contributors
options:
  _input:
    description:
      - Registered results of tasks that wrote files in place, in the order they ran.
      - C(ansible.builtin.template) and C(ansible.builtin.copy) with C(backup=true) (C(dest), and
        C(backup_file) when a file was replaced); C(ansible.builtin.file) with C(state=link) (C(dest));
        M(webedge.https.tls_certificate) with C(backup=true) (C(files), C(backup_files)).
    type: list
    elements: dict
    required: true
  saved:
    description:
      - Registered result of the C(ansible.builtin.copy) (C(remote_src=true)) loop that kept a copy of each file
        about to be removed; each item is the path of the file, C(dest) the copy.
    type: dict
  unlinked:
    description:
      - Registered result of the C(ansible.builtin.file) (C(state=absent)) loop that removed symbolic links,
        looped over C({path, link}) items (C(link) is where the removed link pointed).
    type: dict
"""

EXAMPLES = r"""
- name: Put back the files that were replaced
  ansible.builtin.copy:
    src: "{{ item.backup }}"
    dest: "{{ item.path }}"
    remote_src: true
    mode: preserve
  loop: "{{ [site_written, policy_written] | webedge.https.restore_plan(saved=saved) | selectattr('backup') | list }}"
"""

RETURN = r"""
_value:
  description:
    - One step per file, in the order of the results given.
    - C(path) - the file written or removed by the run.
    - C(backup) - the copy to put back over C(path), or an empty string.
    - C(link) - the target of the symbolic link to recreate at C(path), or an empty string.
  type: list
  elements: dict
"""

from typing import Any, Callable, Dict, List, Optional

from ansible.errors import AnsibleFilterError

from ansible_collections.webedge.https.plugins.plugin_utils.restore_plan import RestorePlanError
from ansible_collections.webedge.https.plugins.plugin_utils.restore_plan import restore_plan as _restore_plan


def restore_plan(written: Any, saved: Optional[Any] = None, unlinked: Optional[Any] = None) -> List[Dict[str, str]]:
    try:
        return _restore_plan(written, saved=saved, unlinked=unlinked)
    except RestorePlanError as exc:
        raise AnsibleFilterError(f"restore_plan: {exc}") from exc


class FilterModule:
    def filters(self) -> Dict[str, Callable[..., Any]]:
        return {"restore_plan": restore_plan}
