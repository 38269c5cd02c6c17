# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The restore_plan filter: registered, usable from a template, and bad input named as a filter error."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.webedge.https.plugins.filter.restore_plan import FilterModule
from ansible_collections.webedge.https.tests.unit.helpers.templating import render

WRITTEN = {
    "results": [
        {"changed": True, "dest": "/etc/nginx/conf.d/a.conf", "backup_file": "/etc/nginx/conf.d/a.conf.1.2026~"},
        {"changed": False, "dest": "/etc/nginx/conf.d/b.conf"},
        {"changed": True, "dest": "/etc/nginx/conf.d/c.conf"},
    ]
}


def test_filter_is_registered():
    assert FilterModule().filters()["restore_plan"]([WRITTEN]) == [
        {"path": "/etc/nginx/conf.d/a.conf", "backup": "/etc/nginx/conf.d/a.conf.1.2026~", "link": ""},
        {"path": "/etc/nginx/conf.d/c.conf", "backup": "", "link": ""},
    ]


def test_filter_in_a_template_as_the_roles_use_it():
    expression = "{{ [written] | restore_plan(saved=saved, unlinked=unlinked) | selectattr('backup') | list }}"
    variables = {"written": WRITTEN, "saved": {}, "unlinked": {}}
    assert render(expression, variables, FilterModule().filters()) == [
        {"path": "/etc/nginx/conf.d/a.conf", "backup": "/etc/nginx/conf.d/a.conf.1.2026~", "link": ""}
    ]


def test_bad_input_is_a_filter_error_that_names_it():
    with pytest.raises(AnsibleFilterError, match=r"restore_plan: written: expected a list of registered results"):
        FilterModule().filters()["restore_plan"](WRITTEN)
