"""tokbudget: exact, offline token counts, budgets, chunks and costs for OpenAI-style models.

``data/`` (models.toml, vocab) -> :mod:`.models` -> :mod:`.tokenizer` -> :mod:`.counting` ->
the text API (:mod:`.budget`, :mod:`.truncation`) / :mod:`.chat` / :mod:`.splitting` ->
:mod:`.pricing` / :mod:`.usage` -> the front ends (:mod:`.cli`, :mod:`.web`, :mod:`.dask`).
Importing this package reads no vocab: encoders are built on first use.
"""

from __future__ import annotations

from importlib import metadata as _metadata

from .budget import BudgetReport, check, ensure_fits
from .chat.breakdown import count_request
from .chat.fit import FitReport, fit_messages
from .chat.fit_items import fit_request
from .chat.images import image_tokens
from .chat.messages import RequestCount, count_messages, message_counts, parse_request
from .counting import (
    BoundedCount,
    count,
    count_at_most,
    count_many,
    count_stream,
    decode,
    decode_bytes,
    encode,
    encoding_for,
)
from .embeddings import EmbeddingBatch, EmbeddingPlan, plan_embedding_batches
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
    UnknownTokenError,
    UsageRecordError,
    VocabError,
)
from .models.lifecycle import lifecycle_note
from .models.registry import ModelSpec, Registry, get_model, list_models
from .pricing import Cost, cost, estimate_cost
from .splitting.many import split_many
from .splitting.splitter import Chunk, Splitter, iter_split, split
from .tokenizer.encoder import Encoder, get_encoding, load_encoding
from .tokenizer.spans import TokenSpan, TokenSpans, token_spans
from .truncation import Truncation, truncate, truncate_with_offsets
from .usage import UsageCost, UsageTotal, cost_from_usage

try:
    __version__ = _metadata.version("tokbudget")
except _metadata.PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
del _metadata

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
    "UnknownTokenError",
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
    "count_request",
    "count_stream",
    "decode",
    "decode_bytes",
    "encode",
    "encoding_for",
    "ensure_fits",
    "estimate_cost",
    "fit_messages",
    "fit_request",
    "get_encoding",
    "get_model",
    "image_tokens",
    "iter_split",
    "lifecycle_note",
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
