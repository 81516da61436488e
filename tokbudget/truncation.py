"""Cutting text down to a token budget: keep the head, the tail, or both around a marker.

The result is always a slice of the input (plus the marker), never a decode of a token
slice: ``decode(tokens[:n])`` can end mid-character and emit U+FFFD. Every count below is
exact, yet the cost follows the kept part, not the input:

* **Estimate.** Encode a window a little larger than the budget at the kept end and read
  off where the budget's last token ends: usually the answer, give or take a character.
* **Probe.** A candidate cut ``k`` is counted exactly from the last *safe cut* ``a``
  before it (:mod:`.pretokenize`): ``count(text[:k]) == count(text[:a]) +
  count(text[a:k])``, with ``count(text[:a])`` from a ledger moved incrementally.
* **Search.** Gallop from the estimate to a pair ``k, k + 1`` where ``k`` fits and ``k + 1``
  does not, then look a few characters further: BPE is not monotone (``" indivis"`` can
  be more tokens than ``" indivisible"``), so a slightly longer cut may fit again.

Maximality: the kept part is locally maximal (one more character of the input would
exceed the budget), and no cut up to :data:`LOOKAHEAD` characters further fits either.
A longer fitting cut further away is possible in principle but was never seen in an
exhaustive comparison over half a million cuts; the tests assert it would cost at most
one token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, get_args

from ._util import require_choice, require_int
from .counting import bounded_count, require_text, resolve_encoding
from .errors import SettingsError
from .tokenizer.encoder import Encoder
from .tokenizer.pretokenize import last_safe_cut, next_safe_cut

__all__ = ["LOOKAHEAD", "Side", "Truncation", "truncate", "truncate_with_offsets"]

Side = Literal["end", "start", "middle"]
SIDES: tuple[str, ...] = get_args(Side)

LOOKAHEAD = 8
"""Characters past the first cut that does not fit that are still tried (see module doc):
over half a million random and real cuts, no better cut was ever further away."""


@dataclass(frozen=True, slots=True)
class Truncation:
    """A cut text and where it came from: ``text == source[:head] + marker + source[tail:]``.

    Attributes:
        text: the result.
        head: ``source[:head]`` is kept at the start (0 for ``side="start"``).
        tail: ``source[tail:]`` is kept at the end (``len(source)`` for ``side="end"``).
        tokens: tokens of ``text``.
        cut: whether anything was removed (when not, ``text`` is the source, no marker).
    """

    text: str
    head: int
    tail: int
    tokens: int
    cut: bool


def truncate(
    text: str,
    max_tokens: int,
    model: str | None = None,
    *,
    encoding: str | None = None,
    side: Side = "end",
    marker: str = "",
) -> str:
    """Cut ``text`` to at most ``max_tokens`` tokens, keeping as much of it as fits.

    Args:
        text: the text to cut; returned unchanged when it fits.
        max_tokens: the budget for the whole result, marker included.
        model: model whose encoding counts (default gpt-4o); or give ``encoding``.
        encoding: an encoding name instead of ``model``.
        side: which side goes: ``"end"`` keeps the head, ``"start"`` keeps the tail,
            ``"middle"`` keeps a head and a tail (the head gets up to half the budget
            left after the marker, the tail the rest).
        marker: text put where the cut is (after the head, before the tail, or between
            them), e.g. ``" … "``; only added when something is cut.

    Returns:
        ``text[:h] + marker`` (end), ``marker + text[t:]`` (start) or
        ``text[:h] + marker + text[t:]`` (middle), whose count is at most ``max_tokens``.
        Cuts fall between code points, so a ZWJ emoji sequence or a letter with combining
        marks may lose its tail; a cut never leaves a broken character or a U+FFFD.
        :func:`truncate_with_offsets` also returns ``h``, ``t`` and the count.

    Raises:
        SettingsError: ``max_tokens`` is negative or not an integer, ``side`` is unknown,
            or the text must be cut but the marker alone takes more than ``max_tokens``.

    >>> truncate("The quick brown fox jumps over the lazy dog", 4, encoding="cl100k_base")
    'The quick brown fox'
    >>> truncate("The quick brown fox jumps over the lazy dog", 4, encoding="cl100k_base",
    ...          side="middle", marker="…")
    'The quick … dog'
    """
    return truncate_with_offsets(
        text, max_tokens, model, encoding=encoding, side=side, marker=marker
    ).text


def truncate_with_offsets(
    text: str,
    max_tokens: int,
    model: str | None = None,
    *,
    encoding: str | None = None,
    side: Side = "end",
    marker: str = "",
) -> Truncation:
    """:func:`truncate`, returning the kept offsets and the result's count as well.

    >>> truncate_with_offsets("The quick brown fox jumps", 2, encoding="cl100k_base")
    Truncation(text='The quick', head=9, tail=25, tokens=2, cut=True)
    """
    text = require_text(text)
    max_tokens = require_int("max_tokens", max_tokens, unit="tokens")
    require_choice("side", side, SIDES)
    marker = require_text(marker, what="marker")
    enc = resolve_encoding(model, encoding)
    return truncate_encoded(enc, text, max_tokens, side, marker)


def truncate_encoded(
    enc: Encoder, text: str, max_tokens: int, side: Side, marker: str
) -> Truncation:
    """:func:`truncate_with_offsets` with an encoder at hand and arguments checked."""
    n = len(text)
    whole = bounded_count(enc, text, max_tokens)
    if whole.exact and whole.tokens <= max_tokens:
        return Truncation(text, n, n, whole.tokens, cut=False)
    marker_tokens = enc.count(marker)
    if marker_tokens > max_tokens:
        raise SettingsError(
            f"marker {marker!r} alone is {marker_tokens} token{'s' * (marker_tokens != 1)}, "
            f"more than max_tokens={max_tokens}; "
            "raise max_tokens or pass a shorter marker (marker='' for none)"
        )
    cutter = _Cutter(enc, text, max_tokens)
    if side == "end":
        head, tail = cutter.head(max_tokens, right=marker), n
    elif side == "start":
        head, tail = 0, cutter.tail(max_tokens, left=marker)
    else:
        head, tail = cutter.middle(marker, marker_tokens)
    result = text[:head] + marker + text[tail:]
    # Every probe above is exact; this re-count of the result (as long as the kept part)
    # guards the guarantee, falling back to plain counting if a probe ever were not.
    tokens = enc.count(result)
    if tokens > max_tokens:
        head, tail = _plain(enc, text, max_tokens, side, marker)
        result = text[:head] + marker + text[tail:]
        tokens = enc.count(result)
    return Truncation(result, head, tail, tokens, cut=True)


def _plain(enc: Encoder, text: str, budget: int, side: Side, marker: str) -> tuple[int, int]:
    n = len(text)
    if side == "end":
        return _longest(lambda k: enc.count(text[:k] + marker), budget, 0, n, 0) or 0, n
    h = 0
    if side == "middle":
        half = (budget - enc.count(marker) + 1) // 2
        h = _longest(lambda k: enc.count(text[:k]), half, 0, n, 0) or 0
    kept = _longest(lambda k: enc.count(text[:h] + marker + text[n - k :]), budget, 0, n - h, 0)
    return h, n - (kept or 0)


# ----------------------------------------------------------------------------- ledger


class _Ledger:
    """Exact token counts from one end of the text to safe cuts, moved incrementally.

    ``tokens(cut)`` is ``count(text[:cut])`` (origin 0) or ``count(text[cut:])`` (origin
    ``len(text)``); it is computed from the nearest cut already known, so a search that
    moves around one place encodes only the distance it moves.
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


# ----------------------------------------------------------------------------- search


def _longest(
    cost: Callable[[int], int],
    budget: int,
    lo: int,
    hi: int,
    guess: int,
    stop: Callable[[int], int] | None = None,
) -> int | None:
    """The largest ``k`` in ``[lo, hi]`` with ``cost(k) <= budget`` near ``guess``, or None.

    ``k`` is locally maximal (``k == hi`` or ``cost(k + 1) > budget``) and no ``k'`` in
    ``(k + 1, k + LOOKAHEAD]`` fits either. ``stop(k)``, when given, bounds that lookahead:
    past it no cut can fit if ``k + 1`` does not (a safe cut beyond ``k``).
    """
    memo: dict[int, int] = {}

    def fits(k: int) -> bool:
        if k not in memo:
            memo[k] = cost(k)
        return memo[k] <= budget

    good = min(max(guess, lo), hi)
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
        bisect_from: int | None = bad
    else:
        bisect_from = None
    while True:
        if bisect_from is None:  # gallop up to a cut that does not fit
            step = 1
            while good < hi:
                k = min(hi, good + step)
                if not fits(k):
                    bisect_from = k
                    break
                good, step = k, step * 2
            if bisect_from is None:
                return good
        bad = bisect_from
        while bad - good > 1:
            mid = (good + bad) // 2
            if fits(mid):
                good = mid
            else:
                bad = mid
        far = min(hi, good + LOOKAHEAD)
        if stop is not None:
            far = min(far, stop(good))
        better = next((k for k in range(far, good + 1, -1) if fits(k)), None)
        if better is None:
            return good
        good, bisect_from = better, None


# ----------------------------------------------------------------------------- cutter


class _Cutter:
    """Finds the cuts for one text, sharing the ledgers between the head and the tail."""

    def __init__(self, enc: Encoder, text: str, budget: int) -> None:
        self.enc = enc
        self.text = text
        self.n = len(text)
        self.budget = budget
        self.front = _Ledger(enc, text, 0)
        self.back = _Ledger(enc, text, self.n)

    # -- the pieces of a cost: stable parts from the ledgers, the rest encoded

    def head_anchor(self, k: int) -> int:
        """The last safe cut strictly inside ``text[:k]`` (or 0)."""
        return max(last_safe_cut(self.text, 0, k, pat_str=self.enc.spec.pat_str), 0)

    def tail_anchor(self, t: int) -> int:
        """The first safe cut strictly inside ``text[t:]`` (or the end)."""
        cut = next_safe_cut(self.text, t, pat_str=self.enc.spec.pat_str)
        return self.n if cut < 0 else cut

    def head_cost(self, right: str, right_tokens: int) -> Callable[[int], int]:
        """``k -> count(text[:k] + right) + right_tokens``."""

        def cost(k: int) -> int:
            a = self.head_anchor(k)
            return self.front.tokens(a) + self.enc.count(self.text[a:k] + right) + right_tokens

        return cost

    def tail_cost(self, left: str, left_tokens: int) -> Callable[[int], int]:
        """``kept -> left_tokens + count(left + text[n - kept:])``."""

        def cost(kept: int) -> int:
            t = self.n - kept
            b = self.tail_anchor(t)
            return left_tokens + self.enc.count(left + self.text[t:b]) + self.back.tokens(b)

        return cost

    # -- estimates: where the budget's last token ends in a window at one end

    def estimate(self, tokens: int, from_end: bool) -> int:
        """About how many characters at one end of the text make ``tokens`` tokens."""
        if tokens <= 0:
            return 0
        width = (tokens + 1) * 4 + 16
        while True:
            window = self.text[-width:] if from_end else self.text[:width]
            ids = self.enc.encode_to_numpy(window, disallowed_special=())
            if ids.size > tokens or width >= self.n:
                break
            width *= 2
        part = ids[-tokens:] if from_end else ids[:tokens]
        return len(self.enc.decode_bytes(part.tolist()).decode("utf-8", "ignore"))

    # -- the three sides

    def head(self, budget: int, right: str = "") -> int:
        """End of the longest head that fits ``budget`` with ``right`` after it."""
        right_tokens = self.enc.count(right)
        guess = self.estimate(budget - right_tokens, from_end=False)
        stop = None if right else self._next_cut
        found = _longest(self.head_cost(right, 0), budget, 0, self.n, guess, stop)
        return 0 if found is None else found

    def tail(self, budget: int, left: str = "") -> int:
        """Start of the longest tail that fits ``budget`` with ``left`` before it."""
        left_tokens = self.enc.count(left)
        guess = self.estimate(budget - left_tokens, from_end=True)
        stop = None if left else self._previous_cut
        found = _longest(self.tail_cost(left, 0), budget, 0, self.n, guess, stop)
        return self.n - (0 if found is None else found)

    def middle(self, marker: str, marker_tokens: int) -> tuple[int, int]:
        """``(h, t)`` such that ``text[:h] + marker + text[t:]`` fits, balanced, maximal."""
        head_budget = (self.budget - marker_tokens + 1) // 2
        while True:
            h = self.head(head_budget)
            found = self._tail_after(h, marker)
            if found is not None:
                break
            # Joining head and marker cost more than apart: give the head less.
            head_budget -= 1
        t = found
        # Let each side take what the other left (junction merges); both only grow. These
        # rounds keep local maximality but skip the lookahead, which each side had above.
        while True:
            h2 = self._head_before(t, marker, h)
            t2 = self._tail_after(h2, marker, t)
            if (h2, t2) == (h, t) or t2 is None:
                return h, t
            h, t = h2, t2

    def _head_before(self, t: int, marker: str, guess: int) -> int:
        b = self.tail_anchor(t)
        cost = self.head_cost(marker + self.text[t:b], self.back.tokens(b))
        found = _longest(cost, self.budget, 0, t, guess, lambda k: k + 1)
        return guess if found is None else found

    def _tail_after(self, h: int, marker: str, guess: int | None = None) -> int | None:
        a = self.head_anchor(h)
        cost = self.tail_cost(self.text[a:h] + marker, self.front.tokens(a))
        stop = None
        if guess is None:
            used = cost(0)
            if used > self.budget:
                return None
            kept_guess = self.estimate(self.budget - used, from_end=True)
        else:
            kept_guess, stop = self.n - guess, lambda k: k + 1
        found = _longest(cost, self.budget, 0, self.n - h, kept_guess, stop)
        return None if found is None else self.n - found

    # -- lookahead bounds, only as far as the lookahead reaches: searching text without
    # whitespace (no safe cut) to its end would cost the whole input.

    def _next_cut(self, k: int) -> int:
        cut = next_safe_cut(
            self.text, k, min(self.n, k + LOOKAHEAD + 2), pat_str=self.enc.spec.pat_str
        )
        return self.n if cut < 0 else cut

    def _previous_cut(self, kept: int) -> int:
        t = self.n - kept
        cut = last_safe_cut(self.text, max(0, t - LOOKAHEAD - 2), t, pat_str=self.enc.spec.pat_str)
        return self.n if cut < 0 else self.n - cut
