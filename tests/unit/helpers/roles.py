# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading the roles in tests: their YAML files, their tasks (blocks walked), and their expressions
rendered by Ansible's own templar with the collection's filters, as a play would render them."""

from __future__ import annotations

import importlib
import pathlib
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional

import yaml

from ansible_collections.webedge.https.tests.unit.helpers.templating import render as _render
from ansible_collections.webedge.https.tests.unit.helpers.templating import render_text

ROOT = pathlib.Path(__file__).resolve().parents[3]
ROLES = ROOT / "roles"
ROLE_NAMES = sorted(p.name for p in ROLES.iterdir() if (p / "meta" / "main.yml").is_file())

# Every filter of the collection, by its fully qualified name (``webedge.https.<subdirectory>.<name>`` for
# those in a subdirectory of plugins/filter), as the roles' expressions use them.
_FILTER_FILES = [
    p.relative_to(ROOT / "plugins" / "filter") for p in sorted((ROOT / "plugins" / "filter").rglob("*.py"))
]
FILTERS: Dict[str, Callable[..., Any]] = {
    ".".join(("webedge.https", *path.parent.parts, name)): function
    for path in _FILTER_FILES
    for name, function in importlib.import_module(
        ".".join(("ansible_collections.webedge.https.plugins.filter", *path.parent.parts, path.stem))
    )
    .FilterModule()
    .filters()
    .items()
}

__all__ = ["FILTERS", "ROLES", "ROLE_NAMES", "ROOT", "load", "render", "task", "tasks", "template", "web_site"]


def load(role: str, relative: str) -> Any:
    """A YAML file of a role (``load("nginx", "vars/main.yml")``)."""
    return yaml.safe_load((ROLES / role / relative).read_text())


def _walk(items: Optional[List[Dict[str, Any]]]) -> Iterator[Dict[str, Any]]:
    for item in items or []:
        yield item
        for key in ("block", "rescue", "always"):
            yield from _walk(item.get(key))


def tasks(role: str, file: Optional[str] = None, handlers: bool = False) -> Iterator[Dict[str, Any]]:
    """Every task of one task file, or of all of them (and blocks themselves), in file order."""
    folder = ROLES / role / ("handlers" if handlers else "tasks")
    paths = [folder / file] if file else sorted(folder.glob("*.yml"))
    for path in paths:
        yield from _walk(yaml.safe_load(path.read_text()))


def task(role: str, file: str, name: str) -> Dict[str, Any]:
    """The one task of that name in a task file."""
    (found,) = [t for t in tasks(role, file) if t.get("name") == name]
    return found


def render(expression: Any, variables: Mapping[str, Any]) -> Any:
    """An expression (or a structure of them) of a role, rendered with these variables; the variables'
    own strings are templates too, as role variables are."""
    return _render(expression, variables, FILTERS)


def template(role: str, name: str, variables: Mapping[str, Any]) -> str:
    """A template of a role rendered as the template module does (trim_blocks on)."""
    text = (ROLES / role / "templates" / name).read_text()
    return render_text(text, {"ansible_managed": "Ansible managed", **variables}, FILTERS, trim_blocks=True)


def web_site(tls_dir: str, **keys: Any) -> Dict[str, Any]:
    """A site of the nginx or apache role as their vars/main.yml fill it in (``__nginx_sites``), with its
    files in ``tls_dir``; ``keys`` change or add keys."""
    site: Dict[str, Any] = {
        "name": "www",
        "server_names": ["www.lab.test", "lab.test"],
        "install_certificate": True,
        "fullchain_path": f"{tls_dir}/www.fullchain.pem",
        "key_path": f"{tls_dir}/www.key",
        "chain_path": f"{tls_dir}/www.chain.pem",
        "root": "/var/www/www",
        "create_root": True,
        "upstream": None,
        "locations": [],
        "extra_directives": [],
        "http_extra_directives": [],
        "port": 443,
        "http_port": 80,
        "http_redirect": True,
        "acme_challenge_root": "/var/www/acme-challenge",
        "default_server": True,
        "hsts": True,
        "hsts_include_subdomains": True,
        "ocsp_stapling": True,
        "validate_hostnames": True,
    }
    site.update(keys)
    return site
