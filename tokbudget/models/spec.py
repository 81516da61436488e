"""The frozen values the registry holds: one :class:`ModelSpec` per model.

Prices are exact ``Decimal`` USD per 1M tokens. A model's price can change on a date
(:attr:`ModelSpec.price_history` holds the earlier ones, oldest first; :meth:`ModelSpec.price_at`
picks the one in force on a day); service tiers and regional processing scale every rate
by a multiplier (:class:`ServiceTier`, :attr:`ModelSpec.regional_uplift`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

__all__ = [
    "ENCODING_NAMES",
    "KINDS",
    "MODALITIES",
    "SERVICE_TIERS",
    "ChatFormat",
    "EmbeddingLimits",
    "ImageRules",
    "Kind",
    "ModalityPrice",
    "ModelSpec",
    "Price",
    "PriceTier",
    "ServiceTier",
    "plain",
]

Kind = Literal["chat", "reasoning", "embedding", "completion", "realtime", "moderation"]
KINDS: tuple[str, ...] = ("chat", "reasoning", "embedding", "completion", "realtime", "moderation")
SERVICE_TIERS: tuple[str, ...] = ("flex", "priority", "ultrafast")
"""Service tiers a model may offer besides ``default`` (``fast`` is ``priority``'s new name)."""
MODALITIES: tuple[str, ...] = ("audio", "image")

ENCODING_NAMES: tuple[str, ...] = (
    "cl100k_base",
    "o200k_base",
    "o200k_harmony",
    "r50k_base",
    "p50k_base",
    "p50k_edit",
)
"""The encodings a model entry may name. :data:`tokbudget.tokenizer.vocab.ENCODINGS` defines
each one; the registry sits below the tokenizer, so it holds the names only (a test keeps
the two equal)."""


@dataclass(frozen=True, slots=True)
class PriceTier:
    """Prices that apply to the whole request once the prompt exceeds ``above_input_tokens``."""

    above_input_tokens: int
    input: Decimal
    output: Decimal | None = None
    cached_input: Decimal | None = None
    cache_write: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ModalityPrice:
    """Per-1M prices of audio or image tokens (realtime and audio models)."""

    modality: str
    input: Decimal
    cached_input: Decimal | None = None
    output: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Price:
    """USD per 1M tokens, exact decimals, in force from ``since`` (None: from the start).

    ``batch_multiplier`` scales every rate (tiers, cached input, cache writes included) for
    the Batch API; without it, ``batch_input``/``batch_output`` are the only batch prices.
    """

    input: Decimal
    output: Decimal | None = None  # None for embedding models: they have no output
    cached_input: Decimal | None = None
    cache_write: Decimal | None = None
    batch_input: Decimal | None = None
    batch_output: Decimal | None = None
    batch_multiplier: Decimal | None = None
    tiers: tuple[PriceTier, ...] = ()
    modalities: tuple[ModalityPrice, ...] = ()
    since: date | None = None

    def modality(self, name: str) -> ModalityPrice | None:
        """The prices of ``name`` tokens (``"audio"``, ``"image"``), if recorded."""
        return next((m for m in self.modalities if m.modality == name), None)


@dataclass(frozen=True, slots=True)
class ServiceTier:
    """A service tier's multiplier on every rate, in force from ``since`` (None: always)."""

    name: str
    multiplier: Decimal
    since: date | None = None


@dataclass(frozen=True, slots=True)
class ChatFormat:
    """Chat-format overheads from OpenAI's cookbook "How to count tokens with tiktoken"."""

    tokens_per_message: int = 3
    tokens_per_name: int = 1
    reply_priming: int = 3


@dataclass(frozen=True, slots=True)
class ImageRules:
    """How a model bills an image: 512-px tiles or 32-px patches.

    ``max_patches`` caps ``detail="high"``. ``original`` says the model has the
    ``"original"`` detail level (gpt-5.4+, GPT-6), whose cap is ``original_max_patches``
    (None: no cap is known, so an image of unknown size has no upper bound there).
    ``assumed`` is true where no source gives this model's rule and it has its family's
    (``assumed_images`` in the models file, an upper bound): its counts are estimates.
    """

    scheme: Literal["tile", "patch"]
    base_tokens: int = 0
    tile_tokens: int = 0
    patch_multiplier: Decimal = Decimal(1)
    max_patches: int = 1536
    original: bool = False
    original_max_patches: int | None = None
    assumed: bool = False


@dataclass(frozen=True, slots=True)
class EmbeddingLimits:
    dimensions: int | None = None
    max_inputs_per_request: int | None = None
    max_tokens_per_request: int | None = None


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """Everything tokbudget knows about one model. Figures cite ``source`` as of ``as_of``.

    ``encoding_assumed`` is true where OpenAI has not documented the tokenizer and the
    encoding is an assumption (GPT-6: o200k_base); every count for such a model says so.
    ``price`` is the latest recorded price; ``price_history`` the earlier ones.
    """

    name: str
    kind: Kind
    encoding: str
    context_window: int | None = None
    max_input_tokens: int | None = None
    max_output_tokens: int | None = None
    aliases: tuple[str, ...] = ()
    description: str = ""
    deprecated: bool = False
    source: tuple[str, ...] = ()
    as_of: date | None = None
    price: Price | None = None
    chat: ChatFormat | None = None
    image: ImageRules | None = None
    embedding: EmbeddingLimits | None = None
    encoding_assumed: bool = False
    price_history: tuple[Price, ...] = ()
    service_tiers: tuple[ServiceTier, ...] = ()
    regional_uplift: tuple[tuple[str, Decimal], ...] = ()
    deprecation_date: date | None = None
    shutdown_date: date | None = None
    successor: str | None = None

    @property
    def input_limit(self) -> int | None:
        """The most prompt tokens the model accepts (its input cap, else its window)."""
        caps = [c for c in (self.max_input_tokens, self.context_window) if c is not None]
        return min(caps) if caps else None

    def price_at(self, day: date) -> Price | None:
        """The price in force on ``day`` (the earliest one for days before any change).

        >>> from tokbudget.models.registry import get_model
        >>> str(get_model("gpt-5.6-sol").price_at(date(2026, 8, 20)).input)
        '5.00'
        """
        prices = [*self.price_history, *([self.price] if self.price else [])]
        chosen = prices[0] if prices else None
        for p in prices:
            if p.since is None or p.since <= day:
                chosen = p
        return chosen

    def tier_names(self) -> tuple[str, ...]:
        """The service tiers this model offers: ``default`` and those recorded."""
        names = dict.fromkeys(t.name for t in self.service_tiers)
        return ("default", *names)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: prices as exact decimal strings, dates as ISO text.

        The one serialisation of a spec (``models --json`` and ``/api/models`` use it).
        """
        out = {k: plain(v) for k, v in dataclasses.asdict(self).items()}
        out["regional_uplift"] = {k: plain(v) for k, v in self.regional_uplift}
        return out


def plain(value: Any) -> Any:
    """``value`` with decimals as exact strings, dates as ISO text, tuples as lists."""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "0") else text
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value
