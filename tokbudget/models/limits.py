"""Checks of a count against a model's limits, shared by every caller that holds one.

An embedding input over the model's per-input limit is refused the same way whether
:func:`tokbudget.embeddings.plan_embedding_batches` or :func:`tokbudget.estimate_cost`
finds it: one message, one error with ``needed``, ``available`` and ``model``.
"""

from __future__ import annotations

from ..errors import ContextOverflowError
from .spec import ModelSpec

__all__ = ["check_embedding_input"]


def check_embedding_input(spec: ModelSpec, where: str, tokens: int) -> None:
    """Raise ``ContextOverflowError`` if one embedding input (``where``) is over the limit.

    >>> from tokbudget import get_model
    >>> check_embedding_input(get_model("text-embedding-3-small"), "chunks[0]", 8_191)
    """
    limit = spec.input_limit
    if limit is not None and tokens > limit:
        raise ContextOverflowError(
            f"{where} needs {tokens:,} tokens but {spec.name} accepts at most {limit:,} per "
            "input; split it first, e.g. tokbudget.split(text) (max_tokens defaults to the "
            "model's limit)",
            needed=tokens,
            available=limit,
            model=spec.name,
        )
