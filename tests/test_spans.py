"""Token spans: ids equal tiktoken's, spans tile the text, partial characters are marked."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import tokbudget
import tokbudget.tokenizer.spans
from tokbudget.tokenizer.spans import TokenSpans, token_spans, utf16_offsets

from .conftest import raw_encoding, real_texts
from .strategies import tricky_text


def encoder_bytes(text: str) -> bytes:
    """The UTF-8 the encoder tokenizes: lone surrogates as U+FFFD, surrogate pairs joined."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode("utf-8")


def assert_spans_valid(spans: TokenSpans, text: str, encoding: str) -> None:
    """Every promise of :func:`token_spans`, checked against a plain tiktoken encoding."""
    assert spans.ids.tolist() == raw_encoding(encoding).encode_ordinary(text)
    tokens = list(spans)
    assert b"".join(t.bytes for t in tokens) == encoder_bytes(text)
    if not tokens:
        assert text == ""
        return
    assert tokens[0].start == 0
    assert tokens[-1].end == len(text)
    for prev, cur in itertools.pairwise(tokens):
        if cur.start < prev.end:
            # Overlap only between tokens that split a character, and by that one
            # character (two code points if it is a surrogate pair held as two).
            assert prev.partial and cur.partial, (prev, cur)
            shared = text[cur.start : prev.end]
            assert len(shared) == 1 or len(encoder_bytes(shared).decode()) == 1, (prev, cur)
        else:
            assert cur.start == prev.end, (prev, cur)
    for tok in tokens:
        assert tok.start < tok.end
        covered = encoder_bytes(text[tok.start : tok.end])
        if tok.partial:
            assert tok.bytes in covered and tok.bytes != covered
        else:
            assert tok.bytes == covered


@given(tricky_text, st.sampled_from(["cl100k_base", "o200k_base"]))
@example("\ud800\udfff 🦜\ud83d", "cl100k_base")
def test_spans_tile_any_text(text: str, encoding: str) -> None:
    assert_spans_valid(token_spans(text, encoding=encoding), text, encoding)


@pytest.mark.parametrize("table_from", [0, 10**9], ids=["length-table", "decode-each"])
@pytest.mark.parametrize("name", sorted(real_texts()))
def test_spans_real_text(
    name: str, encoding_name: str, table_from: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both ways of finding token byte lengths must give the same, exact spans.
    monkeypatch.setattr("tokbudget.tokenizer.spans._TABLE_FROM", table_from)
    text = real_texts()[name]
    spans = token_spans(text, encoding=encoding_name)
    assert_spans_valid(spans, text, encoding_name)
    assert len(spans) == tokbudget.count(text, encoding=encoding_name)


def test_partial_character_rule() -> None:
    # cl100k spells 🦜 as three byte tokens; all three carry the whole character's span.
    spans = token_spans("a 🦜b", encoding="cl100k_base")
    got = [(t.bytes, t.start, t.end, t.partial) for t in spans]
    assert got == [
        (b"a", 0, 1, False),
        (b" \xf0\x9f", 1, 3, True),
        (b"\xa6", 2, 3, True),
        (b"\x9c", 2, 3, True),
        (b"b", 3, 4, False),
    ]


def test_surrogates_as_code_points() -> None:
    # A high + low surrogate held as two code points: the encoder joins them into 🙂;
    # the span must still cover both code points of the Python string.
    text = "a\ud83d\ude42b\ud800c"
    got = [(t.id, t.start, t.end) for t in token_spans(text, encoding="o200k_base")]
    assert got == [(64, 0, 1), (37459, 1, 3), (65, 3, 4), (3251, 4, 5), (66, 5, 6)]


def test_indexing_and_whitespace() -> None:
    spans = token_spans("hello   world\n\n", encoding="cl100k_base")
    assert spans[-1].whitespace and spans[-1].end == 15
    assert not spans[0].whitespace
    with pytest.raises(IndexError, match="out of range"):
        spans[len(spans)]
    assert len(token_spans("", model="gpt-4o")) == 0


@given(tricky_text)
def test_utf16_offsets(text: str) -> None:
    offsets = list(range(len(text) + 1))
    expected = [len(text[:i].encode("utf-16-le", "surrogatepass")) // 2 for i in offsets]
    assert utf16_offsets(text, offsets).tolist() == expected


def test_bad_input() -> None:
    with pytest.raises(tokbudget.InvalidInputError, match="bytes"):
        token_spans(b"abc", encoding="cl100k_base")  # type: ignore[arg-type]
    with pytest.raises(tokbudget.UnknownModelError):
        token_spans("abc", model="gpt-nope")
