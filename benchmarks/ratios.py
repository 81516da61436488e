#!/usr/bin/env python3
"""Print each benchmark's median as a ratio to its group's baseline.

A benchmark marks itself as its group's baseline with
``benchmark.extra_info["baseline"] = True`` (raw tiktoken, usually). Usage::

    python benchmarks/ratios.py .benchmarks/count.json
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from typing import Any


def table(data: dict[str, Any]) -> str:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for bench in data["benchmarks"]:
        groups[bench.get("group") or ""].append(bench)
    lines = []
    for group, benches in sorted(groups.items()):
        base = next((b for b in benches if b.get("extra_info", {}).get("baseline")), None)
        lines.append(f"\n{group}")
        for b in sorted(benches, key=lambda b: b["stats"]["median"]):
            median = b["stats"]["median"]
            ratio = f"{median / base['stats']['median']:6.2f}x" if base else "    - "
            mark = "  (baseline)" if b is base else ""
            lines.append(f"  {median * 1000:10.1f} ms  {ratio}  {b['name']}{mark}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as fh:
        print(table(json.load(fh)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
