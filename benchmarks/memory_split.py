#!/usr/bin/env python3
"""Peak memory of ``iter_split`` on a large file (default 1 GiB), made from a corpus.

The file is generated in a temporary folder by repeating a corpus, split with
``tokbudget.iter_split`` read from disk, and deleted afterwards. Prints the size, the
time, the chunks, and the process's peak resident memory (``ru_maxrss``) before and
after, so the growth is what splitting the stream cost::

    python benchmarks/memory_split.py [--corpus english] [--size-mb 1024] [--max-tokens 512]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tokbudget
from benchmarks.splitters import load_corpus


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(path: Path, max_tokens: int, overlap: int) -> None:
    """In a fresh process: split ``path`` as a stream and print the figures."""
    splitter = tokbudget.Splitter(max_tokens, overlap=overlap)
    splitter.split("warm up: vocab and tables are loaded before the baseline")
    before = peak_mb()
    start = time.perf_counter()
    chunks = tokens = last_end = 0
    with open(path, encoding="utf-8") as fh:
        for chunk in splitter.iter_split(fh):
            chunks += 1
            tokens += chunk.tokens
            last_end = chunk.end
    seconds = time.perf_counter() - start
    size = path.stat().st_size
    print(
        f"{size / 2**20:,.0f} MiB in {seconds:,.1f} s ({size / 2**20 / seconds:.1f} MiB/s): "
        f"{chunks:,} chunks, {tokens:,} tokens, last end {last_end:,}; peak RSS of the "
        f"process {peak_mb():,.0f} MiB (after loading the vocab: {before:,.0f} MiB)"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="english")
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--max-tokens", type=int, default=512)
    ap.add_argument("--overlap", type=int, default=0)
    ap.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        measure(args.measure, args.max_tokens, args.overlap)
        return 0
    text = load_corpus(args.corpus)
    if text is None:
        print(f"corpus {args.corpus} not found (set TOKBUDGET_CORPORA)", file=sys.stderr)
        return 2
    block = text.encode("utf-8")
    del text
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.txt"
        with open(path, "wb") as fh:
            for _ in range(-(-(args.size_mb << 20) // len(block))):
                fh.write(block)
        del block
        child = [sys.executable, __file__, "--measure", str(path)]
        child += ["--max-tokens", str(args.max_tokens), "--overlap", str(args.overlap)]
        return subprocess.call(child)


if __name__ == "__main__":
    raise SystemExit(main())
