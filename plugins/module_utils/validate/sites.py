# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The site definitions and settings of the web server roles (nginx, apache), checked field by field
with the validator of the server's layer. Each message names the variable (``nginx_sites[0].root``)
and the value."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Optional

from ansible_collections.webedge.https.plugins.module_utils.validate import apache, nginx
from ansible_collections.webedge.https.plugins.module_utils.validate.text import HOST, NAME, PATH, WORD, check, describe

__all__ = ["SERVERS", "settings_errors", "site_errors"]

Check = Callable[[str, Any], Optional[str]]

SERVERS = ("nginx", "apache")


def _pattern(pattern: Any, layer: str) -> Check:
    return lambda name, value: check(name, value, pattern, layer)


def _port(name: str, value: Any) -> Optional[str]:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535:
        return None
    return f"{name}: {describe(value)} is not a port number (an integer from 1 to 65535)"


def _checks(server: str) -> Dict[str, Check]:
    layer = "nginx" if server == "nginx" else "Apache"
    module = nginx if server == "nginx" else apache
    return {
        "host": _pattern(HOST, layer),
        "path": _pattern(PATH, layer),
        "word": _pattern(WORD, layer),
        "name": _pattern(NAME, layer),
        "url": module.check_url,
        "location": nginx.check_location if server == "nginx" else _pattern(PATH, layer),
        "directive": module.check_directive,
        "env_word": apache.check_env_word,
        "port": _port,
    }


# The keys of a site written into the server's configuration, by kind ("[]" marks a list of them).
SITE_FIELDS = {
    "server_names": "host[]",
    "root": "path",
    "fullchain_path": "path",
    "key_path": "path",
    "chain_path": "path",
    "acme_challenge_root": "path",
    "index": "word[]",
    "upstream": "url",
    "extra_directives": "directive[]",
    "http_extra_directives": "directive[]",
    "port": "port",
    "http_port": "port",
}

# The role settings written into the configuration, by kind.
SETTINGS = {
    "nginx": {
        "nginx_session_timeout": "word",
        "nginx_session_cache": "word",
        "nginx_resolver": "word[]",
        "nginx_acme_challenge_root": "path",
        "nginx_tls_dir": "path",
        "nginx_conf_dir": "path",
    },
    "apache": {
        "apache_stapling_cache": "env_word",
        "apache_server_tokens": "word",
        "apache_acme_challenge_root": "path",
        "apache_tls_dir": "path",
        "apache_modules": "name[]",
    },
}


def _field(checks: Dict[str, Check], name: str, value: Any, kind: str) -> List[str]:
    if kind.endswith("[]"):
        if not isinstance(value, list):
            return [f"{name}: {describe(value)} is not a list"]
        return [m for i, item in enumerate(value) for m in _field(checks, f"{name}[{i}]", item, kind[:-2])]
    message = checks[kind](name, value)
    return [message] if message else []


def site_errors(sites: Any, server: str, var: str) -> List[str]:
    """Every problem of the site list ``sites`` of the ``server`` role (``nginx`` or ``apache``), whose
    variable is ``var``; an empty list when every value is safe to write."""
    if server not in SERVERS:
        raise ValueError(f"server: {describe(server)} is not one of {', '.join(SERVERS)}")
    if not isinstance(sites, list):
        return [f"{var}: {describe(sites)} is not a list of sites"]
    checks = _checks(server)
    errors: List[str] = []
    for index, site in enumerate(sites):
        where = f"{var}[{index}]"
        if not isinstance(site, Mapping):
            errors.append(f"{where}: {describe(site)} is not a site (a dictionary)")
            continue
        for key, kind in SITE_FIELDS.items():
            if site.get(key) is not None:
                errors.extend(_field(checks, f"{where}.{key}", site[key], kind))
        locations = site.get("locations")
        if locations is None:
            continue
        if not isinstance(locations, list):
            errors.append(f"{where}.locations: {describe(locations)} is not a list")
            continue
        for number, location in enumerate(locations):
            at = f"{where}.locations[{number}]"
            if not isinstance(location, Mapping):
                errors.append(f"{at}: {describe(location)} is not a location (a dictionary)")
                continue
            errors.extend(_field(checks, f"{at}.path", location.get("path"), "location"))
            if location.get("directives") is not None:
                errors.extend(_field(checks, f"{at}.directives", location["directives"], "directive[]"))
    return errors


def settings_errors(settings: Mapping[str, Any], server: str) -> List[str]:
    """Every problem of the role settings given (variable name to value) that the ``server`` role writes
    into its configuration; settings this module does not know are not checked."""
    checks = _checks(server)
    kinds = SETTINGS.get(server, {})
    errors: List[str] = []
    for name, value in settings.items():
        if name in kinds and value is not None:
            errors.extend(_field(checks, name, value, kinds[name]))
    return errors
