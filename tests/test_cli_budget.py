"""`tokbudget check` and `tokbudget truncate` through main(argv): exit codes, bytes, JSON."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

import tokbudget
from tokbudget.cli import main
from tokbudget.cli._io import InputFile

from .conftest import raw_encoding, real_texts
from .helpers import tokens


def run(
    argv: list[str],
    capsysbinary: pytest.CaptureFixture[bytes],
    stdin: bytes | None = None,
    monkeypatch: pytest.MonkeyPatch | None = None,
) -> tuple[int, bytes, str]:
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = main(argv)
    out, err = capsysbinary.readouterr()
    return code, out, err.decode()


# ------------------------------------------------------------------ truncate


@pytest.mark.parametrize("side", ["end", "start", "middle"])
def test_truncate_is_byte_exact(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes], side: str
) -> None:
    text = "".join(real_texts().values())
    raw = text.encode("utf-8")
    path = tmp_path / "in.txt"
    path.write_bytes(raw)
    marker = " [...] " if side == "middle" else ""
    argv = ["truncate", str(path), "-n", "300", "-e", "cl100k_base", "--side", side]
    code, out, err = run([*argv, "--marker", marker], capsysbinary)
    assert code == 0, err
    assert len(raw_encoding("cl100k_base").encode_ordinary(out.decode())) <= 300
    expected = tokbudget.truncate(text, 300, encoding="cl100k_base", side=side, marker=marker)  # type: ignore[arg-type]
    assert out == expected.encode("utf-8")
    if side == "end":
        assert raw.startswith(out)
    if side == "start":
        assert raw.endswith(out)


def test_truncate_keeps_crlf_bom_and_no_trailing_newline(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    raw = "\ufeffline one\r\nline two\r\n".encode() * 50
    path = tmp_path / "crlf.txt"
    path.write_bytes(raw)
    code, out, _ = run(["truncate", str(path), "-n", "7"], capsysbinary)
    assert code == 0
    assert raw.startswith(out) and out.startswith(b"\xef\xbb\xbfline one\r\n")
    code, out, _ = run(["truncate", str(path), "-n", "100000"], capsysbinary)
    assert out == raw  # fits: unchanged, not even a newline added


def test_truncate_stdin_and_json(
    capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin = b"The quick brown fox jumps over the lazy dog"
    code, out, _ = run(
        ["truncate", "-n", "4", "-e", "cl100k_base"], capsysbinary, stdin, monkeypatch
    )
    assert (code, out) == (0, b"The quick brown fox")
    code, out, _ = run(
        ["truncate", "-", "-n", "2", "--side", "start", "--json", "-m", "gpt-4"],
        capsysbinary,
        stdin,
        monkeypatch,
    )
    doc = json.loads(out)
    assert doc["text"] == " lazy dog"
    assert (doc["tokens"], doc["cut"], doc["head"], doc["tail"]) == (2, True, 0, 34)
    assert (doc["model"], doc["encoding"], doc["characters"]) == ("gpt-4", "cl100k_base", 43)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["truncate", "-n", "-1"], "-1 is not in the range x>=0"),
        (["truncate"], "Missing option '-n' / '--max-tokens'"),
        (
            ["truncate", "-n", "5", "--side", "head"],
            "'head' is not one of 'end', 'start', 'middle'",
        ),
        (["truncate", "-n", "1", "--marker", " [... cut ...] "], "alone is"),
        (["truncate", "/no/such.txt", "-n", "5"], "file not found: /no/such.txt"),
    ],
)
def test_truncate_usage_errors(
    argv: list[str],
    needle: str,
    capsysbinary: pytest.CaptureFixture[bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _, err = run(argv, capsysbinary, b"one two three four five six", monkeypatch)
    assert code == 2
    assert needle in err
    assert "Traceback" not in err


# ------------------------------------------------------------------ check (text)


def test_check_exit_codes(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    small = tmp_path / "small.md"
    small.write_text(tokens(100))
    big = tmp_path / "big.md"
    big.write_text(tokens(300_000))
    code, out, _ = run(["check", str(small), "-m", "gpt-5"], capsysbinary)
    assert code == 0
    assert out.decode().startswith("fits\n")
    assert "100 tokens" in out.decode()
    code, out, _ = run(["check", str(big), "-m", "gpt-5"], capsysbinary)
    assert code == 1
    text = out.decode()
    assert text.startswith("does not fit: cut ")
    assert "gpt-5 accepts at most 272,000 input tokens" in text


def test_check_output_cap_and_reserve(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    path = tmp_path / "p.txt"
    path.write_text(tokens(111_616))
    assert run(["check", str(path), "--max-output", "16384"], capsysbinary)[0] == 0
    assert run(["check", str(path), "-o", "16384", "-r", "1"], capsysbinary)[0] == 1
    code, _, err = run(["check", str(path), "--max-output", "16385"], capsysbinary)
    assert code == 2
    assert "more than gpt-4o's cap of 16,384 output tokens" in err


def test_check_json_and_early_exit(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.txt"
    path.write_text("word " * 4_000_000)  # 20 MB
    read: list[int] = []
    real_open = InputFile.open

    def counting_open(self: InputFile) -> object:
        fh = real_open(self)
        original = fh.read

        def read_some(n: int = -1) -> bytes:
            data = original(n)
            read.append(len(data))
            return data

        fh.read = read_some  # type: ignore[method-assign]
        return fh

    monkeypatch.setattr(InputFile, "open", counting_open)
    code, out, _ = run(["check", str(path), "-m", "gpt-4", "--json"], capsysbinary)
    doc = json.loads(out)
    assert code == 1
    assert (doc["fits"], doc["exact"]) == (False, False)
    assert doc["prompt"] == f"at least {doc['prompt_tokens']:,}"
    assert doc["prompt_tokens"] > 8_191 and doc["model"] == "gpt-4"
    assert sum(read) <= 3 << 20  # a few 1 MiB blocks of 20 MB


def test_check_stdin_is_text(
    capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    body = json.dumps({"messages": [{"role": "user", "content": "hi"}]}).encode()
    code, out, _ = run(["check", "--json"], capsysbinary, body, monkeypatch)
    assert code == 0
    assert json.loads(out)["prompt_tokens"] == tokbudget.count(body.decode())


def test_check_json_file_without_messages_is_text(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    path = tmp_path / "data.json"
    path.write_text('{"not": "a request"}')
    code, out, _ = run(["check", str(path), "--json"], capsysbinary)
    assert code == 0
    assert json.loads(out)["prompt_tokens"] == tokbudget.count('{"not": "a request"}')
    path.write_text("plain words in a .json file")
    assert run(["check", str(path)], capsysbinary)[0] == 0


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ('{"messages": [{"role": "user", "content": "hi"}],}', "not valid JSON: "),
        ("{ not json at all", "not valid JSON: "),
        ('{"model": "gemini-2.5-pro", "contents": [{"parts": [{"text": "hi"}]}]}', "'contents'"),
        ('{"model": "gpt-3.5-turbo-instruct", "prompt": "hi"}', "it has 'prompt'"),
        ('{"messages": ' + "[" * 5_000 + "]" * 5_000 + "}", "nested too deeply"),
        ('{"messages": [], "max_tokens": ' + "9" * 5_000 + "}", "5,000 digits"),
    ],
)
def test_check_json_that_is_not_a_chat_request_is_refused(
    content: str, needle: str, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    # A CI gate must not pass on a file it could not read as what it looks like.
    path = tmp_path / "request.json"
    path.write_text(content)
    code, out, err = run(["check", str(path)], capsysbinary)
    assert code == 2 and out == b"" and "Traceback" not in err
    assert needle in err and str(path) in err and "--plain" in err
    assert len(err.splitlines()) == 1
    assert run(["check", str(path), "--plain"], capsysbinary)[0] == 0


@pytest.mark.parametrize(
    ("argv", "stdin", "needle"),
    [
        (["check", "--messages"], b"{ nope", "<stdin> is not valid JSON: Expecting property"),
        (["check", "--messages"], b'{"a": 1}', "is JSON but not a chat request"),
        (["check", "-m", "gpt-4oo"], b"hi", "unknown model 'gpt-4oo'"),
        (["check", "-r", "-3"], b"hi", "-3 is not in the range x>=0"),
        (["check", "/no/such.json"], b"", "file not found: /no/such.json"),
    ],
)
def test_check_usage_errors(
    argv: list[str],
    stdin: bytes,
    needle: str,
    capsysbinary: pytest.CaptureFixture[bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _, err = run(argv, capsysbinary, stdin, monkeypatch)
    assert code == 2
    assert needle in err
    assert "Traceback" not in err
