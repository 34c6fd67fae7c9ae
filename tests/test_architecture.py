"""The layout issue 13 asked for, held by a test: no import cycle among the modules of
``src/``, no module over 400 lines, no ``getattr(`` probing a source, and the layers in
their order (core imports nothing of ours outside core; backends never import tui)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "streamconsole"
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    modules = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Every module of ours that ``name`` imports, at the top, under TYPE_CHECKING or inside
    a function: a cycle held together by a late import is still a cycle."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            # ``from pkg import module`` names a module; ``from module import name`` the module.
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name and target.startswith(PACKAGE):
                found.add(target)
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in GRAPH[node]:
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in GRAPH:
        if node not in index:
            visit(node)
    return found


def _is_package_parent(importer: str, imported: str) -> bool:
    """A package's ``__init__`` re-exporting its own submodules is not a cycle of design."""
    return imported.startswith(importer + ".") or importer.startswith(imported + ".")


def test_no_import_cycle_among_modules() -> None:
    cycles = [
        c for c in _cycles() if not all(_is_package_parent(a, b) for a in c for b in c if a != b)
    ]
    assert cycles == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_over_the_line_limit(name: str) -> None:
    lines = len(MODULES[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{MODULES[name]}: {lines} lines"


def test_no_source_ability_is_probed_with_getattr() -> None:
    offenders = [
        f"{path}:{node.lineno}"
        for path in MODULES.values()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in {"getattr", "hasattr"}
        and node.args
        and "source" in ast.unparse(node.args[0]).lower()
    ]
    assert offenders == []


def test_layers_point_one_way() -> None:
    wrong = [
        f"{name} imports {target}"
        for name, targets in GRAPH.items()
        for target in targets
        if (name.startswith(f"{PACKAGE}.core") and not target.startswith(f"{PACKAGE}.core"))
        or (name.startswith(f"{PACKAGE}.backends") and target.startswith(f"{PACKAGE}.tui"))
        or (name.startswith(f"{PACKAGE}.core") and "textual" in target)
    ]
    assert wrong == []


def test_every_package_is_listed_for_the_wheel() -> None:
    """pyproject lists packages by hand (the themes/ mapping rules out discovery): a new
    sub-package left out of the list is missing from every wheel install."""
    import tomllib

    listed = set(
        tomllib.loads((SRC.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(SRC).parts)
        for init in (SRC / PACKAGE).rglob("__init__.py")
    }
    assert found - listed == set()
