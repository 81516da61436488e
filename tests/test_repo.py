"""The repository holds its own line (issue 11): the package's shape, CI, shared test helpers.

These read files, not behaviour: each guards a rule a reviewer would otherwise have to
remember (tests/test_layers.py guards the imports).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
