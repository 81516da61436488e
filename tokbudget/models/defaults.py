"""The default model: what every function assumes when given no model and no encoding."""

from __future__ import annotations

__all__ = ["DEFAULT_EMBEDDING_MODEL", "DEFAULT_MODEL"]

DEFAULT_MODEL = "gpt-4o"
"""The model assumed when neither ``model`` nor ``encoding`` is given."""

DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small"
"""The model :mod:`tokbudget.splitting` assumes when given neither ``model`` nor ``encoding``."""
