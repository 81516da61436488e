"""TokenBoundaries: offsets, safety and levels, checked against tiktoken and slow rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tokbudget import get_encoding
from tokbudget.boundaries import PARAGRAPH, TokenBoundaries, char_classes, fix_surrogates

from .conftest import raw_encoding, real_texts
from .reference_levels import level_at
from .strategies import boundary_text

ENCODINGS = ["cl100k_base", "o200k_base"]
texts = st.one_of(boundary_text, st.text(max_size=80))


def char_offsets(enc_name: str, text: str) -> dict[int, int]:
    """Slowly: every token boundary that falls between characters, as token -> offset."""
    raw = raw_encoding(enc_name)
    fixed = fix_surrogates(text)
    # character index in `fixed` -> index in `text` (a surrogate pair is one char there)
    back, i = [], 0
    for _ in fixed:
        back.append(i)
        pair = "\ud800" <= text[i] <= "\udbff" and "\udc00" <= text[i + 1 : i + 2] <= "\udfff"
        i += 2 if pair else 1
    back.append(len(text))
    byte_to_char = {}
    offset = 0
    for index, ch in enumerate(fixed):
        byte_to_char[offset] = index
        offset += len(ch.encode("utf-8"))
    byte_to_char[offset] = len(fixed)
    out, offset = {}, 0
    for k, token in enumerate([*raw.encode_ordinary(text), None]):
        if offset in byte_to_char:
            out[k] = back[byte_to_char[offset]]
        if token is not None:
            offset += len(raw.decode_single_token_bytes(token))
    return out


@pytest.mark.parametrize("name", ENCODINGS)
@given(text=texts)
def test_offsets_are_every_token_boundary_between_characters(name: str, text: str) -> None:
    tb = TokenBoundaries.of(get_encoding(name), text)
    assert dict(zip(tb.tok.tolist(), tb.pos.tolist(), strict=True)) == char_offsets(name, text)
    assert tb.n_tokens == len(raw_encoding(name).encode_ordinary(text))


@pytest.mark.parametrize("name", ENCODINGS)
@given(text=texts)
def test_safe_cuts_are_safe(name: str, text: str) -> None:
    raw = raw_encoding(name)
    tb = TokenBoundaries.of(get_encoding(name), text)
    whole = raw.encode_ordinary(text)
    for j in range(1, tb.pos.size - 1):
        if tb.safe[j]:
            p = int(tb.pos[j])
            assert raw.encode_ordinary(text[:p]) + raw.encode_ordinary(text[p:]) == whole, p


@pytest.mark.parametrize("name", ENCODINGS)
@given(text=texts)
def test_levels_follow_the_rules(name: str, text: str) -> None:
    tb = TokenBoundaries.of(get_encoding(name), text)
    fixed = fix_surrogates(text)
    # offsets into `fixed`: recompute them by treating the fixed text directly
    ftb = TokenBoundaries.of(get_encoding(name), fixed)
    assert ftb.level.tolist() == tb.level.tolist()
    expected = [level_at(fixed, int(p)) for p in ftb.pos[1:-1]]
    assert ftb.level[1:-1].tolist() == expected
    if tb.pos.size:
        assert tb.level[0] == tb.level[-1] == PARAGRAPH


@pytest.mark.parametrize("name", ENCODINGS)
def test_real_texts(name: str) -> None:
    enc = get_encoding(name)
    raw = raw_encoding(name)
    for file, text in real_texts().items():
        tb = TokenBoundaries.of(enc, text)
        assert tb.n_tokens == len(raw.encode_ordinary(text)), file
        assert dict(zip(tb.tok.tolist(), tb.pos.tolist(), strict=True)) == char_offsets(name, text)
        safe = tb.pos[tb.safe].tolist()
        for p in safe[1:-1:7]:
            assert raw.encode_ordinary(text[:p]) + raw.encode_ordinary(
                text[p:]
            ) == raw.encode_ordinary(text)
        assert tb.safe.mean() > 0.1, file  # enough safe cuts to count by subtraction


def test_class_table_blocks_are_filled_on_demand() -> None:
    import numpy as np

    cps = np.array([ord("a"), ord("日"), 0x10FFFF], dtype=np.uint32)
    flags = char_classes(cps)
    assert flags[0] and flags[1] and not flags[2]


def test_empty_text() -> None:
    tb = TokenBoundaries.of(get_encoding("cl100k_base"), "")
    assert tb.n_tokens == 0 and tb.pos.tolist() == [0] and tb.safe.tolist() == [True]
