"""`POST /api/split` of `tokbudget serve`: tokbudget.split's chunks, as offsets."""

from __future__ import annotations

import itertools
import json
import statistics
import time
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import tokbudget
from tokbudget import InvalidInputError, SettingsError

from .conftest import raw_encoding, real_texts
from .strategies import boundary_text
from .web_support import Client, assert_clean_error, running_server


def split(client: Client, doc: dict[str, Any]) -> dict[str, Any]:
    reply = client.post("/api/split", doc)
    assert reply.status == 200, reply.body
    return dict(reply.json())


def rows(chunks: list[tokbudget.Chunk]) -> list[dict[str, int]]:
    return [{"start": c.start, "end": c.end, "tokens": c.tokens} for c in chunks]


def in_utf16(text: str, chunks: list[tokbudget.Chunk]) -> list[dict[str, int]]:
    """The chunks with offsets in UTF-16 code units, counted here by encoding prefixes."""

    def units(i: int) -> int:
        return len(text[:i].encode("utf-16-le", "surrogatepass")) // 2

    return [{"start": units(c.start), "end": units(c.end), "tokens": c.tokens} for c in chunks]


def assert_tiles(length: int, chunks: list[dict[str, int]]) -> None:
    """No overlap: the first starts at 0, each starts where the one before ended, the last
    ends at the end; none is empty."""
    if length == 0:
        assert chunks == []
        return
    assert chunks[0]["start"] == 0 and chunks[-1]["end"] == length
    assert all(c["start"] < c["end"] for c in chunks)
    for a, b in itertools.pairwise(chunks):
        assert a["end"] == b["start"]


@given(
    text=boundary_text,
    encoding=st.sampled_from(["cl100k_base", "o200k_base"]),
    max_tokens=st.integers(4, 40),
)
@example(text="a🦜b \ud800\udfff c\ud83d." * 5, encoding="cl100k_base", max_tokens=4)
@example(text="'s\U000113b8", encoding="cl100k_base", max_tokens=4)
@example(text="  \u1100\u1161\u11a8", encoding="o200k_base", max_tokens=4)
def test_offsets_tile_the_text(client: Client, text: str, encoding: str, max_tokens: int) -> None:
    # The server sees the text as JSON spells it ("\ud800\udfff" is one character there).
    text = json.loads(json.dumps(text))
    chunks = tokbudget.split(text, max_tokens, encoding=encoding)
    doc = split(client, {"text": text, "encoding": encoding, "max_tokens": max_tokens})
    assert (doc["model"], doc["encoding"], doc["offsets"]) == (None, encoding, "codepoints")
    assert (doc["max_tokens"], doc["overlap"], doc["characters"]) == (max_tokens, 0, len(text))
    assert doc["chunks"] == rows(chunks)
    assert doc["count"] == len(chunks)
    # The sum of the chunks' own counts, not the text's: where a cut has to fall inside a
    # pre-tokenizer piece the two sides encode differently ("'s" + a letter tiktoken does
    # not know: one token more; "  각" cut inside its grapheme: one fewer).
    assert doc["tokens"] == sum(c.tokens for c in chunks)
    assert_tiles(len(text), doc["chunks"])
    for row in doc["chunks"]:
        piece = text[row["start"] : row["end"]]
        assert row["tokens"] == len(raw_encoding(encoding).encode_ordinary(piece)) <= max_tokens
    # UTF-16 offsets (JavaScript's string indices): the same chunks, counted in code units.
    js = text.encode("utf-16-le", "surrogatepass")
    doc16 = split(
        client, {"text": text, "encoding": encoding, "max_tokens": max_tokens, "offsets": "utf16"}
    )
    assert doc16["offsets"] == "utf16" and doc16["chunks"] == in_utf16(text, chunks)
    assert_tiles(len(js) // 2, doc16["chunks"])
    for row, chunk in zip(doc16["chunks"], chunks, strict=True):
        piece = js[2 * row["start"] : 2 * row["end"]].decode("utf-16-le", "surrogatepass")
        assert piece == chunk.text


@given(text=boundary_text, max_tokens=st.integers(4, 30), data=st.data())
def test_overlap_equals_the_library(
    client: Client, text: str, max_tokens: int, data: st.DataObject
) -> None:
    text = json.loads(json.dumps(text))
    overlap = data.draw(st.one_of(st.integers(0, max_tokens - 1), st.sampled_from([0.1, 0.5])))
    chunks = tokbudget.split(text, max_tokens, "gpt-4o", overlap=overlap)
    doc = split(client, {"text": text, "model": "gpt-4o", "max_tokens": max_tokens,
                         "overlap": overlap})  # fmt: skip
    assert doc["chunks"] == rows(chunks)
    assert doc["overlap"] == (int(overlap * max_tokens) if isinstance(overlap, float) else overlap)
    if chunks:  # covered in order: starts and ends both rise, from 0 to the end
        assert doc["chunks"][0]["start"] == 0 and doc["chunks"][-1]["end"] == len(text)
        for a, b in itertools.pairwise(doc["chunks"]):
            assert a["start"] < b["start"] <= a["end"] < b["end"]


@pytest.mark.parametrize("name", sorted(real_texts()))
def test_real_text(client: Client, name: str) -> None:
    text = real_texts()[name]
    for max_tokens in (7, 128):
        chunks = tokbudget.split(text, max_tokens, "text-embedding-3-large")
        doc = split(client, {"text": text, "model": "text-embedding-3-large",
                             "max_tokens": max_tokens, "offsets": "utf16"})  # fmt: skip
        assert doc["chunks"] == in_utf16(text, chunks)
        assert_tiles(len(text.encode("utf-16-le")) // 2, doc["chunks"])


def test_astral_example(client: Client) -> None:
    # 🦜 is one code point, two UTF-16 units and three cl100k tokens: never cut inside.
    text = "🦜🦜 ab 🦜"
    doc = split(client, {"text": text, "encoding": "cl100k_base", "max_tokens": 4})
    assert doc["chunks"] == [
        {"start": 0, "end": 1, "tokens": 3},
        {"start": 1, "end": 5, "tokens": 4},
        {"start": 5, "end": 7, "tokens": 3},  # " 🦜": the space joins its first byte
    ]
    doc = split(
        client, {"text": text, "encoding": "cl100k_base", "max_tokens": 4, "offsets": "utf16"}
    )
    assert [(c["start"], c["end"]) for c in doc["chunks"]] == [(0, 2), (2, 7), (7, 10)]


def test_defaults_are_the_library_defaults(client: Client) -> None:
    text = real_texts()["english.txt"]
    doc = split(client, {"text": text})
    assert (doc["model"], doc["encoding"], doc["max_tokens"], doc["overlap"]) == (
        "text-embedding-3-small",
        "cl100k_base",
        8191,
        0,
    )
    assert doc["chunks"] == rows(tokbudget.split(text))
    nulls = {"model": "gpt-4o", "max_tokens": None, "overlap": None, "offsets": None}
    doc = split(client, {"text": text, **nulls, "encoding": None})
    assert doc["max_tokens"] == tokbudget.get_model("gpt-4o").input_limit
    assert (doc["overlap"], doc["offsets"]) == (0, "codepoints")
    assert split(client, {"text": "", "max_tokens": 3})["chunks"] == []


@pytest.mark.parametrize(
    "settings",
    [
        {"max_tokens": 0},
        {"max_tokens": -5},
        {"max_tokens": "512"},
        {"max_tokens": 1.5},
        {"max_tokens": True},
        {"max_tokens": 8, "overlap": 8},
        {"max_tokens": 8, "overlap": -1},
        {"max_tokens": 8, "overlap": 1.0},
        {"max_tokens": 8, "overlap": "2"},
        {"max_tokens": 8, "overlap": [2]},
        {"max_tokens": 2, "text": "a🦜"},  # the parrot alone needs 3 tokens
        {"encoding": "cl100k_base"},  # no model, so no input limit to default to
    ],
)
def test_bad_settings_get_the_library_message(client: Client, settings: dict[str, Any]) -> None:
    doc = {"text": "hello world", "model": "text-embedding-3-small", **settings}
    if "encoding" in settings:
        del doc["model"]
    with pytest.raises((SettingsError, InvalidInputError)) as caught:
        tokbudget.split(
            doc["text"],
            doc.get("max_tokens"),
            doc.get("model"),
            encoding=doc.get("encoding"),
            overlap=doc.get("overlap", 0),
        )
    error = assert_clean_error(client.post("/api/split", doc), 400, "bad_setting")
    assert error["message"] == str(caught.value)


@pytest.mark.parametrize(
    ("doc", "code", "needle"),
    [
        ({"text": "x", "model": "gpt-nope"}, "unknown_model", "'gpt-nope'"),
        ({"text": "x", "encoding": "/etc/passwd"}, "unknown_encoding", ""),
        ({"text": "x", "offsets": "bytes"}, "bad_request", "'utf16'"),
        ({"text": "x", "max_token": 5}, "bad_request", "unknown field 'max_token'"),
        ({"max_tokens": 5}, "bad_request", "missing field 'text'"),
        ({"text": ["x"]}, "bad_request", "must be a string, got an array"),
    ],
)
def test_bad_requests(client: Client, doc: dict[str, Any], code: str, needle: str) -> None:
    assert_clean_error(client.post("/api/split", doc), 400, code, needle)


def test_oversized_body_gets_413_and_server_keeps_serving() -> None:
    with running_server(max_body=1000) as srv:
        c = Client(srv)
        big = {"text": "word " * 400, "max_tokens": 10}
        assert_clean_error(c.post("/api/split", big), 413, "too_large", "limit is 1,000 bytes")
        text = "word " * 100
        reply = c.post("/api/split", {"text": text, "max_tokens": 10})
        assert reply.json()["count"] == len(tokbudget.split(text, 10))
        c.close()


def test_split_100kb_timing(client: Client) -> None:
    """Reported, not asserted tightly: splitting is not on the keystroke path."""
    text = (real_texts()["english.txt"] * 12).encode()[:100_000].decode("utf-8", "ignore")
    body = json.dumps({"text": text, "max_tokens": 256, "offsets": "utf16"}).encode()
    headers = {"Content-Type": "application/json"}
    client.request("POST", "/api/split", body, headers)  # warm the caches
    times = []
    for _ in range(5):
        start = time.perf_counter()
        assert client.request("POST", "/api/split", body, headers).status == 200
        times.append(time.perf_counter() - start)
    median_ms = statistics.median(times) * 1000
    print(f"\n/api/split 100 KB english, 256-token chunks: median {median_ms:.1f} ms")
    assert median_ms < 1000
