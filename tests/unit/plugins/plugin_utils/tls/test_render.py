# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter's data: one profile as plain data, for every server at once."""

from __future__ import annotations

import json

from ansible_collections.webedge.https.plugins.module_utils.tls.profiles import get_profile
from ansible_collections.webedge.https.plugins.plugin_utils.tls.render import render_profile


def test_render_profile_is_plain_data():
    data = render_profile(get_profile("old"))
    assert json.loads(json.dumps(data)) == data
    assert data["nginx"]["ssl_prefer_server_ciphers"] == "on"
    assert data["apache"]["SSLProtocol"] == "-all +TLSv1 +TLSv1.1 +TLSv1.2 +TLSv1.3"
