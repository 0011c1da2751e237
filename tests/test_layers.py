"""The layers of docs/architecture.md, read from the code's own imports: a lower layer never
imports a higher one, and no two parts of the app import each other."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What each part of the app may import from the app (graph/ and registry/); stdlib and
# third-party packages are not the layers' business. A name allows itself and what is below it.
ALLOWED: dict[str, set[str]] = {
    "graph": {"graph"},
    # The domain is pure: of the graph package only its dataclasses and text normalisation.
    "registry.domain": {
        "registry.domain",
        "graph.models",
        "graph.network_models",
        "graph.dispute_models",
        "graph.text",
    },
    "registry.records": {"registry.domain", "registry.records", "graph.models"},
    "registry.settings": set(),
    "registry.auth": {"registry.domain", "graph"},
    "registry.trust": {"registry.trust", "registry.domain", "registry.settings", "graph"},
    "registry.operations": {
        "registry.operations",
        "registry.domain",
        "registry.records",
        "registry.auth",
        "registry.trust",
        "registry.settings",
        "graph",
    },
    "registry.loaders": {"registry.operations", "registry.domain", "graph"},
    "registry.context": {"registry.auth", "registry.loaders", "registry.settings", "graph.port"},
    "registry.synthetic": {"registry.domain", "registry.records", "graph"},
}
# Above those: these may import anything of the app except what is named here.
FORBIDDEN: dict[str, set[str]] = {
    "registry.schema": {
        "registry.resolvers",
        "registry.http",
        "registry.web",
        "registry.cli",
        "registry.app",
        "graph.cypher",
    },
    "registry.resolvers": {
        "registry.http",
        "registry.web",
        "registry.cli",
        "registry.app",
        "graph.cypher",
    },
    "registry.http": {"registry.web", "registry.cli", "registry.app"},
    "registry.web": {"registry.cli", "registry.app"},
    "registry.app": {"registry.cli"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _under_type_checking(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def _imports(path: Path) -> Iterator[str]:
    """Every app module the file imports at run time, lazily imported ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if _under_type_checking(node, parents):
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def _app_imports() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for package in ("registry", "graph"):
        for path in sorted((ROOT / package).rglob("*.py")):
            names = {n for n in _imports(path) if n.split(".")[0] in {"registry", "graph"}}
            found[_module_name(path)] = names
    return found


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _part(module: str) -> str:
    """The unit of the layer rules: graph, or registry's subpackage or root module."""
    parts = module.split(".")
    return "graph" if parts[0] == "graph" else ".".join(parts[:2])


MODULES = _app_imports()


def test_the_rules_name_every_part_of_the_app() -> None:
    parts = {_part(m) for m in MODULES} - {"registry"}
    assert parts <= ALLOWED.keys() | FORBIDDEN.keys() | {"registry.cli"}


def _wrong_imports(module: str) -> set[str]:
    part = _part(module)
    imported = {n for n in MODULES[module] if _part(n) != part or part == "graph"}
    if part in ALLOWED:
        wrong = {n for n in imported if not any(_within(n, ok) for ok in ALLOWED[part] | {part})}
    else:
        wrong = {n for n in imported if any(_within(n, no) for no in FORBIDDEN.get(part, set()))}
    if part != "registry.cli":
        wrong |= {n for n in imported if _within(n, "registry.cli")}
    if part == "graph":
        wrong |= {n for n in MODULES[module] if _within(n, "registry")}
    return wrong


def test_no_module_imports_a_layer_above_its_own() -> None:
    wrong = {m: sorted(w) for m in sorted(MODULES) if (w := _wrong_imports(m))}
    assert not wrong, f"imports against the layers: {wrong}"


def test_no_two_parts_of_the_app_import_each_other() -> None:
    edges: dict[str, set[str]] = {}
    for module, names in MODULES.items():
        edges.setdefault(_part(module), set()).update(
            _part(n) for n in names if _part(n) != _part(module)
        )
    circles = sorted(
        (a, b) for a, targets in edges.items() for b in targets if a in edges.get(b, set())
    )
    assert not circles, f"parts that import each other: {circles}"


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    """The reader finds imports in functions too, and skips TYPE_CHECKING-only ones."""
    source = tmp_path / "sample.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from registry.app import Runtime\n"
        "def f():\n    from registry.cli.main import main\n",
        encoding="utf-8",
    )
    names = set(_imports(source))
    assert "registry.cli.main" in names
    assert "registry.app" not in names
