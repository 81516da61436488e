"""The figures shown beside a text by ``tokbudget show`` and ``tokbudget serve``.

Tokens, characters, characters per token, the share of the model's context window the text
takes, and what sending it as input would cost. One function computes them for both
front ends, so the terminal footer and the page always agree with each other and with
the library.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .errors import UnknownModelError
from .registry import ModelSpec, get_model

__all__ = ["TextFigures", "input_cost", "text_figures"]

_PER = Decimal(1_000_000)


@dataclass(frozen=True, slots=True)
class TextFigures:
    """What a text amounts to for one model (``None`` where the model has no such figure)."""

    tokens: int
    characters: int
    encoding: str
    model: str | None = None
    context_window: int | None = None
    max_input_tokens: int | None = None
    max_output_tokens: int | None = None
    input_price: Decimal | None = None  # USD per 1M input tokens at this prompt size
    input_cost: Decimal | None = None  # USD

    @property
    def chars_per_token(self) -> float | None:
        return self.characters / self.tokens if self.tokens else None

    @property
    def window_share(self) -> float | None:
        """Tokens as a fraction of the context window (may exceed 1)."""
        return self.tokens / self.context_window if self.context_window else None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; money as decimal strings, never floats."""
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
            "input_price_per_mtok": None if self.input_price is None else str(self.input_price),
            "input_cost": None if self.input_cost is None else str(self.input_cost),
        }


def input_cost(spec: ModelSpec, tokens: int) -> tuple[Decimal, Decimal] | None:
    """Return (price per 1M tokens, cost) of ``tokens`` input tokens, or None if unpriced.

    A long-context tier applies once the prompt is above its threshold.

    >>> input_cost(get_model("gpt-4o"), 1000)
    (Decimal('2.50'), Decimal('0.0025'))
    """
    if spec.price is None:
        return None
    price = spec.price.input
    for tier in sorted(spec.price.tiers, key=lambda t: t.above_input_tokens):
        if tokens > tier.above_input_tokens:
            price = tier.input
    return price, price * tokens / _PER


def text_figures(
    tokens: int, characters: int, encoding: str, model: str | None = None
) -> TextFigures:
    """Figures of a text of ``tokens`` tokens and ``characters`` characters for ``model``.

    With no model (an encoding given instead) only the counts are filled in.

    >>> f = text_figures(32_000, 128_000, "o200k_base", model="gpt-4o")
    >>> f.window_share, f.input_cost, f.chars_per_token
    (0.25, Decimal('0.08'), 4.0)
    """
    if model is None:
        return TextFigures(tokens=tokens, characters=characters, encoding=encoding)
    try:
        spec = get_model(model)
    except UnknownModelError:
        # A new snapshot the registry does not list yet: its family gave the encoding,
        # but its limits and prices are unknown, so none are shown rather than guessed.
        return TextFigures(tokens=tokens, characters=characters, encoding=encoding, model=model)
    priced = input_cost(spec, tokens)
    return TextFigures(
        tokens=tokens,
        characters=characters,
        encoding=encoding,
        model=spec.name,
        context_window=spec.context_window,
        max_input_tokens=spec.max_input_tokens,
        max_output_tokens=spec.max_output_tokens,
        input_price=None if priced is None else priced[0],
        input_cost=None if priced is None else priced[1],
    )
