"""Which encoder a call uses: a model's (through the registry), a named encoding, or the default."""

from __future__ import annotations

from ..errors import SettingsError
from ..models.defaults import DEFAULT_MODEL
from ..models.registry import default_registry
from .encoder import Encoder, get_encoding

__all__ = ["encoding_for", "resolve_encoding"]


def encoding_for(model: str) -> Encoder:
    """Return the offline encoding (a ``tiktoken.Encoding``) that ``model`` uses.

    Resolves exact names, aliases, dated snapshots, ``ft:`` fine-tunes and, for models the
    registry does not list yet, family prefixes (``gpt-5.9-mini-2027-01-01`` -> o200k_base).

    >>> encoding_for("gpt-4o-2024-08-06").name
    'o200k_base'
    """
    return get_encoding(default_registry().encoding_name(model))


def resolve_encoding(model: str | None = None, encoding: str | None = None) -> Encoder:
    """The encoder for ``model`` or ``encoding`` (not both); default :data:`DEFAULT_MODEL`."""
    if model is not None and encoding is not None:
        raise SettingsError(
            f"give model= or encoding=, not both (got model={model!r}, encoding={encoding!r})"
        )
    if encoding is not None:
        return get_encoding(encoding)
    return encoding_for(model if model is not None else DEFAULT_MODEL)
