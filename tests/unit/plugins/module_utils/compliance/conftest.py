# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the compliance tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.compliance_probes import NOW, load_probe


@pytest.fixture
def good_probe() -> Dict[str, Any]:
    return load_probe()


@pytest.fixture
def now() -> datetime:
    return NOW
