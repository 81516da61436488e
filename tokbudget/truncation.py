"""Cutting text down to a token budget: keep the head, the tail, or both around a marker.

The result is always a slice of the input (plus the marker), never a decode of a token
slice: ``decode(tokens[:n])`` can end mid-character and emit U+FFFD. Every count below is
exact, yet the cost follows the kept part, not the input:

* **Estimate.** Encode a window a little larger than the budget at the kept end and read
  off where the budget's last token ends: usually the answer, give or take a character.
* **Probe.** A candidate cut ``k`` is counted exactly from the last *safe cut* ``a``
  before it (:mod:`.pretokenize`): ``count(text[:k]) == count(text[:a]) +
  count(text[a:k])``, with ``count(text[:a])`` from a ledger moved incrementally.
* **Search.** Climb from the estimate to a cut whose successor does not fit, then fence
  it in: past a safe cut whose tokens alone exceed the budget nothing fits, so every cut
  up to there is tried, longest first (:mod:`.tokenizer.longest`). BPE is not monotone
  (``"-" * 96`` is one cl100k token, ``"-" * 33`` two), so this is what makes the kept
  part the longest one that fits, not merely one that a single more character breaks.

Maximality: the kept part is the longest prefix (``"end"``) or suffix (``"start"``) of
the input that fits with the marker; for ``"middle"`` the head is the longest that fits
half the budget and the tail the longest that fits the rest, then each side takes what
the other left. Exhaustive tests compare with every prefix. The one limit: in a run of
more than :data:`~tokbudget.tokenizer.longest.SPAN` characters without a safe cut, only
that many characters past a fitting cut are tried. A surrogate pair held as two code
points is one character (tiktoken encodes it so): no cut falls between its halves, which
alone would count as U+FFFD.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, get_args

from ._util import require_choice, require_int, splits_surrogate_pair
from .counting import bounded_count, require_text, resolve_encoding
from .errors import SettingsError
from .tokenizer.encoder import Encoder
from .tokenizer.longest import Costs, Ledger, longest
from .tokenizer.pretokenize import last_safe_cut, next_safe_cut

__all__ = ["Side", "Truncation", "truncate", "truncate_with_offsets"]

Side = Literal["end", "start", "middle"]
SIDES: tuple[str, ...] = get_args(Side)


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

    def search(cost: Callable[[int], int], limit: int, hi: int, cut: Callable[[int], int]) -> int:
        def whole(k: int) -> int:  # never between the halves of a surrogate pair
            return limit + 1 if splits_surrogate_pair(text, cut(k)) else cost(k)

        return longest(Costs(whole, lambda k, top: None, lambda: 0), limit, 0, hi, 0) or 0

    if side == "end":
        return search(lambda k: enc.count(text[:k] + marker), budget, n, lambda k: k), n
    h = 0
    if side == "middle":
        half = (budget - enc.count(marker) + 1) // 2
        h = search(lambda k: enc.count(text[:k]), half, n, lambda k: k)
    kept = search(
        lambda k: enc.count(text[:h] + marker + text[n - k :]), budget, n - h, lambda k: n - k
    )
    return h, n - kept


# ----------------------------------------------------------------------------- cutter


class _Cutter:
    """Finds the cuts for one text, sharing the ledgers between the head and the tail."""

    def __init__(self, enc: Encoder, text: str, budget: int) -> None:
        self.enc = enc
        self.pat = enc.spec.pat_str
        self.text = text
        self.n = len(text)
        self.budget = budget
        self.front = Ledger(enc, text, 0)
        self.back = Ledger(enc, text, self.n)
        self._head_span = (0, 0)  # head_anchor(k) is a for every k in (a, end]
        self._tail_span = (0, 0)  # tail_anchor(t) is b for every t in [start, b)
        self.encoded = 0  # characters the costs have encoded

    def spent(self) -> int:
        return self.encoded

    # -- the pieces of a cost: stable parts from the ledgers, the rest encoded

    def head_anchor(self, k: int) -> int:
        """The last safe cut strictly inside ``text[:k]`` (or 0)."""
        a, end = self._head_span
        if not a < k <= end:  # the same for every k in (a, end]: a scan asks many times
            a = max(last_safe_cut(self.text, 0, k, pat_str=self.pat), 0)
            self._head_span = (a, k)
        return a

    def tail_anchor(self, t: int) -> int:
        """The first safe cut strictly inside ``text[t:]`` (or the end)."""
        start, b = self._tail_span
        if not start <= t < b:
            cut = next_safe_cut(self.text, t, pat_str=self.pat)
            b = self.n if cut < 0 else cut
            self._tail_span = (t, b)
        return b

    def _too_long(self, part: str, tokens: int) -> bool:
        # Every token is at most max_token_bytes long: a cheap proof that a long part of a
        # run without safe cuts cannot fit, before encoding it.
        if len(part) * 4 <= tokens * 128:  # short: never provable, skip the bytes
            return False
        size = len(part.encode("utf-8", "surrogatepass"))
        return -(-size // self.enc.max_token_bytes) > tokens

    def head_costs(self, right: str, right_tokens: int, budget: int) -> Costs:
        """``k -> count(text[:k] + right) + right_tokens``, with its fences."""

        def cost(k: int) -> int:
            if splits_surrogate_pair(self.text, k):  # half a character: never a cut
                return budget + 1
            a = self.head_anchor(k)
            known = self.front.tokens(a) + right_tokens
            part = self.text[a:k] + right
            if self._too_long(part, budget - known):
                return budget + 1
            self.encoded += len(part)
            return known + self.enc.count(part)

        def fence(k: int, top: int) -> tuple[int, int] | None:
            # Past a safe cut c, text[:c] is encoded alone: at least front.tokens(c).
            c = next_safe_cut(self.text, k, min(self.n, top + 1), pat_str=self.pat)
            return None if c < 0 else (c, self.front.tokens(c) + right_tokens)

        return Costs(cost, fence, self.spent)

    def tail_costs(self, left: str, left_tokens: int, budget: int) -> Costs:
        """``kept -> left_tokens + count(left + text[n - kept:])``, with its fences."""
        n = self.n

        def cost(kept: int) -> int:
            t = n - kept
            if splits_surrogate_pair(self.text, t):  # half a character: never a cut
                return budget + 1
            b = self.tail_anchor(t)
            known = left_tokens + self.back.tokens(b)
            part = left + self.text[t:b]
            if self._too_long(part, budget - known):
                return budget + 1
            self.encoded += len(part)
            return known + self.enc.count(part)

        def fence(kept: int, top: int) -> tuple[int, int] | None:
            c = last_safe_cut(self.text, max(0, n - top - 1), n - kept, pat_str=self.pat)
            return None if c < 0 else (n - c, self.back.tokens(c) + left_tokens)

        return Costs(cost, fence, self.spent)

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
        found = longest(self.head_costs(right, 0, budget), budget, 0, self.n, guess)
        return 0 if found is None else found

    def tail(self, budget: int, left: str = "") -> int:
        """Start of the longest tail that fits ``budget`` with ``left`` before it."""
        left_tokens = self.enc.count(left)
        guess = self.estimate(budget - left_tokens, from_end=True)
        found = longest(self.tail_costs(left, 0, budget), budget, 0, self.n, guess)
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
        # Let each side take what the other left (junction merges); both only grow.
        while True:
            h2 = self._head_before(t, marker, h)
            t2 = self._tail_after(h2, marker, t)
            if (h2, t2) == (h, t) or t2 is None:
                return h, t
            h, t = h2, t2

    def _head_before(self, t: int, marker: str, guess: int) -> int:
        b = self.tail_anchor(t)
        costs = self.head_costs(marker + self.text[t:b], self.back.tokens(b), self.budget)
        found = longest(costs, self.budget, 0, t, guess)
        return guess if found is None else found

    def _tail_after(self, h: int, marker: str, guess: int | None = None) -> int | None:
        a = self.head_anchor(h)
        costs = self.tail_costs(self.text[a:h] + marker, self.front.tokens(a), self.budget)
        if guess is None:
            used = costs.cost(0)
            if used > self.budget:
                return None
            kept_guess = self.estimate(self.budget - used, from_end=True)
        else:
            kept_guess = self.n - guess
        found = longest(costs, self.budget, 0, self.n - h, kept_guess)
        return None if found is None else self.n - found
