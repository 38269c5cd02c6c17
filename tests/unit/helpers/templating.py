# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ansible's own templar for tests: render an expression, a structure of them, or a template text with
given variables and extra filters (by the name the expression uses), on ansible-core 2.17 to 2.19."""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

try:  # ansible-core 2.19 and later: only strings marked as trusted are templates
    from ansible.template import trust_as_template
except ImportError:  # ansible-core 2.17, 2.18: every string is

    def trust_as_template(value: Any) -> Any:  # type: ignore[misc]
        return value


__all__ = ["render", "render_text", "trusted"]

Filters = Optional[Mapping[str, Callable[..., Any]]]


def trusted(value: Any) -> Any:
    """The value with every string in it a template, as the strings of a role's files are."""
    if isinstance(value, str):
        return trust_as_template(value)
    if isinstance(value, Mapping):
        return {k: trusted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [trusted(v) for v in value]
    return value


def _templar(variables: Mapping[str, Any], filters: Filters) -> Templar:
    templar = Templar(loader=DataLoader(), variables=trusted(dict(variables)))
    if filters:
        templar.environment.filters.update(filters)
    return templar


def render(expression: Any, variables: Mapping[str, Any], filters: Filters = None) -> Any:
    """An expression (or a structure of them) rendered with these variables (whose strings are templates too)."""
    return _templar(variables, filters).template(trusted(expression))


def render_text(text: str, variables: Mapping[str, Any], filters: Filters = None, **overrides: Any) -> str:
    """A template file's text rendered with these variables and Jinja2 environment overrides."""
    templar = _templar(variables, filters)
    return templar.template(trust_as_template(text), overrides=overrides or None, preserve_trailing_newlines=True)
