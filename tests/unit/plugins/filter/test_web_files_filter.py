# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The web_files_read, web_files_state, web_files_entries, web_files_same, web_files_output, web_files_paths and
web_files_stale filters: plugin_utils/web_files.py for Jinja2, errors as filter errors."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.webedge.https.plugins.filter.web_files import FilterModule

FILTERS = FilterModule().filters()


def test_the_filters_are_published():
    assert set(FILTERS) == {
        "web_files_read",
        "web_files_state",
        "web_files_entries",
        "web_files_same",
        "web_files_output",
        "web_files_paths",
        "web_files_stale",
    }


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


def test_output_of_a_paths_commands():
    out = "f 644 root root 1.0 /etc/tls/a.pem\nhttp://ocsp.test/\nf 644 root root 1.0 /etc/tls/b.pem\n"
    assert FILTERS["web_files_output"](out, "/etc/tls/a.pem") == ["http://ocsp.test/"]
    assert FILTERS["web_files_output"](out, "/etc/tls/b.pem") == []
    assert FILTERS["web_files_output"](None, "/etc/tls/a.pem") == []
    with pytest.raises(AnsibleFilterError, match=r"web_files_output: path: must be absolute, got 'a\.pem'"):
        FILTERS["web_files_output"](out, "a.pem")


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


def _run_read(tmp_path, commands, **kwargs):
    """The read's argv run for real (GNU find), with ``commands``."""
    import subprocess

    argv = FILTERS["web_files_read"]([str(tmp_path / "conf")], str(tmp_path / "stamp"), commands=commands, **kwargs)
    return subprocess.run(argv, capture_output=True, text=True, check=False)


def test_commands_run_once_from_the_same_find_when_their_path_is_there(tmp_path):
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "a.conf").write_text("x\n")
    (tmp_path / "conf" / "l").symlink_to("a.conf")
    server = tmp_path / "server"
    # answers on standard error and fails, as a server's version flag may: the next command still runs
    server.write_text("#!/bin/sh\necho 'nginx version: nginx/1.22.1' >&2\nexit 3\n")
    server.chmod(0o755)
    commands = [
        {"path": str(server), "argv": [str(server), "-V"]},
        {"path": str(server), "argv": ["printf", "ActiveState=active\\nUnitFileState=enabled\\n"]},
        {"path": str(tmp_path / "missing"), "argv": ["echo", "never"]},
    ]
    managed = [str(tmp_path / "conf" / "a.conf")]
    done = _run_read(tmp_path, commands, managed=managed, compared=managed, links=True)
    lines = done.stdout.splitlines()
    assert lines.count("ActiveState=active") == 1 and lines.count("UnitFileState=enabled") == 1
    assert "never" not in done.stdout
    assert done.stderr.count("nginx version: nginx/1.22.1") == 1
    # the read's own lines are all still there: the link's target, the SHA-1, the command's path itself
    entries = {e["path"]: e for e in FILTERS["web_files_entries"](done.stdout)}
    assert entries[str(tmp_path / "conf" / "l")]["link"] == "a.conf"
    assert entries[str(server)]["kind"] == "f"
    assert FILTERS["web_files_same"](done.stdout, managed[0], "x\n") is True
    # without commands, the argument list is the one it was
    plain = FILTERS["web_files_read"]([str(tmp_path / "conf")], str(tmp_path / "stamp"), links=True)
    assert "-exec" not in plain and str(server) not in plain


def test_a_command_without_its_path_or_with_a_bad_argv_fails_before_anything_runs():
    for bad, match in (
        ([{"path": "usr/sbin/nginx", "argv": ["nginx", "-V"]}], "absolute"),
        ([{"path": "/usr/sbin/nginx", "argv": ["nginx", ";", "rm"]}], "';'"),
        ([{"path": "/usr/sbin/nginx", "argv": "nginx -V"}], "list argv"),
        ([{"path": "/usr/sbin/nginx"}], "keys path and argv"),
        ([{"path": "/usr/sbin/nginx", "argv": []}], "non-empty"),
    ):
        with pytest.raises(AnsibleFilterError, match=f"web_files_read: .*{match}"):
            FILTERS["web_files_read"](["/etc/nginx"], "/s", commands=bad)


def test_paths_of_the_sites():
    site = {
        "install_certificate": True,
        "fullchain_path": "/t/a.pem",
        "key_path": "/t/a.key",
        "chain_path": None,
        "http_redirect": True,
        "acme_challenge_root": "/srv/acme",
        "root": "/var/www/a",
        "create_root": False,
    }
    other = {**site, "install_certificate": False, "fullchain_path": "/t/b.pem", "key_path": "/t/b.key",
             "chain_path": "/t/b.chain", "create_root": True}  # fmt: skip
    assert FILTERS["web_files_paths"](
        [site, other], ["/etc/nginx/conf.d", "/t/a.pem"], ["/etc/nginx/conf.d/a.conf"]
    ) == {
        "watched": ["/etc/nginx/conf.d", "/t/a.pem", "/t/b.pem", "/t/a.key", "/t/b.key", "/t/b.chain"],
        "managed": ["/etc/nginx/conf.d/a.conf", "/t/a.pem", "/t/a.key"],
        "directories": ["/srv/acme/.well-known/acme-challenge", "/var/www/a"],
        "compared": ["/etc/nginx/conf.d/a.conf"],
    }
    assert FILTERS["web_files_paths"]([]) == {"watched": [], "managed": [], "directories": [], "compared": []}
    with pytest.raises(AnsibleFilterError, match="web_files_paths: a site lacks 'key_path'"):
        FILTERS["web_files_paths"]([{"fullchain_path": "/t/a.pem"}])
    with pytest.raises(AnsibleFilterError, match="web_files_paths: expected a list of sites"):
        FILTERS["web_files_paths"](["/t/a.pem"])


def test_read_and_state_take_the_paths_of_the_sites_as_they_are():
    """The roles pass web_files_paths' result, rendered once, instead of each of its parts: the same read and the
    same state as with the parts given one by one; a part given explicitly wins."""
    paths = {
        "watched": ["/etc/nginx/conf.d", "/t/a.pem"],
        "managed": ["/etc/nginx/conf.d/a.conf", "/t/a.key"],
        "directories": ["/srv/acme/.well-known/acme-challenge", "/var/www/a"],
        "compared": ["/etc/nginx/conf.d/a.conf"],
    }
    parts = {k: paths[k] for k in ("managed", "directories", "compared")}
    read = FILTERS["web_files_read"]
    assert read(paths, "/var/lib/s", links=True) == read(paths["watched"], "/var/lib/s", links=True, **parts)
    assert read(paths, "/var/lib/s", compared=[]) == read(paths["watched"], "/var/lib/s", **{**parts, "compared": []})
    out = (
        "f 644 root root 10.0 /var/lib/s\nf 644 root root 11.0 /t/a.pem\n"
        "f 600 root root 1.0 /t/a.key.77.2026-01-02@03:04:05~\nd 755 root root 1.0 /var/www/a\n"
    )
    state = FILTERS["web_files_state"]
    whole = state(out, paths, "/var/lib/s", exclude=["/x"])
    assert whole == state(out, paths["watched"], "/var/lib/s", managed=paths["managed"], exclude=["/x"],
                          directories=paths["directories"])  # fmt: skip
    assert whole == {
        "unloaded": "/t/a.pem",
        "leftovers": ["/t/a.key.77.2026-01-02@03:04:05~"],
        "directories": ["/srv/acme/.well-known/acme-challenge"],
    }
    assert state(out, paths, "/var/lib/s", managed=[])["leftovers"] == []


def test_stale_files_and_links():
    out = (
        "f 644 root root 1.0 /etc/apache2/sites-available/webedge-site-old.conf\n"
        "f 644 root root 1.0 /etc/apache2/sites-available/webedge-site-www.conf\n"
        "f 644 root root 1.0 /etc/apache2/sites-available/webedge-site-old.conf.1.2026-01-02@03:04:05~\n"
        "l 777 root root 1.0 /etc/apache2/sites-enabled/webedge-site-old.conf\n-> /anywhere\n"
        "l 777 root root 1.0 /etc/apache2/sites-enabled/000-default.conf\n-> ../sites-available/000-default.conf\n"
        "f 644 root root 1.0 /etc/apache2/conf-enabled/webedge-site-old.conf\n"
    )
    dirs = ["/etc/apache2/sites-available", "/etc/apache2/sites-enabled/"]
    default = "/etc/apache2/sites-enabled/000-default.conf"
    stale = FILTERS["web_files_stale"](
        out, dirs, "webedge-site-", keep=["webedge-site-www.conf"], relink="../sites-available/", default=default
    )
    assert stale == {
        "files": ["/etc/apache2/sites-available/webedge-site-old.conf"],
        "links": [
            {
                "path": "/etc/apache2/sites-enabled/webedge-site-old.conf",
                "link": "../sites-available/webedge-site-old.conf",
            },
            {"path": default, "link": "../sites-available/000-default.conf"},
        ],
    }
    # without relink, links are not site files; purge off keeps the site files; a full path in keep
    assert FILTERS["web_files_stale"](out, dirs, "webedge-site-", purge="no", default=default) == {
        "files": [],
        "links": [{"path": default, "link": "../sites-available/000-default.conf"}],
    }
    assert FILTERS["web_files_stale"](
        out, dirs, "webedge-site-", keep=["/etc/apache2/sites-available/webedge-site-old.conf"]
    ) == {"files": ["/etc/apache2/sites-available/webedge-site-www.conf"], "links": []}
    # a default site that is a regular file: removed unless default_file is false
    regular = "f 644 root root 1.0 /etc/nginx/sites-enabled/default\n"
    assert FILTERS["web_files_stale"](regular, [], "x-", default="/etc/nginx/sites-enabled/default")["files"] == [
        "/etc/nginx/sites-enabled/default"
    ]
    assert FILTERS["web_files_stale"](
        regular, [], "x-", default="/etc/nginx/sites-enabled/default", default_file=False
    ) == {"files": [], "links": []}
    assert FILTERS["web_files_stale"](None, dirs, "webedge-site-") == {"files": [], "links": []}
    with pytest.raises(AnsibleFilterError, match="web_files_stale: prefix must not be empty"):
        FILTERS["web_files_stale"](out, dirs, "")
    with pytest.raises(AnsibleFilterError, match="web_files_stale directories: expected a list"):
        FILTERS["web_files_stale"](out, "/etc/apache2", "webedge-site-")
