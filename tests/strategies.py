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
