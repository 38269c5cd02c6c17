# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tls role's certificate entries, computed on the controller (role webedge.https.tls, vars/main.yml).

* :func:`lab_entries`: the lab CA's entries, from the result of ``webedge.https.tls_lab_ca`` (keys made on the
  controller, or keys made on the host with the CSRs signed by the lab CA);
* :func:`host_entries`: the entries whose key is made on the host (sources ``acme`` and ``ca``), every default
  filled in and without secrets, each pointing back (``index``) into the list of every entry;
* :func:`file_entries`: the entries deployed from given files, as webedge.https.tls_certificate's options with the
  role's defaults filled in, without their inline content (an entry may hold a key): ``index`` points back into
  the list of every entry and ``inline`` names the options the task reads from the entry itself;
* :func:`entry_errors`: the role's checks of its entries, one message per broken rule, naming the parameter
  and the value.

The role's variables were Jinja loops; as functions they are compiled once, not at each reference in each
forked worker. Their meaning is the Jinja's: an entry's own value is kept whenever the key is there, even None
or '' (Jinja's ``default(x)`` replaces only an undefined value); numbers and booleans are converted as the
``int`` and ``bool`` filters convert them (the ``bool`` filter of the running ansible-core release itself).

Runs on the controller only (filters ``webedge.https.tls.*``, ``plugins/filter/tls/entries.py``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

from ansible.plugins.filter.core import to_bool
from jinja2.filters import do_int

__all__ = [
    "ENTRY_SOURCES",
    "NAME_PATTERN",
    "FileDefaults",
    "HostDefaults",
    "entry_errors",
    "file_entries",
    "host_entries",
    "lab_entries",
]

ENTRY_SOURCES = ("files", "acme", "ca")
# A certificate's name becomes a file name: a word of letters, digits, '.', '_' and '-' (the whole value).
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
# The longest common name a certificate may carry (RFC 5280 ub-common-name).
COMMON_NAME_MAX = 64

Entry = Mapping[str, Any]


def _int(value: Any) -> int:
    """The ``int`` filter: '14' is 14, '42.7' is 42, anything else that is not a number is 0."""
    return do_int(value)


def _str(value: Any) -> str:
    """Jinja's ``~``: any value as text (None is 'None')."""
    return str(value)


def _entries(value: Any) -> List[Entry]:
    """A list of entries; None is none."""
    return [] if value is None else list(value)


def lab_entries(
    result: Optional[Mapping[str, Any]],
    certificates: Optional[Iterable[Mapping[str, Any]]] = None,
    *,
    enabled: Any = True,
    key_on_host: Any = False,
    valid_days: Any = 90,
    renew_days: Any = 30,
    check_mode: Any = False,
) -> List[Dict[str, Any]]:
    """The lab CA's entries from ``result`` (the registered result of ``webedge.https.tls_lab_ca``; None or a
    result without ``ca_certificate`` - not run yet, skipped - gives none).

    ``key_on_host``: one entry of source ``ca`` per lab certificate (``certificates``: name and hostnames),
    signed by the intermediate when there is one (also the chain to serve), else the root; its key next to
    it (``.key`` for ``.crt``). Otherwise one entry per certificate the lab CA made on the controller, without
    those a check-mode run would create (they are not there to deploy), with its chain when it has one.
    """
    if not to_bool(enabled) or not result or "ca_certificate" not in result:
        return []
    entries: List[Dict[str, Any]] = []
    if to_bool(key_on_host):
        chain = result.get("chain")
        signer = chain or result["ca_certificate"]
        for cert in _entries(certificates):
            entries.append(
                {
                    "name": cert["name"],
                    "source": "ca",
                    "hostnames": cert["hostnames"],
                    "ca_certificate": signer,
                    "ca_private_key": re.sub(r"[.]crt$", ".key", _str(signer)),
                    "ca_chain": chain or "",
                    "valid_days": valid_days,
                    "min_days_valid": renew_days,
                }
            )
        return entries
    for name, cert in (result.get("certificates") or {}).items():
        if check_mode and cert["created"]:
            continue
        entry = {
            "name": name,
            "certificate": cert["certificate"],
            "private_key": cert["private_key"],
            "hostnames": cert["hostnames"],
        }
        if cert.get("chain"):
            entry["chain"] = cert["chain"]
        entries.append(entry)
    return entries


@dataclass(frozen=True)
class HostDefaults:
    """The role defaults a host entry takes for the keys it does not set (their names in the role)."""

    key_type: Any = "ec_p256"  # tls_key_type
    cert_dir: Any = "/etc/ssl/webedge"  # tls_cert_dir
    key_dir: Any = "/etc/ssl/webedge/private"  # tls_key_dir
    key_rotate: Any = True  # tls_key_rotate
    key_owner: Any = "root"  # tls_key_owner
    key_group: Any = "root"  # tls_key_group
    key_mode: Any = "0600"  # tls_key_mode
    min_days_valid: Any = 30  # tls_min_days_valid
    backup: Any = False  # tls_backup
    valid_days: Any = 90  # tls_ca_valid_days
    challenge_root: Any = "/var/www/acme-challenge"  # tls_acme_challenge_root


def _common_name(names: Any) -> Any:
    """The first name when it fits a common name, else '' (no names: '')."""
    first = names[0] if isinstance(names, Sequence) and len(names) > 0 else ""
    return first if len(_str(first)) <= COMMON_NAME_MAX else ""


def host_entries(entries: Any, defaults: HostDefaults) -> List[Dict[str, Any]]:
    """The entries of source ``acme`` and ``ca`` (keys made on the host), with the role's ``defaults`` for the
    keys they do not have, and nothing else of theirs (no passphrase: safe to loop over and to log). ``index``
    is the entry's place in ``entries``."""
    out: List[Dict[str, Any]] = []
    for index, e in enumerate(_entries(entries)):
        source = e.get("source", "files")
        if source not in ("acme", "ca"):
            continue
        name = e.get("name")
        names = e.get("hostnames", [])
        cert_dir, key_dir = _str(defaults.cert_dir), _str(defaults.key_dir)
        out.append(
            {
                "index": index,
                "name": name,
                "source": source,
                "hostnames": names,
                "common_name": e["common_name"] if "common_name" in e else _common_name(names),
                "key_type": e.get("key_type", defaults.key_type),
                "cert_path": e.get("cert_path", f"{cert_dir}/{_str(name)}.crt"),
                "fullchain_path": e.get("fullchain_path", f"{cert_dir}/{_str(name)}.fullchain.pem"),
                "chain_path": e.get("chain_path", f"{cert_dir}/{_str(name)}.chain.pem"),
                "key_path": e.get("key_path", f"{key_dir}/{_str(name)}.key"),
                "rotate_key": to_bool(e.get("rotate_key", defaults.key_rotate)),
                "owner": e.get("owner", defaults.key_owner),
                "group": e.get("group", defaults.key_group),
                "mode": e.get("mode", defaults.key_mode),
                "min_days_valid": _int(e.get("min_days_valid", defaults.min_days_valid)),
                "backup": e.get("backup", defaults.backup),
                "valid_days": _int(e.get("valid_days", defaults.valid_days)),
                "ca_certificate": e.get("ca_certificate", ""),
                "ca_private_key": e.get("ca_private_key", ""),
                "ca_chain": e.get("ca_chain", ""),
                "challenge_root": e.get("challenge_root", defaults.challenge_root),
            }
        )
    return out


@dataclass(frozen=True)
class FileDefaults:
    """The role defaults an entry given as files takes for the options it does not set (their names in the role)."""

    cert_dir: Any = "/etc/ssl/webedge"  # tls_cert_dir
    key_dir: Any = "/etc/ssl/webedge/private"  # tls_key_dir
    key_owner: Any = "root"  # tls_key_owner
    key_group: Any = "root"  # tls_key_group
    key_mode: Any = "0600"  # tls_key_mode
    min_days_valid: Any = 30  # tls_min_days_valid
    key_types: Any = field(default_factory=lambda: ["rsa", "ec_p256", "ec_p384"])  # tls_key_types
    backup: Any = False  # tls_backup


# Options of an entry given as files that the deployed entry names but does not hold (a key, its passphrase, or
# content that may be large): the task reads each from the entry itself, only when the entry has it.
INLINE_OPTIONS = ("certificate_content", "private_key_content", "private_key_passphrase", "chain_content")
# Where an entry puts its files itself; with none of them, the files go to the role's directories under its name.
PATH_OPTIONS = ("cert_path", "fullchain_path", "chain_path", "key_path")


def file_entries(entries: Any, defaults: FileDefaults) -> List[Dict[str, Any]]:
    """The entries of source ``files`` (the default) as webedge.https.tls_certificate's options: the entry's own
    source files and paths, else the role's paths for its name (a chain file only with a chain, a key file only
    with a key), and the role's ``defaults`` for the options it does not set. Without the options of
    ``INLINE_OPTIONS`` (safe to loop over and to log): ``inline`` lists those the entry has, ``index`` is its place
    in ``entries``."""
    out: List[Dict[str, Any]] = []
    for index, e in enumerate(_entries(entries)):
        if e.get("source", "files") != "files":
            continue
        deployed: Dict[str, Any] = {"index": index, "name": e.get("name")}
        deployed.update({k: e[k] for k in ("certificate", "private_key", "chain") if k in e})
        deployed["remote_src"] = e.get("remote_src", False)
        if any(k in e for k in PATH_OPTIONS):
            deployed.update({k: e[k] for k in PATH_OPTIONS if k in e})
        else:
            cert_base = f"{_str(defaults.cert_dir)}/{_str(e.get('name'))}"
            deployed["cert_path"] = f"{cert_base}.crt"
            deployed["fullchain_path"] = f"{cert_base}.fullchain.pem"
            if "chain" in e or "chain_content" in e:
                deployed["chain_path"] = f"{cert_base}.chain.pem"
            if "private_key" in e or "private_key_content" in e:
                deployed["key_path"] = f"{_str(defaults.key_dir)}/{_str(e.get('name'))}.key"
        deployed["owner"] = e.get("owner", defaults.key_owner)
        deployed["group"] = e.get("group", defaults.key_group)
        deployed["mode"] = e.get("mode", defaults.key_mode)
        deployed["hostnames"] = e.get("hostnames", [])
        deployed["min_days_valid"] = e.get("min_days_valid", defaults.min_days_valid)
        deployed["key_types"] = e.get("key_types", defaults.key_types)
        deployed["backup"] = e.get("backup", defaults.backup)
        deployed["inline"] = [k for k in INLINE_OPTIONS if k in e]
        out.append(deployed)
    return out


def _is_name(value: Any) -> bool:
    """A file-name-safe word (the ``match`` test reads a number as its text; a missing name is none)."""
    return value is not None and NAME_PATTERN.fullmatch(_str(value)) is not None


def _names_errors(entries: Sequence[Entry]) -> List[str]:
    names = [e.get("name") for e in entries]
    sources = [e["source"] for e in entries if "source" in e]
    unique = all(names.count(n) == 1 for n in names)
    if unique and all(map(_is_name, names)) and all(s in ENTRY_SOURCES for s in sources):
        return []
    return [
        "tls_certificates: every entry needs a unique name of letters, digits, '.', '_' or '-' and a source of"
        f" files, acme or ca (names {_plain(names)}, sources {_plain(sources)}). Nothing was changed."
    ]


def _plain(value: Any) -> Any:
    """Lists and texts as Python's own types (their repr as Jinja prints a list: ['a', 'b'])."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Mapping):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _length(value: Any) -> int:
    """Jinja's ``length`` for the checks: None (a key given as null) has none."""
    return 0 if value is None else len(value)


def _entry_errors(entry: Entry, key_types: Sequence[str], acme_directory: Any, acme_account_key: Any) -> List[str]:
    source = entry.get("source")
    broken = (
        _length(entry.get("hostnames")) == 0
        or entry.get("key_type") not in key_types
        or (source == "ca" and (_length(entry.get("ca_certificate")) == 0 or _length(entry.get("ca_private_key")) == 0))
        or (source == "acme" and (_length(acme_directory) == 0 or _length(acme_account_key) == 0))
        or (source == "acme" and not re.match(r"https?://", _str(acme_directory or "")))
        or _int(entry.get("valid_days")) <= 0
    )
    if not broken:
        return []
    if source == "ca":
        needs = "ca_certificate and ca_private_key (files on the controller)"
    else:
        needs = (
            f"tls_acme_directory (an http(s) URL, got {json.dumps(_plain(acme_directory))}) and tls_acme_account_key"
            f" (got {json.dumps(_plain(acme_account_key))})"
        )
    return [
        f"tls_certificates entry {_str(entry.get('name'))} (source {_str(source)}): needs hostnames (got"
        f" {_plain(entry.get('hostnames'))}), a key_type of {', '.join(map(str, key_types))} (got"
        f" {_str(entry.get('key_type'))}), {needs} and a positive valid_days. Nothing was changed."
    ]


def _served_errors(entry: Entry, served_names: Sequence[Any]) -> List[str]:
    missing = [_plain(n) for n in entry.get("hostnames") or [] if n not in served_names]
    if not missing:
        return []
    one = len(missing) == 1
    return [
        f"tls_certificates entry {_str(entry.get('name'))}: {', '.join(map(str, missing))} {'is' if one else 'are'}"
        f" not served by this host's web server (it serves {', '.join(map(str, served_names))}), so the ACME"
        f" server's HTTP-01 challenge for {'it' if one else 'them'} would not reach this host. Add a site for the"
        " name or remove it from hostnames. Nothing was requested or changed."
    ]


def entry_errors(
    entries: Any,
    hosted: Any,
    *,
    key_types: Iterable[str],
    acme_directory: Any = "",
    acme_account_key: Any = "",
    served_names: Any = None,
) -> List[str]:
    """The role's checks of its entries, in order, each only when the checks before it pass (a message per
    broken rule; empty when all pass):

    1. every entry (``entries``: the user's and the lab CA's) has a unique name that is a file-name-safe word
       and, when it gives one, a source of files, acme or ca;
    2. every entry whose key is made on the host (``hosted``: :func:`host_entries` of them) has hostnames, a key
       type of ``key_types``, a positive valid_days, and what its source needs: the CA's certificate and key
       (``ca``), an http(s) ACME directory and an account key (``acme``); one message per broken entry;
    3. when the web server's names are known (``served_names``), every name of each ACME entry is among them (the
       HTTP-01 challenge for it reaches this host).
    """
    every = _entries(entries)
    errors = _names_errors(every)
    if errors:
        return errors
    hosted_entries = _entries(hosted)
    types = list(key_types)
    for entry in hosted_entries:
        errors.extend(_entry_errors(entry, types, acme_directory, acme_account_key))
    if errors:
        return errors
    served = _entries(served_names)
    if served:
        for entry in hosted_entries:
            if entry.get("source") == "acme":
                errors.extend(_served_errors(entry, served))
    return errors
