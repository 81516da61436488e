"""A slow, per-character restatement of the cut levels in ``tokbudget.splitting.boundaries``.

Written from the rules in words, one character at a time, so the vectorised classifier
has something independent to be compared with.
"""

from __future__ import annotations

import regex

from tokbudget.splitting.boundaries import (
    CLAUSE,
    GRAPHEME,
    LINE,
    NO_SPACE,
    OTHER,
    PARAGRAPH,
    SENTENCE,
    WORD,
)
from tokbudget.tokenizer.charclass import PYTHON_TABLES_NOT_NEWER, unknown_to_tiktoken


def _is(pattern: str, ch: str) -> bool:
    return regex.fullmatch(pattern, ch) is not None


def _ws(ch: str) -> bool:
    return _is(r"\s", ch)


def _no_space_script(ch: str) -> bool:
    return _is(
        r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Tibetan}]", ch
    )


def _inside_cluster(c0: str, c1: str) -> bool:
    if c0 == "\r" and c1 == "\n":
        return True
    if _is(r"[\p{GCB=Extend}\p{GCB=SpacingMark}\p{GCB=ZWJ}\p{GCB=V}\p{GCB=T}]", c1):
        return True
    if _is(r"[\p{GCB=ZWJ}\p{GCB=Prepend}\p{GCB=L}\p{InCB=Linker}]", c0):
        return True
    if _is(r"\p{InCB=Extend}", c0) and _is(r"\p{InCB=Consonant}", c1):
        return True  # perhaps the end of a conjunct's linker run
    return _is(r"\p{Regional_Indicator}", c0) and _is(r"\p{Regional_Indicator}", c1)


def level_at(text: str, p: int) -> int:
    """The level of a cut at ``0 < p < len(text)`` (``text`` without surrogates)."""
    c0, c1 = text[p - 1], text[p]
    if _inside_cluster(c0, c1):
        return GRAPHEME
    if c0 == "\n" or (c0 == "\r" and c1 != "\n"):
        before = text[:p]
        before = before[:-2] if before.endswith("\r\n") else before[:-1]
        return PARAGRAPH if before.endswith(("\n", "\r")) else LINE
    # Where Python's tables are newer than tiktoken's, letters are as tiktoken sees them
    # (charclass); otherwise as regex sees them (doubtful ones only lose their safe cuts).
    known = PYTHON_TABLES_NOT_NEWER or not unknown_to_tiktoken({c1})
    word_next = _is(r"[\p{L}\p{N}]", c1) and known and not _no_space_script(c1)
    if _is(r"\p{Sentence_Terminal}", c0) and not word_next:
        return SENTENCE
    clause = r"[,;:\u060C\u061B\uFF0C\u3001\uFF1B\uFF1A\u2013\u2014\p{Pe}\p{Pf}]"
    if _is(clause, c0) and not word_next:
        return CLAUSE
    if not _ws(c0) and _ws(c1) and c1 not in "\r\n":
        return WORD
    tight = any(_no_space_script(c) or _is(r"[\p{P}\p{S}]", c) for c in (c0, c1))
    if tight and not _ws(c0) and not _ws(c1):
        return NO_SPACE
    return OTHER
