"""The ``>>>`` examples in the budget modules' docstrings are true."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize(
    "module", ["tokbudget.budget", "tokbudget.truncation", "tokbudget.history"]
)
def test_docstring_examples(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0
    assert result.failed == 0


def test_count_at_most_examples() -> None:
    from tokbudget import counting

    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner()
    for test in finder.find(counting.count_at_most, "count_at_most", globs=vars(counting)):
        runner.run(test)
    assert runner.tries > 0 and runner.failures == 0
