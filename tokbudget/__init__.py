"""tokbudget: exact, offline token counts, budgets, chunks and costs for OpenAI-style models.

``data/models.toml`` -> :mod:`.registry` -> :mod:`.encoder` (tiktoken, bundled vocab) ->
:mod:`.counting` / :mod:`.messages` / :mod:`.budget` / :mod:`.splitter` -> :mod:`.cost`
-> :mod:`.cli`. Importing this package reads no vocab: encoders are built on first use.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .batches import EmbeddingBatch, EmbeddingPlan, plan_embedding_batches
from .budget import BudgetReport, check, ensure_fits
from .cost import Cost, cost, estimate_cost
from .counting import (
    BoundedCount,
    count,
    count_at_most,
    count_many,
    count_stream,
    decode,
    encode,
    encoding_for,
)
from .encoder import Encoder, get_encoding, load_encoding
from .errors import (
    ContextOverflowError,
    InvalidInputError,
    MessageFormatError,
    MissingDependencyError,
    RegistryError,
    SettingsError,
    TokbudgetError,
    UnknownEncodingError,
    UnknownModelError,
    UsageRecordError,
    VocabError,
)
from .history import FitReport, fit_messages
from .images import image_tokens
from .many import split_many
from .messages import RequestCount, count_messages, message_counts, parse_request
from .registry import ModelSpec, Registry, get_model, list_models
from .spans import TokenSpan, TokenSpans, token_spans
from .splitter import Chunk, Splitter, iter_split, split
from .truncation import Truncation, truncate, truncate_with_offsets
from .usage import UsageCost, UsageTotal, cost_from_usage

__all__ = [
    "BoundedCount",
    "BudgetReport",
    "Chunk",
    "ContextOverflowError",
    "Cost",
    "EmbeddingBatch",
    "EmbeddingPlan",
    "Encoder",
    "FitReport",
    "InvalidInputError",
    "MessageFormatError",
    "MissingDependencyError",
    "ModelSpec",
    "Registry",
    "RegistryError",
    "RequestCount",
    "SettingsError",
    "Splitter",
    "TokbudgetError",
    "TokenSpan",
    "TokenSpans",
    "Truncation",
    "UnknownEncodingError",
    "UnknownModelError",
    "UsageCost",
    "UsageRecordError",
    "UsageTotal",
    "VocabError",
    "__version__",
    "check",
    "cost",
    "cost_from_usage",
    "count",
    "count_at_most",
    "count_many",
    "count_messages",
    "count_stream",
    "decode",
    "encode",
    "encoding_for",
    "ensure_fits",
    "estimate_cost",
    "fit_messages",
    "get_encoding",
    "get_model",
    "image_tokens",
    "iter_split",
    "list_models",
    "load_encoding",
    "message_counts",
    "parse_request",
    "plan_embedding_batches",
    "split",
    "split_many",
    "token_spans",
    "truncate",
    "truncate_with_offsets",
]
