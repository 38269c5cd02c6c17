"""The wall between target code and controller code, checked from the imports.

module_utils runs on managed hosts (Python 3.8+, the standard library and ansible.module_utils
only); plugin_utils, action, filter and the rest run on the controller only. A module may reach
module_utils and nothing else of ours, and module_utils never reaches controller code, third-party
packages, import cycles between its packages or imports hidden inside functions.
"""

from __future__ import annotations

import ast
import pathlib
import sys
from typing import Dict, Iterator, List, Set, Tuple

import pytest

PLUGINS = pathlib.Path(__file__).resolve().parent.parent.parent.parent / "plugins"
PREFIX = "ansible_collections.webedge.https.plugins."
STDLIB = set(sys.stdlib_module_names)


def dotted(path: pathlib.Path) -> str:
    rel = path.relative_to(PLUGINS).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return PREFIX + ".".join(parts)


SOURCES: Dict[str, pathlib.Path] = {dotted(p): p for p in sorted(PLUGINS.rglob("*.py")) if "__pycache__" not in p.parts}


def imports(path: pathlib.Path) -> Iterator[Tuple[str, bool]]:
    """(imported module, inside a function) for each import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        parent, in_function = parents.get(node), False
        while parent is not None:
            in_function |= isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef))
            parent = parents.get(parent)
        for name in names:
            yield name, in_function


def own(name: str) -> str:
    """The source module an import of our own code resolves to ('' when it is not ours)."""
    while name.startswith(PREFIX):
        if name in SOURCES:
            return name
        name = name.rpartition(".")[0]
    return ""


def reach(start: str) -> Set[str]:
    """Every module of ours that importing ``start`` loads."""
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name[len(PREFIX) :].split(".")
        for i in range(1, len(parts)):  # importing a.b.c runs a/__init__ and a/b/__init__
            parent = PREFIX + ".".join(parts[:i])
            if parent in SOURCES:
                todo.append(parent)
        todo.extend(target for target in (own(i) for i, _f in imports(SOURCES[name])) if target)
    return seen


MODULES = sorted(n for n in SOURCES if n.startswith(PREFIX + "modules."))
TARGET_SIDE = sorted(n for n in SOURCES if n.startswith(PREFIX + "module_utils."))


@pytest.mark.parametrize("module", MODULES)
def test_modules_reach_only_target_code(module):
    outside = sorted(n[len(PREFIX) :] for n in reach(module) - {module} if not n.startswith(PREFIX + "module_utils."))
    assert outside == []


@pytest.mark.parametrize("name", TARGET_SIDE)
def test_target_code_imports_only_the_standard_library_ansible_module_utils_and_itself(name):
    foreign = sorted(
        {
            i
            for i, _f in imports(SOURCES[name])
            if not i.startswith(PREFIX + "module_utils")
            and not i.startswith("ansible.module_utils")
            and i.split(".")[0] not in STDLIB
            and i.split(".")[0] != "__future__"
        }
    )
    assert foreign == [], f"{name} runs on targets but imports {foreign}"


def test_no_import_of_our_own_code_inside_a_function():
    hidden = [
        f"{path.relative_to(PLUGINS)} imports {i[len(PREFIX) :]}"
        for path in SOURCES.values()
        for i, in_function in imports(path)
        if in_function and i.startswith(PREFIX)
    ]
    assert hidden == []


def package_of(name: str) -> str:
    parts = name[len(PREFIX) :].split(".")
    return ".".join(parts[:2]) if parts[0] in ("module_utils", "plugin_utils") and len(parts) > 2 else parts[0]


def test_no_import_cycle_between_packages():
    graph: Dict[str, Set[str]] = {}
    for name, path in SOURCES.items():
        for target in (own(i) for i, _f in imports(path)):
            if target and package_of(target) != package_of(name):
                graph.setdefault(package_of(name), set()).add(package_of(target))
    cycles: List[str] = []

    def visit(node: str, trail: List[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in trail:
                cycles.append(" -> ".join([*trail[trail.index(nxt) :], nxt]))
            elif len(trail) < 12:
                visit(nxt, [*trail, nxt])

    for start in sorted(graph):
        visit(start, [start])
    assert cycles == []
