"""TokenBoundaries: offsets, safety and levels, checked against tiktoken and slow rules."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from tokbudget import Splitter, get_encoding, load_encoding
from tokbudget._util import fix_surrogates
from tokbudget.errors import SettingsError
from tokbudget.splitting.boundaries import (
    GRAPHEME,
    PARAGRAPH,
    SAFE_CUT_PATTERNS,
    TokenBoundaries,
    char_classes,
)
from tokbudget.tokenizer.pretokenize import PieceSplitter
from tokbudget.tokenizer.vocab import R50K_PAT, find_vocab_file

from .conftest import raw_encoding, real_texts
from .reference_levels import level_at
from .reference_splitter import char_offsets as reference_char_offsets
from .strategies import boundary_text

ENCODINGS = ["cl100k_base", "o200k_base"]
texts = st.one_of(boundary_text, st.text(max_size=80))


def char_offsets(name: str, text: str) -> dict[int, int]:
    return {k: p for k, p, _ in reference_char_offsets(name, text)}


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
    cps = np.array([ord("a"), ord("日"), 0x10FFFF], dtype=np.uint32)
    flags = char_classes(cps)
    assert flags[0] and flags[1] and not flags[2]


def test_empty_text() -> None:
    tb = TokenBoundaries.of(get_encoding("cl100k_base"), "")
    assert tb.n_tokens == 0 and tb.pos.tolist() == [0] and tb.safe.tolist() == [True]


@pytest.mark.parametrize("name", ENCODINGS)
@given(text=texts)
def test_cuts_inside_grapheme_clusters_are_flagged(name: str, text: str) -> None:
    fixed = fix_surrogates(text)
    tb = TokenBoundaries.of(get_encoding(name), fixed)
    cluster_ends = {m.end() for m in regex.finditer(r"\X", fixed)} | {0}
    for p, level in zip(tb.pos.tolist(), tb.level.tolist(), strict=True):
        if p not in cluster_ends:
            assert level == GRAPHEME, (p, fixed[max(0, p - 2) : p + 2])


def test_import_and_first_split_stay_small() -> None:
    # Memory a process pays before any real work: no eager per-code-point tables and no
    # unrolled regex repeats (one such pattern once cost 51 MB at import).
    code = (
        "import resource, numpy, regex, tiktoken\n"
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "import tokbudget\n"
        "tokbudget.split('Hello there. 日本語のテキスト。', 4, encoding='cl100k_base')\n"
        "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) // 1024)\n"
    )
    grown = int(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
    )
    assert grown < 80, f"import + first split grew RSS by {grown} MB"


@pytest.mark.parametrize("pattern", sorted(SAFE_CUT_PATTERNS))
@given(text=texts)
def test_safe_cuts_are_piece_boundaries_in_any_context(pattern: str, text: str) -> None:
    # Stronger than token equality, and independent of the vocab: at a safe cut, the
    # pre-tokenizer's pieces of the two sides are the pieces of the whole.
    fixed = fix_surrogates(text)
    pieces = PieceSplitter(pattern)
    tb = TokenBoundaries.of(get_encoding("cl100k_base"), fixed)
    whole = list(pieces.pieces(fixed))
    for p, safe in zip(tb.pos.tolist()[1:-1], tb.safe.tolist()[1:-1], strict=True):
        if safe:
            assert [*pieces.pieces(fixed[:p]), *pieces.pieces(fixed[p:])] == whole, p


def test_other_pretokenizers_are_refused(tmp_path: Path) -> None:

    pieces = PieceSplitter(R50K_PAT)  # why: after a newline is not a safe cut there
    assert list(pieces.pieces("a  \n")) == ["a", "  \n"]
    assert list(pieces.pieces("a  \nx")) == ["a", "  ", "\n", "x"]
    source = find_vocab_file("cl100k_base")
    assert source is not None
    path = tmp_path / ("custom" + "".join(source.suffixes))
    shutil.copy(source, path)
    load_encoding(path, pat_str=R50K_PAT, special_tokens={})
    with pytest.raises(SettingsError, match="cl100k_base or o200k_base pre-tokenizer"):
        Splitter(8, encoding=str(path))
