"""Helpers shared by the commands: plain-text tables and one-line errors about input data."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

__all__ = ["BadInput", "render_table", "write_bytes"]


class BadInput(click.ClickException):
    """A user's file or value is unusable: exit 2 with one line (no usage text)."""

    exit_code = 2


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
    """Write ``data`` to stdout as it is (no newline, no re-encoding)."""
    sys.stdout.flush()
    out = getattr(sys.stdout, "buffer", None)
    if out is None:  # a text-only stream (some embedders): the text, replacing bad bytes
        sys.stdout.write(data.decode("utf-8", "replace"))
    else:
        out.write(data)
        out.flush()
