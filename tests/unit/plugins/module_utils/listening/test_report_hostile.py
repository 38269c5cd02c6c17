# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""listening_ports' own validation (parse_query: ports, protocols, expect entries, fact_name) against hostile
values: each fails before the host is read, with a message naming the value."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest

from ansible_collections.webedge.https.plugins.module_utils.listening.report import QueryError, parse_query
from ansible_collections.webedge.https.tests.unit.helpers.hostile import PAYLOADS

HOSTILE = [p for p in PAYLOADS if p.strip()]


def cases() -> List[Tuple[str, Dict[str, Any], Any]]:
    out: List[Tuple[str, Dict[str, Any], Any]] = []
    for p in HOSTILE:
        out.append(("ports", {"ports": [f"443{p}"]}, f"443{p}"))
        out.append(("protocols", {"protocols": [f"tcp{p}"]}, f"tcp{p}"))
        out.append(("expect.port", {"expect": [{"port": f"443{p}"}]}, f"443{p}"))
        out.append(("expect.address", {"expect": [{"port": 443, "address": f"127.0.0.1{p}"}]}, f"127.0.0.1{p}"))
        out.append(("expect.protocol", {"expect": [{"port": 443, "protocol": f"tcp{p}"}]}, f"tcp{p}"))
        out.append(("expect.state", {"expect": [{"port": 443, "state": f"present{p}"}]}, f"present{p}"))
        out.append(("expect.family", {"expect": [{"port": 443, "family": f"ipv4{p}"}]}, f"ipv4{p}"))
        out.append(("fact_name", {"fact_name": f"ports{p}"}, f"ports{p}"))
    out += [
        ("ports", {"ports": [0]}, 0),
        ("ports", {"ports": [70000]}, 70000),
        ("expect", {"expect": ["443"]}, "443"),
        ("expect.port", {"expect": [{"port": None}]}, "port is required"),
        ("fact_name", {"fact_name": "1abc"}, "1abc"),
    ]
    return out


CASES = cases()


@pytest.mark.parametrize("name, params, value", CASES, ids=[f"{case[0]}-{i}" for i, case in enumerate(CASES)])
def test_each_hostile_value_fails_naming_the_value(name, params, value):
    with pytest.raises(QueryError) as raised:
        parse_query(params)
    message = str(raised.value)
    assert repr(value) in message or str(value) in message, f"{name}: {message}"


def test_the_process_name_is_data_not_syntax():
    # expect.process is compared with the kernel's process names, never run or written anywhere.
    query = parse_query({"expect": [{"port": 443, "process": "nginx; rm -rf /"}]})
    assert query.expectations[0].process == "nginx; rm -rf /"
