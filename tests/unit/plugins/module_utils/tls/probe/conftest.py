# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the probe tests: one test PKI per session; an exception in a test server's thread fails
the test that caused it (a local server that dies in its thread would otherwise only warn)."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.tls_servers import Pki, make_pki

HERE = Path(__file__).resolve().parent
THREAD_EXCEPTIONS_FAIL = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")


def pytest_collection_modifyitems(items: List[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(THREAD_EXCEPTIONS_FAIL)


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))
