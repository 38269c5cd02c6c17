# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The web_config_errors filter: values of the web server roles that would change the structure of the
configuration they are written into."""

from __future__ import annotations

DOCUMENTATION = r"""
name: web_config_errors
short_description: Site fields and settings of a web server role that are not safe to write into its configuration
version_added: 0.1.0
description:
  - Checks every site field and role setting the nginx and apache roles write into the server's configuration with
    the validator of that layer (C(plugins/module_utils/validate/)), and returns one message per unsafe value,
    naming the variable (for example C(nginx_sites[0].root)) and the value.
  - Server names, paths, index files, upstream URLs, location paths, ports and settings are allowlists (ASCII, no
    white space, quotes, C(;), C({), C(}), C(#), C($), backticks, backslashes or control characters). Extra
    directives must each be exactly one directive (or one nginx block) on one line, with balanced braces and quotes.
  - The roles fail before anything changes on a host when the list is not empty.
author:
  - webedge.https contributors
options:
  _input:
    description: The role's site list as the user gave it (C(nginx_sites), C(apache_sites)).
    type: list
    elements: dict
    required: true
  server:
    description: The server whose configuration syntax applies.
    type: str
    choices: [nginx, apache]
    required: true
  var:
    description: The name of the site list, for the messages.
    type: str
    required: true
  settings:
    description: Role settings written into the configuration, by variable name (unknown names are not checked).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Refuse values that would add nginx directives
  ansible.builtin.assert:
    that: __errors | length == 0
    fail_msg: "{{ __errors | join('; ') }}"
  vars:
    __errors: "{{ nginx_sites | webedge.https.web_config_errors('nginx', 'nginx_sites') }}"
"""

RETURN = r"""
_value:
  description: One message per unsafe value, naming the variable and the value; empty when every value is safe.
  type: list
  elements: str
"""

from typing import Any, Callable, Dict, List, Mapping, Optional

from ansible_collections.webedge.https.plugins.module_utils.validate.sites import settings_errors, site_errors


def web_config_errors(sites: Any, server: str, var: str, settings: Optional[Mapping[str, Any]] = None) -> List[str]:
    """Messages for every unsafe site field of ``sites`` and every unsafe setting of ``settings``."""
    return site_errors(sites, server, var) + settings_errors(dict(settings or {}), server)


class FilterModule:
    """webedge.https.web_config_errors."""

    def filters(self) -> Dict[str, Callable[..., Any]]:
        return {"web_config_errors": web_config_errors}
