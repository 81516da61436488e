#!/usr/bin/env python3
"""Print the splitter comparison table: tokbudget vs one plain encode vs peers.

Runs every installed splitter (see ``splitters.py``; peers come with the ``bench``
extra) on each corpus at each limit, in one process, and reports time, time as a
multiple of the single-encode floor measured in the same run, chunks, mean fill, and
the exact checks: chunks over the limit, non-whitespace characters lost, U+FFFD
emitted. Usage::

    python benchmarks/compare_split.py [--corpora english code ...] [--limits 512 8191]
                                       [--repeat 3] [--only tokbudget semchunk ...]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.splitters import CORPORA, ENTRANTS, LIMITS, Split, available, judge, load_corpus


def best_time(run: Split, text: str, repeat: int) -> tuple[float, list[str]]:
    best, out = float("inf"), []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        out = run(text)
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", nargs="+", default=list(CORPORA))
    ap.add_argument("--limits", nargs="+", type=int, default=list(LIMITS))
    ap.add_argument("--encoding", default="cl100k_base")
    ap.add_argument("--repeat", type=int, default=3, help="runs of fast splitters (best kept)")
    ap.add_argument("--only", nargs="*", help="substrings of splitter names to run")
    args = ap.parse_args()
    entrants = [e for e in ENTRANTS if available(e)]
    if args.only:
        keep = [e for e in entrants if any(o in e.name for o in args.only)]
        ours = [e for e in ENTRANTS if e.name == "tokbudget.split"]
        entrants = [ENTRANTS[0], *ours, *[e for e in keep if e not in (ENTRANTS[0], *ours)]]
    print(
        "| corpus | limit | splitter | seconds | × floor | chunks | fill | over limit "
        "| lost chars | U+FFFD |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for corpus in args.corpora:
        text = load_corpus(corpus)
        if text is None:
            print(f"(corpus {corpus} not found; build it with benchmarks/corpora.py)")
            continue
        for limit in args.limits:
            runs = {e.name: e.factory(args.encoding, limit) for e in entrants}
            for run in runs.values():
                run("warm up the encoder and caches")
            # The floor and tokbudget alternate, best of --repeat each, so that a busy
            # machine slows both alike; peers (slow) run once.
            floor_s, mine_s = float("inf"), float("inf")
            mine: list[str] = []
            for _ in range(args.repeat):
                floor_s = min(floor_s, best_time(runs[entrants[0].name], text, 1)[0])
                seconds, mine = best_time(runs["tokbudget.split"], text, 1)
                mine_s = min(mine_s, seconds)
            print(f"| {corpus} | {limit} | {entrants[0].name} | {floor_s:.2f} | 1.00 | | | | | |")
            for e in entrants[1:]:
                if e.name == "tokbudget.split":
                    seconds, chunks = mine_s, mine
                else:
                    seconds, chunks = best_time(runs[e.name], text, 1)
                v = judge(text, chunks, args.encoding, limit)
                print(
                    f"| {corpus} | {limit} | {e.name} | {seconds:.2f} | {seconds / floor_s:.2f} "
                    f"| {v.chunks} | {v.mean_fill:.2f} | {v.violations} | {v.lost} "
                    f"| {v.replacement} |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
