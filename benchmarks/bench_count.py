"""Counting speed: tokbudget against raw tiktoken on the same vocab, in one run.

Targets (issue 14): ``count`` of a long document at most 0.5x the time of raw tiktoken's
``len(enc.encode_ordinary(text))`` (median over English, code and multilingual text and
both encodings; none above 0.6x); ``count_many`` of 100,000 short strings at most 0.4x a
Python loop of ``len(enc.encode_ordinary(s))``. The baselines are raw ``tiktoken.Encoding``
objects over the same vocab, never tokbudget's encoder (which uses the fast engine);
``bpe-openai`` called directly is the anchor: the engine's own speed.
``benchmarks/speed_ratios.py`` measures the same ratios interleaved, for noisy machines.

    python -m pytest benchmarks/bench_count.py --benchmark-enable \
        --benchmark-json=.benchmarks/count.json
    python benchmarks/ratios.py .benchmarks/count.json
"""

from __future__ import annotations

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

import tokbudget
from tokbudget.tokenizer.encoder import get_encoding
from tokbudget.tokenizer.fast import backend, engine_for

from .conftest import corpus, raw_encoding

LONG = ["english", "code", "multilingual"]


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


@pytest.mark.parametrize("name", LONG)
@pytest.mark.parametrize("encoding", ["o200k_base", "cl100k_base"])
def test_anchor_long_bpe_openai(benchmark: BenchmarkFixture, name: str, encoding: str) -> None:
    # The fast engine called directly: what tokbudget's count cannot beat (the anchor).
    engine = engine_for(get_encoding(encoding))
    if engine is None:
        pytest.skip(f"the fast engine is not in use here: {backend()}")
    text = corpus(name)
    benchmark.group = f"count long {name} {encoding}"
    benchmark.pedantic(lambda: engine.tokenizer.count(text), rounds=5, warmup_rounds=1)


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


@pytest.mark.parametrize("encoding", ["o200k_base", "cl100k_base"])
def test_floor_at_most_tiktoken(benchmark: BenchmarkFixture, encoding: str) -> None:
    # Deciding that the English corpus does not fit 128k tokens: raw tiktoken counts it all.
    text = corpus("english")
    enc = raw_encoding(encoding)
    benchmark.group = f"count_at_most 128k english {encoding}"
    benchmark.extra_info["baseline"] = True
    benchmark.pedantic(lambda: len(enc.encode_ordinary(text)), rounds=5, warmup_rounds=1)


@pytest.mark.parametrize("encoding", ["o200k_base", "cl100k_base"])
def test_count_at_most(benchmark: BenchmarkFixture, encoding: str) -> None:
    text = corpus("english")
    tokbudget.count("warm up", encoding=encoding)
    benchmark.group = f"count_at_most 128k english {encoding}"
    result = benchmark.pedantic(
        lambda: tokbudget.count_at_most(text, 128_000, encoding=encoding),
        rounds=5,
        warmup_rounds=1,
    )
    assert not result.exact
