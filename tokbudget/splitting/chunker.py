"""The engine behind :func:`tokbudget.split`: where each chunk ends, and where the next starts.

A :class:`Chunker` is fed a text in buffers, each starting at a safe cut, and returns
``(start, end, tokens)`` triples in buffer offsets. From a chunk start ``s`` it considers
the token window ``[t, t + max_tokens]`` (``t``: the token at ``s``) and picks an end:

A. the most natural cut level among token boundaries in the window's upper part
   (at least ``fill`` of the budget), latest first;
B. the same over the whole window (a short chunk beats a worse cut);
C. a grapheme-cluster boundary that is not a token boundary (tight limits only);
D. a cut inside a grapheme cluster, then between any two characters.

The first candidate, in that order, whose exact count fits wins. Counts are exact: a
chunk between safe boundaries is a subtraction, other chunks recount only the
characters up to their nearest safe boundaries. Every decision depends only on the text
from ``s`` to a little past the window, and a buffer is only chunked as far as such
windows are complete, so the chunks do not depend on how a stream was cut into buffers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import regex

from .._util import fix_surrogates, splits_surrogate_pair
from ..errors import SettingsError
from ..tokenizer.encoder import Encoder
from .boundaries import GRAPHEME, OTHER, TokenBoundaries

__all__ = ["FILL", "Chunker"]

FILL = 0.5
"""Cuts in the top half of a chunk's token window come first, so chunks stay well filled."""

_CLUSTER = regex.compile(r"\X")


@dataclass(slots=True)
class _Buffer:
    """One buffer's text and boundaries, with lookups the engine needs."""

    enc: Encoder
    text: str
    tb: TokenBoundaries
    safe_pos: np.ndarray
    safe_tok: np.ndarray

    @classmethod
    def of(cls, enc: Encoder, text: str) -> _Buffer:
        tb = TokenBoundaries.of(enc, text)
        return cls(enc, text, tb, tb.pos[tb.safe], tb.tok[tb.safe])

    def count(self, s: int, e: int) -> int:
        """Exact tokens of ``text[s:e]``, by subtraction between safe boundaries."""
        ia = int(self.safe_pos.searchsorted(s, "left"))
        ib = int(self.safe_pos.searchsorted(e, "right")) - 1
        if ia > ib or self.safe_pos[ia] > e:
            return self.enc.count(self.text[s:e])
        a, b = int(self.safe_pos[ia]), int(self.safe_pos[ib])
        head = self.enc.count(self.text[s:a]) if a > s else 0
        tail = self.enc.count(self.text[b:e]) if e > b else 0
        return head + int(self.safe_tok[ib] - self.safe_tok[ia]) + tail


class _Counts:
    """Exact tokens of a chunk from ``s`` to each boundary ``j``, memoised."""

    def __init__(self, buf: _Buffer, s: int, t0: int, s_safe: bool) -> None:
        self.buf = buf
        self.s = s
        self.t0 = t0
        self.s_safe = s_safe
        self.tried: dict[int, int] = {}

    def __call__(self, j: int) -> int:
        n = self.tried.get(j)
        if n is None:
            tb = self.buf.tb
            if self.s_safe and tb.safe[j]:
                n = int(tb.tok[j]) - self.t0
            else:
                n = self.buf.count(self.s, int(tb.pos[j]))
            self.tried[j] = n
        return n


class Chunker:
    """Stateful chunking of a text fed in buffers (see the module docstring)."""

    def __init__(self, enc: Encoder, max_tokens: int, overlap: int = 0, fill: float = FILL):
        self.enc = enc
        self.limit = max_tokens
        self.overlap = overlap
        self.need = max(1, math.ceil(fill * max_tokens))
        self.start = 0  # the next chunk's start, in offsets of the next buffer
        self.floor = 0  # the next chunk must end after this (overlap), same offsets

    def feed(self, text: str, final: bool, cut: int = 0) -> tuple[list[tuple[int, int, int]], int]:
        """Chunk ``text`` from :attr:`start` as far as it can be decided.

        ``cut`` is another offset where ``text`` may be cut with its tokens unchanged
        (besides its safe boundaries). Returns the chunks and ``keep``: the next buffer
        must be ``text[keep:]`` followed by more of the stream (``keep`` is such a cut at
        or before the next start).
        """
        buf = _Buffer.of(self.enc, text)
        pos, tok = buf.tb.pos, buf.tb.tok
        last = pos.size - 1
        out: list[tuple[int, int, int]] = []
        js = -1  # the boundary at self.start, when known (the previous chunk's end)
        while self.start < len(text):
            s, f = self.start, self.floor
            if js < 0:
                js = int(pos.searchsorted(s, "left"))
            j_after = int(tok.searchsorted(int(tok[js]) + self.limit, "right"))
            if not final and j_after >= last:
                break  # the window reaches past what is known: wait for more text
            region_end = int(pos[j_after]) if j_after <= last else len(text)
            found = self._best_end(buf, s, f, js, j_after - 1, region_end)
            if found is None and f > s:  # the overlap leaves no room: drop it
                self.start, js = f, -1
                continue
            if found is None:
                raise self._unsplittable(text, s)
            e, n, je = found
            out.append((s, e, n))
            self.start = self.floor = e
            js = je
            if self.overlap and e < len(text):
                self.start = self._overlap_start(buf, s, e)
                js = -1 if self.start != e else je
        if final:
            return out, len(text)
        ks = int(buf.safe_pos.searchsorted(self.start, "right")) - 1
        keep = int(buf.safe_pos[ks]) if ks >= 0 else 0
        if keep < cut <= self.start:
            keep = cut
        self.start -= keep
        self.floor -= keep
        return out, keep

    # ------------------------------------------------------------------ choosing an end

    def _best_end(
        self, buf: _Buffer, s: int, f: int, js: int, j_hi: int, region_end: int
    ) -> tuple[int, int, int] | None:
        """The chunk from ``s``: ``(end, tokens, boundary index or -1)``, or None.

        Tries the strategies of the module docstring in order (A, B, C, D); ends must
        lie after ``f`` (the overlap's floor) and boundary indices up to ``j_hi``.
        """
        pos, tok = buf.tb.pos, buf.tb.tok
        t0 = int(tok[js])
        s_aligned = int(pos[js]) == s
        j_lo = js + 1 if s_aligned and f <= s else int(pos.searchsorted(max(s, f), "right"))
        # Between two safe boundaries the count is a subtraction (the usual case).
        counts = _Counts(buf, s, t0, s_aligned and bool(buf.tb.safe[js]))
        if j_lo <= j_hi:
            j_pref = max(j_lo, int(tok.searchsorted(t0 + self.need, "left")))
            found = self._upper_window(buf, counts, j_pref, j_hi) if j_pref > j_lo else None
            found = found or self._whole_window(buf, counts, j_lo, j_hi)
            if found is not None:
                return found
        floor = max(s, f)
        return self._cluster_ends(buf, s, floor, region_end) or self._inside_clusters(
            buf, counts, s, floor, (j_lo, j_hi), region_end
        )

    def _upper_window(
        self, buf: _Buffer, counts: _Counts, j_pref: int, j_hi: int
    ) -> tuple[int, int, int] | None:
        """A: the most natural cut among the boundaries in the window's upper part."""
        return self._most_natural(buf, counts, j_pref, j_hi)

    def _whole_window(
        self, buf: _Buffer, counts: _Counts, j_lo: int, j_hi: int
    ) -> tuple[int, int, int] | None:
        """B: the same over the whole window (a short chunk beats a worse cut)."""
        return self._most_natural(buf, counts, j_lo, j_hi)

    def _most_natural(
        self, buf: _Buffer, counts: _Counts, lo: int, j_hi: int
    ) -> tuple[int, int, int] | None:
        """The latest boundary in ``[lo, j_hi]`` of the highest level that fits."""
        level = buf.tb.level
        window = level[lo : j_hi + 1]
        if window.size == 0:
            return None
        for lv in range(int(window.max()), OTHER - 1, -1):
            for j in (lo + np.flatnonzero(window >= lv))[::-1].tolist():
                if counts(j) <= self.limit:
                    return int(buf.tb.pos[j]), counts(j), j
        return None

    def _cluster_ends(
        self, buf: _Buffer, s: int, floor: int, region_end: int
    ) -> tuple[int, int, int] | None:
        """C: a grapheme-cluster boundary that is not a token boundary (tight limits)."""
        text = buf.text
        # Clusters of the slice, not of the buffer: what precedes ``s`` must not matter (it
        # may not be in this buffer), and ``regex`` looks back past ``pos`` (emoji ZWJ
        # sequences).
        ends = [s + m.end() for m in _CLUSTER.finditer(text[s:region_end])]
        for p in reversed(ends):
            if p > floor and _between_chars(text, p):
                n = self.enc.count(text[s:p])
                if n <= self.limit:
                    return p, n, -1
        return None

    def _inside_clusters(
        self,
        buf: _Buffer,
        counts: _Counts,
        s: int,
        floor: int,
        js: tuple[int, int],
        region_end: int,
    ) -> tuple[int, int, int] | None:
        """D: inside a cluster: token boundaries first, then any character boundary."""
        j_lo, j_hi = js
        level = buf.tb.level
        for j in range(j_hi, j_lo - 1, -1):
            if level[j] >= GRAPHEME and counts(j) <= self.limit:
                return int(buf.tb.pos[j]), counts(j), j
        text = buf.text
        for p in range(region_end, floor, -1):
            if _between_chars(text, p):
                n = self.enc.count(text[s:p])
                if n <= self.limit:
                    return p, n, -1
        return None

    def _overlap_start(self, buf: _Buffer, s: int, e: int) -> int:
        """Where the chunk after ``text[s:e]`` starts: the most natural cut that repeats at
        most ``overlap`` tokens, the earliest of that level (the longest overlap)."""
        pos, tok = buf.tb.pos, buf.tb.tok
        je = int(pos.searchsorted(e, "left"))
        if je >= pos.size or pos[je] != e:
            return e  # the chunk ended between tokens (a tight limit): no overlap
        lo = max(
            int(pos.searchsorted(s, "right")),
            int(tok.searchsorted(int(tok[je]) - self.overlap, "left")),
        )
        window = buf.tb.level[lo:je]
        if window.size == 0:
            return e
        for lv in range(int(window.max()), OTHER - 1, -1):
            for j in (lo + np.flatnonzero(window >= lv)).tolist():
                if buf.count(int(pos[j]), e) <= self.overlap:
                    return int(pos[j])
        return e

    def _unsplittable(self, text: str, s: int) -> SettingsError:
        width = 2 if not _between_chars(text, s + 1) else 1
        char = text[s : s + width]
        need = self.enc.count(char)
        code = ord(fix_surrogates(char))
        return SettingsError(
            f"cannot split: the character {char!r} (U+{code:04X}) at offset {s} alone needs "
            f"{need} tokens but max_tokens is {self.limit}; use max_tokens >= {need}",
            parameter="max_tokens",
            value=self.limit,
        )


def _between_chars(text: str, p: int) -> bool:
    """Whether offset ``p`` does not split a surrogate pair (which is one character)."""
    return not splits_surrogate_pair(text, p)
