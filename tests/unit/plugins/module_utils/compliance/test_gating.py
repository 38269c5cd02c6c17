# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Severity gating: worst_failure and fails_threshold for every fail_on value."""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.plugins.module_utils.compliance.finding import Finding
from ansible_collections.webedge.https.plugins.module_utils.compliance.gating import fails_threshold, worst_failure


def _f(status: str, severity: str, control: str = "TLS-01") -> Finding:
    return Finding(control=control, status=status, severity=severity, message="m")


THRESHOLDS = [
    # findings, fail_on, expected
    ("nothing_fails_never_trips", [_f("pass", "critical")], "low", False),
    ("critical_trips_critical", [_f("fail", "critical")], "critical", True),
    ("high_does_not_trip_critical", [_f("fail", "high")], "critical", False),
    ("high_trips_high", [_f("fail", "high")], "high", True),
    ("medium_does_not_trip_high", [_f("fail", "medium")], "high", False),
    ("medium_trips_medium", [_f("fail", "medium")], "medium", True),
    ("low_trips_low", [_f("fail", "low")], "low", True),
    ("info_never_trips_low", [_f("fail", "info")], "low", False),
    ("none_never_trips", [_f("fail", "critical")], "none", False),
    ("error_counts_as_failure", [_f("error", "high")], "high", True),
    ("skip_never_counts", [_f("skip", "critical")], "low", False),
    ("worst_of_many_decides", [_f("fail", "low"), _f("fail", "critical"), _f("pass", "high")], "critical", True),
    ("dicts_work_too", [{"status": "fail", "severity": "high"}], "high", True),
]


@pytest.mark.parametrize(
    ("findings", "fail_on", "expected"), [t[1:] for t in THRESHOLDS], ids=[t[0] for t in THRESHOLDS]
)
def test_fail_on_threshold(findings, fail_on, expected):
    assert fails_threshold(findings, fail_on) is expected


def test_errors_can_be_excluded():
    assert fails_threshold([_f("error", "critical")], "low", count_errors=False) is False


def test_worst_failure_picks_highest_severity():
    findings = {"a": _f("fail", "low"), "b": _f("fail", "medium"), "c": _f("pass", "critical")}
    assert worst_failure(findings) == "medium"
    assert worst_failure({"a": _f("pass", "high")}) is None


def test_bad_fail_on_is_named():
    with pytest.raises(ValueError, match="'severe'"):
        fails_threshold([], "severe")
