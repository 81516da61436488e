"""The longest cut that fits a token budget, found where BPE is not monotone.

A search runs over cuts ``k`` (how much of a text is kept) with an exact ``cost(k)``.
BPE is not monotone — ``"-" * 96`` is one cl100k token, ``"-" * 33`` two — so a cut that
does not fit says little about longer ones. Safe cuts do: past a safe cut ``c`` every
longer cut costs at least the tokens up to ``c``, because those are encoded alone. So:

1. **Climb.** Gallop from a guess to a cut that fits and bisect to one whose successor
   does not (locally maximal).
2. **Fence.** Walk the safe cuts after it until one whose tokens alone exceed the budget:
   no cut beyond it can fit (its *floor*).
3. **Scan.** Try every cut between the two, longest first: the first that fits is the
   longest of all. A run without safe cuts (a line of 1,000 dashes) is scanned whole if
   a safe cut ends it within :data:`SPAN` characters, encoding at most :data:`WORK`
   characters (cuts that are provably too long by their bytes cost nothing). Past that
   (thousands of emoji in a row), only :data:`LOOKAHEAD` more characters are tried.

For ordinary text the fence is the end of the current word and the scan a few probes,
most of them already made by the climb.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .encoder import Encoder

__all__ = ["LOOKAHEAD", "SPAN", "WORK", "Costs", "Ledger", "longest"]

SPAN = 1024
"""How far past a fitting cut a safe cut is looked for to fence the search in."""

WORK = 1 << 20
"""Characters a scan may encode (1 Mi): every cut of a 1,000-character run costs ~0.5 Mi."""

LOOKAHEAD = 8
"""Characters past a locally maximal cut that are tried where no safe cut fences it in."""


class Ledger:
    """Exact token counts from one end of the text to cuts, moved incrementally.

    ``tokens(cut)`` is ``count(text[:cut])`` (origin 0) or ``count(text[cut:])`` (origin
    ``len(text)``) for a safe cut; it is computed from the nearest cut already known, so
    a search that moves around one place encodes only the distance it moves.
    """

    def __init__(self, enc: Encoder, text: str, origin: int) -> None:
        self.enc = enc
        self.text = text
        self.origin = origin
        self.known: dict[int, int] = {origin: 0}

    def tokens(self, cut: int) -> int:
        value = self.known.get(cut)
        if value is None:
            near = min(self.known, key=lambda k: abs(k - cut))
            lo, hi = sorted((near, cut))
            between = self.enc.count(self.text[lo:hi])
            farther = abs(cut - self.origin) > abs(near - self.origin)
            value = self.known[near] + (between if farther else -between)
            self.known[cut] = value
        return value


@dataclass(frozen=True, slots=True)
class Costs:
    """What a search needs to know about keeping ``k`` characters.

    Attributes:
        cost: ``k -> tokens``, exact.
        fence: ``(k, top) -> (c, floor)`` or None: the first safe cut ``c`` with
            ``k < c <= top`` (in the search's coordinates) and a floor such that
            ``cost(j) >= floor`` for every ``j > c``.
        spent: how many characters ``cost`` has encoded so far (bounds a scan's work).
    """

    cost: Callable[[int], int]
    fence: Callable[[int, int], tuple[int, int] | None]
    spent: Callable[[], int]


def longest(costs: Costs, budget: int, lo: int, hi: int, guess: int) -> int | None:
    """The largest ``k`` in ``[lo, hi]`` with ``cost(k) <= budget``, or None if none fits.

    Exact when a safe cut fences the answer in within :data:`SPAN` characters and the scan
    encodes at most :data:`WORK` characters (see the module docstring); otherwise no cut
    within :data:`LOOKAHEAD` characters past the answer fits either.
    """
    memo: dict[int, int] = {}

    def fits(k: int) -> bool:
        if k not in memo:
            memo[k] = costs.cost(k)
        return memo[k] <= budget

    good = _climb(fits, lo, hi, guess)
    exhausted = False  # a scan ran out of WORK: only look ahead from then on
    while good is not None:
        top, fenced = _fence(costs, budget, good, min(hi, good + SPAN))
        if (fenced or top == hi) and not exhausted:
            better, exhausted = _scan(costs, fits, good, top)
            if not exhausted:
                return good if better is None else better
        else:  # a run longer than SPAN without a safe cut
            better = _look_ahead(fits, good, hi)
        if better is None:
            return good
        good = _climb(fits, better, hi, better)
    return None


def _scan(
    costs: Costs, fits: Callable[[int], bool], good: int, top: int
) -> tuple[int | None, bool]:
    """The largest ``k`` in ``(good, top]`` that fits, tried longest first, or None.

    Returns ``(k, exhausted)``: when the scan runs out of :data:`WORK` before it finds
    one, ``k`` comes from :func:`_look_ahead` instead and ``exhausted`` is true.
    """
    start = costs.spent()
    for k in range(top, good, -1):
        if fits(k):
            return k, False
        if costs.spent() - start > WORK:
            return _look_ahead(fits, good, k - 1), True
    return None, False


def _look_ahead(fits: Callable[[int], bool], good: int, hi: int) -> int | None:
    """The largest ``k`` in ``(good, min(hi, good + LOOKAHEAD)]`` that fits, or None."""
    return next((k for k in range(min(hi, good + LOOKAHEAD), good, -1) if fits(k)), None)


def _fence(costs: Costs, budget: int, good: int, top: int) -> tuple[int, bool]:
    """The first safe cut after ``good`` (up to ``top``) past which nothing fits."""
    k = good
    while (found := costs.fence(k, top)) is not None:
        cut, floor = found
        if floor > budget:
            return cut, True
        k = cut
    return top, False


def _climb(fits: Callable[[int], bool], lo: int, hi: int, guess: int) -> int | None:
    """A ``k`` in ``[lo, hi]`` near ``guess`` that fits while ``k + 1`` does not (or is hi)."""
    good = min(max(guess, lo), hi)
    bad: int | None = None
    if not fits(good):
        bad, step = good, 1
        while True:  # gallop down to a cut that fits
            k = max(lo, bad - step)
            if fits(k):
                good = k
                break
            if k == lo:
                return None
            bad, step = k, step * 2
    else:
        step = 1
        while good < hi:  # gallop up to a cut that does not fit
            k = min(hi, good + step)
            if not fits(k):
                bad = k
                break
            good, step = k, step * 2
        if bad is None:
            return good
    while bad - good > 1:
        mid = (good + bad) // 2
        if fits(mid):
            good = mid
        else:
            bad = mid
    return good
