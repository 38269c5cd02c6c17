# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The REAL argument specs of the Windows modules the roles call, read from the installed collections.

Nothing is copied: each module's ``.ps1`` in ``ansible_collections/ansible/windows`` or
``ansible_collections/microsoft/iis`` is parsed with tree-sitter-powershell.

* Ansible.Basic modules (``$spec = @{ options = @{...} ... }``): the hashtable literal is evaluated
  (strings, numbers, ``$true``/``$false``/``$null``, arrays, nested hashtables and the top-level
  variables it names, such as website's ``$binding_options``) into the Python spec it describes.
* Legacy modules (``Get-AnsibleParam -name ... -type ... -aliases ... -validateset ... -failifempty``):
  every call becomes an option (``-failifempty $true`` is required; an expression is not).

:func:`check` validates a task's arguments with Ansible's own ``ArgumentSpecValidator`` (the
Python twin of Ansible.Basic's validation): an option the module lacks, a wrong type or choice, a
missing required option fail as on the host. Legacy modules do not refuse unknown options on a
real host; here they do, so a mistyped option cannot pass unnoticed (stricter than the host).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple

import tree_sitter
import tree_sitter_powershell
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

__all__ = ["ModuleSpec", "check", "load_spec", "module_path", "script_parameters"]

PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
_WRAPPERS = {
    "pipeline",
    "pipeline_chain",
    "unary_expression",
    "range_expression",
    "format_expression",
    "multiplicative_expression",
    "additive_expression",
    "comparison_expression",
    "bitwise_expression",
    "logical_expression",
    "parenthesized_expression",
    "sub_expression",
}
_KWARGS = ("mutually_exclusive", "required_together", "required_one_of", "required_if", "required_by")


class Unsupported(ValueError):
    """A PowerShell construct the spec reader does not evaluate (the spec must be read some other way)."""


@dataclass(frozen=True)
class ModuleSpec:
    name: str
    kind: str  # "basic" or "legacy"
    argument_spec: Dict[str, Any]
    kwargs: Dict[str, Any] = field(default_factory=dict)
    supports_check_mode: bool = False
    path: str = ""


def module_path(fqcn: str) -> str:
    """The installed ``.ps1`` of ``namespace.collection.module``."""
    namespace, collection, name = fqcn.split(".")
    spec = importlib.util.find_spec(f"ansible_collections.{namespace}.{collection}")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"collection {namespace}.{collection} is not installed")
    path = os.path.join(next(iter(spec.submodule_search_locations)), "plugins", "modules", f"{name}.ps1")
    if not os.path.exists(path):
        raise FileNotFoundError(f"{fqcn}: no {path}")
    return path


def _text(node: Any, source: bytes) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8")


def _named(node: Any) -> List[Any]:
    return [c for c in node.children if c.is_named and c.type != "comment"]


def _evaluate(node: Any, source: bytes, variables: Mapping[str, Any]) -> Any:
    kind = node.type
    if kind in _WRAPPERS or kind == "statement_list":
        children = _named(node)
        if kind == "statement_list" or len(children) != 1:
            if kind in ("sub_expression", "parenthesized_expression") and len(children) == 1:
                return _evaluate(children[0], source, variables)
            if kind == "statement_list":
                return _array(children, source, variables)
            raise Unsupported(_text(node, source)[:80])
        return _evaluate(children[0], source, variables)
    if kind == "hash_literal_expression":
        body = next((c for c in node.children if c.type == "hash_literal_body"), None)
        result: Dict[str, Any] = {}
        for entry in _named(body) if body is not None else []:
            key, value = _named(entry)[0], _named(entry)[-1]
            name = _text(key, source).strip("'\"")
            result[name] = _evaluate(value, source, variables)
        return result
    if kind == "array_literal_expression":
        items = _named(node)
        if len(items) == 1 and not any(c.type == "," for c in node.children):
            return _evaluate(items[0], source, variables)  # one value, no comma: not an array
        return [_evaluate(c, source, variables) for c in items]
    if kind == "array_expression":
        inner = [c for c in _named(node) if c.type == "statement_list"]
        return _array(_named(inner[0]), source, variables) if inner else []
    if kind == "expression_with_unary_operator":
        operator = node.children[0].type
        if operator != ",":
            raise Unsupported(_text(node, source)[:80])
        return ("wrap", _evaluate(_named(node)[0], source, variables))
    if kind == "string_literal":
        return _evaluate(_named(node)[0], source, variables)
    if kind == "verbatim_string_characters":
        return _text(node, source)[1:-1].replace("''", "'")
    if kind == "expandable_string_literal":
        text = _text(node, source)[1:-1]
        if "$" in text:
            raise Unsupported(text)
        return text.replace('""', '"').replace("`n", "\n")
    if kind in ("integer_literal", "decimal_integer_literal"):
        return int(_text(node, source))
    if kind == "variable":
        name = _text(node, source)[1:].lower()
        if name in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[name]
        if name in variables:
            return variables[name]
        raise Unsupported(f"${name}")
    raise Unsupported(f"{kind}: {_text(node, source)[:80]}")


def _array(children: List[Any], source: bytes, variables: Mapping[str, Any]) -> List[Any]:
    items: List[Any] = []
    for child in children:
        value = _evaluate(child, source, variables)
        if isinstance(value, tuple) and value and value[0] == "wrap":
            items.append(value[1])
        elif isinstance(value, list):
            items.extend(value)
        else:
            items.append(value)
    return items


def _assignments(source: bytes) -> List[Tuple[str, Any]]:
    """Top-level ``$name = <expression>`` statements: (lower-case name, value node)."""
    root = PARSER.parse(source).root_node
    found = []
    lists = [c for c in _named(root) if c.type == "statement_list"]
    for statement in [s for block in lists for s in _named(block)]:
        node = statement
        while node.type in ("pipeline",) and len(_named(node)) == 1:
            node = _named(node)[0]
        if node.type != "assignment_expression":
            continue
        left = _named(node)[0]
        name = _text(left, source).strip()
        if name.startswith("$"):
            found.append((name[1:].lower(), _named(node)[-1]))
    return found


_PY_TYPES = {"str", "int", "bool", "list", "dict", "path", "float", "raw", "json", "bytes", "bits"}


def _python_spec(options: Mapping[str, Any]) -> Dict[str, Any]:
    """Ansible.Basic options -> the Python argument spec (the same vocabulary; sub-options too)."""
    spec: Dict[str, Any] = {}
    for name, option in options.items():
        entry: Dict[str, Any] = {}
        for key, value in (option or {}).items():
            if key == "options":
                entry["options"] = _python_spec(value)
            elif key in ("aliases", "choices") and not isinstance(value, list):
                entry[key] = [value]
            elif key in ("type", "elements") and isinstance(value, str) and value not in _PY_TYPES:
                entry[key] = "raw"  # a type Python does not know (sid...): accepted as it is
            elif key in (
                "type",
                "elements",
                "required",
                "default",
                "aliases",
                "choices",
                "no_log",
                *_KWARGS,
                "apply_defaults",
            ):
                entry[key] = value
        if entry.get("type") == "list" and isinstance(entry.get("default"), str):
            entry["default"] = [entry["default"]]
        spec[name] = entry
    return spec


_LEGACY = re.compile(r"Get-AnsibleParam\b(?P<args>[^\n]*)")
_LEGACY_TYPES = {"str": "str", "int": "int", "bool": "bool", "list": "list", "path": "path", "float": "float"}


def _legacy_spec(text: str) -> Dict[str, Any]:
    spec: Dict[str, Any] = {}
    for match in _LEGACY.finditer(text):
        args = match.group("args")
        name = re.search(r'-name\s+"([^"]+)"', args) or re.search(r'^\s*\$\w+\s+"([^"]+)"', args)
        if not name:
            continue
        entry: Dict[str, Any] = {"type": "raw"}
        kind = re.search(r'-type\s+"(\w+)"', args)
        if kind:
            entry["type"] = _LEGACY_TYPES.get(kind.group(1), "raw")
        for option, key in (("aliases", "aliases"), ("validateset", "choices")):
            values = re.search(rf'-{option}\s+((?:"[^"]*"\s*,?\s*)+)', args)
            if values:
                entry[key] = re.findall(r'"([^"]*)"', values.group(1))
        if re.search(r"-failifempty\s+\$true", args):
            entry["required"] = True
        spec[name.group(1)] = entry
    return spec


@functools.lru_cache(maxsize=None)
def load_spec(fqcn: str) -> ModuleSpec:
    """The module's real spec, from its installed ``.ps1``."""
    path = module_path(fqcn)
    with open(path, "rb") as handle:
        source = handle.read()
    text = source.decode("utf-8")
    if "Ansible.ModuleUtils.Legacy" in text and "Get-AnsibleParam" in text:
        check_mode = bool(re.search(r"-supports_check_mode\s+\$true", text))
        spec = _legacy_spec(text)
        # The collection's own action plugin may pass keys the module never reads (win_copy's
        # ``symlinks``): a legacy module ignores them on the host, so they are accepted here too.
        action = os.path.join(os.path.dirname(os.path.dirname(path)), "action", os.path.basename(path)[:-4] + ".py")
        if os.path.exists(action):
            with open(action, encoding="utf-8") as handle:
                for name in re.findall(r"\b([a-z_]+)=", handle.read()):
                    spec.setdefault(name, {"type": "raw"}) if name.startswith("_") or name == "symlinks" else None
        return ModuleSpec(fqcn, "legacy", spec, {}, check_mode, path)
    variables: Dict[str, Any] = {}
    spec_value: Optional[Dict[str, Any]] = None
    for name, node in _assignments(source):
        try:
            value = _evaluate(node, source, variables)
        except Unsupported:
            continue
        variables[name] = value
        if name == "spec":
            spec_value = value
    if spec_value is None:
        raise Unsupported(f"{fqcn}: no $spec hashtable the reader can evaluate in {path}")
    kwargs = {key: [list(group) for group in spec_value[key]] for key in _KWARGS if spec_value.get(key)}
    return ModuleSpec(
        fqcn,
        "basic",
        _python_spec(spec_value.get("options") or {}),
        kwargs,
        bool(spec_value.get("supports_check_mode")),
        path,
    )


def check(fqcn: str, args: Mapping[str, Any]) -> Tuple[List[str], Dict[str, Any]]:
    """Validate ``args`` (internal ``_ansible_*`` keys dropped) with the module's real spec.

    Returns (error messages, validated parameters with defaults).
    """
    spec = load_spec(fqcn)
    params = {k: v for k, v in args.items() if not k.startswith("_ansible_")}
    validator = ArgumentSpecValidator(spec.argument_spec, **spec.kwargs)
    result = validator.validate(params)
    return [str(message) for message in result.error_messages], dict(result.validated_parameters)


def script_parameters(script: str) -> Dict[str, Dict[str, Any]]:
    """A script's ``param()`` block: name (lower case) -> {"name", "mandatory", "type"} (tree-sitter)."""
    source = script.encode("utf-8")
    root = PARSER.parse(source).root_node
    block = None

    def find(node: Any) -> None:
        nonlocal block
        if block is None and node.type == "param_block":
            block = node
            return
        for child in node.children:
            if child.type in ("function_statement",):
                continue  # a function's own param block is not the script's
            find(child)

    find(root)
    found: Dict[str, Dict[str, Any]] = {}
    if block is None:
        return found
    parameter_list = next((c for c in block.children if c.type == "parameter_list"), None)
    for parameter in _named(parameter_list) if parameter_list is not None else []:
        if parameter.type != "script_parameter":
            continue
        text = _text(parameter, source)
        variable = next((c for c in parameter.children if c.type == "variable"), None)
        if variable is None:
            continue
        name = _text(variable, source)[1:]
        head = source[parameter.start_byte : variable.start_byte].decode("utf-8")
        kind = re.findall(r"\[([A-Za-z][\w.\[\]]*)\]", head)
        found[name.lower()] = {
            "name": name,
            "mandatory": bool(re.search(r"Mandatory\s*=\s*\$true", text, re.I)),
            "type": kind[-1] if kind else "object",
        }
    return found
