"""Characters whose class differs between the ``regex`` module and tiktoken's Rust regex."""

from __future__ import annotations

import subprocess
import sys

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

import tokbudget.counting as counting
from tests.conftest import raw_encoding
from tests.strategies import RECENT, recent_char
from tokbudget.counting import count_stream, safe_segments
from tokbudget.tokenizer.charclass import (
    NONCHARACTER,
    as_tiktoken_sees_it,
    probe,
    unknown_code_points,
)
from tokbudget.tokenizer.encoder import get_encoding
from tokbudget.tokenizer.pretokenize import PieceSplitter, last_safe_cut, next_safe_cut

UNKNOWN = [chr(c) for c in unknown_code_points()]
CLASSIFIED = regex.compile(r"[\p{L}\p{N}\p{M}]")


def pieces(name: str, text: str) -> list[int]:
    enc = get_encoding(name)
    return [t for p in PieceSplitter(enc.spec.pat_str).pieces(text) for t in enc.encode_piece(p)]


def test_old_letters_are_known() -> None:
    assert as_tiktoken_sees_it("aé中ß١\u0301𝔸") == "aé中ß١\u0301𝔸"
    assert not set("aé中ß١\u0301𝔸") & set(UNKNOWN)


def test_unknown_characters_are_all_new() -> None:
    # Everything tiktoken does not know is newer than Python's own tables (Unicode 14+).
    assert set(UNKNOWN) <= set(RECENT)


@pytest.mark.skipif(not UNKNOWN, reason="tiktoken and regex share Unicode tables here")
def test_the_probe_is_right_about_every_unknown_character() -> None:
    # As punctuation to tiktoken, an unknown character joins a following "/" in o200k and
    # absorbs following newlines in cl100k; as a letter to regex it would not.
    text = "".join(c + "/A\n" for c in UNKNOWN[::50])
    assert as_tiktoken_sees_it(text).count(NONCHARACTER) == len(UNKNOWN[::50])
    for name in ("cl100k_base", "o200k_base"):
        assert pieces(name, text) == raw_encoding(name).encode_ordinary(text)


@pytest.mark.parametrize("text", ["\U000323b0/A", "\U0003d000£o", "x\U000323b0\n\nword"])
def test_piece_splitter_on_characters_newer_than_tiktoken(text: str) -> None:
    for name in ("cl100k_base", "o200k_base"):
        assert pieces(name, text) == raw_encoding(name).encode_ordinary(text)


@given(st.lists(st.one_of(recent_char, st.sampled_from([" ", "\n", "\n\n", "'s", "/", "ab"]))))
def test_safe_cuts_hold_for_recent_characters(parts: list[str]) -> None:
    text = "".join(parts)
    for name in ("cl100k_base", "o200k_base"):
        raw = raw_encoding(name)
        for cut in {last_safe_cut(text), next_safe_cut(text)} - {-1}:
            assert raw.encode_ordinary(text[:cut]) + raw.encode_ordinary(text[cut:]) == (
                raw.encode_ordinary(text)
            )


def test_stream_cut_after_an_unknown_letter(monkeypatch: pytest.MonkeyPatch) -> None:
    # A streamed count must not cut after a letter tiktoken does not know.
    monkeypatch.setattr(counting, "_PIECE", 8)
    text = ("word \U000323b0\n\nmore text " * 40) + "end"
    enc = get_encoding("cl100k_base")
    blocks = [text[i : i + 5] for i in range(0, len(text), 5)]
    segments = list(safe_segments(enc, blocks))
    assert "".join(segments) == text and len(segments) > 1
    raw = raw_encoding("cl100k_base")
    assert [t for s in segments for t in raw.encode_ordinary(s)] == raw.encode_ordinary(text)
    assert count_stream(blocks, encoding="cl100k_base") == len(raw.encode_ordinary(text))


def test_the_vocab_free_probe_answers_as_o200k_on_every_code_point() -> None:
    # The 258-token probe encoding stands in for o200k_base: same answer everywhere.
    chars = sorted(set(CLASSIFIED.findall("".join(map(chr, range(0x110000))))))
    assert len(chars) > 150_000
    assert probe(chars) == probe(chars, raw_encoding("o200k_base"))


def test_counting_with_cl100k_never_loads_o200k() -> None:
    # Characters newer than Python's tables make charclass ask tiktoken; it must not load
    # o200k's vocab (0.3 s, ~60 MB) to answer inside cl100k work.
    recent = "".join(RECENT[::500]) or "\U000323b0"
    code = f"""
import tokbudget
from tokbudget.tokenizer import encoder, vocab
loaded = []
original = vocab.load_ranks
encoder.load_ranks = lambda path, sha: loaded.append(str(path)) or original(path, sha)
text = "word {recent}\\n\\nmore " * 50
tokbudget.count(text, encoding="cl100k_base")
tokbudget.split(text, 20, encoding="cl100k_base")
tokbudget.truncate(text, 30, encoding="cl100k_base")
from tokbudget.tokenizer.charclass import unknown_code_points
unknown_code_points()
assert sorted(encoder._CACHE) == ["cl100k_base"], sorted(encoder._CACHE)
assert len(loaded) == 1 and "cl100k" in loaded[0], loaded
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
