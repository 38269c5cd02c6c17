# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hypothesis strategies for the web server roles' site fields (valid shapes, hostile text, known attacks),
and the property the nginx and apache template tests check: a value the role's validator accepts never
changes the structure of the rendered configuration."""

from __future__ import annotations

import string
from typing import Any, Callable, Dict, List

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from ansible_collections.webedge.https.plugins.module_utils.validate import nginx
from ansible_collections.webedge.https.plugins.module_utils.validate.sites import site_errors
from ansible_collections.webedge.https.plugins.module_utils.validate.text import HOST, PATH, WORD
from ansible_collections.webedge.https.tests.unit.helpers.hostile import PAYLOADS

__all__ = ["FIELDS", "PROPERTY", "accepted", "values"]

PROPERTY = settings(
    max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)

_HOSTILE_ALPHABET = (
    string.ascii_letters + string.digits + "./-_:~*" + " \t\n\r\x00;{}#$`\"'\\<>()[]=%@+,!&?|^" + "\u00e9\udcff"
)


def _hostile(base: str) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(_HOSTILE_ALPHABET, min_size=0, max_size=24).map(lambda t: base + t),
        st.sampled_from(PAYLOADS).map(lambda p: base + p),
    )


# Per site field: (strategy of one value, benign reference value, is a list).
FIELDS: Dict[str, Any] = {
    "root": (st.one_of(st.from_regex(PATH, fullmatch=True), _hostile("/var/www/")), "/var/www/ref", False),
    "acme_challenge_root": (st.one_of(st.from_regex(PATH, fullmatch=True), _hostile("/a")), "/var/www/acme", False),
    "fullchain_path": (st.one_of(st.from_regex(PATH, fullmatch=True), _hostile("/etc/")), "/etc/ref.pem", False),
    "key_path": (st.one_of(st.from_regex(PATH, fullmatch=True), _hostile("/etc/")), "/etc/ref.key", False),
    "server_names": (st.one_of(st.from_regex(HOST, fullmatch=True), _hostile("a.test")), "ref.test", True),
    "index": (st.one_of(st.from_regex(WORD, fullmatch=True), _hostile("index")), "ref.html", True),
    "upstream": (st.one_of(st.from_regex(nginx.URL, fullmatch=True), _hostile("http://b")), "http://ref:1", False),
}


def values(field: str) -> st.SearchStrategy[Any]:
    strategy, _reference, is_list = FIELDS[field]
    return st.lists(strategy, min_size=1, max_size=3) if is_list else strategy


def reference(field: str, value: Any) -> Any:
    _strategy, ref, is_list = FIELDS[field]
    return [ref] * len(value) if is_list else ref


def accepted(server: str, field: str, value: Any) -> bool:
    """Does the role's validator let this value through (the only values a template ever sees)?"""
    site: Dict[str, Any] = {"name": "www", "server_names": ["www.lab.test"], field: value}
    return site_errors([site], server, "sites") == []


_REFERENCES: Dict[Any, List[Any]] = {}


def check_structure(
    server: str, field: str, value: Any, render: Callable[[Dict[str, Any]], str], skeleton: Callable[[str], List[Any]]
) -> bool:
    """The property for one value: refused by the validator, or rendered with the reference's structure
    and present verbatim. Returns whether the value was accepted."""
    if not accepted(server, field, value):
        return False
    keys: Dict[str, Any] = {field: value}
    ref_keys: Dict[str, Any] = {field: reference(field, value)}
    if field == "upstream":
        keys["root"] = ref_keys["root"] = None
    cache_key = (server, field, repr(ref_keys))
    if cache_key not in _REFERENCES:
        _REFERENCES[cache_key] = skeleton(render(ref_keys))
    got, want = render(keys), _REFERENCES[cache_key]
    assert skeleton(got) == want, (field, value, got)
    for item in value if isinstance(value, list) else [value]:
        assert item in got, (field, item)
    return True
