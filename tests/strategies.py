"""Hypothesis strategies for text that stresses tokenizers."""

from __future__ import annotations

from hypothesis import strategies as st

# Pieces that tokenizers treat specially; mixed with arbitrary Unicode (surrogates included).
TRICKY = [
    " ", "  ", "\n", "\r\n", "\t", "\u3000", "\u00a0", "'s", "'LL", "/", "\n/", "!!", "123456",
    "e\u0301", "👩‍👩‍👧‍👦", "🇫🇷", "👍🏽", "日本語", "中文", "한국어", "русский", "عربى", "ภาษาไทย",
    "<|endoftext|>", "<|fim_prefix|>", "<|endofprompt|>", "\ud800", "\udfff", "Hello", "WORLD",
]  # fmt: skip

tricky_text = st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=8)), max_size=40).map(
    "".join
)
"""Arbitrary short text, biased towards scripts and pieces that tokenizers treat specially."""

# Where splitters go wrong: line and paragraph breaks of every style, sentence and clause
# punctuation, whitespace that tiktoken's patterns treat differently (\x1c is not
# whitespace to them, \x85 and \u2028 are), grapheme clusters (combining marks, Indic
# conjuncts, Hangul jamo, emoji sequences, flags), surrogate pairs and letters of scripts
# newer than some Unicode tables.
BOUNDARY = [
    "\n\n", "\r\r", "\r\n\r\n", "\n\r\n", "\r\r\n", "\n \n", ". ", "! ", "? ", "。", "，", "、",
    ", ", "; ", ": ", "— ", ") ", "» ", "\" ", "...", "3.14", "e.g.", "U.S.", "'", "'s ", "/",
    "//", "\x1c", "\x85", "\u2028", "\u2029", "\x0b", "\x0c", "a\u0301\u0302\u0303",
    "क्षत्रिय", "\u1100\u1161\u11a8", "\u0e01\u0e34\u0e48",
    "🇫🇷🇩🇪🇯", "❤️‍🔥", "\U0001f3f3\ufe0f\u200d\U0001f308",
    "\ud83d\ude00", "\U0001e5d0\U0001e5d1.", "\U00010d50\n", "0123456789", "١٢٣", "Ⅻ", "ＡＢＣ",
    "<|endoftext|>", "x" * 30, " " * 9, "\t\t", "=" * 12, "aGVsbG8gd29ybGQ=",
]  # fmt: skip

boundary_text = st.lists(
    st.one_of(st.sampled_from(TRICKY + BOUNDARY), st.text(max_size=6)), max_size=60
).map("".join)
"""Text dense in cut candidates of every level, and in the traps around them."""
