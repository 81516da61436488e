"""Shared benchmark fixtures: real-text corpora, and (from tests) the raw tiktoken floor.

Build the corpora first (reads only Debian-installed documentation, never the network)::

    python benchmarks/corpora.py --install          # -> benchmarks/.corpora/
    python -m pytest benchmarks --benchmark-enable

``TOKBUDGET_CORPORA`` points at another folder of corpora. Benchmarks whose corpus is
missing are skipped with the command that builds it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import raw_encoding

CORPORA = Path(
    os.environ.get("TOKBUDGET_CORPORA", Path(__file__).resolve().parent / ".corpora")
).expanduser()

_TEXTS: dict[str, str] = {}


def corpus(name: str) -> str:
    """The text of ``<CORPORA>/<name>.txt``; skips the benchmark when it is missing."""
    if name not in _TEXTS:
        path = CORPORA / f"{name}.txt"
        if not path.is_file():
            pytest.skip(
                f"corpus {path} is missing: build it with `python benchmarks/corpora.py "
                f"--install` or point TOKBUDGET_CORPORA at a folder holding {name}.txt"
            )
        _TEXTS[name] = path.read_text(encoding="utf-8")
    return _TEXTS[name]


__all__ = ["CORPORA", "corpus", "raw_encoding"]
