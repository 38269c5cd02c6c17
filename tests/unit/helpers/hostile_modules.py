# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile values for every parameter of a module, generated from its argument spec
(plugins/module_utils/specs/<module>.py), and the spec's own validation as AnsibleModule and the action
plugins run it (ModuleArgumentSpecValidator with the module's constraints)."""

from __future__ import annotations

import importlib
from typing import Any, Dict, Iterator, List, Mapping, Tuple

from ansible.module_utils.common.arg_spec import ModuleArgumentSpecValidator

from ansible_collections.webedge.https.tests.unit.helpers.hostile import PAYLOADS

__all__ = ["MODULES", "spec_cases", "spec_errors"]

MODULES = [
    "compliance_info",
    "compliance_report",
    "exposure_info",
    "firewall_info",
    "firewall_port",
    "listening_ports",
    "tls_certificate",
    "tls_lab_ca",
    "tls_probe",
]

# Values of a wrong type per declared type: Ansible refuses each of them (a str accepts anything by
# conversion, a raw anything: those are checked by the module's own validators).
WRONG: Dict[str, List[Any]] = {
    "int": ["443; 22", "0x1bb`id`", [443], {"a": 1}, 1.5, "\udcff"],
    "float": ["1.0;", [1.0], {"a": 1}, "nan`id`"],
    "bool": ["maybe", "yes; no", [True], {"a": 1}, 2],
    "list": [{"a": 1}],  # a scalar becomes a one-element list, checked by the module itself
    "dict": ["a;b", [1], 1],
}


def _kwargs(module: str) -> Dict[str, Any]:
    spec = importlib.import_module(f"ansible_collections.webedge.https.plugins.module_utils.specs.{module}")
    return spec.module_kwargs()


def minimal(module: str) -> Dict[str, Any]:
    """The smallest valid parameters of each module."""
    return {
        "compliance_info": {},
        "compliance_report": {"dest": "/tmp/reports"},
        "exposure_info": {},
        "firewall_info": {},
        "firewall_port": {"port": [443]},
        "listening_ports": {},
        "tls_certificate": {"certificate_content": "x", "cert_path": "/etc/ssl/x.pem"},
        "tls_lab_ca": {"dest": "/tmp/ca"},
        "tls_probe": {"targets": ["127.0.0.1:443"]},
    }[module]


def spec_errors(module: str, params: Mapping[str, Any]) -> List[str]:
    """The spec validation's error messages for these parameters (empty when they pass)."""
    kwargs = _kwargs(module)
    spec = kwargs.pop("argument_spec")
    result = ModuleArgumentSpecValidator(spec, **kwargs).validate(dict(params))
    return [str(e) for e in result.error_messages]


def _walk(spec: Mapping[str, Any], prefix: str) -> Iterator[Tuple[str, Mapping[str, Any]]]:
    for name, option in spec.items():
        yield prefix + name, option
        if option.get("options"):
            yield from _walk(option["options"], prefix + name + ".")


def spec_cases(module: str) -> List[Tuple[str, Any, str]]:
    """(parameter path, hostile value, the word the error must contain) for every parameter: wrong types,
    values outside the choices, an unknown parameter carrying syntax, and each required one left out."""
    spec = _kwargs(module)["argument_spec"]
    cases: List[Tuple[str, Any, str]] = []
    for path, option in _walk(spec, ""):
        leaf = path.rsplit(".", 1)[-1]
        kind = option.get("type", "str")
        for value in WRONG.get(kind, []):
            cases.append((path, value, leaf))
        if option.get("choices"):
            for payload in PAYLOADS[:12]:
                value = str(option["choices"][0]) + payload
                cases.append((path, [value] if kind == "list" else value, leaf))
        elements = option.get("elements")
        if kind == "list" and elements in WRONG:
            cases.append((path, [WRONG[elements][0]], leaf))
        if option.get("required") and "." not in path:
            cases.append((path, None, leaf))
    cases.append(("webedge;rm -rf /", "x", "webedge;rm -rf /"))
    return cases


def build(module: str, path: str, value: Any) -> Dict[str, Any]:
    """Minimal valid parameters with ``path`` set to ``value`` (``None``: left out); a nested option is set
    in a one-element list of otherwise valid sub-options."""
    params = minimal(module)
    parts = path.split(".")
    if len(parts) == 1:
        if value is None:
            params.pop(path, None)
        else:
            params[path] = value
        return params
    parent, leaf = parts
    element = {
        "expect": {"port": 443},
        "certificates": {"name": "www", "hostnames": ["www.lab.test"]},
    }[parent]
    params[parent] = [dict(element, **{leaf: value})]
    return params
