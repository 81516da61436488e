"""What we know about tiktoken's pre-tokenizer, and the two things we build on it.

tiktoken splits text with a regex (``pat_str``) into pieces and runs BPE on each piece
alone, so a text's tokens are the concatenation of its pieces' tokens. Two consequences:

* **Safe cuts.** At some positions a piece boundary is certain whatever comes before or
  after, so ``encode(text[:p]) + encode(text[p:]) == encode(text)``. Each rule names the
  characters on both sides of ``p`` (a letter or number must be one *to tiktoken*, whose
  Unicode tables may be older than ``regex``'s, see :mod:`.charclass`; "punctuation" is
  neither whitespace, letter, number, mark nor surrogate):

  - after a letter or number that is followed by whitespace, and after anything but
    whitespace that is followed by horizontal whitespace (no piece runs from a
    non-space into a space: letters, numbers and punctuation stop there, and only
    punctuation may take trailing newlines);
  - between a letter and a number (either order), between a number and punctuation
    (either order), and after a letter followed by punctuation other than ``'`` (no
    pattern puts two of these classes in one piece; ``'`` may start o200k's ``'s``);
  - after a ``\\n`` that is followed by a character that is neither whitespace nor ``/``
    (a piece may end in newlines, but only o200k's punctuation rule lets one continue,
    and only with ``/``; not r50k, whose ``\\s++$`` has no newline rule).

  Streaming and splitting cut text only there, so counts stay exact.

* **Final boundaries.** Text with no safe cut for a long way (a megabyte of punctuation
  and tabs) is cut at a piece boundary that later text cannot move,
  :func:`last_final_boundary`: one that follows a non-whitespace character and lies at
  least :data:`FINAL_MARGIN` characters before the end of the text known so far. A piece
  boundary right after whitespace is not final: ``\\s+(?!\\S)`` leaves the last space of a
  run to the next piece, and counted alone the run is one piece again.

* **Long whitespace.** tiktoken's regex engine gives up (a Rust panic, which
  ``except Exception`` does not catch) on a run of about a million whitespace characters
  followed by more text. :func:`long_whitespace_windows` finds such runs cheaply and
  :class:`PieceSplitter` re-does the same split with the ``regex`` module, which has no
  such limit; the BPE of each piece is still tiktoken's, so counts stay exact.
"""

from __future__ import annotations

from collections.abc import Iterator

import regex

from .charclass import as_tiktoken_sees_it, unknown_to_tiktoken
from .vocab import CL100K_PAT, O200K_PAT, R50K_PAT

__all__ = [
    "FINAL_MARGIN",
    "LONG_WHITESPACE",
    "PieceSplitter",
    "last_final_boundary",
    "last_safe_cut",
    "long_whitespace_windows",
    "next_safe_cut",
]

LONG_WHITESPACE = 100_000
"""Whitespace runs at least this long take the ``regex`` path.

tiktoken fails from about 1,000,000 characters (its regex engine's backtrack limit);
we stay a factor of ten below that.
"""

_PUNCT = r"[^\s\p{L}\p{N}\p{M}\p{Cs}]"
# Each rule matches the one character before a cut; the look-ahead is the one after it.
_COMMON_CUTS = (
    r"[\p{L}\p{N}](?=\s)",
    r"\S(?=[^\S\r\n])",
    r"\p{L}(?=\p{N})",
    r"\p{N}(?=\p{L})",
    rf"\p{{N}}(?={_PUNCT})",
    rf"{_PUNCT}(?=\p{{N}})",
    r"\p{L}(?=(?!')[^\s\p{L}\p{N}\p{M}\p{Cs}])",
)
_NEWLINE_CUT = r"\n(?=[^\s/])"
_BOTH = "|".join((*_COMMON_CUTS, _NEWLINE_CUT))
_R50K = "|".join(_COMMON_CUTS)
# Which safe cuts hold for which pre-tokenizer, as (forward, reverse) searches. cl100k and
# o200k end a run of whitespace at a newline (``\s*[\r\n]`` comes before ``\s++$``), so a
# cut after a newline is final. r50k/p50k have no such rule: ``"a  \n"`` ends in one
# whitespace piece (``\s++$``) where ``"a  \nx"`` has two. Any other pattern (a user's
# own) gets no safe cut: nothing is proven for it.
_RULES: dict[str, tuple[regex.Pattern[str], regex.Pattern[str]]] = {
    pat: (regex.compile(rule), regex.compile("(?r)" + rule))
    for pats, rule in (((CL100K_PAT, O200K_PAT), _BOTH), ((R50K_PAT,), _R50K))
    for pat in pats
}
# Whitespace runs (from their first character) long enough to be worth measuring. Not
# \s{LONG_WHITESPACE,}: the regex module unrolls a counted repeat, and that one pattern
# cost 51 MB of memory and 0.18 s at import.
_WS_RUN = regex.compile(r"(?<!\s)\s{1024,}")

# Map every byte that may be part of a whitespace character to b" " and every other byte
# to b"x". UTF-8 bytes >= 0x80 are all mapped to b" " because several whitespace
# characters (U+00A0, U+3000, ...) are multi-byte: this over-reports, never under-reports,
# and a candidate is then checked exactly with the regex above.
_WS_MASK = bytes(
    0x20 if (b in b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f " or b >= 0x80) else 0x78 for b in range(256)
)
_WS_NEEDLE = b" " * LONG_WHITESPACE


def last_safe_cut(
    text: str, start: int = 0, end: int | None = None, *, pat_str: str = O200K_PAT
) -> int:
    """Return the largest safe cut ``p`` with ``start < p < end``, or -1 if there is none.

    The character at ``p`` must lie before ``end``, so ``end`` can be the end of the text
    read so far when the rest of a stream is not known yet. ``pat_str`` is the encoding's
    pre-tokenizer pattern (the rules differ; an unknown pattern has no safe cut).
    """
    rules = _RULES.get(pat_str)
    if rules is None:
        return -1
    end = len(text) if end is None else end
    while (match := rules[1].search(text, start, end)) is not None:
        if _known(text, match.end()):
            return match.end()
        end = match.end()  # a cut one character earlier may still hold
    return -1


def next_safe_cut(
    text: str, start: int = 0, end: int | None = None, *, pat_str: str = O200K_PAT
) -> int:
    """Return the smallest safe cut ``p`` with ``start < p < end``, or -1 if there is none."""
    rules = _RULES.get(pat_str)
    if rules is None:
        return -1
    end = len(text) if end is None else end
    while (match := rules[0].search(text, start, end)) is not None:
        if _known(text, match.end()):
            return match.end()
        start = match.end()
    return -1


def _known(text: str, cut: int) -> bool:
    # A letter or number that tiktoken's older Unicode tables do not know is punctuation
    # to it: a punctuation piece may run on into newlines or letters, so no rule that
    # names a letter or number holds there (see charclass).
    pair = text[cut - 1 : cut + 1]
    return pair.isascii() or not unknown_to_tiktoken(set(pair))


FINAL_MARGIN = 3
"""How far before the end of the known text a final boundary must lie: a match looks at
most three characters past its end (o200k's ``'ll``, ``'re``, ``'ve`` after a word)."""

_SPACE = regex.compile(r"\s")
_WORD_PAIR = regex.compile(r"[\p{L}\p{M}]{2}")
_PAIR = regex.compile(r"[\ud800-\udbff][\udc00-\udfff]")
_SPLITTERS: dict[str, PieceSplitter] = {}


def last_final_boundary(
    text: str, start: int, end: int, *, pat_str: str, complete: bool = False
) -> int:
    r"""Return the last piece boundary ``p`` in ``(start, end)`` that no later text moves, or -1.

    ``start`` must be a cut (a safe cut, a final boundary or 0): then ``text[start:p]``
    encodes to the tokens of ``text[start:]`` before ``p``, whatever follows ``end``.
    ``complete`` says that ``end`` is the end of the text (no margin is needed).

    Why it holds (cl100k, o200k, r50k; any other pattern gets -1): the pieces before ``p``
    are matched alike in ``text[start:]``, in ``text[start:end]`` and in ``text[start:p]``
    unless one of their match attempts tests a character at or after ``p`` and gets a
    different answer. (1) A whitespace alternative runs through whitespace only, so with a
    non-space at ``p - 1`` its look-ahead ``(?!\S)`` and ``$`` are tested before ``p``.
    (2) Every other test at ``p`` or later consumes a character: it fails at the end of
    ``text[start:p]``, and a path that consumed ``text[p]`` in the longer text either
    failed there too or would have made a piece that crosses ``p``; the possessive groups
    of cl100k and r50k end their alternative (or are followed by optional parts), so
    they cannot commit differently. (3) ``p`` is not between two letters or marks: o200k's
    first letter rule runs through a whole run of capitals and marks before it backs off
    (``"\u0301BBB"`` ends its first piece after the mark, ``"\u0301BBBa"`` is one piece),
    so inside such a run a boundary depends on where the run ends. Otherwise tests reach
    at most ``FINAL_MARGIN - 1`` characters past a piece's end, so ``text[start:end]``
    sees the same pieces before ``p``. Text with a surrogate pair gets -1 (tiktoken
    reads a pair as one character).
    """
    if pat_str not in _RULES:
        return -1
    window = text[start:end]
    if _PAIR.search(window):
        return -1
    splitter = _SPLITTERS.get(pat_str)
    if splitter is None:
        splitter = _SPLITTERS.setdefault(pat_str, PieceSplitter(pat_str))
    seen = as_tiktoken_sees_it(window)
    limit = len(seen) if complete else len(seen) - FINAL_MARGIN
    best = -1
    for match in splitter.pattern.finditer(seen):
        pos = match.start()
        if pos > limit:
            break
        if pos and not _SPACE.match(seen, pos - 1) and not _WORD_PAIR.match(seen, pos - 1):
            best = pos
    return start + best if best > 0 else -1


def long_whitespace_windows(text: str, pat_str: str = O200K_PAT) -> list[tuple[int, int]]:
    """Return ``(start, end)`` spans to encode with :class:`PieceSplitter`, or ``[]``.

    Each span contains a whitespace run of at least :data:`LONG_WHITESPACE` characters and
    is bounded by safe cuts (or the ends of the text), so the rest of the text can go to
    tiktoken unchanged. Spans are sorted and do not overlap. Costs a byte translation and a
    substring search for ordinary text (a few percent of encoding it).
    """
    if len(text) < LONG_WHITESPACE:
        return []
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: they are not whitespace, check exactly
        data = text.encode("utf-8", "surrogatepass")
    if data.translate(_WS_MASK).find(_WS_NEEDLE) < 0:
        return []
    windows: list[tuple[int, int]] = []
    for run in _WS_RUN.finditer(text):
        if run.end() - run.start() < LONG_WHITESPACE:
            continue
        left = last_safe_cut(text, 0, run.start() + 1, pat_str=pat_str)
        left = 0 if left < 0 or left > run.start() else left
        right = next_safe_cut(text, run.end(), pat_str=pat_str)
        right = len(text) if right < 0 else right
        if windows and left <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], right))
        else:
            windows.append((left, right))
    return windows


class PieceSplitter:
    """tiktoken's pre-tokenizer, run by the ``regex`` module instead of Rust.

    Gives the same pieces as tiktoken on every text (tested), with no length limit, but
    at Python speed: use it only where tiktoken cannot go. Characters that ``regex``'s
    newer Unicode tables know and tiktoken's do not are matched as tiktoken sees them
    (:mod:`.charclass`).
    """

    def __init__(self, pat_str: str) -> None:
        # Rust's ``$`` (no multiline) is the very end; Python's also matches before a final
        # newline, which would split "  \n" differently. ``\Z`` is Rust's meaning.
        self.pattern = regex.compile(regex.sub(r"(?<!\\)\$", r"\\Z", pat_str))

    def pieces(self, text: str) -> Iterator[str]:
        # Match on the text as tiktoken's Unicode tables see it; slice the original.
        for match in self.pattern.finditer(as_tiktoken_sees_it(text)):
            yield text[match.start() : match.end()]
