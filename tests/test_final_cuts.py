"""Early exit and streaming cut text only where tiktoken's pieces really end (issue 10 item 1).

Text without a safe cut for a whole window (letter-free text: whitespace of every kind,
punctuation, digits, emoji) is cut at a final piece boundary. Cutting right after a run of
whitespace was wrong: ``\\s+(?!\\S)`` leaves the run's last character to the next piece,
and counted alone the run is one piece again (``"\\t" * 1097 + "!" * 3000`` counted 444
instead of 445). Windows and segments are shrunk here so that every example crosses many.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tokbudget
import tokbudget.splitting.splitter
from tokbudget import ContextOverflowError, ModelSpec
from tokbudget.budget import check_stream
from tokbudget.cli import main
from tokbudget.counting import count_stream
from tokbudget.tokenizer.pretokenize import (
    FINAL_MARGIN,
    PieceSplitter,
    last_final_boundary,
    last_safe_cut,
)
from tokbudget.tokenizer.vocab import CL100K_PAT, O200K_PAT, R50K_PAT

from .helpers import pieces, true_count

ENCODINGS = ["cl100k_base", "o200k_base"]
PATTERNS = [CL100K_PAT, O200K_PAT, R50K_PAT]

WHITESPACE = [
    " ", "\t", "\u00a0", "\u3000", "\u2028", "\r", "\n", "\r\n", "\n\r", "\x0b", "\x0c",
    "\x85", "  ", "\t\t\t", " \t", "\t ", "\n\n", " \n ",
]  # fmt: skip
OTHER = [
    "!", "-", "/", "'", "'s", "'ll", ".", "…", "%", "=", "#", "1", "12", "123", "1234", "٣",
    "😀", "👩\u200d👧", "\u200d", "\u0301", "\ufe0f", "🇫🇷", "<|endoftext|>",
    "\ud800", "\udfff", "\ud83d\ude00", "\ud83d", "\ude00", "<|", "|>", "<|endoftext|",
    "<|fim_prefix|>", "<|endofprompt|>", "<||>",
]  # fmt: skip
_UNIT = st.sampled_from(WHITESPACE + OTHER)
_RUN = st.builds(lambda unit, times: unit * times, _UNIT, st.integers(1, 30))

letter_free = st.lists(st.one_of(_UNIT, _RUN), min_size=1, max_size=30).map("".join)
"""Text without letters: whitespace of every kind around punctuation, digits, emoji (ZWJ
sequences, flags), lone surrogates and pairs held as two code points, and special tokens
and their look-alikes, in runs long enough to span the shrunk windows."""

mostly_letter_free = st.one_of(
    letter_free,
    st.lists(
        st.one_of(
            _UNIT,
            _RUN,
            st.sampled_from(["a", "Ab", "s", "ll", "é", "B", "BBB", "\u0301", "ǅ", "ʰ", "中"]),
        ),
        max_size=30,
    ).map("".join),
)


@pytest.fixture
def tiny_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every path cut small texts as it cuts megabytes."""
    monkeypatch.setattr(tokbudget.counting, "_MIN_STEP", 4)
    monkeypatch.setattr(tokbudget.counting, "_CHARS_PER_TOKEN", 0.1)
    monkeypatch.setattr(tokbudget.counting, "_PIECE", 8)
    monkeypatch.setattr(tokbudget.counting, "_HARD_LIMIT", 12)
    monkeypatch.setattr(tokbudget.splitting.splitter, "_NO_SAFE_CUT", 12)


# ------------------------------------------------------------------ the cut rules


@pytest.mark.parametrize("pat", PATTERNS)
@given(text=mostly_letter_free, end=st.integers(0, 400), data=st.data())
def test_final_boundaries_are_final(pat: str, text: str, end: int, data: st.DataObject) -> None:
    # Whatever follows the window, the pieces before the boundary stay, and the prefix
    # alone has exactly those pieces.
    end = min(end, len(text))
    rest = data.draw(st.sampled_from(["", " ", "!", "\n", "a", "1", "'s", text]))
    whole = text + rest
    cut = last_final_boundary(whole, 0, end, pat_str=pat)
    if cut > 0:
        assert cut <= end - FINAL_MARGIN
        assert pieces(pat, whole) == pieces(pat, whole[:cut]) + pieces(pat, whole[cut:])


@pytest.mark.parametrize("pat", PATTERNS)
@given(text=mostly_letter_free, at=st.integers(0, 400))
def test_safe_cuts_in_letter_free_text(pat: str, text: str, at: int) -> None:
    cut = last_safe_cut(text, 0, min(at, len(text)), pat_str=pat)
    if cut > 0:
        assert pieces(pat, text) == pieces(pat, text[:cut]) + pieces(pat, text[cut:])


def test_no_final_boundary_after_whitespace() -> None:
    text = "\t" * 10 + "!" * 10
    # The pieces are "\t" * 9, "\t", "!" * 10: no boundary follows a non-space.
    assert pieces(CL100K_PAT, text) == ["\t" * 9, "\t", "!" * 10]
    assert last_final_boundary(text, 0, len(text), pat_str=CL100K_PAT) == -1
    assert last_final_boundary("1234567!", 0, 8, pat_str=CL100K_PAT) == 3  # not 6: margin
    assert last_final_boundary("1234567!", 0, 8, pat_str=CL100K_PAT, complete=True) == 7
    assert last_final_boundary("1234567!", 0, 8, pat_str=r"\d|\D") == -1  # unproven pattern


def test_no_final_boundary_inside_a_run_of_letters_and_marks() -> None:
    # o200k's first letter rule runs through capitals and marks, then backs off: the
    # window "\u0301BBB" ends a piece after the mark, the whole text does not.
    assert pieces(O200K_PAT, "\u0301BBB") == ["\u0301", "BBB"]
    assert pieces(O200K_PAT, "\u0301BBBa") == ["\u0301BBBa"]
    assert last_final_boundary("\u0301BBBa", 0, 4, pat_str=O200K_PAT) == -1
    assert last_final_boundary("\u0301BBB!!!", 0, 7, pat_str=O200K_PAT) == 4


# ------------------------------------------------------------------ every path agrees


@pytest.mark.usefixtures("tiny_windows")
@pytest.mark.parametrize("encoding", ENCODINGS)
@given(text=letter_free, limit=st.integers(0, 40), block=st.integers(1, 9))
def test_counting_paths(encoding: str, text: str, limit: int, block: int) -> None:
    true = true_count(text, encoding)
    assert tokbudget.count(text, encoding=encoding) == true
    bounded = tokbudget.count_at_most(text, limit, encoding=encoding)
    if bounded.exact:
        assert bounded.tokens == true
    else:
        assert limit < bounded.tokens <= true
    assert bounded.exact or true > limit
    blocks = [text[i : i + block] for i in range(0, len(text), block)]
    assert count_stream(blocks, encoding=encoding) == true
    streamed = tokbudget.count_at_most(iter(blocks), limit, encoding=encoding)
    assert streamed.tokens == true if streamed.exact else limit < streamed.tokens <= true


def _model(encoding: str, prompt_budget: int) -> ModelSpec:
    return ModelSpec(
        name="tiny",
        kind="embedding",
        encoding=encoding,
        context_window=prompt_budget,
        max_input_tokens=prompt_budget,
    )


@pytest.mark.usefixtures("tiny_windows")
@pytest.mark.parametrize("encoding", ENCODINGS)
@given(text=letter_free, budget=st.integers(1, 40))
def test_budget_paths(encoding: str, text: str, budget: int) -> None:
    true = true_count(text, encoding)
    model = _model(encoding, budget)
    for report in (tokbudget.check(text, model), check_stream(_blocks(text, 7), model)):
        assert report.fits == (true <= budget)
        if report.exact:
            assert report.prompt_tokens == true
    if true <= budget:
        tokbudget.ensure_fits(text, model)
    else:
        with pytest.raises(ContextOverflowError):
            tokbudget.ensure_fits(text, model)


@pytest.mark.usefixtures("tiny_windows")
@pytest.mark.parametrize("encoding", ENCODINGS)
@given(
    text=letter_free,
    budget=st.integers(1, 30),
    side=st.sampled_from(["end", "start", "middle"]),
    marker=st.sampled_from(["", "…", "\t"]),
)
def test_truncation_paths(encoding: str, text: str, budget: int, side: str, marker: str) -> None:
    cut = tokbudget.truncate_with_offsets(
        text,
        budget,
        encoding=encoding,
        side=side,  # type: ignore[arg-type]
        marker=marker,
    )
    assert cut.tokens == true_count(cut.text, encoding) <= budget
    assert cut.cut == (true_count(text, encoding) > budget)
    assert cut.text == (text[: cut.head] + marker + text[cut.tail :] if cut.cut else text)


@pytest.mark.usefixtures("tiny_windows")
@pytest.mark.parametrize("encoding", ENCODINGS)
@given(text=letter_free, limit=st.sampled_from([4, 9, 30]))
def test_split_paths(encoding: str, text: str, limit: int) -> None:
    chunks = tokbudget.split(text, limit, encoding=encoding)
    assert "".join(c.text for c in chunks) == text
    for chunk in chunks:
        assert chunk.tokens == true_count(chunk.text, encoding) <= limit
    streamed = list(tokbudget.iter_split(_blocks(text, 5), limit, encoding=encoding))
    assert streamed == chunks


def _blocks(text: str, size: int) -> Iterator[str]:
    return (text[i : i + size] for i in range(0, len(text), size))


# ------------------------------------------------------------------ the reported cases


@pytest.mark.parametrize(("encoding", "tokens"), [("cl100k_base", 445), ("o200k_base", 258)])
def test_tabs_then_punctuation(encoding: str, tokens: int) -> None:
    text = "\t" * 1097 + "!" * 3000
    assert true_count(text, encoding) == tokens
    assert tokbudget.count_at_most(text, 69, encoding=encoding) == (
        tokbudget.BoundedCount(tokens, True, 69)
    )
    cut = tokbudget.truncate_with_offsets(text, tokens - 1, encoding=encoding)
    assert cut.cut and true_count(cut.text, encoding) <= tokens - 1
    model = _model(encoding, tokens - 1)
    assert not tokbudget.check(text, model).fits
    with pytest.raises(ContextOverflowError):
        tokbudget.ensure_fits(text, model)


def test_embedding_limit_is_not_passed_by_one() -> None:
    # 8,192 tokens for text-embedding-3-small (8,191 accepted) were reported as 8,191.
    text = "\t" * 1097 + "!" * 64_966
    assert true_count(text, "cl100k_base") == 8_192
    report = tokbudget.check(text, "text-embedding-3-small")
    assert not report.fits


def test_stream_at_the_hard_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # What a 64 MiB letter-free file did at the real hard limit, at a small one.
    monkeypatch.setattr(tokbudget.counting, "_PIECE", 64)
    monkeypatch.setattr(tokbudget.counting, "_HARD_LIMIT", 256)
    text = ("\t" * 300 + "!" * 40 + "123" * 30) * 4
    blocks = [text[i : i + 50] for i in range(0, len(text), 50)]
    for encoding in ENCODINGS:
        assert count_stream(blocks, encoding=encoding) == true_count(text, encoding)


def test_cli_count_of_a_letter_free_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `tokbudget count FILE` streams; at a shrunk hard limit, a letter-free file whose
    # only piece boundaries follow whitespace runs must count like tiktoken.
    monkeypatch.setattr("tokbudget.cli._io.BLOCK", 97)
    monkeypatch.setattr(tokbudget.counting, "_PIECE", 64)
    monkeypatch.setattr(tokbudget.counting, "_HARD_LIMIT", 256)
    text = ("\t" * 300 + "!" * 40 + "\u3000" * 90 + "123" * 30) * 5
    path = tmp_path / "letter-free.txt"
    path.write_text(text, encoding="utf-8")
    for encoding in ENCODINGS:
        assert main(["count", str(path), "-e", encoding, "--json"]) == 0
        doc = json.loads(capsys.readouterr().out)
        assert doc["total"]["tokens"] == true_count(text, encoding)


# ------------------------------------------------------------------ every short string

ALPHABET = [
    "a", "B", "s", "l", "'", "!", "/", "1", " ", "\t", "\n", "\r", "\u00a0", "\u3000",
    "\x0b", "\u0301", "中", "😀", "ǅ", "ʰ",
]  # fmt: skip
"""One character of each class the patterns tell apart (lower, upper, title and modifier
letters, the contraction letters, marks, CJK, digits, punctuation, ``'`` and ``/``, and
whitespace of every kind)."""


def _all_cuts_hold(length: int) -> None:
    for pat in PATTERNS:
        splitter = PieceSplitter(pat)
        for chars in itertools.product(ALPHABET, repeat=length):
            text = "".join(chars)
            whole = list(splitter.pieces(text))
            cuts = {last_safe_cut(text, 0, end, pat_str=pat) for end in range(length + 1)}
            cuts |= {last_final_boundary(text, 0, end, pat_str=pat) for end in range(length + 1)}
            for cut in cuts - {-1}:
                left, right = splitter.pieces(text[:cut]), splitter.pieces(text[cut:])
                assert [*left, *right] == whole, (pat, text, cut)


def test_every_string_of_three_characters() -> None:
    _all_cuts_hold(3)


@pytest.mark.slow
def test_every_string_of_four_characters() -> None:
    _all_cuts_hold(4)
