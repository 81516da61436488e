"""The ``>>>`` examples in the docstrings are true."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "tokbudget.images",
        "tokbudget.messages",
        "tokbudget.tools",
        "tokbudget.cost",
        "tokbudget.usage",
        "tokbudget.cli._output",
    ],
)
def test_docstring_examples(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0
    assert result.failed == 0
