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
characters on which the two engines disagree (see ``tokbudget.tokenizer.charclass``)."""

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
    st.one_of(
        st.sampled_from(TRICKY + BOUNDARY),
        st.text(max_size=6),
        st.builds("".join, st.lists(st.one_of(recent_char, st.sampled_from(" \n'/.")), max_size=4)),
    ),
    max_size=60,
).map("".join)
"""Text dense in cut candidates of every level, and in the traps around them."""


@st.composite
def chats(draw: st.DrawFn, reuse_ids: bool = False) -> list[dict[str, object]]:
    """Chat Completions message lists: system messages, turns of varied length, and
    assistant tool calls followed by their results (sometimes interleaved with turns).

    With ``reuse_ids``, call ids come from a pool of three, so the same id recurs across
    turns (and within one message), as in hand-built or replayed histories."""
    words = st.lists(st.sampled_from(["alpha", "beta", "日本語", "🙂", "x", "\n", "1234"]))
    text = st.builds(" ".join, words)
    out: list[dict[str, object]] = [
        {"role": "system", "content": draw(text)} for _ in range(draw(st.integers(0, 2)))
    ]
    calls = 0
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["user", "assistant", "tools", "developer"]))
        if kind == "tools":
            ids = [
                f"call_{draw(st.integers(0, 2)) if reuse_ids else calls + k}"
                for k in range(draw(st.integers(1, 3)))
            ]
            calls += len(ids)
            out.append(
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": i,
                            "type": "function",
                            "function": {"name": "lookup", "arguments": '{"q": "' + i + '"}'},
                        }
                        for i in ids
                    ],
                }
            )
            results: list[dict[str, object]] = [
                {"role": "tool", "tool_call_id": i, "content": draw(text)} for i in ids
            ]
            out += draw(st.permutations(results))
        else:
            out.append({"role": kind, "content": draw(text)})
    return out


# The fast engine's differential tests (tests/test_fast.py, tests/test_backend.py).

WHITESPACE = [chr(c) for c in range(0x110000) if chr(c).isspace()] + ["\x1c", "\x85", "\u200b"]
NASTY = [
    *TRICKY,
    *BOUNDARY,
    *WHITESPACE,
    *RECENT[:: max(1, len(RECENT) // 64)],
    "\u200d", "👨‍👩‍👧", "🏳️‍🌈", "🧑🏿‍🤝‍🧑🏻", "a\u0300\u0301\u0302", "\u0915\u094d\u0937", "e\u20dd",
    "<|endoftext|>", "<|endofprompt|>", "<|fim_middle|>", "<|start|>", "<|end|>", "<|", "|>",
    "<|endoftext", "0", "12", "123", "1234", "٣", "²", "QUJD", "+/==", "aGVsbG8=", "'S", "'re",
    "\ud800", "\udc00", "\ud83d", "\ude00", "\ud83d\ude00", "\x00", "\ufeff", "\ufffd",
]  # fmt: skip
"""Lone surrogates, ZWJ sequences, combining marks, every whitespace character,
special-token look-alikes, digits, base64, contractions, the splitters' traps and a
sample of the letters newer than Python's Unicode tables (:data:`RECENT`)."""

nasty_text = st.lists(
    st.one_of(
        st.sampled_from(NASTY),
        st.text(max_size=10),
        st.builds(lambda c, n: c * n, st.sampled_from(NASTY), st.integers(1, 300)),
        st.text(st.characters(codec="utf-8"), max_size=12),
    ),
    max_size=50,
).map("".join)
