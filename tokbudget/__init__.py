"""tokbudget: exact, offline token counts, budgets, chunks and costs for OpenAI-style models.

``data/models.toml`` -> :mod:`.registry` -> :mod:`.encoder` (tiktoken, bundled vocab) ->
:mod:`.counting` / :mod:`.messages` / :mod:`.budget` / :mod:`.splitter` -> :mod:`.cost`
-> :mod:`.cli`. Importing this package reads no vocab: encoders are built on first use.
"""

from __future__ import annotations

__version__ = "0.1.0"

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
    VocabError,
)
from .registry import ModelSpec, Registry, get_model, list_models

__all__ = [
    "ContextOverflowError",
    "Encoder",
    "InvalidInputError",
    "MessageFormatError",
    "MissingDependencyError",
    "ModelSpec",
    "Registry",
    "RegistryError",
    "SettingsError",
    "TokbudgetError",
    "UnknownEncodingError",
    "UnknownModelError",
    "VocabError",
    "__version__",
    "count",
    "count_many",
    "count_stream",
    "decode",
    "encode",
    "encoding_for",
    "get_encoding",
    "get_model",
    "list_models",
    "load_encoding",
]
