"""split / iter_split: the guarantees, a slow reference, streaming, settings, real text."""

from __future__ import annotations

import io
import pickle

import pytest
import regex
from hypothesis import example, given
from hypothesis import strategies as st

import tokbudget.counting
import tokbudget.splitting.splitter
from tokbudget import get_encoding
from tokbudget.errors import InvalidInputError, SettingsError
from tokbudget.splitting.splitter import Chunk, Splitter, iter_split, split

from .conftest import raw_encoding, real_texts
from .reference_splitter import reference_split
from .strategies import boundary_text

ENCODINGS = ["cl100k_base", "o200k_base"]
texts = st.one_of(boundary_text, st.text(max_size=60))
limits = st.sampled_from([1, 2, 3, 8, 16, 50])


def check(text: str, chunks: list[Chunk], limit: int, overlap: int, name: str) -> None:
    """Every guarantee of the splitter's docstring."""
    raw = raw_encoding(name)
    if not text:
        assert chunks == []
        return
    assert chunks[0].start == 0 and chunks[-1].end == len(text)
    for i, c in enumerate(chunks):
        assert c.text == text[c.start : c.end] and c.text, c
        assert c.tokens == len(raw.encode_ordinary(c.text)) <= limit, c
        for p in (c.start, c.end):  # never inside a character (a surrogate pair is one)
            assert not splits_pair(text, p), c
        if i:
            prev = chunks[i - 1]
            if overlap == 0:
                assert c.start == prev.end
            else:
                assert prev.start < c.start <= prev.end < c.end
                repeated = text[c.start : prev.end]
                assert len(raw.encode_ordinary(repeated)) <= overlap
    if overlap == 0:
        assert "".join(c.text for c in chunks) == text


def splits_pair(text: str, p: int) -> bool:
    return 0 < p < len(text) and "\ud800" <= text[p - 1] <= "\udbff" <= text[p] <= "\udfff"


def split_or_error(text: str, limit: int, overlap: int, name: str) -> list[Chunk] | str:
    try:
        return split(text, limit, encoding=name, overlap=overlap)
    except SettingsError as exc:
        assert "cannot split" in str(exc) and limit < 4, exc  # 4 tokens hold any character
        return "error"


@pytest.mark.parametrize("name", ENCODINGS)
@given(text=texts, limit=limits, data=st.data())
@example(text="👩\u200d👩\u200d👧\u200d👦", limit=8, data=None).via("a ZWJ chunk start")
def test_guarantees_and_reference(
    name: str, text: str, limit: int, data: st.DataObject | None
) -> None:
    choices = st.sampled_from([0, 0, 1, limit // 2, limit - 1]).filter(lambda o: o < limit)
    overlap = 0 if data is None else data.draw(choices)
    got = split_or_error(text, limit, overlap, name)
    try:
        want: list[Chunk] | str = reference_split(text, name, limit, overlap)
    except SettingsError:
        want = "error"
    assert got == want
    if isinstance(got, list):
        check(text, got, limit, overlap, name)


@pytest.mark.parametrize("name", ENCODINGS)
@given(text=texts, limit=st.sampled_from([8, 16, 50]))
def test_clusters_kept_whole_where_they_fit(name: str, text: str, limit: int) -> None:
    raw = raw_encoding(name)
    ends = {m.end() for m in regex.finditer(r"\X", text)} | {0}
    for c in split(text, limit, encoding=name):
        if c.end not in ends and c.start in ends:
            first = min(e for e in ends if e > c.start)
            assert len(raw.encode_ordinary(text[c.start : first])) > limit, c


@pytest.fixture
def tiny_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make streaming cut tiny texts into many segments (as it does 1 MB ones)."""
    monkeypatch.setattr(tokbudget.counting, "_PIECE", 8)
    monkeypatch.setattr(tokbudget.splitting.splitter, "_NO_SAFE_CUT", 40)


@pytest.mark.usefixtures("tiny_segments")
@pytest.mark.parametrize("name", ENCODINGS)
@given(text=texts, limit=st.sampled_from([2, 3, 8, 30]), data=st.data())
def test_streaming_equals_whole_text(name: str, text: str, limit: int, data: st.DataObject) -> None:
    overlap = data.draw(st.sampled_from([0, 1, limit // 2]).filter(lambda o: o < limit))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=12)))
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    whole = split_or_error(text, limit, overlap, name)
    try:
        streamed: list[Chunk] | str = list(
            iter_split(pieces, limit, encoding=name, overlap=overlap)
        )
    except SettingsError:
        streamed = "error"
    assert streamed == whole


@pytest.mark.usefixtures("tiny_segments")
@pytest.mark.parametrize("name", ENCODINGS)
def test_streaming_real_texts(name: str) -> None:
    for file, text in real_texts().items():
        for limit, overlap in ((40, 0), (64, 16)):
            whole = split(text, limit, encoding=name, overlap=overlap)
            streamed = list(iter_split(io.StringIO(text), limit, encoding=name, overlap=overlap))
            assert streamed == whole, file
            check(text, whole, limit, overlap, name)


@pytest.mark.parametrize("name", ENCODINGS)
@pytest.mark.parametrize("limit", [256, 512])
def test_real_prose_is_well_filled(name: str, limit: int) -> None:
    fills = []
    for text in real_texts().values():
        chunks = split(text, limit, encoding=name)
        check(text, chunks, limit, 0, name)
        fills += [c.tokens / limit for c in chunks[:-1]]
    assert sum(fills) / len(fills) >= 0.8


@pytest.mark.parametrize("name", ENCODINGS)
@pytest.mark.parametrize(("limit", "overlap"), [(1, 0), (2, 1), (8, 0), (8, 3), (32, 0), (100, 30)])
def test_real_texts_match_reference(name: str, limit: int, overlap: int) -> None:
    for file, text in real_texts().items():
        part = text[:1500] if limit > 8 else text[:300]
        got = split_or_error(part, limit, overlap, name)
        try:
            want: list[Chunk] | str = reference_split(part, name, limit, overlap)
        except SettingsError:
            want = "error"
        assert got == want, file
        if isinstance(got, list):
            check(part, got, limit, overlap, name)


def test_paragraphs_come_first() -> None:
    text = "First paragraph, a sentence. Another one here.\n\nSecond paragraph starts. More."
    chunks = split(text, 14, encoding="cl100k_base")
    assert [c.text for c in chunks] == [
        "First paragraph, a sentence. Another one here.\n\n",
        "Second paragraph starts. More.",
    ]


def test_default_model_limit() -> None:
    s = Splitter()
    assert s.max_tokens == 8191 and s.enc.name == "cl100k_base"
    assert split("hello world") == [Chunk("hello world", 0, 11, 2)]


def test_empty_and_whitespace() -> None:
    assert split("", 5, encoding="cl100k_base") == []
    chunks = split(" " * 50 + "\n" * 30, 3, encoding="cl100k_base")
    assert "".join(c.text for c in chunks) == " " * 50 + "\n" * 30


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"max_tokens": 10, "overlap": 10}, SettingsError, "below max_tokens (10)"),
        ({"max_tokens": 10, "overlap": -1}, SettingsError, "overlap must be a whole number"),
        ({"max_tokens": 10, "overlap": 1.0}, SettingsError, "[0, 1)"),
        ({"max_tokens": 10, "overlap": "2"}, InvalidInputError, "overlap must be"),
        (
            {"max_tokens": 0},
            SettingsError,
            "max_tokens must be a whole number of tokens >= 1, got 0",
        ),
        ({"max_tokens": 2.5}, InvalidInputError, "got float 2.5"),
        ({"max_tokens": True}, InvalidInputError, "got bool True"),
    ],
)
def test_bad_settings_fail_at_call_time(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=regex.escape(message)):
        split("text", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(error, match=regex.escape(message)):
        iter_split(iter(()), **kwargs)  # type: ignore[arg-type]  # not iterated


def test_encoding_needs_max_tokens() -> None:
    with pytest.raises(SettingsError, match="max_tokens is required"):
        split("x", encoding="cl100k_base")


def test_overlap_fraction() -> None:
    assert Splitter(200, overlap=0.1).overlap == 20


def test_bad_sources() -> None:
    with pytest.raises(InvalidInputError, match="decode it"):
        split(b"bytes", 5)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        list(iter_split(42, 5))  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="stream piece 1"):
        list(iter_split(["ok", b"no"], 5))  # type: ignore[list-item]


def test_unsplittable_character_names_it() -> None:
    rare = "\U0001fab8"  # needs several byte tokens
    need = get_encoding("cl100k_base").count(rare)
    assert need > 1
    with pytest.raises(SettingsError, match=f"needs {need} tokens but max_tokens is 1"):
        split("a" + rare, 1, encoding="cl100k_base")


def test_splitter_pickles() -> None:
    s = Splitter(64, encoding="o200k_base", overlap=8)
    t = pickle.loads(pickle.dumps(s))
    assert (t.max_tokens, t.enc.name, t.overlap) == (64, "o200k_base", 8)
    assert repr(t) == "Splitter(max_tokens=64, encoding='o200k_base', overlap=8)"


@pytest.mark.usefixtures("tiny_segments")
@pytest.mark.parametrize("name", ENCODINGS)
@pytest.mark.parametrize("text", ["31415926535897932384" * 30, "١٢٣٤٥" * 60, "a" * 500])
def test_streaming_text_without_safe_cuts(name: str, text: str) -> None:
    # No safe cut anywhere: segments end at pre-tokenizer piece boundaries, and the carry
    # must be cut there too rather than grow with the stream.
    pieces = [text[i : i + 7] for i in range(0, len(text), 7)]
    for limit, overlap in ((3, 0), (16, 5)):
        whole = split(text, limit, encoding=name, overlap=overlap)
        assert list(iter_split(pieces, limit, encoding=name, overlap=overlap)) == whole
        check(text, whole, limit, overlap, name)
