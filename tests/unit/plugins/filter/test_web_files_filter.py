# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The web_files_read, web_files_state, web_files_entries and web_files_same filters: plugin_utils/web_files.py
for Jinja2, errors as filter errors."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.webedge.https.plugins.filter.web_files import FilterModule

FILTERS = FilterModule().filters()


def test_the_filters_are_published():
    assert set(FILTERS) == {"web_files_read", "web_files_state", "web_files_entries", "web_files_same"}


def test_read_and_state():
    argv = FILTERS["web_files_read"](["/etc/nginx/conf.d"], "/var/lib/s", managed=["/etc/nginx/tls/a.key"])
    assert argv[:4] == ["find", "/etc/nginx/conf.d", "/etc/nginx/tls", "/var/lib/s"]
    out = (
        "f 644 root root 10.0 /var/lib/s\nf 644 root root 11.0 /etc/nginx/conf.d/x.conf\n"
        "f 600 root root 1.0 /etc/nginx/tls/a.key.77.2026-01-02@03:04:05~\nd 755 root root 1.0 /var/www/a\n"
    )
    state = FILTERS["web_files_state"](
        out,
        ["/etc/nginx/conf.d"],
        "/var/lib/s",
        managed=["/etc/nginx/tls/a.key"],
        directories=["/var/www/a", "/var/www/b"],
    )
    assert state == {
        "unloaded": "/etc/nginx/conf.d/x.conf",
        "leftovers": ["/etc/nginx/tls/a.key.77.2026-01-02@03:04:05~"],
        "directories": ["/var/www/b"],
    }
    assert FILTERS["web_files_state"](None, [], "/var/lib/s") == {
        "unloaded": "/var/lib/s",
        "leftovers": [],
        "directories": [],
    }


def test_bad_input_is_a_filter_error_naming_the_filter():
    with pytest.raises(AnsibleFilterError, match=r"web_files_read: .*absolute.*'-delete'"):
        FILTERS["web_files_read"](["-delete"], "/s")
    with pytest.raises(AnsibleFilterError, match="web_files_read: expected a list"):
        FILTERS["web_files_read"]("/etc", "/s")
    with pytest.raises(AnsibleFilterError, match="web_files_state managed: expected a list"):
        FILTERS["web_files_state"]("", [], "/s", managed="/etc/x")


def test_entries_and_same():
    content = "server {}\n"
    out = (
        "f 644 root root 10.0 /etc/nginx/conf.d/a.conf\nl 777 root root 1.0 /etc/nginx/sites-enabled/default\n"
        "-> /etc/nginx/sites-available/default\n"
        "b0a1bd50e3e2c3b4d5b1c7b2f8e1ab8a0e0d5d3c  /etc/nginx/conf.d/other.conf\n"
        + __import__("hashlib").sha1(content.encode()).hexdigest()
        + "  /etc/nginx/conf.d/a.conf\n"
    )
    assert FILTERS["web_files_entries"](out) == [
        {"path": "/etc/nginx/conf.d/a.conf", "kind": "f", "mode": "644", "owner": "root", "group": "root",
         "link": "", "sha1": __import__("hashlib").sha1(content.encode()).hexdigest()},
        {"path": "/etc/nginx/sites-enabled/default", "kind": "l", "mode": "777", "owner": "root", "group": "root",
         "link": "/etc/nginx/sites-available/default", "sha1": ""},
    ]  # fmt: skip
    assert FILTERS["web_files_entries"](None) == []
    assert FILTERS["web_files_same"](out, "/etc/nginx/conf.d/a.conf", content) is True
    assert FILTERS["web_files_same"](out, "/etc/nginx/conf.d/a.conf", content, "0600") is False
    assert FILTERS["web_files_same"](out, "/etc/nginx/conf.d/a.conf", content, owner="www-data") is False
    assert FILTERS["web_files_same"](out, "/etc/nginx/conf.d/a.conf", content + " ") is False
    assert FILTERS["web_files_same"](out, "/etc/nginx/conf.d/other.conf", content) is False  # no entry line
    assert FILTERS["web_files_same"]("", "/etc/nginx/conf.d/a.conf", content) is False
    with pytest.raises(AnsibleFilterError, match=r"web_files_same: .*absolute"):
        FILTERS["web_files_same"](out, "a.conf", content)
    with pytest.raises(AnsibleFilterError, match="web_files_same: content is required"):
        FILTERS["web_files_same"](out, "/etc/nginx/conf.d/a.conf", None)
