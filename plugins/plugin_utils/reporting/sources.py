# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a host is defined in the user's repository, for SARIF locations.

GitHub code scanning places a result only at a file of the repository (a relative path, with a
line), and rejects an upload whose result has no file location at all. A compliance result is
about a host, so its place is the file that defines the host, looked up in this order:

1. ``inventory``: the line of the inventory file (INI or YAML, Ansible's ``inventory_file`` of the
   host) that names it, with the column span of the name;
2. ``host_vars``: the host's ``host_vars/<name>[.yml|.yaml|.json]`` file (or the first file of a
   ``host_vars/<name>/`` folder) next to the inventory or the playbook, line 1;
3. ``inventory_source``: the inventory source itself when it names no host line (a dynamic
   inventory script or an inventory plugin's configuration), line 1;
4. ``fallback``: a file given by the caller (the CI configuration that runs the audit), line 1;
5. ``none``: a relative path made from the host name under ``webedge-https/hosts/`` that exists in
   no repository: GitHub accepts it (a valid relative reference) and shows the alert without code.

Only files under ``source_root`` (the repository checkout) count for 1 to 4; paths are made
relative to it, with ``/`` separators and percent-encoding (an RFC 3986 relative reference).
Controller side only.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import quote

import yaml
from ansible.errors import AnsibleError
from ansible.parsing.utils.addresses import parse_address
from ansible.plugins.inventory import detect_range, expand_hostname_range

__all__ = [
    "SOURCE_KINDS",
    "HostSource",
    "ci_config_file",
    "find_host_in_ini",
    "find_host_in_yaml",
    "locate_host",
    "relative_uri",
    "unplaced",
]

SOURCE_KINDS = ("inventory", "host_vars", "inventory_source", "fallback", "none")
_YAML_SUFFIXES = (".yml", ".yaml", ".json")
_HOST_VARS_SUFFIXES = ("", ".yml", ".yaml", ".json")


@dataclass(frozen=True)
class HostSource:
    """The file and region that define a host.

    Attributes:
        uri: relative reference to the file from the source root (percent-encoded, ``/``).
        kind: one of ``SOURCE_KINDS``.
        line: 1-based line of the host's definition (1 when only the file is known).
        column: 1-based first column of the host's name, or None when only the line is known.
        end_column: 1-based column just past the name, or None.
    """

    uri: str
    kind: str
    line: int = 1
    column: Optional[int] = None
    end_column: Optional[int] = None

    def to_dict(self) -> Dict[str, Any]:
        return {
            "uri": self.uri,
            "kind": self.kind,
            "line": self.line,
            "column": self.column,
            "end_column": self.end_column,
        }


def unplaced(name: str) -> HostSource:
    """The place of a host no file of the repository defines: a path no repository has."""
    return HostSource(uri="webedge-https/hosts/" + quote(name, safe=""), kind="none")


def relative_uri(path: str, root: str) -> Optional[str]:
    """``path`` as a relative reference from ``root``, or None when it is not a file under ``root``."""
    if not path or not os.path.isfile(path):
        return None
    real, base = os.path.realpath(path), os.path.realpath(root)
    if os.path.commonpath([real, base]) != base:
        return None
    rel = os.path.relpath(real, base).replace(os.sep, "/")
    return quote(rel, safe="/")


def _names(pattern: str) -> List[str]:
    """The host names a host pattern of an inventory defines (``web[01:03]`` gives three)."""
    try:
        host, _port = parse_address(pattern, allow_ranges=True)
    except AnsibleError:
        host = pattern
    if detect_range(host):
        try:
            return list(expand_hostname_range(host))
        except AnsibleError:
            return [host]
    return [host]


Span = Tuple[int, Optional[int], Optional[int]]


def find_host_in_ini(text: str, name: str) -> Optional[Span]:
    """(line, column, end column) of the INI inventory line that defines ``name``, 1-based."""
    section_kind = "hosts"
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            header = line[1:-1]
            section_kind = header.rpartition(":")[2] if ":" in header else "hosts"
            if section_kind not in ("vars", "children"):
                section_kind = "hosts"
            continue
        if section_kind != "hosts":
            continue
        try:
            tokens = shlex.split(line, comments=True)
        except ValueError:
            tokens = line.split()
        if not tokens:
            continue
        pattern = tokens[0]
        if name in _names(pattern):
            start = raw.find(pattern)
            if start < 0:  # quoted in the file: the line is known, the span is not
                return number, None, None
            return number, start + 1, start + 1 + len(pattern)
    return None


def _yaml_host_keys(node: Any, in_hosts: bool = False) -> Iterator[Any]:
    """Key nodes naming hosts: keys of every ``hosts:`` mapping, outside ``vars:``."""
    if not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        if in_hosts:
            yield key
            continue
        if not isinstance(key, yaml.ScalarNode) or key.value == "vars":
            continue
        if key.value == "hosts" and isinstance(value, yaml.MappingNode):
            yield from _yaml_host_keys(value, in_hosts=True)
        else:
            yield from _yaml_host_keys(value)


def find_host_in_yaml(text: str, name: str) -> Optional[Span]:
    """(line, column, end column) of the key naming ``name`` in a YAML inventory, 1-based."""
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        return None
    for document in documents:
        if isinstance(document, yaml.MappingNode) and any(
            isinstance(k, yaml.ScalarNode) and k.value == "plugin" for k, _v in document.value
        ):
            return None  # an inventory plugin's configuration names no host
        for key in _yaml_host_keys(document):
            if isinstance(key, yaml.ScalarNode) and name in _names(str(key.value)):
                start, end = key.start_mark, key.end_mark
                end_column = end.column + 1 if end.line == start.line else start.column + 1 + len(str(key.value))
                return start.line + 1, start.column + 1, end_column
    return None


def _read(path: str) -> Optional[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


def _in_inventory(path: str, name: str) -> Optional[Span]:
    if os.access(path, os.X_OK):
        return None  # an inventory script: its output defines the hosts
    text = _read(path)
    if text is None:
        return None
    if path.endswith(_YAML_SUFFIXES):
        return find_host_in_yaml(text, name)
    found = find_host_in_ini(text, name)
    if found is None and not path.endswith((".ini", ".cfg")):
        found = find_host_in_yaml(text, name)  # the yaml plugin also reads files without a suffix
    return found


def _host_vars_file(name: str, directories: Sequence[str]) -> Optional[str]:
    for directory in directories:
        if not directory:
            continue
        base = os.path.join(directory, "host_vars", name)
        for suffix in _HOST_VARS_SUFFIXES:
            if os.path.isfile(base + suffix):
                return base + suffix
        if os.path.isdir(base):
            files = sorted(os.path.join(base, f) for f in os.listdir(base) if os.path.isfile(os.path.join(base, f)))
            if files:
                return files[0]
    return None


def ci_config_file(environ: Mapping[str, str]) -> Optional[str]:
    """The CI configuration running this job, relative to the checkout: GitHub's workflow file
    (``GITHUB_WORKFLOW_REF`` = ``owner/repo/.github/workflows/x.yml@ref``) or GitLab's
    ``CI_CONFIG_PATH``; None outside CI."""
    ref = environ.get("GITHUB_WORKFLOW_REF", "")
    repository = environ.get("GITHUB_REPOSITORY", "")
    if ref and repository and ref.startswith(repository + "/"):
        return ref[len(repository) + 1 :].rpartition("@")[0] or None
    path = environ.get("CI_CONFIG_PATH", "")
    if path and "://" not in path and "@" not in path:  # a file of the project, not a remote config
        return path
    return None


def locate_host(
    name: str,
    *,
    source_root: str,
    inventory_file: Optional[str] = None,
    inventory_dir: Optional[str] = None,
    playbook_dir: Optional[str] = None,
    fallback: Optional[str] = None,
) -> HostSource:
    """The file of ``source_root`` that defines host ``name`` (see the module docstring for the order)."""
    if inventory_file:
        uri = relative_uri(inventory_file, source_root)
        found = _in_inventory(inventory_file, name) if uri else None
        if uri and found:
            return HostSource(uri=uri, kind="inventory", line=found[0], column=found[1], end_column=found[2])
    host_vars = _host_vars_file(name, [inventory_dir or "", playbook_dir or ""])
    vars_uri = relative_uri(host_vars, source_root) if host_vars else None
    if vars_uri:
        return HostSource(uri=vars_uri, kind="host_vars")
    source_uri = relative_uri(inventory_file, source_root) if inventory_file else None
    if source_uri:
        return HostSource(uri=source_uri, kind="inventory_source")
    if fallback:
        path = fallback if os.path.isabs(fallback) else os.path.join(source_root, fallback)
        fallback_uri = relative_uri(path, source_root)
        if fallback_uri:
            return HostSource(uri=fallback_uri, kind="fallback")
    return unplaced(name)
