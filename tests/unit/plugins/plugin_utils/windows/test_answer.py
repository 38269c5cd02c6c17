# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading a script's answer (answer.py): the last JSON line of its output."""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.plugins.plugin_utils.windows.answer import last_json


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('WARNING: x\n{"a": 1}\n', {"a": 1}),
        ('{"a": 1}\n{"b": 2}\nnoise\n', {"b": 2}),
        ("no json at all", None),
        ("{broken\n", None),
        ("[1, 2]\n", None),
        ("", None),
    ],
)
def test_last_json(text, expected):
    assert last_json(text) == expected
