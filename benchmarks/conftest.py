"""Shared benchmark fixtures: real-text corpora and a raw tiktoken oracle on the same vocab.

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
import tiktoken

from tokbudget.vocab import ENCODINGS, find_vocab_file, load_ranks

CORPORA = Path(
    os.environ.get("TOKBUDGET_CORPORA", Path(__file__).resolve().parent / ".corpora")
).expanduser()

_TEXTS: dict[str, str] = {}
_RAW: dict[str, tiktoken.Encoding] = {}


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


def raw_encoding(name: str) -> tiktoken.Encoding:
    """A plain ``tiktoken.Encoding`` over the bundled vocab: the floor to compare against."""
    if name not in _RAW:
        spec = ENCODINGS[name]
        path = find_vocab_file(spec.vocab)
        assert path is not None, f"no vocab file for {name}"
        _RAW[name] = tiktoken.Encoding(
            name,
            pat_str=spec.pat_str,
            mergeable_ranks=load_ranks(path, spec.sha256),
            special_tokens=dict(spec.special_tokens),
        )
    return _RAW[name]
