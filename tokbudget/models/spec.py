"""The frozen values the registry holds: one :class:`ModelSpec` per model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

__all__ = [
    "ENCODING_NAMES",
    "KINDS",
    "ChatFormat",
    "EmbeddingLimits",
    "ImageRules",
    "Kind",
    "ModelSpec",
    "Price",
    "PriceTier",
]

Kind = Literal["chat", "reasoning", "embedding", "completion"]
KINDS: tuple[str, ...] = ("chat", "reasoning", "embedding", "completion")

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
    """Prices that apply when the prompt exceeds ``above_input_tokens``."""

    above_input_tokens: int
    input: Decimal
    output: Decimal | None = None
    cached_input: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Price:
    """USD per 1M tokens, exact decimals."""

    input: Decimal
    output: Decimal | None = None  # None for embedding models: they have no output
    cached_input: Decimal | None = None
    batch_input: Decimal | None = None
    batch_output: Decimal | None = None
    tiers: tuple[PriceTier, ...] = ()


@dataclass(frozen=True, slots=True)
class ChatFormat:
    """Chat-format overheads from OpenAI's cookbook "How to count tokens with tiktoken"."""

    tokens_per_message: int = 3
    tokens_per_name: int = 1
    reply_priming: int = 3


@dataclass(frozen=True, slots=True)
class ImageRules:
    """How a model bills an image: 512-px tiles or 32-px patches."""

    scheme: Literal["tile", "patch"]
    base_tokens: int = 0
    tile_tokens: int = 0
    patch_multiplier: Decimal = Decimal(1)
    max_patches: int = 1536


@dataclass(frozen=True, slots=True)
class EmbeddingLimits:
    dimensions: int | None = None
    max_inputs_per_request: int | None = None
    max_tokens_per_request: int | None = None


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """Everything tokbudget knows about one model. Figures cite ``source`` as of ``as_of``."""

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

    @property
    def input_limit(self) -> int | None:
        """The most prompt tokens the model accepts (its input cap, else its window)."""
        caps = [c for c in (self.max_input_tokens, self.context_window) if c is not None]
        return min(caps) if caps else None
