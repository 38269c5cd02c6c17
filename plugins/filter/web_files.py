# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the web server roles' one read of their files (role webedge.https.web_common): the argument
list of the read and what its output says. Thin wrappers over ``plugin_utils/web_files.py``; the
documentation of each filter is in the YAML file of its name next to this one."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Optional

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.webedge.https.plugins.plugin_utils import web_files


def _list(value: Any, what: str) -> List[Any]:
    if value is None:
        return []
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
        raise AnsibleFilterError(f"{what}: expected a list of paths, got {type(value).__name__}")
    return list(value)


def _paths(watched: Any, **given: Any) -> Dict[str, Any]:
    """``watched`` as web_files_paths returns it (its watched, managed, directories and compared paths: the roles
    pass that one variable, rendered once, instead of each of its parts), or the list of watched paths; the
    options given explicitly win over the parts of the mapping."""
    if isinstance(watched, Mapping):
        return {
            "watched": watched.get("watched"),
            **{k: watched.get(k) if v is None else v for k, v in given.items()},
        }
    return {"watched": watched, **given}


def web_files_read(
    watched: Any,
    stamp: str,
    managed: Optional[Any] = None,
    directories: Optional[Any] = None,
    compared: Optional[Any] = None,
    links: bool = False,
    commands: Optional[Any] = None,
) -> List[str]:
    paths = _paths(watched, managed=managed, directories=directories, compared=compared)
    try:
        return web_files.read_argv(
            _list(paths["watched"], "web_files_read"),
            str(stamp),
            _list(paths["managed"], "web_files_read managed"),
            _list(paths["directories"], "web_files_read directories"),
            _list(paths["compared"], "web_files_read compared"),
            bool(links),
            _list(commands, "web_files_read commands"),
        )
    except web_files.WebFilesError as exc:
        raise AnsibleFilterError(f"web_files_read: {exc}") from exc


def web_files_state(
    stdout: Any,
    watched: Any,
    stamp: str,
    managed: Optional[Any] = None,
    exclude: Optional[Any] = None,
    directories: Optional[Any] = None,
) -> Dict[str, Any]:
    paths = _paths(watched, managed=managed, directories=directories)
    try:
        text = "" if stdout is None else str(stdout)
        return {
            "unloaded": web_files.unloaded(text, _list(paths["watched"], "web_files_state"), str(stamp)),
            "leftovers": web_files.leftovers(
                text, _list(paths["managed"], "web_files_state managed"), _list(exclude, "web_files_state exclude")
            ),
            "directories": web_files.directories_to_make(
                text, _list(paths["directories"], "web_files_state directories")
            ),
        }
    except web_files.WebFilesError as exc:
        raise AnsibleFilterError(f"web_files_state: {exc}") from exc


def web_files_entries(stdout: Any) -> List[Dict[str, str]]:
    return web_files.listing(None if stdout is None else str(stdout))


def web_files_output(stdout: Any, path: Any) -> List[str]:
    try:
        return web_files.command_output(None if stdout is None else str(stdout), str(path))
    except web_files.WebFilesError as exc:
        raise AnsibleFilterError(f"web_files_output: {exc}") from exc


def web_files_same(
    stdout: Any, path: Any, content: Any, mode: Any = "0644", owner: Any = "root", group: Any = "root"
) -> bool:
    if content is None:
        raise AnsibleFilterError("web_files_same: content is required (the text the write would put in the file)")
    try:
        return web_files.same_file(
            None if stdout is None else str(stdout), str(path), str(content), str(mode), str(owner), str(group)
        )
    except (web_files.WebFilesError, ValueError) as exc:
        raise AnsibleFilterError(f"web_files_same: {exc}") from exc


def web_files_paths(
    sites: Any, watch_paths: Optional[Any] = None, managed_files: Optional[Any] = None
) -> Dict[str, Any]:
    listed = _list(sites, "web_files_paths")
    if not all(isinstance(site, Mapping) for site in listed):
        raise AnsibleFilterError("web_files_paths: expected a list of sites (web_sites' output)")
    try:
        return web_files.site_paths(
            listed,
            _list(watch_paths, "web_files_paths watch_paths"),
            _list(managed_files, "web_files_paths managed_files"),
        )
    except KeyError as exc:
        raise AnsibleFilterError(f"web_files_paths: a site lacks {exc} (expected web_sites' output)") from exc


def web_files_stale(
    stdout: Any,
    directories: Any,
    prefix: str,
    keep: Optional[Any] = None,
    purge: Any = True,
    default: Optional[str] = None,
    default_file: Any = True,
    relink: Optional[str] = None,
) -> Dict[str, List[Any]]:
    if not str(prefix):
        raise AnsibleFilterError("web_files_stale: prefix must not be empty")
    return web_files.stale(
        None if stdout is None else str(stdout),
        [str(d) for d in _list(directories, "web_files_stale directories")],
        str(prefix),
        _list(keep, "web_files_stale keep"),
        boolean(purge, strict=False),
        str(default) if default else None,
        boolean(default_file, strict=False),
        None if relink is None else str(relink),
    )


class FilterModule:
    def filters(self) -> Dict[str, Callable[..., Any]]:
        return {
            "web_files_read": web_files_read,
            "web_files_state": web_files_state,
            "web_files_entries": web_files_entries,
            "web_files_same": web_files_same,
            "web_files_output": web_files_output,
            "web_files_paths": web_files_paths,
            "web_files_stale": web_files_stale,
        }
