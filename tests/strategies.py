"""Hypothesis strategies for text that stresses tokenizers."""

from __future__ import annotations

import unicodedata

import regex
from hypothesis import strategies as st

# Pieces that tokenizers treat specially; mixed with arbitrary Unicode (surrogates included).
TRICKY = [
    " ", "  ", "\n", "\r\n", "\t", "\u3000", "\u00a0", "'s", "'LL", "/", "\n/", "!!", "123456",
    "e\u0301", "👩‍👩‍👧‍👦", "🇫🇷", "👍🏽", "日本語", "中文", "한국어", "русский", "عربى", "ภาษาไทย",
    "<|endoftext|>", "<|fim_prefix|>", "<|endofprompt|>", "\ud800", "\udfff", "Hello", "WORLD",
]  # fmt: skip

RECENT = sorted(
    {
        c
        for c in regex.findall(r"[\p{L}\p{N}\p{M}]", "".join(map(chr, range(0x110000))))
        if unicodedata.category(c) == "Cn"
    }
)
"""Letters, numbers and marks newer than Python's Unicode tables: some are known to
tiktoken's (older) tables and some only to the ``regex`` module's (newer) ones — the
characters on which the two engines disagree (see ``tokbudget.charclass``)."""

recent_char = st.sampled_from(RECENT) if RECENT else st.just("a")

tricky_text = st.lists(
    st.one_of(
        st.sampled_from(TRICKY),
        st.text(max_size=8),
        st.builds(
            "".join, st.lists(st.one_of(recent_char, st.sampled_from(" \n'/sA1")), max_size=6)
        ),
    ),
    max_size=40,
).map("".join)
"""Arbitrary short text, biased towards scripts and pieces that tokenizers treat specially."""
