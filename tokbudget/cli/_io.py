"""Reading user files and stdin as text, in bounded memory, with errors a user can act on."""

from __future__ import annotations

import codecs
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import click

__all__ = ["BLOCK", "InputFile", "read_text", "text_blocks"]

BLOCK = 1 << 20  # bytes read per step


class InputFile:
    """A path given on the command line, or ``-`` for stdin."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.is_stdin = name == "-"
        self.size: int | None = None
        if not self.is_stdin:
            path = Path(name)
            if not path.exists():
                raise click.UsageError(f"file not found: {name}")
            if path.is_dir():
                raise click.UsageError(f"{name} is a directory; pass the files in it")
            self.size = path.stat().st_size

    @property
    def label(self) -> str:
        return "<stdin>" if self.is_stdin else self.name

    def open(self) -> BinaryIO:
        if self.is_stdin:
            return sys.stdin.buffer
        try:
            return open(self.name, "rb")
        except OSError as exc:
            raise click.UsageError(f"cannot read {self.name}: {exc.strerror}") from exc


def text_blocks(source: InputFile, block: int | None = None) -> Iterator[str]:
    """Decode ``source`` as UTF-8 block by block; an invalid byte names file and offset."""
    block = BLOCK if block is None else block  # read at call time: tests shrink BLOCK
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    fh = source.open()
    try:
        while True:
            data = fh.read(block)
            final = not data
            pending = len(decoder.getstate()[0])  # bytes of a character cut by the block
            try:
                text = decoder.decode(data, final=final)
            except UnicodeDecodeError as exc:
                at = offset - pending + exc.start
                raise click.UsageError(
                    f"{source.label} is not UTF-8 text: invalid byte 0x{exc.object[exc.start]:02x} "
                    f"at byte offset {at}; convert it first (e.g. iconv -f latin1 -t utf-8)"
                ) from None
            if text:
                yield text
            if final:
                return
            offset += len(data)
    finally:
        if not source.is_stdin:
            fh.close()


def read_text(source: InputFile) -> str:
    """The whole text of ``source`` (for commands that need all of it at once)."""
    return "".join(text_blocks(source))
