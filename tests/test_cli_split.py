"""`tokbudget split` through main(argv): JSONL, text, --json, stdin, settings errors."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

import tokbudget
from tokbudget.cli import _parallel

from .helpers import run_cli as run

TEXT = "Hello world. This is one.\n\nSecond paragraph here, with more words. 日本語のテキスト。\n"


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    path = tmp_path / "doc.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def test_jsonl_matches_the_library(doc: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["split", str(doc), "--max-tokens", "8", "--overlap", "2"], capsys)
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    want = tokbudget.split(TEXT, 8, overlap=2)
    assert [(r["start"], r["end"], r["tokens"], r["text"]) for r in rows] == [
        (c.start, c.end, c.tokens, c.text) for c in want
    ]
    assert [r["index"] for r in rows] == list(range(len(want)))
    assert {r["file"] for r in rows} == {str(doc)}


def test_several_files_and_stdin(
    doc: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"from stdin")))
    code, out, _ = run(["split", str(doc), "-", "-m", "text-embedding-3-large"], capsys)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [(r["file"], r["index"], r["text"]) for r in rows] == [
        (str(doc), 0, TEXT),
        ("<stdin>", 0, "from stdin"),
    ]


def test_text_format(doc: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["split", str(doc), "--max-tokens", "10", "--format", "text"], capsys)
    assert code == 0
    chunks = tokbudget.split(TEXT, 10)
    assert out.startswith(f"----- {doc} #0 [0:{chunks[0].end}] {chunks[0].tokens} tokens -----\n")
    assert all(c.text in out for c in chunks)


def test_json_document(doc: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["split", str(doc), "-e", "o200k_base", "--max-tokens", "6", "--json"], capsys
    )
    assert code == 0
    data = json.loads(out)
    assert data["encoding"] == "o200k_base" and data["max_tokens"] == 6 and data["model"] is None
    texts = [c["text"] for c in data["files"][0]["chunks"]]
    assert "".join(texts) == TEXT


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--max-tokens", "8", "--overlap", "8"], "overlap must be >= 0 and below --max-tokens"),
        (["--max-tokens", "0"], "--max-tokens must be a whole number of tokens >= 1, got 0"),
        (["--overlap", "lots"], "neither tokens"),
        (["--overlap", "1.5", "--max-tokens", "8"], "[0, 1)"),
        (["-e", "cl100k_base"], "--max-tokens is required"),
        (["-m", "no-such-model"], "no-such-model"),
        (["--format", "xml"], "xml"),
    ],
)
def test_bad_settings_exit_2(
    doc: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(["split", str(doc), *argv], capsys)
    assert code == 2
    assert out == ""
    assert message in err and "Traceback" not in err
    assert "max_tokens" not in err and "encoding=" not in err  # flags, not library arguments


def test_missing_and_binary_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["split", str(tmp_path / "nope.txt")], capsys)
    assert code == 2 and "file not found" in err
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"ok \xff")
    code, _, err = run(["split", str(bad)], capsys)
    assert code == 2 and "not UTF-8" in err


def test_progress_only_on_a_terminal(
    doc: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_parallel, "PROGRESS_DELAY", 0)  # this run is too quick otherwise
    code, out, err = run(["split", str(doc)], capsys)
    assert (code, err) == (0, "")  # stderr is not a terminal: no bar, no summary
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, out2, err = run(["split", str(doc)], capsys)
    assert code == 0 and "splitting:" in err and "1 chunks" not in err
    assert out2 == out  # chunks still on stdout, unchanged
    assert json.loads(out.splitlines()[0])["text"] == TEXT
