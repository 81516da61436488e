"""The model a command uses when ``-m`` is not given: ``TOKBUDGET_MODEL``, else its built-in.

Every command goes through these two functions, which ask
:func:`tokbudget.models.defaults.default_model` (the one reader of the variable). A bad
name in the variable is an ``UnknownModelError`` naming it: exit 2, and only when a
command actually needs the default (``-m`` and ``-e`` never read it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..chat.request import Request, request_body
from ..models.defaults import DEFAULT_MODEL, MODEL_ENV, default_model
from ..splitting.splitter import DEFAULT_EMBEDDING_MODEL

__all__ = ["MODEL_HELP", "default_line", "model_for_request", "model_or_default"]

MODEL_HELP = f"Model name (default: ${MODEL_ENV}, else {DEFAULT_MODEL})."
"""The help of every ``-m/--model`` whose built-in default is :data:`DEFAULT_MODEL`."""


def model_or_default(
    model: str | None, encoding: str | None = None, *, builtin: str = DEFAULT_MODEL
) -> str | None:
    """``-m`` if given; None if ``-e`` names an encoding instead; else the default in force."""
    if model is not None or encoding is not None:
        return model
    return default_model(builtin=builtin).name


def model_for_request(model: str | None, request: Any) -> str | None:
    """``-m`` if given; None if the request names its own model; else the default in force.

    The request's own ``"model"`` is a choice made in the data, so it outranks the default,
    as ``-m`` outranks both.
    """
    if model is not None:
        return model
    if isinstance(request, Request):  # already read by the one request reader
        own = request.model
    elif isinstance(request, Mapping):
        own = request_body(request).get("model")
    else:  # text, or a list of messages: no model of its own
        own = None
    if own is not None:
        return None
    return default_model().name


def default_line() -> str:
    """Which default model is in force and where it came from (``tokbudget models``).

    A bad ``TOKBUDGET_MODEL`` raises its ``UnknownModelError`` here: exit 2, after the
    list it was printed under, to pick a name from.
    """
    chosen = default_model()
    if chosen.source == "built-in":
        return (
            f"default model: {chosen.name} (built-in; split and show --chunks use "
            f"{DEFAULT_EMBEDDING_MODEL}); set {MODEL_ENV} to choose one for every command\n"
        )
    return f"default model: {chosen.name} (from {MODEL_ENV}, for every command)\n"
