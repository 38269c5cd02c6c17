# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the web server roles' sites (roles webedge.https.nginx, apache and web_common): each site with its
defaults filled in, and what is wrong with the sites. Thin wrappers over ``plugin_utils/web_sites.py``; the
documentation of each filter is in the YAML file of its name next to this one."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Optional

from ansible.errors import AnsibleFilterError

from ansible_collections.webedge.https.plugins.plugin_utils import web_sites as logic


def _sites(value: Any, what: str) -> List[Mapping[str, Any]]:
    if value is None:
        return []
    if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
        raise AnsibleFilterError(f"{what}: expected a list of sites, got {type(value).__name__}")
    sites = list(value)
    for index, site in enumerate(sites):
        if not isinstance(site, Mapping):
            raise AnsibleFilterError(f"{what}[{index}]: expected a site (a dictionary), got {type(site).__name__}")
    return sites


def web_sites(sites: Any, server: str, settings: Optional[Mapping[str, Any]] = None) -> List[Dict[str, Any]]:
    try:
        defaults = logic.site_defaults(str(server), settings)
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError(f"web_sites: {exc}") from exc
    return logic.site_entries(_sites(sites, "web_sites"), defaults)


def web_site_errors(sites: Any, given: Any, var: str) -> List[str]:
    return logic.site_errors(_sites(sites, "web_site_errors"), _sites(given, "web_site_errors given"), str(var))


class FilterModule:
    def filters(self) -> Dict[str, Callable[..., Any]]:
        return {"web_sites": web_sites, "web_site_errors": web_site_errors}
