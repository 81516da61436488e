"""Model lifecycle: which models OpenAI has deprecated, when they shut down, what replaces them.

Never an error: a note for a model within :data:`NOTICE_DAYS` of its shutdown date, or
past it, which the CLI prints on stderr and ``--json`` carries. Every function takes the
day as an argument (``today=None`` means the real UTC date), so tests inject it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from ..errors import UnknownModelError
from .registry import Registry, default_registry
from .spec import ModelSpec

__all__ = ["NOTICE_DAYS", "lifecycle_note", "model_notes", "retiring"]

NOTICE_DAYS = 30
"""A model this many days or fewer from its shutdown (or past it) gets a note."""


def _today(today: date | None) -> date:
    return today if today is not None else datetime.now(UTC).date()


def _note(spec: ModelSpec, day: date) -> str | None:
    shutdown = spec.shutdown_date
    if shutdown is None:
        return None
    left = (shutdown - day).days
    if left > NOTICE_DAYS:
        return None
    then = f"shut down on {shutdown}" if left < 0 else f"shuts down on {shutdown}"
    when = (
        "today"
        if left == 0
        else f"{-left:,} days ago"
        if left < 0
        else "in 1 day"
        if left == 1
        else f"in {left} days"
    )
    instead = f"; use {spec.successor} instead" if spec.successor else ""
    return f"{spec.name} {then} ({when}){instead}"


def lifecycle_note(
    model: str, today: date | None = None, registry: Registry | None = None
) -> str | None:
    """One line if ``model`` shuts down within 30 days of ``today`` or has shut down; else None.

    Names the registry does not know (new snapshots counted by family) have no note.

    >>> lifecycle_note("gpt-5", today=date(2026, 12, 1))
    'gpt-5 shuts down on 2026-12-11 (in 10 days); use gpt-5.6-sol instead'
    >>> lifecycle_note("gpt-5", today=date(2026, 10, 1)) is None
    True
    """
    try:
        spec = (registry or default_registry()).get(model)
    except UnknownModelError:
        return None
    return _note(spec, _today(today))


def model_notes(
    model: str, today: date | None = None, registry: Registry | None = None
) -> tuple[str, ...]:
    """What a count or price for ``model`` should say about the model itself.

    Its :func:`lifecycle_note`, and whether its encoding is an assumption (OpenAI has not
    documented GPT-6's tokenizer): a user should know what a number rests on. A name the
    registry knows only by its family (``gpt-6.9-nova``) gets the family's assumption.

    >>> model_notes("gpt-6-sol", today=date(2026, 12, 7))[0][:49]
    'gpt-6-sol is counted with o200k_base, an assumpti'
    >>> model_notes("gpt-4o", today=date(2027, 1, 10))
    ('gpt-4o shuts down on 2027-01-14 (in 4 days); use gpt-6-luna instead',)
    """
    reg = registry or default_registry()
    try:
        spec = reg.get(model)
    except UnknownModelError:
        try:
            assumed = reg.encoding_assumed(model)
        except UnknownModelError:
            return ()
        return (_assumed(model, reg.encoding_name(model)),) if assumed else ()
    notes = [_note(spec, _today(today))]
    if spec.encoding_assumed:
        notes.append(_assumed(spec.name, spec.encoding))
    return tuple(n for n in notes if n)


def _assumed(name: str, encoding: str) -> str:
    return (
        f"{name} is counted with {encoding}, an assumption: OpenAI has not documented its tokenizer"
    )


def retiring(
    within_days: int | None = None,
    today: date | None = None,
    registry: Registry | None = None,
) -> list[ModelSpec]:
    """Models with a shutdown date, soonest first; ``within_days`` keeps those due by then.

    Models already shut down are included (their date is before ``today``).

    >>> [m.name for m in retiring(today=date(2026, 12, 1)) if m.shutdown_date == date(2026, 12, 11)]
    ['gpt-5', 'gpt-5-mini', 'gpt-5-nano', 'gpt-5-pro', 'o3', 'o3-pro']
    """
    day = _today(today)
    specs = [m for m in (registry or default_registry()).list() if m.shutdown_date is not None]
    if within_days is not None:
        specs = [
            m for m in specs if m.shutdown_date and (m.shutdown_date - day).days <= within_days
        ]
    return sorted(specs, key=lambda m: (m.shutdown_date or day, m.name))
