"""`tokbudget show --chunks`: where `split` would cut, marked (colour) or listed (plain)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tokbudget
from tokbudget.cli import main
from tokbudget.cli._render import MARK, OVERLAP, PALETTE, RESET, render_chunks

from .conftest import real_texts
from .helpers import run_cli_bytes as run
from .strategies import boundary_text

SGR = re.compile(r"\x1b\[[0-9;]*m")
CUT = re.compile(r"\x1b\[7m ✂ #(\d+) · ([\d,]+) tokens? \x1b\[0m")
OPEN = re.compile(r"\x1b\[7m ▸#(\d+) \x1b\[0m")
LISTED = re.compile(r"^ {9}#(\d+) \[(\d+):(\d+)\] ([\d,]+) tokens?$", re.MULTILINE)


def listed(footer: str) -> list[tuple[int, int, int]]:
    return [(int(s), int(e), int(n.replace(",", ""))) for _, s, e, n in LISTED.findall(footer)]


def triples(chunks: list[tokbudget.Chunk]) -> list[tuple[int, int, int]]:
    return [(c.start, c.end, c.tokens) for c in chunks]


@pytest.fixture
def english(tmp_path: Path) -> tuple[Path, str]:
    text = real_texts()["english.txt"]
    path = tmp_path / "english.txt"
    path.write_bytes(text.encode("utf-8"))
    return path, text


def test_plain_is_the_exact_text_and_the_footer_lists_the_chunks(
    english: tuple[Path, str], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    path, text = english
    code, out, err = run(["show", str(path), "--chunks", "--max-tokens", "256"], capsysbinary)
    assert code == 0
    assert out == path.read_bytes()  # no markers without colour: byte for byte
    # The default model is split's: text-embedding-3-small.
    expected = tokbudget.split(text, 256)
    assert "text-embedding-3-small (cl100k_base)" in err
    assert f"chunks   {len(expected)} of at most 256 tokens\n" in err
    assert listed(err) == triples(expected)


@pytest.mark.parametrize(
    ("argv", "model", "max_tokens", "overlap"),
    [
        (["-m", "gpt-4o", "--max-tokens", "100", "--overlap", "20"], "gpt-4o", 100, 20),
        (["-e", "o200k_base", "--max-tokens", "64", "--overlap", "0.25"], None, 64, 0.25),
        (["-m", "text-embedding-3-large"], "text-embedding-3-large", None, 0),
    ],
)
def test_colour_marks_every_cut(
    argv: list[str],
    model: str | None,
    max_tokens: int | None,
    overlap: int | float,
    english: tuple[Path, str],
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    path, text = english
    code, out, _ = run(["show", str(path), "--chunks", "--color", *argv], capsysbinary)
    assert code == 0
    encoding = "o200k_base" if model is None else None
    expected = tokbudget.split(text, max_tokens, model, encoding=encoding, overlap=overlap)
    body = out.decode("utf-8").split("\x1b[2m─")[0]
    # One cut marker after each chunk, with its tokens; one opening marker for each chunk
    # that starts inside the one before.
    cuts = [(int(k), int(n.replace(",", ""))) for k, n in CUT.findall(body)]
    assert cuts == [(k, c.tokens) for k, c in enumerate(expected)]
    inside = [k for k in range(1, len(expected)) if expected[k].start < expected[k - 1].end]
    assert [int(k) for k in OPEN.findall(body)] == inside
    assert bool(inside) == bool(overlap)
    # Without the markers and colours it is the text (this one has no control characters).
    assert SGR.sub("", OPEN.sub("", CUT.sub("", body))) == text + (
        "" if text.endswith("\n") else "\n"
    )
    # Each cut marker stands right after its chunk's last character.
    plain = SGR.sub("", OPEN.sub("", body))
    position, pieces = 0, re.split(r" ✂ #\d+ · [\d,]+ tokens? ", plain)
    for chunk, piece in zip(expected, pieces, strict=False):
        position += len(piece)
        assert position == chunk.end
    assert (OVERLAP in body) == bool(inside)
    assert PALETTE[0] in body and MARK in body


@given(text=boundary_text, max_tokens=st.integers(4, 24), overlap=st.integers(0, 3))
def test_colour_cuts_on_tricky_text(text: str, max_tokens: int, overlap: int) -> None:
    chunks = tokbudget.split(text, max_tokens, encoding="cl100k_base", overlap=overlap)
    drawn = "".join(render_chunks(text, chunks))
    assert [int(k) for k, _ in CUT.findall(drawn)] == list(range(len(chunks)))
    assert "\x1b" not in SGR.sub("", drawn)  # control characters in the text never raw
    # No colour runs across a line break.
    for line in drawn.split("\n")[:-1]:
        assert line.endswith(RESET) or SGR.sub("", line) == ""


def test_json_has_the_chunks(
    english: tuple[Path, str], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    path, text = english
    argv = ["show", str(path), "--chunks", "--max-tokens", "300", "--overlap", "30", "--json"]
    code, out, _ = run(argv, capsysbinary)
    doc = json.loads(out)
    assert code == 0 and (doc["max_tokens"], doc["overlap"]) == (300, 30)
    expected = tokbudget.split(text, 300, overlap=30)
    assert [(c["start"], c["end"], c["tokens"]) for c in doc["chunks"]] == triples(expected)
    assert doc["count"] == tokbudget.count(text, model="text-embedding-3-small")


def test_a_long_list_is_cut_short(
    english: tuple[Path, str], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    path, text = english
    code, _, err = run(["show", str(path), "--chunks", "--max-tokens", "8"], capsysbinary)
    n = len(tokbudget.split(text, 8))
    assert code == 0 and n > 100
    assert len(listed(err)) == 100
    assert f"... {n - 100:,} more (--json lists them all)" in err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--max-tokens", "5"], "--max-tokens and --overlap apply to --chunks"),
        (["--overlap", "3"], "add --chunks"),
        (["--chunks", "--ids"], "--ids and --chunks do not combine"),
        (["--chunks", "--max-tokens", "8", "--overlap", "8"], "overlap must be >= 0 and below"),
        (
            ["--chunks", "--max-tokens", "0"],
            "--max-tokens must be a whole number of tokens >= 1, got 0",
        ),
        (["--chunks", "--overlap", "lots"], "neither tokens"),
        (["--chunks", "--max-tokens", "2"], "alone needs 3 tokens but --max-tokens is 2"),
        (["--chunks", "-e", "cl100k_base"], "--max-tokens is required with -e"),
    ],
)
def test_usage_errors(
    argv: list[str], needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "parrot.txt"
    path.write_text("a 🦜 b", encoding="utf-8")
    code = main(["show", str(path), *argv])
    err = capsys.readouterr().err
    assert code == 2 and needle in err and "Traceback" not in err
