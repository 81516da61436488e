#!/usr/bin/env python3
"""Issue 14's speed ratios, measured interleaved so a busy machine skews them less.

Each round times raw tiktoken (a plain ``tiktoken.Encoding`` over the same vocab: the
floor), tokbudget and the anchors or peers back to back on the same input. Each line
prints, per entrant, the median over the rounds of its time divided by the floor's time
in the same round, both as wall-clock time and as CPU time of this process (steadier when
other processes share the cores: every entrant here runs on one thread), and the floor's
MiB/s in its best round. Usage::

    python benchmarks/speed_ratios.py [--rounds 9] [--only count many split scripts]

``count`` adds ``bpe-openai``, the fast engine called directly: no tokbudget count can
beat it. ``split`` and ``scripts`` add chonkie's RecursiveChunker and semchunk where
installed, each built afresh every round: both memoize token counts, so splitting the
same text twice with one chunker measures a cache, not a splitter (5-15x faster).
``scripts`` splits the multilingual corpus's lines regrouped by script (Han, kana,
Hangul, Thai, Arabic, Cyrillic): text of one script, unlike the mixed corpus.

Corpora come from ``benchmarks/corpora.py`` (``$TOKBUDGET_CORPORA``).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import platform
import statistics
import sys
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import regex

import tokbudget
from benchmarks.splitters import ENTRANTS, available, load_corpus
from tests.conftest import raw_encoding
from tokbudget.tokenizer.encoder import get_encoding
from tokbudget.tokenizer.fast import backend, engine_for

Run = Callable[[], object]
PEERS = ("chonkie RecursiveChunker", "semchunk")
SCRIPTS = {
    "han": r"\p{Han}",
    "kana": r"[\p{Hiragana}\p{Katakana}]",
    "hangul": r"\p{Hangul}",
    "thai": r"\p{Thai}",
    "arabic": r"\p{Arabic}",
    "cyrillic": r"\p{Cyrillic}",
}


def clock(run: Run) -> tuple[float, float]:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def ratios(label: str, floor: Run, entrants: dict[str, Run], size: int, rounds: int) -> None:
    """Print each entrant's median time over the floor's, wall and CPU, one line."""
    floor(), [run() for run in entrants.values()]  # warm up (fresh peers: see the doc)
    times: dict[str, list[tuple[float, float]]] = {"floor": []}
    for _ in range(rounds):
        times["floor"].append(clock(floor))
        for name, run in entrants.items():
            times.setdefault(name, []).append(clock(run))
    base = times.pop("floor")
    cells = []
    for name, pairs in times.items():
        wall = statistics.median(p[0] / b[0] for p, b in zip(pairs, base, strict=True))
        cpu = statistics.median(p[1] / b[1] for p, b in zip(pairs, base, strict=True))
        cells.append(f"{name} {wall:4.2f}x/{cpu:4.2f}x")
    mib = size / min(b[0] for b in base) / 2**20
    print(f"{label:<34} floor {mib:5.1f} MiB/s | {' | '.join(cells)}", flush=True)


def split_entrants(limit: int, text: str) -> dict[str, Run]:
    entrants = {e.name: e for e in ENTRANTS if e.name in PEERS and available(e)}
    splitter = tokbudget.Splitter(limit, encoding="cl100k_base")
    runs: dict[str, Run] = {"tokbudget": lambda: splitter.split(text)}
    for name, e in entrants.items():  # a fresh chunker each round: no warm cache
        runs[name.split()[0]] = lambda e=e: e.factory("cl100k_base", limit)(text)  # type: ignore[misc]
    return runs


def by_script(text: str) -> dict[str, str]:
    """The lines of ``text`` regrouped by their main script (over a third of the line)."""
    groups: dict[str, list[str]] = {name: [] for name in SCRIPTS}
    for line in text.splitlines(keepends=True):
        counts = {name: len(regex.findall(p, line)) for name, p in SCRIPTS.items()}
        best = max(counts, key=counts.__getitem__)
        if counts[best] * 3 > len(line):
            groups[best].append(line)
    return {name: "".join(lines) for name, lines in groups.items() if lines}


def versions() -> str:
    found = []
    for dist in ("tiktoken", "bpe-openai", "numpy", "regex", "chonkie", "semchunk"):
        with contextlib.suppress(PackageNotFoundError):
            found.append(f"{dist} {version(dist)}")
    return f"Python {platform.python_version()}, " + ", ".join(found)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--only", nargs="*", default=["count", "many", "split", "scripts"])
    args = ap.parse_args()
    print(f"backend: {backend()}\n{versions()}; {platform.machine()} {platform.processor()}")
    print("entrant time / raw tiktoken's time in the same round: median wall x / median CPU x")
    texts = {n: load_corpus(n) for n in ("english", "code", "multilingual", "nowhitespace")}
    missing = [n for n, t in texts.items() if t is None]
    if missing:
        print(f"missing corpora {missing}: run python benchmarks/corpora.py --install")
        return 2
    corpora: dict[str, str] = {n: t for n, t in texts.items() if t is not None}
    if "count" in args.only:
        for encoding in ("o200k_base", "cl100k_base"):
            raw = raw_encoding(encoding)
            engine = engine_for(get_encoding(encoding))
            for name in ("english", "code", "multilingual"):
                text = corpora[name]
                runs: dict[str, Run] = {
                    "tokbudget": lambda t=text, e=encoding: tokbudget.count(t, encoding=e)  # type: ignore[misc]
                }
                if engine is not None:
                    runs["bpe-openai"] = lambda t=text, e=engine: e.tokenizer.count(t)  # type: ignore[misc]
                ratios(
                    f"count {name} {encoding}",
                    lambda t=text, r=raw: len(r.encode_ordinary(t)),  # type: ignore[misc]
                    runs,
                    len(text.encode()),
                    args.rounds,
                )
    if "many" in args.only:
        lines = [line for line in corpora["english"].splitlines() if line.strip()]
        short = (lines * (100_000 // len(lines) + 1))[:100_000]
        for encoding in ("o200k_base", "cl100k_base"):
            raw = raw_encoding(encoding)
            ratios(
                f"count_many 100,000 lines {encoding}",
                lambda r=raw: [len(r.encode_ordinary(s)) for s in short],  # type: ignore[misc]
                {"tokbudget": lambda e=encoding: tokbudget.count_many(short, encoding=e)},  # type: ignore[misc]
                sum(len(s.encode()) for s in short),
                args.rounds,
            )
    raw = raw_encoding("cl100k_base")
    todo = []
    if "split" in args.only:
        todo += [(name, corpora[name]) for name in corpora]
    if "scripts" in args.only:
        todo += [(f"multilingual:{k}", t) for k, t in by_script(corpora["multilingual"]).items()]
    for name, text in todo:
        for limit in (512, 8191):
            ratios(
                f"split {name} {limit} cl100k_base",
                lambda t=text: raw.encode_ordinary(t),  # type: ignore[misc]
                split_entrants(limit, text),
                len(text.encode()),
                args.rounds,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
