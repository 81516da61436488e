"""count_at_most: exact up to the limit, an honest lower bound past it, and cheap."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tokbudget
from tokbudget import BoundedCount, InvalidInputError, SettingsError

from .conftest import real_texts, spy_encoded
from .helpers import true_count as count
from .strategies import tricky_text

ENCODINGS = ["cl100k_base", "o200k_base"]


def assert_bound(result: BoundedCount, text: str, limit: int, encoding: str) -> None:
    true = count(text, encoding)
    assert result.limit == limit
    if result.exact:
        assert result.tokens == true
    else:
        # Stopped early: past the limit, and never more than the text really has.
        assert limit < result.tokens <= true
    if true <= limit:
        assert result.exact


@given(tricky_text, st.integers(0, 60))
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_exact_or_lower_bound(encoding: str, text: str, limit: int) -> None:
    assert_bound(tokbudget.count_at_most(text, limit, encoding=encoding), text, limit, encoding)


@given(
    st.text(st.characters(exclude_categories=["Zs", "Zl", "Zp", "Cc"]), min_size=1, max_size=12),
    st.integers(1, 400),
    st.integers(0, 300),
)
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_text_without_safe_cuts(encoding: str, unit: str, times: int, limit: int) -> None:
    # No whitespace means no safe cut: segments end at piece boundaries instead. Tiny steps
    # make every example take that path many times.
    text = unit * times
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("tokbudget.counting._MIN_STEP", 8)
        patch.setattr("tokbudget.counting._CHARS_PER_TOKEN", 0.1)
        result = tokbudget.count_at_most(text, limit, encoding=encoding)
    assert_bound(result, text, limit, encoding)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_real_texts_at_many_limits(monkeypatch: pytest.MonkeyPatch, encoding: str) -> None:
    monkeypatch.setattr("tokbudget.counting._MIN_STEP", 16)
    for text in real_texts().values():
        total = count(text, encoding)
        for limit in (0, 1, 10, total // 2, total - 1, total, total + 1):
            assert_bound(
                tokbudget.count_at_most(text, limit, encoding=encoding), text, limit, encoding
            )


@given(tricky_text, st.lists(st.integers(0, 200), max_size=6), st.integers(0, 40))
def test_stream_of_pieces(text: str, cuts: list[int], limit: int) -> None:
    points = sorted({min(c, len(text)) for c in cuts})
    pieces = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    result = tokbudget.count_at_most(iter(pieces), limit, encoding="o200k_base")
    assert_bound(result, text, limit, "o200k_base")


def test_stream_stops_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tokbudget.counting._PIECE", 1000)
    read = 0

    def blocks() -> Any:
        nonlocal read
        for _ in range(10_000):
            read += 1
            yield "some words of text " * 10

    result = tokbudget.count_at_most(blocks(), 500, encoding="cl100k_base")
    assert not result.exact and result.tokens > 500
    assert read < 40  # of 10,000 (500 tokens are ~13 blocks; segments are ~5 blocks)


def test_hundred_megabytes_cost_about_one(monkeypatch: pytest.MonkeyPatch) -> None:
    text = real_texts()["english.txt"]
    text *= 100_000_000 // len(text) + 1
    seen = spy_encoded(monkeypatch)
    result = tokbudget.count_at_most(text, 128_000, model="gpt-4o")
    assert not result.exact and result.tokens > 128_000
    assert str(result) == "more than 128,000"
    assert sum(seen) < 1_500_000  # characters encoded, of 100,000,000


def test_str_and_repr() -> None:
    assert str(tokbudget.count_at_most("hello world", 5)) == "2"
    assert tokbudget.count_at_most("hello world", 5, encoding="cl100k_base") == BoundedCount(
        2, True, 5
    )


@pytest.mark.parametrize(
    ("limit", "error"),
    [
        (-1, SettingsError),
        (1.5, InvalidInputError),
        (True, InvalidInputError),
        (None, InvalidInputError),
    ],
)
def test_bad_limit(limit: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="limit must be a whole number of tokens >= 0"):
        tokbudget.count_at_most("text", limit)


def test_bad_text() -> None:
    with pytest.raises(TypeError, match="must be str, got bytes"):
        tokbudget.count_at_most(b"bytes", 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="stream piece 1 must be str"):
        tokbudget.count_at_most(iter(["ok", 5]), 5)  # type: ignore[arg-type]
