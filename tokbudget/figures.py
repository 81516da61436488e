"""The figures shown beside a text or a chat request by ``tokbudget show`` and ``serve``.

Tokens, characters, characters per token, the share of the model's context window the
prompt takes, and what sending it as input would cost. One function computes them for
both front ends, so the terminal footer and the page always agree with each other and
with the library; whether the prompt fits is :func:`tokbudget.check`'s answer
(:func:`budget_report`). Money comes from :func:`tokbudget.cost` alone (exact ``Decimal``s,
long-context tiers included); a model without a price gets ``input_cost=None`` and a note
saying why, never an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext
from typing import Any

from .budget import BudgetReport, check, limits_for
from .chat.request import Request
from .counting import BoundedCount
from .errors import SettingsError, UnknownModelError
from .models.lifecycle import model_notes
from .models.registry import get_model
from .pricing import EXACT, cost, decimal_str

__all__ = ["TextFigures", "budget_report", "text_figures"]

_PER = Decimal(1_000_000)


@dataclass(frozen=True, slots=True)
class TextFigures:
    """What a prompt amounts to for one model (``None`` where there is no such figure).

    ``characters`` is None for a chat request (its characters say nothing about its
    tokens). ``cost_notes`` say what pricing assumed, or why there is no cost.
    """

    tokens: int
    characters: int | None
    encoding: str
    model: str | None = None
    context_window: int | None = None
    max_input_tokens: int | None = None
    max_output_tokens: int | None = None
    input_price: Decimal | None = None  # USD per 1M input tokens at this prompt size
    input_cost: Decimal | None = None  # USD
    cost_notes: tuple[str, ...] = ()
    model_notes: tuple[str, ...] = ()  # lifecycle, assumed encoding (models.lifecycle)

    @property
    def chars_per_token(self) -> float | None:
        if not self.tokens or self.characters is None:
            return None
        return self.characters / self.tokens

    @property
    def window_share(self) -> float | None:
        """Tokens as a fraction of the context window (may exceed 1)."""
        return self.tokens / self.context_window if self.context_window else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; money as exact decimal strings, never floats."""
        share = self.window_share
        cpt = self.chars_per_token
        return {
            "model": self.model,
            "encoding": self.encoding,
            "tokens": self.tokens,
            "characters": self.characters,
            "chars_per_token": None if cpt is None else round(cpt, 4),
            "context_window": self.context_window,
            "max_input_tokens": self.max_input_tokens,
            "max_output_tokens": self.max_output_tokens,
            "window_share": None if share is None else round(share, 6),
            "input_price_per_mtok": _money(self.input_price),
            "input_cost": _money(self.input_cost),
            "cost_notes": list(self.cost_notes),
            "model_notes": list(self.model_notes),
        }


def _money(value: Decimal | None) -> str | None:
    return None if value is None else decimal_str(value)


def _input_price(model: str, tokens: int) -> tuple[Decimal | None, Decimal | None, tuple[str, ...]]:
    """(USD per 1M input tokens at this size, input cost, notes), from :func:`cost`."""
    try:
        priced = cost(model, input_tokens=tokens)
        # The rate is read back from the cost, so tiers live in one place (cost.py). An
        # empty prompt has no rate of its own: it is quoted at one token's.
        probe = priced if tokens else cost(model, input_tokens=1)
    except SettingsError as exc:  # no price in the registry (open-weight, fine-tuned)
        return None, None, (str(exc),)
    with localcontext(EXACT):
        rate = probe.input * _PER / probe.input_tokens
    return rate, priced.total, priced.notes


def text_figures(
    tokens: int,
    characters: int | None,
    encoding: str,
    model: str | None = None,
    today: date | None = None,
) -> TextFigures:
    """Figures of a prompt of ``tokens`` tokens and ``characters`` characters for ``model``.

    With no model (an encoding given instead) only the counts are filled in.

    >>> f = text_figures(32_000, 128_000, "o200k_base", model="gpt-4o")
    >>> f.window_share, f.input_cost, f.chars_per_token
    (0.25, Decimal('0.08'), 4.0)
    >>> text_figures(10, 40, "o200k_base", model="gpt-oss-20b").input_cost is None
    True
    """
    if model is None:
        return TextFigures(tokens=tokens, characters=characters, encoding=encoding)
    try:
        spec = get_model(model)
    except UnknownModelError:
        # A new snapshot the registry does not list yet: its family gave the encoding,
        # but its limits and prices are unknown, so none are shown rather than guessed.
        note = f"{model} is not in the registry: its limits and price are unknown"
        return TextFigures(
            tokens=tokens,
            characters=characters,
            encoding=encoding,
            model=model,
            cost_notes=(note,),
            model_notes=model_notes(model, today=today),
        )
    rate, total, notes = _input_price(model, tokens)
    return TextFigures(
        tokens=tokens,
        characters=characters,
        encoding=encoding,
        model=spec.name,
        context_window=spec.context_window,
        max_input_tokens=spec.max_input_tokens,
        max_output_tokens=spec.max_output_tokens,
        input_price=rate,
        input_cost=total,
        cost_notes=notes,
        model_notes=model_notes(spec.name, today=today),
    )


def budget_report(
    prompt: str | Mapping[str, Any] | Request,
    model: str | None,
    *,
    max_output_tokens: int | None = None,
    reserve: int = 0,
    tokens: int | None = None,
) -> BudgetReport | None:
    """:func:`tokbudget.check` of ``prompt`` counted exactly, or None without a model or
    without known limits (an encoding was named; a snapshot the registry does not list).

    ``tokens``, the count of a text prompt when the caller has it already (``show``
    encodes the text for its spans), saves counting it a second time.

    Bad settings raise the library's :class:`SettingsError`.

    >>> budget_report("hello", "gpt-5").prompt_budget
    272000
    >>> budget_report("hello", "gpt-5.9-mini-2031-01-01") is None
    True
    """
    if model is None:
        return None
    try:
        spec = get_model(model)
    except UnknownModelError:
        return None  # its family gave the encoding; its limits are unknown
    if spec.context_window is None and spec.max_input_tokens is None:
        return None  # a model of the user's own registry file without limits
    if tokens is not None and isinstance(prompt, str):
        limits = limits_for(spec, max_output_tokens=max_output_tokens, reserve=reserve)
        return limits.report(BoundedCount(tokens, True, limits.prompt_budget))
    return check(prompt, model, max_output_tokens=max_output_tokens, reserve=reserve, exact=True)
