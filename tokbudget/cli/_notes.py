"""Notes about the models a command used, one line each on stderr (and in ``--json``).

* lifecycle: a model within 30 days of its shutdown, or past it (when, and the successor);
* an assumed encoding: the count rests on an encoding OpenAI has not documented (GPT-6).

Commands call :func:`warn_models` with the models they used; :func:`model_notes` gives
the same lines for ``--json``. :func:`today` is the one place the CLI reads the clock
(tests replace it).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

import click

from ..models.lifecycle import model_notes as _model_notes

__all__ = ["model_notes", "today", "warn_models"]


def today() -> date:
    """The CLI's idea of today (UTC)."""
    return datetime.now(UTC).date()


def model_notes(models: Iterable[str | None]) -> list[str]:
    """Lifecycle and assumed-encoding notes of ``models`` (each model once, in order)."""
    day = today()
    return [n for m in dict.fromkeys(models) if m for n in _model_notes(m, today=day)]


def warn_models(models: Iterable[str | None]) -> list[str]:
    """Print :func:`model_notes` on stderr, one line each; return them."""
    lines = model_notes(models)
    for line in lines:
        click.echo(f"note: {line}", err=True)
    return lines
