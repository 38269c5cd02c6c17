# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tls_probe's targets against hostile values: each is refused before any connection, naming the value."""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.targets import TargetError, parse_target
from ansible_collections.webedge.https.tests.unit.helpers.hostile import PAYLOADS

HOSTS = [f"www.lab.test{p}" for p in PAYLOADS if p.strip() and p not in ("\u00e9",)]
PORTS = [f"www.lab.test:443{p}" for p in PAYLOADS if p.strip()] + ["www.lab.test:0", "www.lab.test:65536"]
MAPPINGS = [{"host": h} for h in HOSTS] + [{"host": "a.test", "port": p} for p in (0, 70000, "443;", True)]
CASES = HOSTS + PORTS + MAPPINGS + [7, None, ["a"], ""]


@pytest.mark.parametrize("value", CASES, ids=[str(i) for i in range(len(CASES))])
def test_each_hostile_target_is_refused_naming_it(value):
    with pytest.raises(TargetError) as raised:
        parse_target(value)
    assert "target" in str(raised.value) or "host" in str(raised.value) or "port" in str(raised.value)


def test_good_targets_pass():
    assert parse_target("www.lab.test:8443").port == 8443
    assert parse_target("[::1]:443").port == 443
