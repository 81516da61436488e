"""Budget speed: truncate and check against what peers do, in one run.

Targets (issue 4): ``truncate`` to 512 and 8,191 tokens of a >= 5 MB document at least
10x faster than encoding the whole text + slicing the tokens + decoding (which is also
wrong: it can end in U+FFFD); ``check`` of a 100 MB text against a 128k window in about
the time of encoding 1 MB.

    python -m pytest benchmarks/bench_budget.py --benchmark-enable \
        --benchmark-json=.benchmarks/budget.json
    python benchmarks/ratios.py .benchmarks/budget.json
"""

from __future__ import annotations

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

import tokbudget
from tokbudget.truncation import Side

from .conftest import corpus, raw_encoding

ENCODING = "o200k_base"
DOCUMENTS = ["english", "multilingual"]  # 8 MiB each
BUDGETS = [512, 8_191]


def _floor_truncate(name: str, budget: int, side: str) -> str:
    # What most code does: encode everything, slice the ids, decode.
    text = corpus(name)
    enc = raw_encoding(ENCODING)
    ids = enc.encode_ordinary(text)
    return enc.decode(ids[-budget:] if side == "start" else ids[:budget])


@pytest.mark.parametrize("budget", BUDGETS)
@pytest.mark.parametrize("name", DOCUMENTS)
def test_floor_truncate_encode_slice_decode(
    benchmark: BenchmarkFixture, name: str, budget: int
) -> None:
    assert len(corpus(name).encode("utf-8")) >= 5_000_000
    benchmark.group = f"truncate {name} to {budget} {ENCODING}"
    benchmark.extra_info["baseline"] = True
    benchmark.pedantic(_floor_truncate, (name, budget, "end"), rounds=3, warmup_rounds=1)


@pytest.mark.parametrize("side", ["end", "start", "middle"])
@pytest.mark.parametrize("budget", BUDGETS)
@pytest.mark.parametrize("name", DOCUMENTS)
def test_truncate(benchmark: BenchmarkFixture, name: str, budget: int, side: Side) -> None:
    text = corpus(name)
    marker = " … " if side == "middle" else ""
    benchmark.group = f"truncate {name} to {budget} {ENCODING}"
    result = benchmark.pedantic(
        lambda: tokbudget.truncate(text, budget, encoding=ENCODING, side=side, marker=marker),
        rounds=20,
        warmup_rounds=1,
    )
    assert len(raw_encoding(ENCODING).encode_ordinary(result)) <= budget


_HUNDRED_MB: list[str] = []


def _hundred_megabytes() -> str:
    if not _HUNDRED_MB:
        text = corpus("english")
        _HUNDRED_MB.append(text * (100_000_000 // len(text) + 1))
    return _HUNDRED_MB[0]


def test_floor_encode_one_megabyte(benchmark: BenchmarkFixture) -> None:
    text = corpus("english")[:1_000_000]
    enc = raw_encoding(ENCODING)
    benchmark.group = "check 100 MB against gpt-4o's 128k window"
    benchmark.extra_info["baseline"] = True
    benchmark.pedantic(lambda: len(enc.encode_ordinary(text)), rounds=10, warmup_rounds=1)


def test_check_hundred_megabytes(benchmark: BenchmarkFixture) -> None:
    text = _hundred_megabytes()
    assert len(text) >= 100_000_000
    benchmark.group = "check 100 MB against gpt-4o's 128k window"
    report = benchmark.pedantic(
        lambda: tokbudget.check(text, model="gpt-4o"), rounds=10, warmup_rounds=1
    )
    assert not report.fits and not report.exact
