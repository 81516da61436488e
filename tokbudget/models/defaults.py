"""The default model: built in, or chosen once with ``TOKBUDGET_MODEL``.

The library's functions use :data:`DEFAULT_MODEL` when given neither a model nor an encoding,
whatever the environment says: a library call never changes meaning with the caller's shell.
Front ends (the ``tokbudget`` command) ask :func:`default_model`, which reads
``TOKBUDGET_MODEL``; it is the one place that variable is read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from ..errors import UnknownModelError
from .registry import default_registry

__all__ = ["DEFAULT_EMBEDDING_MODEL", "DEFAULT_MODEL", "MODEL_ENV", "DefaultModel", "default_model"]

DEFAULT_MODEL = "gpt-4o"
"""The model assumed when neither ``model`` nor ``encoding`` is given."""

DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small"
"""The model :mod:`tokbudget.splitting` assumes when given neither ``model`` nor ``encoding``."""

MODEL_ENV = "TOKBUDGET_MODEL"
"""The environment variable that names the command line's default model."""


@dataclass(frozen=True, slots=True)
class DefaultModel:
    """The default model in force, and where it came from.

    Attributes:
        name: the model's name, as set.
        source: ``"built-in"`` or ``"TOKBUDGET_MODEL"``.
    """

    name: str
    source: Literal["built-in", "TOKBUDGET_MODEL"]


def default_model(
    environ: Mapping[str, str] | None = None, *, builtin: str = DEFAULT_MODEL
) -> DefaultModel:
    """The default model: ``TOKBUDGET_MODEL`` if set (and not blank), else ``builtin``.

    Args:
        environ: where to read the variable (default ``os.environ``).
        builtin: the default when the variable is unset (a command may have its own, as
            ``split`` has an embedding model).

    Raises:
        UnknownModelError: the variable names no model the registry can resolve; the
            message names the variable, so the user knows where the bad name came from.

    >>> default_model({"TOKBUDGET_MODEL": "gpt-5"})
    DefaultModel(name='gpt-5', source='TOKBUDGET_MODEL')
    >>> default_model({}).name
    'gpt-4o'
    """
    value = (os.environ if environ is None else environ).get(MODEL_ENV, "").strip()
    if not value:
        return DefaultModel(builtin, "built-in")
    try:
        default_registry().encoding_name(value)
    except UnknownModelError as exc:
        hint = f"; did you mean {', '.join(exc.suggestions)}?" if exc.suggestions else ""
        raise UnknownModelError(
            f"{MODEL_ENV}={value!r} names no known model{hint} (`tokbudget models` lists "
            f"them; set {MODEL_ENV} to one of them, or unset it for {builtin})",
            model=value,
            suggestions=exc.suggestions,
            variable=MODEL_ENV,
        ) from None
    return DefaultModel(value, "TOKBUDGET_MODEL")
