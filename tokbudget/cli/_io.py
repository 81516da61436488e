"""Reading user files, stdin and ``--text`` as text, in bounded memory, with errors a user
can act on.

Every input is an :class:`InputFile`. Its text comes block by block from
:func:`text_blocks`, which names the file and the byte offset of an invalid byte, hints
at what the file is when it is not text at all (PDF, Word, gzip, UTF-16), turns an I/O
error into one line, and on a terminal says how to end stdin (the hint goes to stderr,
never into a pipe).
"""

from __future__ import annotations

import codecs
import io
import os
import stat
import sys
from collections.abc import Iterator
from typing import BinaryIO

import click

from ._output import BadInput

__all__ = [
    "BLOCK",
    "STDIN_HINT",
    "InputFile",
    "Undecodable",
    "kind_hint",
    "read_text",
    "stdin_is_terminal",
    "text_blocks",
    "typing_into",
]

BLOCK = 1 << 20  # bytes read per step

STDIN_HINT = "reading stdin; end with Ctrl-D"
"""Shown on stderr when a command waits for stdin on a terminal (never on a pipe)."""


def stdin_is_terminal() -> bool:
    """stdin is a terminal: someone is typing, not piping."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):  # replaced or closed stdin
        return False


class Undecodable(BadInput):
    """A file is not UTF-8 text; ``offset`` is the byte offset of the first bad byte."""

    def __init__(self, label: str, offset: int, byte: int, hint: str) -> None:
        self.label = label
        self.offset = offset
        self.byte = byte
        self.hint = hint
        self.reason = f"not UTF-8 text: invalid byte 0x{byte:02x} at byte offset {offset}"
        super().__init__(f"{label} is {self.reason}; {hint}")


class InputFile:
    """A path given on the command line, ``-`` for stdin, or the text of ``--text``.

    ``expanded`` marks a file that a glob or a directory walk found: a command over many
    files skips it (and says so) when it is not UTF-8, instead of stopping.
    """

    def __init__(self, name: str, *, text: str | None = None, expanded: bool = False) -> None:
        self.name = name
        self.text = text
        self.expanded = expanded
        self.is_stdin = name == "-" and text is None
        self.size: int | None = None
        if text is not None:
            self.size = len(text.encode("utf-8", "surrogatepass"))
        elif not self.is_stdin:
            self.size = _file_size(name)

    @property
    def label(self) -> str:
        if self.text is not None:
            return "<text>"
        return "<stdin>" if self.is_stdin else self.name

    def open(self) -> BinaryIO:
        if self.text is not None:
            return io.BytesIO(self.text.encode("utf-8", "surrogatepass"))
        if self.is_stdin:
            if stdin_is_terminal():
                click.echo(STDIN_HINT, err=True)
            return sys.stdin.buffer
        try:
            return open(self.name, "rb")
        except OSError as exc:
            raise BadInput(f"cannot read {self.name}: {exc.strerror or exc}") from None


def _file_size(name: str) -> int | None:
    """The size of a regular file (None for a device or pipe); a usage error if unusable."""
    if not name:
        raise click.UsageError("an empty file name ('') was given; name a file, or '-' for stdin")
    try:
        st = os.stat(name)
    except FileNotFoundError:
        raise click.UsageError(f"file not found: {name}") from None
    except OSError as exc:
        raise BadInput(f"cannot read {name}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise click.UsageError(f"{name} is a directory; pass the files in it")
    return st.st_size if stat.S_ISREG(st.st_mode) else None


def kind_hint(name: str, head: bytes) -> str:
    """What to do with a file that is not UTF-8, judged by its name and first bytes."""
    lower = name.lower()
    if head.startswith(b"%PDF"):
        return "it is a PDF: extract its text first (e.g. pdftotext FILE -)"
    if head.startswith(b"PK\x03\x04"):
        if lower.endswith((".docx", ".odt", ".pptx", ".xlsx", ".epub")):
            return "it is an office document (a zip): extract its text (e.g. pandoc FILE -t plain)"
        return "it is a zip archive: unzip it first"
    if head.startswith(b"\x1f\x8b"):
        return "it is gzip-compressed: decompress it first (e.g. gzip -dc FILE | tokbudget ...)"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "it is UTF-16 (it has a byte-order mark): convert it (iconv -f utf-16 -t utf-8)"
    if b"\x00" in head:
        return "it looks like a binary file, not text"
    return "if it is Latin-1 or Windows-1252 text, convert it first (e.g. iconv -f cp1252 -t utf-8)"


def _read(fh: BinaryIO, block: int, interactive: bool) -> bytes:
    # On a terminal, return what was typed as soon as it is there: with read(), one Ctrl-D
    # ends a line and a second is needed to end the input.
    return fh.read1(block) if interactive and hasattr(fh, "read1") else fh.read(block)


def text_blocks(source: InputFile, block: int | None = None) -> Iterator[str]:
    """Decode ``source`` as UTF-8 block by block; an invalid byte names file and offset."""
    if source.text is not None:
        if source.text:
            yield source.text
        return
    block = BLOCK if block is None else block  # read at call time: tests shrink BLOCK
    interactive = source.is_stdin and stdin_is_terminal()
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    head = b""
    fh = source.open()
    try:
        while True:
            try:
                data = _read(fh, block, interactive)
            except OSError as exc:
                raise BadInput(f"cannot read {source.label}: {exc.strerror or exc}") from None
            if len(head) < 4096:
                head += data[: 4096 - len(head)]
            final = not data
            pending = len(decoder.getstate()[0])  # bytes of a character cut by the block
            try:
                text = decoder.decode(data, final=final)
            except UnicodeDecodeError as exc:
                at = offset - pending + exc.start
                hint = kind_hint(source.name, head)
                raise Undecodable(source.label, at, exc.object[exc.start], hint) from None
            if text:
                yield text
            if final:
                return
            offset += len(data)
    finally:
        if not source.is_stdin:
            fh.close()


def read_text(source: InputFile, limit: int | None = None, instead: str = "") -> str:
    """The whole text of ``source`` (for commands that need all of it at once).

    With ``limit``, an input over ``limit`` bytes is refused before it is read (stdin:
    once more than ``limit`` characters have come); ``instead`` says what to do then.
    """
    if limit is not None and source.size is not None and source.size > limit:
        raise _too_large(source, limit, instead)
    parts: list[str] = []
    read = 0
    for block in text_blocks(source):
        read += len(block)  # characters <= bytes: never refuses a text under the limit
        if limit is not None and read > limit:
            raise _too_large(source, limit, instead)
        parts.append(block)
    return "".join(parts)


def _too_large(source: InputFile, limit: int, instead: str) -> BadInput:
    size = f" ({source.size:,} bytes)" if source.size is not None else ""
    return BadInput(f"{source.label} is too large{size}: at most {limit:,} bytes; {instead}")


def typing_into(inputs: list[InputFile]) -> bool:
    """One of ``inputs`` is stdin and stdin is a terminal: someone will type it."""
    return any(s.is_stdin for s in inputs) and stdin_is_terminal()
