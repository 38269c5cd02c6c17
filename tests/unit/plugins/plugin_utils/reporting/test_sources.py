# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a host is defined: the inventory line naming it, its host_vars, its dynamic source, a fallback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ansible_collections.webedge.https.plugins.plugin_utils.reporting.sources import (
    ci_config_file,
    find_host_in_ini,
    find_host_in_yaml,
    locate_host,
    relative_uri,
)

INI = """\
# production web servers
web0 ansible_host=10.0.0.9

[web_servers]
web1   ansible_host=10.0.0.1
  web2:2222 ansible_user=deploy   ; a comment
app[01:03]
[fe80::1]:22

[web_servers:vars]
web9=not-a-host

[all_servers:children]
web_servers
"""

YAML = """\
all:
  vars:
    hosts: {web9: {}}
  children:
    web_servers:
      hosts:
        web1:
          ansible_host: 10.0.0.1
        "web 2": {}
        app[01:03]:
    db:
      hosts: {db1: null}
"""


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("web0", (2, 1, 5)),
        ("web1", (5, 1, 5)),
        ("web2", (6, 3, 12)),  # the span covers the pattern as written, port included
        ("app02", (7, 1, 11)),
        ("fe80::1", (8, 1, 13)),
        ("web9", None),  # a variable of [web_servers:vars], not a host
        ("web_servers", None),  # a child group, not a host
        ("nowhere", None),
    ],
)
def test_ini_line_and_span(name, expected):
    assert find_host_in_ini(INI, name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("web1", (7, 9, 13)),
        ("web 2", (9, 9, 16)),  # quoted key: the span covers the quotes
        ("app03", (10, 9, 19)),
        ("db1", (12, 15, 18)),  # flow mapping
        ("web9", None),  # under vars:
        ("web_servers", None),
    ],
)
def test_yaml_line_and_span(name, expected):
    assert find_host_in_yaml(YAML, name) == expected


def test_yaml_span_is_the_name_as_written():
    line, column, end = find_host_in_yaml(YAML, "web1")
    assert YAML.splitlines()[line - 1][column - 1 : end - 1] == "web1"


def test_inventory_plugin_configuration_names_no_host():
    assert find_host_in_yaml("plugin: constructed\nhosts: {web1: {}}\n", "web1") is None


def test_broken_yaml_is_no_match():
    assert find_host_in_yaml("all: [unclosed\n", "web1") is None


@pytest.fixture
def repo(tmp_path):
    """A user's repository: an INI and a YAML inventory, host_vars, a dynamic inventory script."""
    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / "hosts.ini").write_text(INI, encoding="utf-8")
    (tmp_path / "inventory" / "cloud.yml").write_text(YAML, encoding="utf-8")
    script = tmp_path / "inventory" / "dynamic.py"
    script.write_text("#!/usr/bin/env python3\nprint('{}')\n", encoding="utf-8")
    script.chmod(0o755)
    (tmp_path / "inventory" / "host_vars").mkdir()
    (tmp_path / "inventory" / "host_vars" / "dyn1.yml").write_text("ansible_host: 10.0.0.7\n", encoding="utf-8")
    (tmp_path / "inventory" / "host_vars" / "dyn2").mkdir()
    (tmp_path / "inventory" / "host_vars" / "dyn2" / "b.yml").write_text("b: 1\n", encoding="utf-8")
    (tmp_path / "inventory" / "host_vars" / "dyn2" / "a.yml").write_text("a: 1\n", encoding="utf-8")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "audit.yml").write_text("name: audit\n", encoding="utf-8")
    return tmp_path


def _locate(repo, name, inventory=None, **kwargs):
    path = str(repo / "inventory" / inventory) if inventory else None
    return locate_host(
        name,
        source_root=str(repo),
        inventory_file=path,
        inventory_dir=os.path.dirname(path) if path else None,
        **kwargs,
    ).to_dict()


def test_host_named_by_an_ini_inventory(repo):
    assert _locate(repo, "web2", "hosts.ini") == {
        "uri": "inventory/hosts.ini",
        "kind": "inventory",
        "line": 6,
        "column": 3,
        "end_column": 12,
    }


def test_host_named_by_a_yaml_inventory(repo):
    assert _locate(repo, "web 2", "cloud.yml")["line"] == 9


def test_dynamic_inventory_host_with_host_vars_file(repo):
    assert _locate(repo, "dyn1", "dynamic.py") == {
        "uri": "inventory/host_vars/dyn1.yml",
        "kind": "host_vars",
        "line": 1,
        "column": None,
        "end_column": None,
    }


def test_host_vars_folder_gives_its_first_file(repo):
    assert _locate(repo, "dyn2", "dynamic.py")["uri"] == "inventory/host_vars/dyn2/a.yml"


def test_dynamic_inventory_host_without_host_vars_is_placed_at_the_script(repo):
    # An executable script is run, not read: its text never names the host.
    assert _locate(repo, "dyn3", "dynamic.py") == {
        "uri": "inventory/dynamic.py",
        "kind": "inventory_source",
        "line": 1,
        "column": None,
        "end_column": None,
    }


def test_host_vars_next_to_the_playbook(repo, tmp_path):
    (repo / "playbooks" / "host_vars").mkdir(parents=True)
    (repo / "playbooks" / "host_vars" / "added.yaml").write_text("x: 1\n", encoding="utf-8")
    assert _locate(repo, "added", playbook_dir=str(repo / "playbooks"))["uri"] == "playbooks/host_vars/added.yaml"


def test_inventory_outside_the_repository_uses_the_fallback(repo, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "hosts").write_text("web1\n", encoding="utf-8")
    found = locate_host(
        "web1",
        source_root=str(repo),
        inventory_file=str(elsewhere / "hosts"),
        inventory_dir=str(elsewhere),
        fallback=".github/workflows/audit.yml",
    )
    assert (found.uri, found.kind, found.line) == (".github/workflows/audit.yml", "fallback", 1)


def test_no_file_at_all_gives_a_relative_path_no_repository_has(repo):
    found = locate_host("www.example.com:8443", source_root=str(repo), fallback="missing.yml")
    assert (found.uri, found.kind) == ("webedge-https/hosts/www.example.com%3A8443", "none")


def test_fallback_outside_the_root_is_not_used(repo, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "ci.yml"
    outside.write_text("x: 1\n", encoding="utf-8")
    assert locate_host("h", source_root=str(repo), fallback=str(outside)).kind == "none"


@pytest.mark.parametrize(
    ("relative", "uri"),
    [
        ("inventory/hosts", "inventory/hosts"),
        ("inv entory/a:b.yml", "inv%20entory/a%3Ab.yml"),  # a colon in a first segment would read as a scheme
        ("inventory/ü.ini", "inventory/%C3%BC.ini"),
    ],
)
def test_relative_uri_is_an_rfc3986_relative_reference(tmp_path, relative, uri):
    path = tmp_path / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x\n", encoding="utf-8")
    assert relative_uri(str(path), str(tmp_path)) == uri


def test_relative_uri_refuses_what_is_not_a_file_under_the_root(tmp_path):
    (tmp_path / "root").mkdir()
    (tmp_path / "other.ini").write_text("x\n", encoding="utf-8")
    assert relative_uri(str(tmp_path / "other.ini"), str(tmp_path / "root")) is None
    assert relative_uri(str(tmp_path / "root"), str(tmp_path)) is None  # a directory
    assert relative_uri(str(tmp_path / "root" / "missing"), str(tmp_path / "root")) is None


def test_symlinked_checkout_still_resolves(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "hosts").write_text("web1\n", encoding="utf-8")
    Path(tmp_path / "link").symlink_to(tmp_path / "real")
    assert relative_uri(str(tmp_path / "link" / "hosts"), str(tmp_path / "real")) == "hosts"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        (
            {
                "GITHUB_REPOSITORY": "octo/web",
                "GITHUB_WORKFLOW_REF": "octo/web/.github/workflows/https.yml@refs/heads/main",
            },
            ".github/workflows/https.yml",
        ),
        ({"GITHUB_REPOSITORY": "octo/web", "GITHUB_WORKFLOW_REF": "other/repo/.github/w.yml@x"}, None),
        ({"CI_CONFIG_PATH": ".gitlab-ci.yml"}, ".gitlab-ci.yml"),
        ({"CI_CONFIG_PATH": "ci.yml@group/other-project"}, None),  # a configuration kept in another project
        ({}, None),
    ],
)
def test_ci_config_file(environ, expected):
    assert ci_config_file(environ) == expected
