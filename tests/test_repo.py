"""The repository holds its own line (issue 11): the package's shape, CI, shared test helpers.

These read files, not behaviour: each guards a rule a reviewer would otherwise have to
remember (tests/test_layers.py guards the imports).
"""

from __future__ import annotations

import ast
import importlib
import re
from collections import defaultdict
from pathlib import Path

from tokbudget import errors

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tokbudget"

MAX_LINES = 400
"""No module over ~400 lines: split a growing one by concept."""
MAX_TOP_MODULES = 16
"""At most ~16 modules at the top of the package; more means a concept wants a subpackage."""


def test_no_module_over_the_line_limit() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"split these by concept (over {MAX_LINES} lines): {long}"


def test_few_modules_at_the_top_of_the_package() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_MODULES, top


def _ci_lines() -> list[str]:
    text = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_ci_ends_with_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"Install and run the test suite:\n\n```sh\n(.+)\n```", readme)
    assert block is not None, "README lost its 'Install and run the test suite' block"
    assert _ci_lines()[-1] == block.group(1)


def test_ci_runs_the_static_checks_and_requires_the_browser() -> None:
    lines = _ci_lines()
    assert "export TOKBUDGET_REQUIRE_BROWSER=1" in lines
    assert any(line.endswith("scripts/check --static") for line in lines)
    check = (ROOT / "scripts" / "check").read_text(encoding="utf-8")
    static = check[: check.index("--static ] && exit 0")]
    for step in (
        "-m ruff format --check .",
        "-m ruff check .",
        "-m mypy --strict tokbudget",
        "-m mypy tests benchmarks",
    ):
        assert step in static, f"scripts/check --static no longer runs {step!r}"


def test_the_inner_loop_is_documented_and_the_marker_declared() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert '-m pytest -m "not slow"' in readme
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^markers = \[\n\s+"slow: ', pyproject, re.M)
    assert "--strict-markers" in pyproject  # a misspelt marker is an error, not a no-op


def _helpers(path: Path) -> dict[str, str]:
    """Module-level helpers (functions and classes that are not tests): name -> body."""
    out = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.FunctionDef | ast.ClassDef) or node.name.startswith("test"):
            continue
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # a docstring does not make a copy different
        out[node.name] = "\n".join(ast.dump(n) for n in [*node.decorator_list, *body])
    return out


def test_test_helpers_live_in_one_place() -> None:
    # A helper written twice drifts (three `tokens(n)` once disagreed on what n meant):
    # shared ones go to tests/helpers.py (browser ones to tests/browser_support.py).
    where: defaultdict[str, list[str]] = defaultdict(list)
    for path in sorted((ROOT / "tests").glob("*.py")):
        for name, body in _helpers(path).items():
            if len(body) > 150:  # one-liners (`return main(argv)`) may repeat
                where[body].append(f"{path.name}:{name}")
    copies = [names for names in where.values() if len(names) > 1]
    assert not copies, f"fold into tests/helpers.py: {copies}"


def test_the_error_tree_in_errors_py_is_the_real_one() -> None:
    doc = errors.__doc__ or ""
    names = {"TokbudgetError", *re.findall(r"── (\w+Error)", doc)}  # every node of the tree
    drawn = dict(re.findall(r"(\w+Error)\((\w+)\)", doc))  # and the builtins it names
    real = {
        name: getattr(errors, name)
        for name in errors.__all__
        if isinstance(getattr(errors, name), type)
    }
    assert names == set(real), "draw every error class in errors.py's docstring"
    for name, base in drawn.items():
        assert base in {b.__name__ for b in real[name].__bases__}, f"{name}({base})"
    # The front ends' errors it names exist, and are not library errors.
    named = re.findall(r"``(tokbudget(?:\.\w+)+)\.(\w+)``", doc)
    assert len(named) >= 3
    for module, name in named:
        cls = getattr(importlib.import_module(module), name)
        assert isinstance(cls, type) and not issubclass(cls, errors.TokbudgetError), name
