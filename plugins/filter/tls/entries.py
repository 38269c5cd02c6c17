# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the tls role's certificate entries (role webedge.https.tls, vars/main.yml and tasks/validate.yml):
the lab CA's entries, the entries whose key is made on the host, the entries deployed from files,
and the checks of them all, as ``webedge.https.tls.<name>``. Thin wrappers over ``plugin_utils/tls/entries.py``;
the documentation of each filter is in the YAML file of its name next to this one.

In a subdirectory: ansible-core finds a filter of the collection by importing every file of its directory in
each worker process, so only the tls role's lookups import this file, and they import nothing else."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Callable, Dict, List, Mapping, Optional

from ansible.errors import AnsibleFilterError

from ansible_collections.webedge.https.plugins.plugin_utils.tls import entries

_BAD_INPUT = (AttributeError, KeyError, TypeError, ValueError)


def _list(value: Any, what: str) -> List[Any]:
    if value is None:
        return []
    if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
        raise AnsibleFilterError(f"{what}: expected a list, got {type(value).__name__}")
    return list(value)


def _entries(value: Any, what: str) -> List[Mapping[str, Any]]:
    items = _list(value, what)
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise AnsibleFilterError(f"{what}: entry {i} is a {type(item).__name__}, not a dictionary")
    return items


def tls_lab_entries(
    result: Any,
    certificates: Any = None,
    enabled: Any = True,
    key_on_host: Any = False,
    valid_days: Any = 90,
    renew_days: Any = 30,
    check_mode: Any = False,
) -> List[Dict[str, Any]]:
    if result is not None and not isinstance(result, Mapping):
        raise AnsibleFilterError(f"tls.lab_entries: expected the result of tls_lab_ca, got {type(result).__name__}")
    try:
        return entries.lab_entries(
            result,
            _entries(certificates, "tls.lab_entries certificates"),
            enabled=enabled,
            key_on_host=key_on_host,
            valid_days=valid_days,
            renew_days=renew_days,
            check_mode=check_mode,
        )
    except KeyError as exc:
        raise AnsibleFilterError(f"tls.lab_entries: a lab certificate or the lab CA's result lacks {exc}") from exc
    except _BAD_INPUT as exc:
        raise AnsibleFilterError(f"tls.lab_entries: {exc}") from exc


def _defaults(kind: Any, options: Mapping[str, Any], what: str) -> Any:
    """The role's defaults given to a filter as keyword options; those not given are the dataclass's own."""
    try:
        return kind(**options)
    except TypeError as exc:
        known = ", ".join(f.name for f in fields(kind))
        raise AnsibleFilterError(f"{what}: unknown option among {sorted(options)} (known: {known})") from exc


def tls_host_entries(value: Any, **options: Any) -> List[Dict[str, Any]]:
    defaults = _defaults(entries.HostDefaults, options, "tls.host_entries")
    return entries.host_entries(_entries(value, "tls.host_entries"), defaults)


def tls_file_entries(value: Any, **options: Any) -> List[Dict[str, Any]]:
    defaults = _defaults(entries.FileDefaults, options, "tls.file_entries")
    return entries.file_entries(_entries(value, "tls.file_entries"), defaults)


def tls_entry_errors(
    value: Any,
    hosted: Any,
    key_types: Any,
    acme_directory: Any = "",
    acme_account_key: Any = "",
    served_names: Optional[Any] = None,
) -> List[str]:
    return entries.entry_errors(
        _entries(value, "tls.entry_errors"),
        _entries(hosted, "tls.entry_errors hosted"),
        key_types=[
            str(k)
            for k in (key_types if isinstance(key_types, Mapping) else _list(key_types, "tls.entry_errors key_types"))
        ],
        acme_directory=acme_directory,
        acme_account_key=acme_account_key,
        served_names=_list(served_names, "tls.entry_errors served_names"),
    )


class FilterModule:
    def filters(self) -> Dict[str, Callable[..., Any]]:
        return {
            "lab_entries": tls_lab_entries,
            "host_entries": tls_host_entries,
            "file_entries": tls_file_entries,
            "entry_errors": tls_entry_errors,
        }
