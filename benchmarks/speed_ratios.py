#!/usr/bin/env python3
"""Issue 14's speed ratios, measured interleaved so a busy machine skews them less.

Each round times raw tiktoken (a plain ``tiktoken.Encoding`` over the same vocab) and
tokbudget back to back on the same input; the ratio reported is the median of the
rounds' ratios, next to the floor's MB/s. Usage::

    python benchmarks/speed_ratios.py [--rounds 7] [--only count split many]

Corpora come from ``benchmarks/corpora.py`` (``$TOKBUDGET_CORPORA``).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tokbudget
from benchmarks.splitters import load_corpus
from tests.conftest import raw_encoding
from tokbudget.tokenizer.fast import backend


def clock(run: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def ratio(
    label: str, floor: Callable[[], object], ours: Callable[[], object], size: int, rounds: int
) -> float:
    floor(), ours()  # warm up
    pairs = [(clock(floor), clock(ours)) for _ in range(rounds)]
    r = statistics.median(b / a for a, b in pairs)
    best = min(a for a, _ in pairs)
    print(f"{label:<44} {r:5.2f}x   floor {size / best / 2**20:5.1f} MiB/s", flush=True)
    return r


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--only", nargs="*", default=["count", "many", "split"])
    args = ap.parse_args()
    print(f"backend: {backend()}; ratio = tokbudget / raw tiktoken (median of rounds)")
    texts = {n: load_corpus(n) for n in ("english", "code", "multilingual", "nowhitespace")}
    missing = [n for n, t in texts.items() if t is None]
    if missing:
        print(f"missing corpora {missing}: run python benchmarks/corpora.py --install")
        return 2
    if "count" in args.only:
        for encoding in ("o200k_base", "cl100k_base"):
            raw = raw_encoding(encoding)
            for name in ("english", "code", "multilingual"):
                text = texts[name]
                assert text is not None
                ratio(
                    f"count {name} {encoding}",
                    lambda: len(raw.encode_ordinary(text)),  # noqa: B023
                    lambda: tokbudget.count(text, encoding=encoding),  # noqa: B023
                    len(text.encode()),
                    args.rounds,
                )
    if "many" in args.only:
        english = texts["english"]
        assert english is not None
        lines = [line for line in english.splitlines() if line.strip()]
        short = (lines * (100_000 // len(lines) + 1))[:100_000]
        raw = raw_encoding("o200k_base")
        ratio(
            "count_many 100,000 lines o200k_base",
            lambda: [len(raw.encode_ordinary(s)) for s in short],
            lambda: tokbudget.count_many(short, encoding="o200k_base"),
            sum(len(s.encode()) for s in short),
            args.rounds,
        )
    if "split" in args.only:
        raw = raw_encoding("cl100k_base")
        for name in ("english", "code", "multilingual", "nowhitespace"):
            text = texts[name]
            assert text is not None
            for limit in (512, 8191):
                splitter = tokbudget.Splitter(limit, encoding="cl100k_base")
                ratio(
                    f"split {name} {limit} cl100k_base",
                    lambda: raw.encode_ordinary(text),  # noqa: B023
                    lambda: splitter.split(text),  # noqa: B023
                    len(text.encode()),
                    args.rounds,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
