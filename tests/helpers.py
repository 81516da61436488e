"""Small helpers shared by several test modules (fixtures live in conftest.py)."""

from __future__ import annotations

import base64
import struct
import zlib
from typing import Any

import pytest

from tokbudget.cli import main
from tokbudget.tokenizer.pretokenize import PieceSplitter

from .conftest import raw_encoding


def tokens(n: int) -> str:
    """A text of exactly ``n`` tokens on every bundled encoding: "x" and then " x" n-1 times."""
    return "x" + " x" * (n - 1) if n else ""


class SdkMessage:
    """What the openai SDK returns as ``choices[0].message``: an object with ``model_dump``."""

    def __init__(self, role: str, content: str) -> None:
        self.role, self.content = role, content

    def model_dump(self, exclude_none: bool = False) -> dict[str, Any]:
        return {"role": self.role, "content": self.content}


def true_count(text: str, encoding: str) -> int:
    """The count by tiktoken's own encoding of the same vocab: the oracle for exactness."""
    return len(raw_encoding(encoding).encode_ordinary(text))


def pieces(pat: str, text: str) -> list[str]:
    """The pre-tokenizer pieces of ``text`` under the pattern ``pat``."""
    return list(PieceSplitter(pat).pieces(text))


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``tokbudget argv`` in-process: (exit code, stdout, stderr)."""
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def run_cli_bytes(
    argv: list[str], capsysbinary: pytest.CaptureFixture[bytes]
) -> tuple[int, bytes, str]:
    """:func:`run_cli` with stdout as bytes (for output that must be byte-exact)."""
    code = main(argv)
    out, err = capsysbinary.readouterr()
    return code, out, err.decode("utf-8")


def png_data_url(width: int, height: int) -> str:
    """A data URL of a PNG header of this size: all an image counter reads."""
    head = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR"
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return "data:image/png;base64," + base64.b64encode(head + ihdr + crc).decode()
