# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tls_profile filter returns the rendered profile and names bad input."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.webedge.https.plugins.filter.tls_profile import FilterModule


def test_filter_is_registered_and_renders():
    tls_profile = FilterModule().filters()["tls_profile"]
    out = tls_profile("intermediate", "5.7")
    assert out["nginx"]["ssl_protocols"] == "TLSv1.2 TLSv1.3"
    assert out["apache"]["SSLProtocol"] == "-all +TLSv1.2 +TLSv1.3"
    assert out["hsts_max_age"] == 63072000


def test_filter_passes_openssl_version():
    tls_profile = FilterModule().filters()["tls_profile"]
    assert tls_profile("modern", 6.0, openssl_version="3.5.2")["curves"][0] == "X25519MLKEM768"
    assert tls_profile("modern", 6.0)["curves"][0] == "X25519"


@pytest.mark.parametrize(("name", "version", "fragment"), [("old", "6.0", "dropped"), (["x"], "5.7", "string")])
def test_filter_errors_name_the_value(name, version, fragment):
    with pytest.raises(AnsibleFilterError, match=fragment):
        FilterModule().filters()["tls_profile"](name, version)


def test_filter_in_a_template():
    jinja2 = pytest.importorskip("jinja2")
    env = jinja2.Environment()
    env.filters.update(FilterModule().filters())
    text = env.from_string("ssl_ciphers {{ ('intermediate' | tls_profile('6.0')).nginx.ssl_ciphers }};").render()
    assert text.startswith("ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:") and "DHE-RSA" not in text.replace("ECDHE", "")
