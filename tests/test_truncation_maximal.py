"""truncate keeps the longest part that fits, not one that a single more character breaks.

BPE is not monotone: ``"-" * 96`` is one cl100k token while ``"-" * 33`` is two, so a
search that stops at the first cut that does not fit kept 32 dashes of 100 at a budget of
one (issue 10 item 2). Each result here is compared with a slow reference that tries every
cut (a character-boundary slice) and keeps the longest one that fits.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tokbudget._util import splits_surrogate_pair
from tokbudget.tokenizer import longest
from tokbudget.truncation import Side, truncate_with_offsets

from .conftest import real_texts
from .helpers import true_count as count
from .strategies import boundary_text, tricky_text

ENCODINGS = ["cl100k_base", "o200k_base"]


def _whole_chars(text: str, k: int) -> bool:
    return not (0 < k < len(text) and "\ud800" <= text[k - 1] <= "\udbff" <= text[k] <= "\udfff")


def reference_head(text: str, budget: int, encoding: str, marker: str = "", tail: str = "") -> int:
    """The longest head ``text[:k]`` with ``count(text[:k] + marker + tail) <= budget``."""
    return max(
        (
            k
            for k in range(len(text) + 1)
            if _whole_chars(text, k) and count(text[:k] + marker + tail, encoding) <= budget
        ),
        default=-1,
    )


def reference_tail(text: str, budget: int, encoding: str, marker: str = "", head: str = "") -> int:
    """The smallest ``t`` with ``count(head + marker + text[t:]) <= budget``."""
    return min(
        (
            t
            for t in range(len(text) + 1)
            if _whole_chars(text, t) and count(head + marker + text[t:], encoding) <= budget
        ),
        default=len(text) + 1,
    )


def reference_middle(text: str, budget: int, encoding: str, marker: str) -> tuple[int, int]:
    """The documented rule, by brute force: the head takes up to half of what the marker
    leaves, the tail the rest, then each side takes what the other left."""
    half = (budget - count(marker, encoding) + 1) // 2
    while True:
        h = reference_head(text, half, encoding)
        t = max(h, reference_tail(text[h:], budget, encoding, marker, text[:h]) + h)
        if t <= len(text) and count(text[:h] + marker + text[t:], encoding) <= budget:
            break
        half -= 1
    while True:
        h2 = reference_head(text[:t], budget, encoding, marker, text[t:])
        t2 = reference_tail(text[h2:], budget, encoding, marker, text[:h2]) + h2
        if (h2, t2) == (h, t):
            return h, t
        h, t = h2, t2


def assert_longest(text: str, budget: int, encoding: str, side: Side, marker: str = "") -> None:
    r = truncate_with_offsets(text, budget, encoding=encoding, side=side, marker=marker)
    assert r.tokens == count(r.text, encoding) <= budget
    if not r.cut:
        assert count(text, encoding) <= budget
        return
    if side == "end":
        assert r.head == reference_head(text, budget, encoding, marker)
    elif side == "start":
        assert r.tail == reference_tail(text, budget, encoding, marker)
    else:
        assert (r.head, r.tail) == reference_middle(text, budget, encoding, marker)


# ------------------------------------------------------------------ the reported cases


def test_dashes_keep_the_one_token_of_96() -> None:
    assert count("-" * 96, "cl100k_base") == 1
    r = truncate_with_offsets("-" * 100, 1, encoding="cl100k_base")
    assert r.head == 96
    assert truncate_with_offsets("-" * 100, 1, encoding="cl100k_base", side="start").tail == 4


def test_slashes_and_a_markdown_rule() -> None:
    for text in ("/" * 200, "=" * 300 + "\n", "# Title\n\n" + "-" * 120 + "\n\ntext after"):
        for encoding in ENCODINGS:
            for budget in (1, 2, 3, 5):
                assert_longest(text, budget, encoding, "end")
                assert_longest(text, budget, encoding, "start")


# ------------------------------------------------------------------ exhaustive families

RUN_UNITS = ["-", "=", "/", "*", "#", "_", ".", "~", "a", "A", "1", "中", "😀", " ", "\t", "!"]
_run = st.builds(lambda unit, times: unit * times, st.sampled_from(RUN_UNITS), st.integers(1, 150))
adversarial = st.lists(
    st.one_of(_run, st.sampled_from([" ", "\n", "\n\n", "* * *", "| --- |", "'s", "x", "٣"])),
    min_size=1,
    max_size=5,
).map("".join)
"""Long runs of one character (rule lines, slashes, digits, CJK, emoji) and their mixes:
where BPE is least monotone."""


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("side", ["end", "start"])
@given(text=adversarial, data=st.data())
def test_longest_on_runs(encoding: str, side: Side, text: str, data: st.DataObject) -> None:
    budget = data.draw(st.integers(0, count(text, encoding)))
    assert_longest(text, budget, encoding, side)


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("side", ["end", "start", "middle"])
@given(
    # The runs above, and what the README promises it for too: lone surrogates and split
    # pairs, ZWJ emoji, combining marks, special-token look-alikes, every line break.
    text=st.one_of(adversarial, tricky_text, boundary_text),
    marker=st.sampled_from(["…", " … ", "-", "\n", "", "\u200d", "<|endoftext|>"]),
    data=st.data(),
)
def test_longest_with_marker(
    encoding: str, side: Side, text: str, marker: str, data: st.DataObject
) -> None:
    m = count(marker, encoding)
    budget = data.draw(st.integers(m, m + count(text, encoding)))
    assert_longest(text, budget, encoding, side, marker)


surrogate_text = st.lists(
    st.sampled_from(
        ["\ud83d\ude00", "\ud83e\udddc", "\ud800", "\udfff", "\n", "a", " ", "!", "中"]
    ),
    min_size=1,
    max_size=12,
).map("".join)
"""Surrogate pairs held as two code points (as JSON or JavaScript hand them over), lone
surrogates and their neighbours."""


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("side", ["end", "start", "middle"])
@given(text=surrogate_text, marker=st.sampled_from(["", "…"]), data=st.data())
def test_never_half_a_surrogate_pair(
    encoding: str, side: Side, text: str, marker: str, data: st.DataObject
) -> None:
    # Half a pair counts as U+FFFD, often fewer tokens than the character: every side cut
    # there (truncate("\ud83d\ude00", 1) kept "\ud83d"), a broken character.
    m = count(marker, encoding)
    budget = data.draw(st.integers(m, m + count(text, encoding)))
    r = truncate_with_offsets(text, budget, encoding=encoding, side=side, marker=marker)
    assert not any(splits_surrogate_pair(text, k) for k in (r.head, r.tail)), r
    assert_longest(text, budget, encoding, side, marker)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_budget_of_a_thousand_dashes(encoding: str) -> None:
    # One piece of 1,000 characters, every budget up to its count: all prefixes compared.
    text = "-" * 1000
    prefix = [count(text[:k], encoding) for k in range(len(text) + 1)]
    for budget in range(prefix[-1]):
        best = max(k for k, c in enumerate(prefix) if c <= budget)
        assert truncate_with_offsets(text, budget, encoding=encoding).head == best


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_real_text_pieces(encoding: str) -> None:
    text = real_texts()["english.txt"][:300]
    for budget in (1, 7, 30):
        for side in ("end", "start", "middle"):
            assert_longest(text, budget, encoding, side, "…" if side == "middle" else "")


@pytest.mark.parametrize("side", ["end", "start"])
@given(text=adversarial, data=st.data())
def test_past_the_span_and_the_work_still_fits(side: Side, text: str, data: st.DataObject) -> None:
    # Runs longer than SPAN without a safe cut, and scans that run out of WORK, fall back
    # to a short look-ahead: the result still fits and one more character does not.
    encoding = "cl100k_base"
    budget = data.draw(st.integers(0, count(text, encoding)))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(longest, "SPAN", data.draw(st.sampled_from([4, 16, 64])))
        patch.setattr(longest, "WORK", data.draw(st.sampled_from([1, 40, 400])))
        r = truncate_with_offsets(text, budget, encoding=encoding, side=side)
    assert r.tokens == count(r.text, encoding) <= budget
    if r.cut and side == "end":
        assert count(text[: r.head + 1], encoding) > budget
    if r.cut and side == "start":
        assert count(text[r.tail - 1 :], encoding) > budget
