"""pytest-benchmark: tokbudget.split vs one plain encode (the floor) vs installed peers.

    TOKBUDGET_CORPORA=/path/to/corpora pytest benchmarks/bench_split.py --benchmark-enable \
        --benchmark-json=.benchmarks/split.json

Each test also checks the output (no chunk over the limit, nothing lost); peers are
only timed (``compare_split.py`` prints their checks). Corpora come from
``benchmarks/corpora.py``; tests skip with the reason when a corpus is absent.
"""

from __future__ import annotations

import pytest

from .conftest import corpus
from .splitters import CORPORA, ENTRANTS, LIMITS, available, judge


@pytest.mark.parametrize("entrant", ENTRANTS, ids=[e.name for e in ENTRANTS])
@pytest.mark.parametrize("limit", LIMITS)
@pytest.mark.parametrize("name", CORPORA)
def test_split(benchmark, name: str, limit: int, entrant) -> None:  # type: ignore[no-untyped-def]
    if not available(entrant):
        pytest.skip(f"{entrant.module} is not installed (pip install -e '.[bench]')")
    text = corpus(name)
    run = entrant.factory("cl100k_base", limit)
    benchmark.group = f"split {name} {limit}"  # benchmarks/ratios.py reads these
    benchmark.extra_info["baseline"] = entrant.name.startswith("encode_ordinary")
    slow = entrant.name not in ("tokbudget.split", "encode_ordinary (floor)")
    chunks = benchmark.pedantic(
        run, args=(text,), rounds=1 if slow else 3, iterations=1, warmup_rounds=0 if slow else 1
    )
    if entrant.name == "tokbudget.split":
        verdict = judge(text, chunks, "cl100k_base", limit)
        assert verdict.violations == verdict.lost == verdict.replacement == 0
        assert "".join(chunks) == text
