"""Lifecycle notes on stderr: a model within 30 days of its shutdown, or past it.

Commands call :func:`lifecycle_lines` with the models they used, print each line on
stderr and put the list in their ``--json`` output. :func:`today` is the one place the
CLI reads the clock (tests replace it).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

import click

from ..models.lifecycle import lifecycle_note

__all__ = ["lifecycle_lines", "today", "warn_lifecycle"]


def today() -> date:
    """The CLI's idea of today (UTC)."""
    return datetime.now(UTC).date()


def lifecycle_lines(models: Iterable[str | None]) -> list[str]:
    """The lifecycle notes of ``models`` (each model once, in order)."""
    day = today()
    notes = (lifecycle_note(m, today=day) for m in dict.fromkeys(models) if m)
    return [n for n in notes if n]


def warn_lifecycle(models: Iterable[str | None]) -> list[str]:
    """Print the lifecycle notes of ``models`` on stderr, one line each; return them."""
    lines = lifecycle_lines(models)
    for line in lines:
        click.echo(f"note: {line}", err=True)
    return lines
