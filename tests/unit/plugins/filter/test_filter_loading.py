# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a worker process imports when it looks up one of the collection's filters.

ansible-core finds ``webedge.https.<name>`` by importing every filter file at the top of ``plugins/filter/``
(each worker process anew: workers are forks of a controller that never looked one up), so whatever those
files import is paid by every task of every host whose templates use one of the collection's filters. The
compliance role's filters (the whole control catalog) and the Windows PFX filter (certificate validation) live
in subdirectories for that reason; a lookup of the web roles' filters must not import them."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

# the directory holding ansible_collections/webedge/https, as the tests import it (not resolved: the checkout
# itself may be a symbolic link's target)
COLLECTIONS = pathlib.Path(__file__).absolute().parents[7]

LOOKUP = """
import json, sys
from ansible.plugins.loader import filter_loader, init_plugin_loader
init_plugin_loader([sys.argv[1]])
found = filter_loader.get(sys.argv[2])
print(json.dumps({"found": found is not None,
                  "modules": sorted(m for m in sys.modules if m.startswith("ansible_collections.webedge.https."))}))
"""

HEAVY = (
    "ansible_collections.webedge.https.plugins.module_utils.compliance.catalog",
    "ansible_collections.webedge.https.plugins.plugin_utils.tls.certificate",
    "ansible_collections.webedge.https.plugins.filter.compliance.controls",
    "ansible_collections.webedge.https.plugins.filter.windows.tls_pfx",
)


def lookup(name: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", LOOKUP, str(COLLECTIONS), name], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.splitlines()[-1])


@pytest.mark.parametrize(
    "name", ["webedge.https.web_sites", "webedge.https.web_files_same", "webedge.https.tls_profile"]
)
def test_a_top_level_filter_is_found_without_the_compliance_catalog_or_certificate_validation(name):
    result = lookup(name)
    assert result["found"]
    assert [m for m in result["modules"] if m in HEAVY] == []


@pytest.mark.parametrize(
    ("name", "module"),
    [
        (
            "webedge.https.compliance.host_controls",
            "ansible_collections.webedge.https.plugins.filter.compliance.controls",
        ),
        ("webedge.https.windows.tls_pfx", "ansible_collections.webedge.https.plugins.filter.windows.tls_pfx"),
    ],
)
def test_the_filters_in_subdirectories_are_found_by_their_names(name, module):
    result = lookup(name)
    assert result["found"] and module in result["modules"]
