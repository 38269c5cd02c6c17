# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The catalog is well-formed, and docs/controls.md is rendered from it."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from ansible_collections.webedge.https.plugins.module_utils.compliance.catalog import (
    CATALOG,
    SERVERS,
    SEVERITIES,
    WHERE,
    controls_for,
    get_control,
)
from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import get_profile

ROOT = Path(__file__).resolve().parents[5]


@pytest.mark.parametrize("control", list(CATALOG.values()), ids=list(CATALOG))
def test_control_is_complete(control):
    assert re.fullmatch(r"(TLS|HTTP|VULN|HOST)-\d{2}", control.id)
    assert control.severity in SEVERITIES
    assert control.where in WHERE
    assert control.title and control.rationale and control.remediation
    for attribute in (control.profile_value or "").split(", "):
        if attribute:
            assert hasattr(get_profile("intermediate"), attribute), attribute


def test_ids_released_in_0_1_0_are_kept():
    released = [f"TLS-{i:02d}" for i in range(1, 15)] + ["HTTP-01", "HTTP-02", "HTTP-03"]
    released += [f"HOST-{i:02d}" for i in range(1, 6)]
    added = ["HOST-06"]  # certificates on disk (issue 15)
    added += [f"TLS-{i:02d}" for i in range(15, 23)] + [f"VULN-{i:02d}" for i in range(1, 9)]  # issue 13
    assert set(released + added) <= set(CATALOG)
    assert len(CATALOG) == len(set(CATALOG))


@pytest.mark.parametrize("control", controls_for("endpoint"), ids=[c.id for c in controls_for("endpoint")])
def test_endpoint_control_has_a_fix_for_every_server(control):
    assert set(control.remediation_by_server) == set(SERVERS)
    text = control.full_remediation
    assert text.startswith(control.remediation.rstrip(".")) and "IIS/SCHANNEL: " in text and "Apache: " in text


def test_unknown_id_is_named():
    with pytest.raises(KeyError, match="TLS-99"):
        get_control("TLS-99")


def test_docs_controls_md_is_up_to_date():
    script = ROOT / "tools" / "render_catalog.py"
    doc = ROOT / "docs" / "controls.md"
    if not script.exists():
        pytest.skip("tools/ is not part of this tree")
    spec = importlib.util.spec_from_file_location("render_catalog", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert doc.read_text(encoding="utf-8") == module.render(), "run: python tools/render_catalog.py"
