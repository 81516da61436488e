"""tokbudget: exact, offline token counts, budgets, chunks and costs for OpenAI-style models.

``data/models.toml`` -> :mod:`.registry` -> :mod:`.encoder` (tiktoken, bundled vocab) ->
:mod:`.counting` / :mod:`.messages` / :mod:`.budget` / :mod:`.splitter` -> :mod:`.cost`
-> :mod:`.cli`. Importing this package reads no vocab: encoders are built on first use.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .cost import Cost, cost, estimate_cost
from .counting import count, count_many, count_stream, decode, encode, encoding_for
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
from .images import image_tokens
from .messages import RequestCount, count_messages, message_counts, parse_request
from .registry import ModelSpec, Registry, get_model, list_models
from .spans import TokenSpan, TokenSpans, token_spans
from .usage import UsageCost, UsageTotal, cost_from_usage

__all__ = [
    "ContextOverflowError",
    "Cost",
    "Encoder",
    "InvalidInputError",
    "MessageFormatError",
    "MissingDependencyError",
    "ModelSpec",
    "Registry",
    "RegistryError",
    "RequestCount",
    "SettingsError",
    "TokbudgetError",
    "TokenSpan",
    "TokenSpans",
    "UnknownEncodingError",
    "UnknownModelError",
    "UsageCost",
    "UsageRecordError",
    "UsageTotal",
    "VocabError",
    "__version__",
    "cost",
    "cost_from_usage",
    "count",
    "count_many",
    "count_messages",
    "count_stream",
    "decode",
    "encode",
    "encoding_for",
    "estimate_cost",
    "get_encoding",
    "get_model",
    "image_tokens",
    "list_models",
    "load_encoding",
    "message_counts",
    "parse_request",
    "token_spans",
]
