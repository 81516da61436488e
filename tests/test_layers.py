"""The package's imports point down its layers, make no cycle, and only optional deps are lazy.

Issue 11: "no import cycles; no function-level imports except optional dependencies".
Ruff's PLC0415 (pyproject.toml) catches a new function-level import as it is written;
these tests hold the layering, which no linter knows.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Literal

from tokbudget.cli.app import COMMANDS

PACKAGE = Path(__file__).resolve().parent.parent / "tokbudget"

# Lower index = lower layer: a module may import only from its own layer or lower ones.
LAYERS = [
    {"errors", "_util", "jsonload", "money"},
    {"models"},
    {"tokenizer"},
    {"counting"},
    {"budget", "truncation", "chat", "splitting"},
    {"pricing", "usage", "embeddings", "figures"},
    {"partitions", "dask", "cli", "web", "__init__", "__main__"},
]
OPTIONAL = {"dask", "distributed", "pandas", "pyspark", "genai_prices"}

Where = Literal["runtime", "typing", "lazy"]


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _layer(module: str) -> int:
    head = module.split(".")[0]
    for i, names in enumerate(LAYERS):
        if head in names:
            return i
    raise AssertionError(f"{module} is in no layer: add it to LAYERS in {__file__}")


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.Module) -> list[tuple[ast.Import | ast.ImportFrom, Where]]:
    """Every import statement, with where it runs: at import time, for mypy only, or lazily."""
    out: list[tuple[ast.Import | ast.ImportFrom, Where]] = []

    def visit(node: ast.AST, where: Where) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom):
            out.append((node, where))
            return
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            where = "lazy"
        elif isinstance(node, ast.If) and _is_type_checking(node) and where == "runtime":
            for sub in node.body:
                visit(sub, "typing")
            for sub in node.orelse:
                visit(sub, where)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, where)

    visit(tree, "runtime")
    return out


def _imports(module: str, path: Path) -> list[tuple[str, Where]]:
    """(imported tokbudget module, where) for each tokbudget import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    known = _modules()
    out: list[tuple[str, Where]] = []
    for node, where in _import_nodes(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.split(".")[0] == "tokbudget"]
            out += [(n.removeprefix("tokbudget").strip(".") or "__init__", where) for n in names]
            continue
        name = node.module or ""
        if node.level:
            base = package[: len(package) - (node.level - 1)]
            target = ".".join([*base, *name.split(".")]).strip(".")
        elif name.split(".")[0] == "tokbudget":
            target = name.removeprefix("tokbudget").strip(".")
        else:
            continue
        target = target or "__init__"
        # `from . import x` / `from .pkg import mod` name a module: count that edge.
        subs = [f"{target}.{a.name}" if target != "__init__" else a.name for a in node.names]
        submodules = [s for s in subs if s in known]
        out += [(s, where) for s in submodules] if submodules else [(target, where)]
    return out


def test_imports_point_down_the_layers() -> None:
    wrong = []
    for module, path in _modules().items():
        for target, _ in _imports(module, path):
            if _layer(target) > _layer(module):
                wrong.append(f"{module} imports {target}")
    assert not wrong, wrong


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, stack: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt, [*stack, nxt])):
                return found
        state[node] = 2
        return None

    for module in sorted(edges):
        if module not in state and (found := visit(module, [module])):
            return found
    return None


def _runtime_edges() -> dict[str, set[str]]:
    modules = _modules()
    edges: dict[str, set[str]] = {}
    for m, p in modules.items():
        targets = {t for t, where in _imports(m, p) if where == "runtime" and t in modules}
        # Importing a.b.c runs a/__init__ and a/b/__init__ first.
        for t in list(targets):
            parts = t.split(".")
            targets |= {".".join(parts[:i]) for i in range(1, len(parts))} & modules.keys()
        # A module's own packages are initialised before it runs: no edge of its own making.
        parts = m.split(".")
        edges[m] = targets - {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    return edges


def test_no_import_cycles() -> None:
    edges = _runtime_edges()
    # The CLI's lazy command table imports each command's module by name (importlib).
    edges["cli.app"] |= {f"cli.{entry.module}" for entry in COMMANDS.values()}
    cycle = _cycle(edges)
    assert cycle is None, " -> ".join(cycle or [])


def test_the_cycle_check_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_only_optional_dependencies_are_imported_lazily() -> None:
    lazy = []
    for module, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, where in _import_nodes(tree):
            if where != "lazy":
                continue
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                names = ["." if node.level else node.module or ""]
            if any(name.split(".")[0] not in OPTIONAL for name in names):
                lazy.append(f"{module}: {ast.unparse(node)}")
    assert not lazy, lazy
