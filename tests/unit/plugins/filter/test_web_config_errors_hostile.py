# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The web_config_errors filter, as the roles call it: site errors and setting errors together."""

from __future__ import annotations

import pytest

from ansible_collections.webedge.https.plugins.filter.web_config_errors import FilterModule, web_config_errors


def test_the_filter_is_registered_under_its_name():
    assert FilterModule().filters() == {"web_config_errors": web_config_errors}


def test_site_and_setting_errors_together_in_order():
    sites = [{"name": "www", "server_names": ["www.lab.test"], "root": "/var/www/web; autoindex on"}]
    errors = web_config_errors(sites, "nginx", "nginx_sites", settings={"nginx_session_timeout": "1d;", "other": ";"})
    assert [e.split(":", maxsplit=1)[0] for e in errors] == ["nginx_sites[0].root", "nginx_session_timeout"]
    assert web_config_errors([], "apache", "apache_sites") == []


def test_an_unknown_server_is_an_error_of_the_role_not_of_the_user():
    with pytest.raises(ValueError, match="server: 'iis'"):
        web_config_errors([], "iis", "iis_sites")
