# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""firewall_port on Windows: ``profiles`` (Domain, Private, Public), as the peer module win_firewall_rule has.

``open`` adds the task's profiles to each rule's set, ``closed`` takes them away; the other profiles keep
what they had; a second run changes nothing. The host is simulated (tests/unit/helpers/windows_host.py).
"""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from ansible_collections.webedge.https.plugins.module_utils.firewall import engine
from ansible_collections.webedge.https.plugins.module_utils.firewall.model import ValidationError
from ansible_collections.webedge.https.plugins.plugin_utils.windows import firewall as windows
from ansible_collections.webedge.https.tests.unit.helpers.windows_host import FakeWindowsHost


def run(host: FakeWindowsHost, check_mode: bool = False, **params: Any) -> Dict[str, Any]:
    params.setdefault("port", [443])
    params.setdefault("family", "ipv4")
    return engine.run(
        params, host, registry=windows.registry(params.get("profiles")), check_mode=check_mode, connection_ports=[5986]
    )


def profiles(host: FakeWindowsHost) -> List[Any]:
    return sorted((r["name"], r["profile"]) for r in host.state["rules"])


NAME = "webedge.https tcp/443 ipv4 from any"


def test_open_in_one_profile_then_nothing_changes():
    host = FakeWindowsHost()
    first = run(host, profiles=["public"])
    assert first["changed"] is True and profiles(host) == [(NAME, "Public")]
    assert "(profiles Public)" in first["diff"]["after"]
    assert run(host, profiles=["Public"])["changed"] is False


def test_open_in_another_profile_adds_it_to_the_rule():
    host = FakeWindowsHost()
    run(host, profiles=["domain"])
    result = run(host, profiles=["private"])
    assert result["changed"] is True and profiles(host) == [(NAME, "Domain, Private")]
    assert result["added"] == [] and result["removed"] == []
    assert any("profiles Domain -> Domain, Private" in note for note in result["notes"])
    assert run(host, profiles=["domain", "private"])["changed"] is False


def test_open_without_profiles_is_every_profile():
    host = FakeWindowsHost()
    run(host, profiles=["domain"])
    assert run(host)["changed"] is True and profiles(host) == [(NAME, "Any")]
    assert run(host)["changed"] is False


def test_close_in_one_profile_keeps_the_others():
    host = FakeWindowsHost()
    run(host)
    result = run(host, state="closed", profiles=["public"])
    assert result["changed"] is True and profiles(host) == [(NAME, "Domain, Private")]
    assert "(profiles Domain, Private)" in result["diff"]["after"] and "(profiles" not in result["diff"]["before"]
    assert run(host, state="closed", profiles=["public"])["changed"] is False


def test_closing_the_last_profile_removes_the_rule():
    host = FakeWindowsHost()
    run(host, profiles=["public"])
    result = run(host, state="closed", profiles=["public", "private"])
    assert result["removed"] == [{"family": "ipv4", "protocol": "tcp", "port": "443", "source": None}]
    assert profiles(host) == []


def test_check_mode_predicts_the_profile_change_and_writes_nothing():
    host = FakeWindowsHost()
    run(host, profiles=["domain"])
    before = profiles(host)
    result = run(host, check_mode=True, profiles=["public"])
    assert result["changed"] is True and profiles(host) == before
    assert [s[0] for s in host.scripts] == ["read", "write", "read"]


def test_a_rule_written_by_hand_for_two_profiles_is_managed():
    host = FakeWindowsHost()
    run(host, profiles=["domain", "private"])
    host.scripts.clear()
    assert run(host, profiles=["private"])["changed"] is False
    assert [s[0] for s in host.scripts] == ["read"]


@pytest.mark.parametrize("value", [["work"], [], ["public", 3]])
def test_bad_profiles_fail_naming_the_value(value):
    with pytest.raises(ValidationError, match="profiles"):
        windows.check_profiles(value)


def test_the_comma_form_of_the_peer_module_is_accepted():
    assert windows.check_profiles("domain,private") == {"Domain", "Private"}
    assert windows.check_profiles(None) == windows.ALL_PROFILES
