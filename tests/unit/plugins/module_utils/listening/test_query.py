# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options and the result shared by Linux and Windows (query.py), on listeners read from real captures."""

from __future__ import annotations

from ansible_collections.webedge.https.plugins.module_utils.listening import query
from ansible_collections.webedge.https.plugins.module_utils.listening.expectations import check
from ansible_collections.webedge.https.plugins.module_utils.listening.report import read_listeners
from ansible_collections.webedge.https.tests.unit.helpers.proctree import build, deny_fds, fixed_users


def _listeners(tmp_path, monkeypatch, scenario):
    root, denied = build(tmp_path, scenario)
    deny_fds(monkeypatch, root, denied)
    fixed_users(monkeypatch)
    return read_listeners(root)


def test_shows_and_selected_apply_ports_and_protocols(tmp_path, monkeypatch):
    listeners = _listeners(tmp_path, monkeypatch, "lab-apache")[0]
    wanted = query.parse_query({"ports": ["22", "5000-8080"], "protocols": ["tcp"]})
    shown = query.selected(listeners, wanted)
    assert [(lsn.socket.protocol, lsn.socket.port) for lsn in shown] == [("tcp", 22), ("tcp", 22), ("tcp", 8080)]
    assert all(query.shows(lsn.socket, wanted) for lsn in shown)
    assert not any(query.shows(lsn.socket, wanted) for lsn in listeners if lsn not in shown)


def test_summarize_names_each_process_once_and_each_reason_once(tmp_path, monkeypatch):
    listeners, bindv6only = _listeners(tmp_path, monkeypatch, "lab-nginx")
    wanted = query.parse_query({"expect": [{"port": 443, "process": "nginx"}]})
    outcomes = [check(e, listeners, bindv6only) for e in wanted.expectations]
    result = query.summarize(query.sort_listeners(reversed(listeners)), outcomes, bindv6only)
    assert [entry["port"] for entry in result["listening"]] == sorted(entry["port"] for entry in result["listening"])
    pids = {entry["pid"] for entry in result["listening"] if entry["pid"] is not None}
    assert sorted(result["processes"]) == sorted(str(pid) for pid in pids)
    assert result["processes"]["55"]["process"] == "nginx" and "nginx" in result["processes"]["55"]["cmdline"]
    assert result["owner_unknown_reason"] is None or result["owner_unknown_reason"].count("no permission") == 1
    assert result["missing"] == [] and result["matched"][0]["port"] == 443
    assert result["msg"].startswith("all 1 expected listener(s) found; ")
