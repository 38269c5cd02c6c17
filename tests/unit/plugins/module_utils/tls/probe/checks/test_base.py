# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An endpoint's time budget, on a clock the test moves (no wall clock)."""

from __future__ import annotations

from typing import List

import pytest

from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks import base
from ansible_collections.webedge.https.plugins.module_utils.tls.probe.checks.base import (
    BUDGET_TIMEOUTS,
    Budget,
    BudgetExpired,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(base.time, "monotonic", fake)
    return fake


# (id, seconds since the first ask -> timeout given, or None when the budget has run out)
BUDGET_TABLE = [
    ("first_connection_gets_the_timeout", [(0.0, 3.0)]),
    ("within_the_first_timeout_still_the_whole_timeout", [(0.0, 3.0), (2.9, 3.0)]),
    ("the_last_connection_gets_what_is_left", [(0.0, 3.0), (4.0, 2.0)]),
    ("nothing_left_after_twice_the_timeout", [(0.0, 3.0), (5.96, None)]),
    ("long_after_the_end", [(0.0, 3.0), (60.0, None)]),
]


@pytest.mark.parametrize("steps", [row[1] for row in BUDGET_TABLE], ids=[row[0] for row in BUDGET_TABLE])
def test_budget_bounds_every_connection(clock: Clock, steps: List) -> None:
    budget = Budget(3.0)
    start = clock.now
    for elapsed, expected in steps:
        clock.now = start + elapsed
        if expected is None:
            with pytest.raises(BudgetExpired, match="time budget"):
                budget.remaining()
        else:
            assert budget.remaining() == pytest.approx(expected)


def test_the_clock_starts_at_the_first_ask_not_when_queued(clock: Clock) -> None:
    budget = Budget(2.0)
    clock.now += 100.0  # waited for a free thread
    assert budget.remaining() == pytest.approx(2.0)
    clock.now += 2.0 * BUDGET_TIMEOUTS - 1.0
    assert budget.remaining() == pytest.approx(1.0)
