"""Safe cuts are final piece boundaries of each encoding's own pre-tokenizer.

These properties need no vocab: they compare the pre-tokenizer's pieces (tiktoken's
pattern, run by the ``regex`` module) of a text with those of its two sides.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tokbudget.counting as counting
from tests.strategies import tricky_text
from tokbudget.counting import count, count_stream
from tokbudget.tokenizer.encoder import load_encoding
from tokbudget.tokenizer.pretokenize import last_safe_cut, next_safe_cut
from tokbudget.tokenizer.vocab import CL100K_PAT, O200K_PAT, R50K_PAT

from .helpers import pieces

PATTERNS = {"cl100k": CL100K_PAT, "o200k": O200K_PAT, "r50k": R50K_PAT}


@pytest.mark.parametrize("name", PATTERNS)
@given(text=tricky_text, at=st.integers(0, 400))
def test_safe_cuts_are_final_piece_boundaries(name: str, text: str, at: int) -> None:
    pat = PATTERNS[name]
    at = min(at, len(text))
    for cut in {last_safe_cut(text, 0, at, pat_str=pat), next_safe_cut(text, at, pat_str=pat)}:
        if cut > 0:
            assert pieces(pat, text) == pieces(pat, text[:cut]) + pieces(pat, text[cut:])


def test_r50k_has_no_newline_cut() -> None:
    # "a  \\n" ends in one whitespace piece (\\s++$) where "a  \\nx" has two.
    assert pieces(R50K_PAT, "a  \nx") == ["a", "  ", "\n", "x"]
    assert pieces(R50K_PAT, "a  \n") == ["a", "  \n"]
    assert last_safe_cut("a  \nx", pat_str=R50K_PAT) == 1  # after the letter only
    assert last_safe_cut("a  \nx", pat_str=CL100K_PAT) == 4  # after the newline


def test_an_unknown_pattern_has_no_safe_cut() -> None:
    assert last_safe_cut("a b\nc", pat_str=r"\S+|\s+") == -1
    assert next_safe_cut("a b\nc", pat_str=r"\S+|\s+") == -1


def test_streaming_a_user_encoding_with_its_own_pattern(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No safe cut is proven for a user's pattern: streaming falls back to final piece
    # boundaries and stays exact.

    lines = [f"{base64.b64encode(bytes([i])).decode()} {i}" for i in range(256)]
    lines.append(f"{base64.b64encode(b'  ').decode()} 256")
    path = tmp_path / "mine.tiktoken"
    path.write_text("\n".join(lines) + "\n")

    load_encoding(path, pat_str=r"\S+|\s+")
    monkeypatch.setattr(counting, "_PIECE", 8)
    monkeypatch.setattr(counting, "_HARD_LIMIT", 32)
    text = "ab    cd\n\n  efg " * 50
    blocks = [text[i : i + 7] for i in range(0, len(text), 7)]
    assert count_stream(blocks, encoding=str(path)) == count(text, encoding=str(path))
