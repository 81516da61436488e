"""`tokbudget count` through main(argv): files, stdin, --json, exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import tokbudget
from tokbudget.cli import main

from .conftest import raw_encoding


def run(
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
    stdin: bytes | None = None,
    monkeypatch: pytest.MonkeyPatch | None = None,
) -> tuple[int, str, str]:
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_count_files_and_total(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text("hello world")
    b.write_text("naïve 日本語 🙂\n" * 3)
    code, out, err = run(["count", str(a), str(b), "-m", "gpt-4"], capsys)
    assert code == 0, err
    lines = out.splitlines()
    n_b = tokbudget.count(b.read_text(), model="gpt-4")
    assert lines[0].split() == ["2", str(a)]
    assert lines[1].split() == [str(n_b), str(b)]
    assert lines[2].split() == [str(2 + n_b), "total"]


def test_count_stdin_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(
        ["count", "--json", "-e", "cl100k_base"], capsys, b"hello world", monkeypatch
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["encoding"] == "cl100k_base"
    assert doc["files"] == [{"file": "<stdin>", "tokens": 2, "characters": 11}]
    assert doc["total"]["tokens"] == 2
    code, out, _ = run(["count", "-"], capsys, b"x y z", monkeypatch)
    assert out.split() == ["3", "<stdin>"]


def test_count_large_file_streams_exactly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small read blocks so the file is read in many pieces, cut mid-character.
    monkeypatch.setattr("tokbudget.cli._io.BLOCK", 1001)
    monkeypatch.setattr("tokbudget.counting._PIECE", 500)
    text = "Ünïcödé text, 日本語のテキスト 🙂👩‍👩‍👧 and   spaces\n" * 400
    path = tmp_path / "big.txt"
    path.write_text(text, encoding="utf-8")
    code, out, _ = run(["count", str(path), "--json"], capsys)
    assert code == 0
    assert json.loads(out)["total"]["tokens"] == len(
        raw_encoding("o200k_base").encode_ordinary(text)
    )


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["count", "/no/such/file"], "file not found: /no/such/file"),
        (["count", "-m", "claude-9"], "unknown model 'claude-9'"),
        (["count", "-e", "nope_base"], "unknown encoding 'nope_base'"),
        (["count", "--bogus"], "No such option"),
    ],
)
def test_user_errors_exit_2_without_traceback(
    argv: list[str],
    needle: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _, err = run(argv, capsys, b"", monkeypatch)
    assert code == 2
    assert needle in err
    assert "Traceback" not in err


def test_undecodable_file_names_offset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"caf\xc3\xa9 ok " * 3 + b"caf\xe9")
    code, _, err = run(["count", str(path)], capsys)
    assert code == 2
    assert f"{path} is not UTF-8 text: invalid byte 0xe9 at byte offset 30" in err


def test_help_version_and_python_m(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-h"]) == 0
    assert "count" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert tokbudget.__version__ in capsys.readouterr().out
    out = subprocess.run(
        [sys.executable, "-m", "tokbudget", "count", "-e", "cl100k_base"],
        input=b"hello world",
        capture_output=True,
        check=True,
    )
    assert out.stdout.split() == [b"2", b"<stdin>"]
