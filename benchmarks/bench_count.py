"""Counting speed: tokbudget against raw tiktoken on the same vocab, in one run.

Targets (issue 2): ``count`` on a long document within 1.05x of
``len(enc.encode_ordinary(text))``; ``count_many`` on 100,000 short strings faster than a
Python loop of ``len(enc.encode_ordinary(s))``.

    python -m pytest benchmarks/bench_count.py --benchmark-enable \
        --benchmark-json=.benchmarks/count.json
    python benchmarks/ratios.py .benchmarks/count.json
"""

from __future__ import annotations

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

import tokbudget

from .conftest import corpus, raw_encoding

LONG = ["english", "multilingual"]


@pytest.mark.parametrize("name", LONG)
@pytest.mark.parametrize("encoding", ["o200k_base", "cl100k_base"])
def test_floor_long_tiktoken(benchmark: BenchmarkFixture, name: str, encoding: str) -> None:
    text = corpus(name)
    enc = raw_encoding(encoding)
    benchmark.group = f"count long {name} {encoding}"
    benchmark.extra_info["baseline"] = True
    n = benchmark.pedantic(lambda: len(enc.encode_ordinary(text)), rounds=5, warmup_rounds=1)
    assert n == tokbudget.count(text, encoding=encoding)


@pytest.mark.parametrize("name", LONG)
@pytest.mark.parametrize("encoding", ["o200k_base", "cl100k_base"])
def test_count_long(benchmark: BenchmarkFixture, name: str, encoding: str) -> None:
    text = corpus(name)
    tokbudget.count("warm up", encoding=encoding)
    benchmark.group = f"count long {name} {encoding}"
    benchmark.pedantic(lambda: tokbudget.count(text, encoding=encoding), rounds=5, warmup_rounds=1)


def _short_strings() -> list[str]:
    # 100,000 real short strings: the lines of the English corpus, repeated if needed.
    lines = [line for line in corpus("english").splitlines() if line.strip()]
    out: list[str] = []
    while len(out) < 100_000:
        out += lines[: 100_000 - len(out)]
    return out


def test_floor_many_tiktoken_loop(benchmark: BenchmarkFixture) -> None:
    texts = _short_strings()
    enc = raw_encoding("o200k_base")
    benchmark.group = "count 100k short strings o200k_base"
    benchmark.extra_info["baseline"] = True
    total = benchmark.pedantic(
        lambda: [len(enc.encode_ordinary(s)) for s in texts], rounds=5, warmup_rounds=1
    )
    assert total == tokbudget.count_many(texts, encoding="o200k_base").tolist()


def test_floor_many_tiktoken_batch(benchmark: BenchmarkFixture) -> None:
    # tiktoken's own batch API (threads, builds every list): the fastest raw alternative.
    texts = _short_strings()
    enc = raw_encoding("o200k_base")
    benchmark.group = "count 100k short strings o200k_base"
    benchmark.pedantic(
        lambda: [len(t) for t in enc.encode_ordinary_batch(texts)], rounds=5, warmup_rounds=1
    )


def test_count_many(benchmark: BenchmarkFixture) -> None:
    texts = _short_strings()
    tokbudget.count("warm up", encoding="o200k_base")
    benchmark.group = "count 100k short strings o200k_base"
    benchmark.pedantic(
        lambda: tokbudget.count_many(texts, encoding="o200k_base"), rounds=5, warmup_rounds=1
    )


def test_count_loop(benchmark: BenchmarkFixture) -> None:
    texts = _short_strings()
    tokbudget.count("warm up", encoding="o200k_base")
    benchmark.group = "count 100k short strings o200k_base"
    benchmark.pedantic(
        lambda: [tokbudget.count(s, encoding="o200k_base") for s in texts],
        rounds=5,
        warmup_rounds=1,
    )
