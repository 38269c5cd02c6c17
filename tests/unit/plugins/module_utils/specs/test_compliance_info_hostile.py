# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every parameter of compliance_info's argument spec against hostile values of the wrong type or outside its choices,
an unknown parameter and each required one left out: the spec refuses each, naming the parameter."""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.hostile_modules import build, minimal, spec_cases, spec_errors

MODULE = "compliance_info"
CASES = spec_cases(MODULE)


def test_the_minimal_parameters_pass():
    assert spec_errors(MODULE, minimal(MODULE)) == []


@pytest.mark.parametrize("path, value, word", CASES, ids=[f"{case[0]}-{i}" for i, case in enumerate(CASES)])
def test_each_hostile_value_is_refused_naming_the_parameter(path, value, word):
    errors = spec_errors(MODULE, build(MODULE, path, value))
    assert errors, f"{MODULE} accepted {path}={value!r}"
    assert any(word in e for e in errors), errors
