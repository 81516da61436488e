"""Helpers for the commands: JSON, tables and exact bytes on stdout, money, one-line errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import click

from ..money import money

__all__ = ["BadInput", "PipeClosed", "emit_json", "money", "plural", "render_table", "write_bytes"]


class BadInput(click.ClickException):
    """A user's file or value is unusable: exit 2 with one line (no usage text)."""

    exit_code = 2


class PipeClosed(Exception):
    """stdout's reader went away (``| head``): not an error, the run just ends.

    Raised in place of :class:`BrokenPipeError`, which click would turn into exit 1.
    """


def emit_json(data: Any, raw: dict[str, str] | None = None) -> None:
    """``data`` as indented JSON on stdout (non-ASCII kept, other values as ``str``).

    ``raw`` adds keys whose values are JSON text already, written as they are: an indented
    dump goes through json's pure-Python encoder, far too slow for a million tokens.
    """
    doc = dict(data) if raw else data
    marks = {}
    for i, (key, text) in enumerate((raw or {}).items()):
        mark = f"\x00raw{i}\x00"  # no file name, flag or model name holds a NUL
        doc[key] = mark
        marks[json.dumps(mark)] = text
    out = json.dumps(doc, ensure_ascii=False, indent=2, default=str)
    for mark, text in marks.items():
        out = out.replace(mark, text, 1)
    sys.stdout.write(out + "\n")


def plural(n: int, noun: str) -> str:
    """``n`` with thousands separators and ``noun``, plural unless ``n`` is one.

    >>> plural(1, "token"), plural(1_200, "token")
    ('1 token', '1,200 tokens')
    """
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def render_table(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> str:
    """A plain-text table; the first ``left`` columns are left-aligned, the rest right.

    >>> print(render_table(["model", "tokens"], [["gpt-4o", "1,024"]]), end="")
    model   tokens
    gpt-4o   1,024
    """
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.ljust(w) if i < left else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([line(header), *(line(r) for r in rows)]) + "\n"


def write_bytes(data: bytes) -> None:
    """Write ``data`` to stdout as it is: no newline, no re-encoding.

    Bytes, not str: stdout's encoding (ASCII under LANG=C) and newline handling must not
    change what ``truncate``, ``show`` and ``decode`` promise byte for byte.
    """
    sys.stdout.flush()
    out = getattr(sys.stdout, "buffer", None)
    if out is None:  # a text-only stream (some embedders): the text, replacing bad bytes
        sys.stdout.write(data.decode("utf-8", "replace"))
    else:
        out.write(data)
        out.flush()
