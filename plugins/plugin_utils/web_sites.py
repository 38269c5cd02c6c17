# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The web server roles' sites, as the roles work with them (roles webedge.https.nginx, apache, web_common).

* :func:`site_entries`: each site the user gave (``nginx_sites``, ``apache_sites``) with its defaults filled in
  and without its secrets (inline certificate and key content), so the roles can loop over it and log it;
* :func:`site_errors`: what is wrong with those sites, one message per broken rule, naming the user's variable.

Plain Python rather than role variables written in Jinja: ansible-core compiles a template each time it renders
one, in every forked worker, and these were the longest templates of a site run (issue 18). Runs on the
controller only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence

# A site name becomes part of file names: letters, digits, '.', '_' or '-', not starting with a punctuation mark.
SITE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")

SERVERS = ("nginx", "apache")


@dataclass(frozen=True)
class SiteDefaults:
    """The role settings a site falls back to when it does not set its own value."""

    server: str  # nginx or apache
    tls_dir: str  # where certificate material given inline is installed
    http_redirect: Any
    acme_challenge_root: str
    hsts: Any
    hsts_include_subdomains: Any
    ocsp_stapling: Any
    site_prefix: str = "webedge-site-"  # apache: the site file's name starts with it

    def __post_init__(self) -> None:
        if self.server not in SERVERS:
            raise ValueError(f"server: expected one of {', '.join(SERVERS)}, got {self.server!r}")


def _given(site: Mapping[str, Any], key: str) -> bool:
    """Whether the user gave ``key`` a value (Jinja's ``site.key | default(none) is not none``)."""
    return site.get(key) is not None


def _own_or(site: Mapping[str, Any], key: str, fallback: Any) -> Any:
    """The site's own value unless it is absent or None (a role setting then applies)."""
    value = site.get(key)
    return fallback if value is None else value


def site_entry(site: Mapping[str, Any], defaults: SiteDefaults) -> Dict[str, Any]:
    """One site with its defaults filled in, without secrets.

    Empty values (``''``, ``[]``, ``0``, ``false``) of the paths, lists and ports count as not given, as
    before; ``root`` and ``upstream`` stay as given (None when absent); ``create_root`` and
    ``validate_hostnames`` are true only when absent.
    """
    name = site.get("name")
    material = _given(site, "certificate") or _given(site, "certificate_content")
    has_chain = _given(site, "chain") or _given(site, "chain_content")
    chain_path = f"{defaults.tls_dir}/{name}.chain.pem" if (material and has_chain) else site.get("chain_path")
    default_server = site.get("default_server") or False
    entry: Dict[str, Any] = {"name": name}
    if defaults.server == "apache":
        # Apache answers a request no ServerName matches with the port's first vhost: a default site's file
        # sorts first ('-' sorts before digits and letters).
        entry["file"] = f"{defaults.site_prefix}{'-' if default_server else ''}{name}.conf"
    entry.update(
        server_names=site.get("server_names"),
        install_certificate=material,
        fullchain_path=site.get("fullchain_path") or f"{defaults.tls_dir}/{name}.fullchain.pem",
        key_path=site.get("key_path") or f"{defaults.tls_dir}/{name}.key",
        chain_path=chain_path,
        root=site.get("root"),
        create_root=site.get("create_root", True),
    )
    if defaults.server == "nginx":
        entry["index"] = site.get("index") or ["index.html", "index.htm"]
    entry.update(
        upstream=site.get("upstream"),
        locations=site.get("locations") or [],
        extra_directives=site.get("extra_directives") or [],
        http_extra_directives=site.get("http_extra_directives") or [],
        port=site.get("port") or 443,
        http_port=site.get("http_port") or 80,
        http_redirect=_own_or(site, "http_redirect", defaults.http_redirect),
        acme_challenge_root=site.get("acme_challenge_root") or defaults.acme_challenge_root,
        default_server=default_server,
        hsts=_own_or(site, "hsts", defaults.hsts),
        hsts_include_subdomains=_own_or(site, "hsts_include_subdomains", defaults.hsts_include_subdomains),
        ocsp_stapling=_own_or(site, "ocsp_stapling", defaults.ocsp_stapling),
        validate_hostnames=site.get("validate_hostnames", True),
    )
    return entry


def site_entries(sites: Sequence[Mapping[str, Any]], defaults: SiteDefaults) -> List[Dict[str, Any]]:
    return [site_entry(site, defaults) for site in sites]


NAME_RULE = "every site needs a unique name of letters, digits, '.', '_' or '-'"
SITE_RULE = (
    "needs server_names; root and upstream exclude each other; port and http_port must differ; give certificate"
    " (or certificate_content) with private_key (or private_key_content), or fullchain_path and key_path of files"
    " already on the host; a site with an upstream cannot also define location '/'"
)
DEFAULT_RULE = "more than one site is default_server on the same port"


def _site_ok(entry: Mapping[str, Any], given: Mapping[str, Any]) -> bool:
    """A site's rules that need more than one of its fields (the argument spec checks each field alone)."""
    install = entry.get("install_certificate")
    locations = [loc.get("path") for loc in entry.get("locations") or [] if isinstance(loc, Mapping)]
    return bool(
        len(entry.get("server_names") or []) > 0
        and (entry.get("root") is None or entry.get("upstream") is None)
        and entry.get("port") != entry.get("http_port")
        and (install or ("fullchain_path" in given and "key_path" in given))
        and (not install or "private_key" in given or "private_key_content" in given)
        and (entry.get("upstream") is None or "/" not in locations)
    )


def _names_ok(names: List[Any]) -> bool:
    texts = [str(name) for name in names]
    # unique regardless of case, as Ansible's `unique` filter compared them: "Site" and "site" are one name
    return len({text.lower() for text in texts}) == len(texts) and all(SITE_NAME.fullmatch(text) for text in texts)


def site_errors(entries: Sequence[Mapping[str, Any]], given: Sequence[Mapping[str, Any]], var: str) -> List[str]:
    """One message per broken rule, each naming ``var`` (the user's variable): the names when they are not
    unique file-name-safe words (and then nothing else: a name is what the other messages show), else each
    broken site (``var[i] (name)``), then a port with more than one default server."""
    names = [site.get("name") for site in given]
    if not _names_ok(names):
        return [f"{var}: {NAME_RULE} (got {names})"]
    errors = [
        f"{var}[{index}] ({entry.get('name')}): {SITE_RULE}"
        for index, (entry, site) in enumerate(zip(entries, given))
        if not _site_ok(entry, site)
    ]
    default_ports = [entry.get("port") for entry in entries if entry.get("default_server")]
    if len(set(default_ports)) != len(default_ports):
        errors.append(f"{var}: {DEFAULT_RULE}")
    return errors


def site_defaults(server: str, settings: Optional[Mapping[str, Any]]) -> SiteDefaults:
    """The defaults from a role's settings (keys as SiteDefaults' fields)."""
    values = dict(settings or {})
    unknown = sorted(set(values) - set(SiteDefaults.__dataclass_fields__) - {"server"})
    if unknown:
        raise ValueError(f"settings: unknown keys {', '.join(unknown)}")
    return SiteDefaults(server=server, **values)
