# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""engine.host_lock: concurrent firewall_port runs on one host take turns from the read to the end of the
apply (found by the reliability scenario: two plays at once could lose one play's rules)."""

from __future__ import annotations

import threading
from typing import List

from ansible_collections.webedge.https.plugins.module_utils.firewall import engine


def test_a_second_holder_waits_until_the_first_releases(tmp_path):
    path = str(tmp_path / "run" / "lock" / "fw.lock")
    order: List[str] = []
    first_in = threading.Event()
    release = threading.Event()

    def first() -> None:
        with engine.host_lock(path):
            order.append("first in")
            first_in.set()
            release.wait(30)
            order.append("first out")

    def second() -> None:
        first_in.wait(30)
        with engine.host_lock(path):
            order.append("second in")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_in.wait(30)
    assert order == ["first in"]  # the second thread is blocked in flock, whatever the timing
    release.set()
    for thread in threads:
        thread.join(30)
    assert order == ["first in", "first out", "second in"]


def test_no_path_means_no_lock_and_no_file(tmp_path):
    with engine.host_lock(None), engine.host_lock(None):
        pass
    assert list(tmp_path.iterdir()) == []


def test_run_locks_only_real_changes(monkeypatch):
    seen: List[object] = []
    real_lock = engine.host_lock

    def fake_lock(path):
        seen.append(path)
        return real_lock(None)

    monkeypatch.setattr(engine, "host_lock", fake_lock)
    monkeypatch.setattr(engine, "_run", lambda *args: {"changed": False})
    params = {"port": [443], "state": "open"}
    engine.run(params, runner=None, lock_path="/x.lock")  # type: ignore[arg-type]
    engine.run(params, runner=None, check_mode=True, lock_path="/x.lock")  # type: ignore[arg-type]
    assert seen == ["/x.lock", None]
