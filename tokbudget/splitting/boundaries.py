"""Where a text may be cut, and how natural each cut is, in one vectorised pass.

:meth:`TokenBoundaries.of` encodes a text once (``encode_to_numpy``) and describes every
token boundary that falls between two characters (a boundary inside a character, where
a character is split over several byte tokens, is never a cut). For boundary ``j``:

* ``tok[j]``: how many tokens lie before it; ``pos[j]``: its character offset;
* ``level[j]``: how natural a cut there is, :data:`PARAGRAPH` (best) ... :data:`GRAPHEME`
  (inside a grapheme cluster: a cut of last resort);
* ``safe[j]``: the cut is *safe*: no pre-tokenizer piece of either supported encoding can
  span it, whatever text surrounds it, so any substring cut there encodes to the tokens
  of its two sides concatenated. Between two safe boundaries a chunk has exactly
  ``tok[j2] - tok[j1]`` tokens; elsewhere only the few characters up to the nearest safe
  boundary need recounting.

Character offsets come without touching the text: a token's bytes hold a fixed number of
UTF-8 start bytes, so per-token tables and one ``cumsum`` give every offset. Character
classes come from the ``regex`` module (the property names tiktoken's patterns use),
corrected where tiktoken's older Unicode tables disagree (:mod:`.charclass`), in a table
filled lazily per block of 256 code points, so a process only pays for the scripts its
texts use.
"""

from __future__ import annotations

import functools
import threading
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import regex

from .._util import fix_surrogates
from ..tokenizer.charclass import PYTHON_TABLES_NOT_NEWER, unknown_to_tiktoken
from ..tokenizer.tokenbytes import token_bytes
from ..tokenizer.vocab import CL100K_PAT, O200K_PAT

if TYPE_CHECKING:
    import numpy.typing as npt

    from ..tokenizer.encoder import Encoder

__all__ = [
    "CLAUSE",
    "GRAPHEME",
    "LINE",
    "NO_SPACE",
    "OTHER",
    "PARAGRAPH",
    "SAFE_CUT_PATTERNS",
    "SENTENCE",
    "WORD",
    "TokenBoundaries",
]

SAFE_CUT_PATTERNS = frozenset({CL100K_PAT, O200K_PAT})
r"""Pre-tokenizer patterns for which the safe-cut rules below hold (tested). Not r50k's:
there ``\s++$`` makes ``"a  \n"`` one piece but ``"a  \nx"`` three, so a cut after a
newline is not safe."""

PARAGRAPH, LINE, SENTENCE, CLAUSE, WORD, NO_SPACE, OTHER, GRAPHEME = 7, 6, 5, 4, 3, 2, 1, 0
"""Cut levels, most natural first: after a blank line, after a line break, after a
sentence terminal, after clause punctuation, before a space, between characters of a
script written without spaces (or next to punctuation), elsewhere, inside a cluster."""

# Character class bits, one table entry per code point.
_CLASSES = (
    r"\p{L}",
    r"\p{M}",
    r"\p{N}",
    r"[^\S\r\n]",  # horizontal whitespace (regex's \s is Unicode White_Space, like Rust's)
    r"[\r\n]",
    r"'",
    r"/",
    r"\p{Sentence_Terminal}",
    r"[,;:\u060C\u061B\uFF0C\u3001\uFF1B\uFF1A\u2013\u2014\p{Pe}\p{Pf}]",
    r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Tibetan}]",
    r"[\p{P}\p{S}]",
    # Grapheme cluster rules (UAX #29), as a superset: a cut between c0 and c1 may be
    # inside a cluster when c1 extends (Extend, SpacingMark, ZWJ, Hangul V/T) or c0 joins
    # (ZWJ, Prepend, Hangul L, an Indic conjunct linker), both are regional indicators,
    # or an Indic consonant follows a mark that may close a conjunct's linker run.
    r"[\p{GCB=Extend}\p{GCB=SpacingMark}\p{GCB=ZWJ}\p{GCB=V}\p{GCB=T}]",
    r"[\p{GCB=ZWJ}\p{GCB=Prepend}\p{GCB=L}\p{InCB=Linker}]",
    r"\p{Regional_Indicator}",
    r"\p{InCB=Extend}",
    r"\p{InCB=Consonant}",
)
(
    _L, _M, _N, _HWS, _NL, _APOS, _SLASH, _STERM, _CLAUSE, _NOSPACE, _PUNCT,
    _EXTENDS, _JOINS, _RI, _INCB_EXTEND, _INCB_CONSONANT, _UNSURE, _LF, _CR,
) = (1 << i for i in range(len(_CLASSES) + 3))  # fmt: skip
# _UNSURE: a letter, mark or number that tiktoken's older Unicode tables may not know (it
# would be punctuation to them); no cut next to it is claimed safe.
_BLOCK = 256
_TABLE = np.zeros(0x110000, dtype=np.uint32)  # calloc'd: untouched blocks cost no memory
_FILLED = np.zeros(0x110000 // _BLOCK, dtype=np.bool_)
_TABLE_LOCK = threading.Lock()
# A cut's level and safety depend only on the class words of the two characters around it
# (and, for blank lines, on the two before). Texts use few distinct words, so each gets a
# small id and a table over pairs of ids holds the answers: classifying a text is then a
# few array lookups instead of dozens of array operations.
_ID = np.zeros(0x110000, dtype=np.uint16)
_WORDS: dict[int, int] = {}  # class word -> id
_PAIRS: tuple[int, npt.NDArray[np.int8], npt.NDArray[np.bool_]] = (
    0,
    np.zeros(0, dtype=np.int8),
    np.zeros(0, dtype=np.bool_),
)
_PATTERNS = [regex.compile(p) for p in _CLASSES]


def _fill_blocks(blocks: npt.NDArray[np.intp]) -> None:
    with _TABLE_LOCK:
        for block in blocks.tolist():
            if _FILLED[block]:
                continue
            first = block * _BLOCK
            chars = "".join(map(chr, range(first, first + _BLOCK)))
            for bit, pattern in enumerate(_PATTERNS):
                hits = [first + m.start() for m in pattern.finditer(chars)]
                if hits:
                    _TABLE[hits] |= 1 << bit
            # Letters, marks and numbers newer than tiktoken's Unicode tables are
            # punctuation to its pre-tokenizer (see charclass). While Python's tables are
            # older than tiktoken's, only characters they do not assign can be such, and
            # cuts next to them are simply not claimed safe; otherwise ask tiktoken (the
            # probe loads o200k_base, so ordinary text should not need it).
            classified = [c for c in chars if _TABLE[ord(c)] & (_L | _M | _N)]
            if PYTHON_TABLES_NOT_NEWER:
                unsure = [ord(c) for c in classified if unicodedata.category(c) == "Cn"]
                _TABLE[unsure] |= _UNSURE
            elif classified:
                unknown = [ord(c) for c in unknown_to_tiktoken(set(classified))]
                _TABLE[unknown] &= ~(_L | _M | _N) & 0xFFFFFFFF
            if block == 0:
                _TABLE[ord("\n")] |= _LF
                _TABLE[ord("\r")] |= _CR
            words = _TABLE[first : first + _BLOCK].tolist()
            new = [w for w in dict.fromkeys(words) if w not in _WORDS]
            if new:
                base = len(_WORDS)
                _WORDS.update({w: base + i for i, w in enumerate(new)})
                _rebuild_pairs()
            _ID[first : first + _BLOCK] = [_WORDS[w] for w in words]
            _FILLED[block] = True  # only after the entries are written: readers skip the lock


def _rebuild_pairs() -> None:
    global _PAIRS
    words = np.fromiter(_WORDS, dtype=np.uint32, count=len(_WORDS))  # in id order
    level, safe = _rules(words[:, None], words[None, :])
    _PAIRS = (len(words), level.ravel(), safe.ravel())  # one assignment: readers see old or new


def _ensure_filled(codepoints: npt.NDArray[np.uint32] | npt.NDArray[np.uint8]) -> None:
    if codepoints.dtype == np.uint8:
        if not _FILLED[0]:
            _fill_blocks(np.zeros(1, dtype=np.intp))
    elif codepoints.size:
        seen = np.bincount(codepoints >> 8, minlength=_FILLED.size).astype(np.bool_)
        missing = np.flatnonzero(seen & ~_FILLED)
        if missing.size:
            _fill_blocks(missing)


def char_classes(
    codepoints: npt.NDArray[np.uint32] | npt.NDArray[np.uint8],
) -> npt.NDArray[np.uint32]:
    """Class bits of each code point (filling the table's blocks on first use)."""
    _ensure_filled(codepoints)
    return _TABLE[codepoints]


@functools.cache
def _vocab_tables(enc: Encoder) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Per token id: UTF-8 start bytes it holds, and whether it begins mid-character."""
    table = token_bytes(enc)
    starts = table.per_token_sum(((table.data & 0xC0) != 0x80).astype(np.int64))
    begins_inside = ((table.first_bytes() & 0xC0) == 0x80) & (table.lengths > 0)
    return starts, begins_inside


@dataclass(frozen=True, slots=True)
class TokenBoundaries:
    """The cuttable token boundaries of one text (see the module docstring)."""

    n_tokens: int
    tok: npt.NDArray[np.int64]
    pos: npt.NDArray[np.int64]
    level: npt.NDArray[np.int8]
    safe: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, enc: Encoder, text: str) -> TokenBoundaries:
        """Encode ``text`` once and classify its token boundaries.

        >>> from tokbudget import get_encoding
        >>> tb = TokenBoundaries.of(get_encoding("cl100k_base"), "Hi there.")
        >>> tb.pos.tolist(), tb.level.tolist()
        ([0, 2, 8, 9], [7, 3, 2, 7])
        """
        ascii_only = text.isascii()
        if ascii_only:
            cps: npt.NDArray[np.uint32] | npt.NDArray[np.uint8]
            cps = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
        else:
            cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            if ((cps & 0xFFFFF800) == 0xD800).any():
                return cls._of_surrogates(enc, text, cps)
        ids = enc.encode_to_numpy(text, disallowed_special=())
        starts, begins_inside = _vocab_tables(enc)
        n = int(ids.size)
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(starts[ids], out=offsets[1:])
        if ascii_only:
            tok = np.arange(n + 1, dtype=np.int64)
            pos = offsets
        else:
            aligned = np.ones(n + 1, dtype=np.bool_)
            aligned[1:n] = ~begins_inside[ids[1:]]
            tok = np.flatnonzero(aligned)
            pos = offsets[tok]
        level, safe = _classify(cps, pos)
        return cls(n_tokens=n, tok=tok, pos=pos, level=level, safe=safe)

    @classmethod
    def _of_surrogates(
        cls, enc: Encoder, text: str, units: npt.NDArray[np.uint32]
    ) -> TokenBoundaries:
        # tiktoken encodes text with surrogates as fix_surrogates(text): a high+low pair
        # becomes the one character it encodes, a lone surrogate U+FFFD. Classify that
        # text, then map its offsets back to ours (a pair is two code units here).
        inner = cls.of(enc, fix_surrogates(text))
        high = (units >= 0xD800) & (units < 0xDC00)
        low = (units >= 0xDC00) & (units < 0xE000)
        second_of_pair = low & np.concatenate(([False], high[:-1]))
        char_starts = np.append(np.flatnonzero(~second_of_pair), len(text))
        return cls(inner.n_tokens, inner.tok, char_starts[inner.pos], inner.level, inner.safe)


def _classify(
    cps: npt.NDArray[np.uint32] | npt.NDArray[np.uint8], pos: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.bool_]]:
    """Level and safety of the cut before each character offset in ``pos``."""
    m = int(pos.size)
    level = np.full(m, PARAGRAPH, dtype=np.int8)
    safe = np.ones(m, dtype=np.bool_)
    if m <= 2:
        return level, safe
    p = pos[1:-1]
    # the characters before and after the cut (0 < p < len(text), so no bounds checks)
    c0, c1 = cps[p - 1], cps[p]
    _ensure_filled(c0)
    _ensure_filled(c1)
    k, pair_level, pair_safe = _PAIRS
    pair = _ID[c0].astype(np.intp) * k + _ID[c1]
    lv = pair_level[pair]
    at = np.flatnonzero(lv == LINE)
    if at.size:
        # A blank line: the line break ending here (\n, \r or \r\n) follows another.
        nl, cr = ord("\n"), ord("\r")
        q = p[at]
        c_1 = np.where(q >= 2, cps[np.maximum(q - 2, 0)], 0)
        c_2 = np.where(q >= 3, cps[np.maximum(q - 3, 0)], 0)
        before = np.where((c0[at] == nl) & (c_1 == cr), c_2, c_1)
        blank = (before == nl) | (before == cr)
        lv[at[blank]] = PARAGRAPH
    level[1:-1] = lv
    safe[1:-1] = pair_safe[pair]
    return level, safe


def _rules(
    f0: npt.NDArray[np.uint32], f1: npt.NDArray[np.uint32]
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.bool_]]:
    """Level (before blank lines are told apart) and safety of a cut between characters of
    class words ``f0`` and ``f1`` (broadcast together)."""

    def has(flags: npt.NDArray[np.uint32], bits: int) -> npt.NDArray[np.bool_]:
        out: npt.NDArray[np.bool_] = (flags & bits) != 0
        return out

    f0, f1 = np.broadcast_arrays(f0, f1)
    ws0, ws1 = has(f0, _HWS | _NL), has(f1, _HWS | _NL)
    # Why these are safe (for cl100k_base and o200k_base alike; tested against tiktoken):
    # - letter | non-letter: letter pieces are letter runs (o200k's also take marks and
    #   a contraction suffix such as 's), so they end here; the next piece starts afresh.
    # - digit | non-digit: digits only ever form digit-only pieces.
    # - non-space | horizontal space: no pattern takes a space after something else.
    # - newline | neither space nor '/': a piece ending in newlines can continue only
    #   with more whitespace or, in o200k, with '/' after punctuation.
    safe = (
        (has(f0, _L) & ~has(f1, _L | _M | _APOS))
        | (has(f0, _N) & ~has(f1, _N))
        | (~ws0 & has(f1, _HWS))
        | (has(f0, _NL) & ~ws1 & ~has(f1, _SLASH))
    ) & ~has(f0 | f1, _UNSURE)
    spaced_word_next = has(f1, _L | _N) & ~has(f1, _NOSPACE)
    lv = np.full(f0.shape, OTHER, dtype=np.int8)
    lv[(has(f0 | f1, _NOSPACE | _PUNCT)) & ~ws0 & ~ws1] = NO_SPACE
    lv[has(f1, _HWS) & ~ws0] = WORD
    lv[has(f0, _CLAUSE) & ~spaced_word_next] = CLAUSE
    lv[has(f0, _STERM) & ~spaced_word_next] = SENTENCE
    lv[has(f0, _LF) | (has(f0, _CR) & ~has(f1, _LF))] = LINE
    inside = (
        has(f1, _EXTENDS)
        | has(f0, _JOINS)
        | (has(f0, _CR) & has(f1, _LF))
        | has(f0 & f1, _RI)
        | (has(f0, _INCB_EXTEND) & has(f1, _INCB_CONSONANT))
    )
    lv[inside] = GRAPHEME
    return lv, safe
