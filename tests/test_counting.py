"""count / count_many / count_stream / encode / decode: exact, and clear on bad input."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tokbudget
from tokbudget import InvalidInputError, SettingsError, UnknownModelError, UnknownTokenError
from tokbudget.counting import count_stream

from .conftest import raw_encoding, real_texts
from .strategies import tricky_text


@given(tricky_text)
def test_count_equals_tiktoken(text: str) -> None:
    for name in ("cl100k_base", "o200k_base"):
        assert tokbudget.count(text, encoding=name) == len(raw_encoding(name).encode_ordinary(text))


def test_count_by_model_and_default() -> None:
    assert tokbudget.count("hello world") == 2
    assert tokbudget.count("hello world", model="gpt-4") == 2
    assert tokbudget.count("hello world", "gpt-4o-2024-08-06") == 2


def test_special_token_text_is_ordinary() -> None:
    raw = raw_encoding("cl100k_base")
    text = "a <|endoftext|> b <|fim_prefix|>"
    assert tokbudget.count(text, encoding="cl100k_base") == len(raw.encode_ordinary(text))
    assert tokbudget.encode(text, encoding="cl100k_base") == raw.encode_ordinary(text)
    assert 100257 not in tokbudget.encode(text, encoding="cl100k_base")
    assert 100257 in tokbudget.encode(
        text, encoding="cl100k_base", allowed_special={"<|endoftext|>"}
    )
    with pytest.raises(ValueError, match="disallowed special token"):
        tokbudget.encode(text, encoding="cl100k_base", disallowed_special="all")


def test_empty_and_real_texts(encoding_name: str) -> None:
    assert tokbudget.count("", encoding=encoding_name) == 0
    raw = raw_encoding(encoding_name)
    for name, text in real_texts().items():
        assert tokbudget.count(text, encoding=encoding_name) == len(raw.encode_ordinary(text)), name


@pytest.mark.slow
def test_ten_megabytes(encoding_name: str) -> None:
    text = "".join(real_texts().values())
    text = (text * (10_000_000 // len(text) + 1))[:10_000_000]
    assert tokbudget.count(text, encoding=encoding_name) == len(
        raw_encoding(encoding_name).encode_ordinary(text)
    )


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        (b"hello", "decode it first"),
        (None, "got None"),
        (42, "got int"),
        (["a"], "got list"),
    ],
)
def test_bad_input_is_a_clear_error(value: object, needle: str) -> None:
    with pytest.raises(InvalidInputError, match=needle):
        tokbudget.count(value)  # type: ignore[arg-type]
    assert issubclass(InvalidInputError, TypeError)


def test_unknown_model_suggests() -> None:
    with pytest.raises(UnknownModelError, match="unknown model 'claude-3'"):
        tokbudget.count("x", model="claude-3")
    # Counting fails open for a known family; the registry lookup itself is strict.
    assert tokbudget.count("hello world", model="gpt-4o-mni") == 2
    with pytest.raises(UnknownModelError) as info:
        tokbudget.get_model("gpt-4o-mni")
    assert isinstance(info.value, KeyError)
    assert "gpt-4o-mini" in info.value.suggestions
    assert "gpt-4o-mini" in str(info.value)


def test_model_and_encoding_together_is_an_error() -> None:
    with pytest.raises(SettingsError, match="not both"):
        tokbudget.count("x", model="gpt-4o", encoding="cl100k_base")


@pytest.mark.parametrize(
    ("model", "encoding"),
    [
        ("gpt-4o-2024-08-06", "o200k_base"),
        ("gpt-5.9-mini-2027-01-01", "o200k_base"),
        ("gpt-4o-mini", "o200k_base"),
        ("ft:gpt-4o-mini-2024-07-18:acme::abc123", "o200k_base"),
        ("openai/gpt-4.1-nano", "o200k_base"),
        ("gpt-4-0613", "cl100k_base"),
        ("gpt-3.5-turbo", "cl100k_base"),
        ("text-embedding-3-small", "cl100k_base"),
        ("text-embedding-ada-002", "cl100k_base"),
        ("o3-mini", "o200k_base"),
        ("gpt-oss-120b", "o200k_harmony"),
    ],
)
def test_encoding_for(model: str, encoding: str) -> None:
    assert tokbudget.encoding_for(model).name == encoding


@pytest.mark.parametrize(
    ("model", "encoding"),
    [
        ("gpt-5.9-mini-2027-01-01", "o200k_base"),
        ("gpt-4.1-mini-2099-01-01", "o200k_base"),
        ("o4-mini-2030-01-01", "o200k_base"),
        ("gpt-4-0125-preview", "cl100k_base"),
        ("ft:gpt-4.1-nano-2025-04-14:acme::x1", "o200k_base"),
    ],
)
def test_new_snapshots_of_known_families_fail_open(model: str, encoding: str) -> None:
    assert tokbudget.encoding_for(model).name == encoding


@pytest.mark.parametrize("typo", ["gpt-4oo", "gpt-55", "o10", "gpt-4omini"])
def test_a_family_prefix_does_not_swallow_typos(typo: str) -> None:
    with pytest.raises(tokbudget.UnknownModelError):
        tokbudget.count("x", model=typo)


# ---------------------------------------------------------------- many


@given(st.lists(tricky_text, max_size=30))
def test_count_many_equals_loop(texts: list[str]) -> None:
    raw = raw_encoding("o200k_base")
    got = tokbudget.count_many(texts, encoding="o200k_base")
    assert got.dtype == np.int64
    assert got.tolist() == [len(raw.encode_ordinary(t)) for t in texts]


def test_count_many_iterable_and_batches() -> None:
    texts = (
        f"text number {i} <|endoftext|>" if i % 1000 == 0 else f"text {i}" for i in range(30_000)
    )
    got = tokbudget.count_many(texts, model="gpt-4")
    raw = raw_encoding("cl100k_base")
    expected = [
        len(raw.encode_ordinary(f"text number {i} <|endoftext|>" if i % 1000 == 0 else f"text {i}"))
        for i in range(30_000)
    ]
    assert got.tolist() == expected
    big = ["word " * 100_000, "x", "more words " * 50_000]  # several batches, threads
    assert tokbudget.count_many(big, encoding="cl100k_base").tolist() == [
        len(raw.encode_ordinary(t)) for t in big
    ]


def test_count_many_bad_items() -> None:
    with pytest.raises(InvalidInputError, match=r"texts\[1\]"):
        tokbudget.count_many(["ok", b"bytes"])  # type: ignore[list-item]
    with pytest.raises(InvalidInputError, match="single str"):
        tokbudget.count_many("not a list")
    assert tokbudget.count_many([]).tolist() == []


# ---------------------------------------------------------------- streams


@given(tricky_text, st.lists(st.integers(min_value=0, max_value=200), max_size=8))
def test_stream_equals_whole(text: str, cuts: list[int]) -> None:
    points = sorted({min(c, len(text)) for c in cuts})
    pieces = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    for name in ("cl100k_base", "o200k_base"):
        whole = len(raw_encoding(name).encode_ordinary(text))
        assert count_stream(pieces, encoding=name) == whole


def test_stream_of_real_text_in_small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    # Shrink the streaming step so that many safe cuts are taken on a small fixture.
    monkeypatch.setattr("tokbudget.counting._PIECE", 64)
    raw = raw_encoding("o200k_base")
    for name, text in real_texts().items():
        blocks = [text[i : i + 37] for i in range(0, len(text), 37)]
        assert count_stream(blocks, encoding="o200k_base") == len(raw.encode_ordinary(text)), name


def test_stream_without_safe_cuts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tokbudget.counting._PIECE", 16)
    monkeypatch.setattr("tokbudget.counting._HARD_LIMIT", 64)
    text = "1234567890" * 50 + "!!" * 40
    blocks = [text[i : i + 7] for i in range(0, len(text), 7)]
    assert count_stream(blocks, encoding="cl100k_base") == len(
        raw_encoding("cl100k_base").encode_ordinary(text)
    )


# ---------------------------------------------------------------- decode


def test_decode_round_trip_and_errors() -> None:
    ids = tokbudget.encode("héllo wörld 🙂", encoding="o200k_base")
    assert tokbudget.decode(ids, encoding="o200k_base") == "héllo wörld 🙂"
    assert tokbudget.decode(np.array(ids), encoding="o200k_base") == "héllo wörld 🙂"
    with pytest.raises(SettingsError, match="not in o200k_base's vocabulary"):
        tokbudget.decode([10**7], encoding="o200k_base")


# Ids no encoding here can decode: past the end, negative, beyond u32, and the gaps between
# the ordinary and the special ids (cl100k_base has none at 100256, o200k_base at 199998).
BAD_IDS = {
    "cl100k_base": [100256, 100261, 100275, 100277, -1, 2**32, 10**30],
    "o200k_base": [199998, 200000, 200017, 200019, -1, 2**32, 10**30],
}


def _valid_ids(name: str) -> st.SearchStrategy[int]:
    # Ordinary ids are the ranks 0..N-1; the special ids come after a gap (o200k_base has
    # no id 199998: drawing below the first special id could hit it).
    enc = raw_encoding(name)
    specials = sorted(enc._special_tokens.values())
    return st.one_of(
        st.integers(0, len(enc._mergeable_ranks) - 1),
        st.sampled_from(specials),
    )


@given(st.data())
def test_decode_bytes_equals_tiktoken(data: st.DataObject) -> None:
    for name in ("cl100k_base", "o200k_base"):
        ids = data.draw(st.lists(_valid_ids(name), max_size=30))
        got = tokbudget.decode_bytes(ids, encoding=name)
        assert got == raw_encoding(name).decode_bytes(ids)
        assert tokbudget.decode(ids, encoding=name) == got.decode("utf-8", "replace")


def test_decode_bytes_keeps_partial_characters() -> None:
    ids = tokbudget.encode("🙂", encoding="cl100k_base")
    assert len(ids) > 1  # the emoji takes several tokens: each alone is not UTF-8
    parts = [tokbudget.decode_bytes([t], encoding="cl100k_base") for t in ids]
    assert b"".join(parts) == "🙂".encode()
    with pytest.raises(UnicodeDecodeError):
        parts[0].decode("utf-8")
    assert tokbudget.decode(ids[:1], encoding="cl100k_base") == "\ufffd"


@given(st.data())
def test_unknown_token_error_names_every_bad_id(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(BAD_IDS)))
    ids = data.draw(st.lists(_valid_ids(name), max_size=12))
    for _ in range(data.draw(st.integers(1, 8))):
        ids.insert(data.draw(st.integers(0, len(ids))), data.draw(st.sampled_from(BAD_IDS[name])))
    bad = [(i, t) for i, t in enumerate(ids) if t in BAD_IDS[name]]
    with pytest.raises(UnknownTokenError) as info:
        tokbudget.decode_bytes(ids, encoding=name)
    err = info.value
    assert isinstance(err, SettingsError) and isinstance(err, ValueError)
    assert err.encoding == name
    assert list(zip(err.positions, err.tokens, strict=True)) == bad
    for i, t in bad[:5]:
        assert f"{t} (at {i})" in str(err)
    assert (err.parameter, err.value) == (f"tokens[{bad[0][0]}]", bad[0][1])
    n_vocab = raw_encoding(name).n_vocab
    in_a_gap = any(0 <= t < n_vocab for _, t in bad)
    assert (", not every one used;" in str(err)) == in_a_gap  # said only where it is true
    assert pickle.loads(pickle.dumps(err)).tokens == err.tokens
    with pytest.raises(UnknownTokenError):
        tokbudget.decode(ids, encoding=name)
