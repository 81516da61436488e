"""Grouping work into batches of about so many characters.

Counting joins a batch into one Rust call, the splitter hands a batch of long texts to a
thread, and ``tokbudget count --jobs`` sends a batch to a worker process: in each case a
batch per text would cost more in calls and messages than in work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

__all__ = ["by_size"]

T = TypeVar("T")


def by_size(items: Iterable[T], limit: int, size: Callable[[T], int]) -> Iterator[list[T]]:
    """Yield ``items`` in order, in lists that end once their sizes reach ``limit``.

    >>> list(by_size(["ab", "c", "def", "g"], 3, len))
    [['ab', 'c'], ['def'], ['g']]
    """
    batch: list[T] = []
    total = 0
    for item in items:
        batch.append(item)
        total += size(item)
        if total >= limit:
            yield batch
            batch, total = [], 0
    if batch:
        yield batch
