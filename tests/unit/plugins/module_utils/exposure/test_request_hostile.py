# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""exposure_info's own validation (ExposureRequest.from_params) against every hostile payload appended to a
valid source, interface, port and allow-list entry: refused naming the parameter or the value, or read as
exactly the valid value (surrounding whitespace of a source) - never as something else."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from ansible_collections.webedge.https.plugins.module_utils.exposure.request import ExposureRequest
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import ValidationError
from ansible_collections.webedge.https.tests.unit.helpers.hostile import PAYLOADS

VALID: Dict[str, Any] = {"source": "10.0.0.0/8", "interface": "eth0", "ports": ["443"], "allowed": ["443/tcp"]}


def _params(field: str, payload: str) -> Dict[str, Any]:
    value = VALID[field]
    if isinstance(value, list):
        return {field: [value[0] + payload]}
    return {field: value + payload}


CASES = [(field, payload) for field in VALID for payload in PAYLOADS]


@pytest.mark.parametrize(("field", "payload"), CASES, ids=[f"{f}-{i}" for i, (f, _p) in enumerate(CASES)])
def test_a_hostile_value_is_refused_or_read_as_the_valid_one(field: str, payload: str) -> None:
    params = _params(field, payload)
    try:
        request = ExposureRequest.from_params(params)
    except ValidationError as exc:
        shown = params[field][0] if isinstance(params[field], list) else params[field]
        message = str(exc)
        assert field in message or repr(shown) in message or ascii(shown) in message, message
        return
    assert request == ExposureRequest.from_params({field: VALID[field]}), (field, payload)
