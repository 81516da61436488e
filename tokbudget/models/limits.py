"""A model's limits applied to a request: what the output takes, what the prompt may use.

:func:`output_set_aside` and :func:`prompt_budget` are the arithmetic of
:func:`tokbudget.limits_for` (the window keeps the requested output, or one token, or a
reasoning reserve free; the input cap and the reserve bound the prompt);
:func:`completion_room` is what a prompt leaves for the reply.

An embedding input over the model's per-input limit is refused the same way whether
:func:`tokbudget.embeddings.plan_embedding_batches` or :func:`tokbudget.estimate_cost`
finds it: one message, one error with ``needed``, ``available`` and ``model``.
"""

from __future__ import annotations

from .._util import require_int
from ..errors import ContextOverflowError, SettingsError
from .spec import ModelSpec

__all__ = ["check_embedding_input", "completion_room", "output_set_aside", "prompt_budget"]


def output_set_aside(
    spec: ModelSpec, max_output_tokens: int | None, reasoning_reserve: int
) -> tuple[int | None, int, int]:
    """``(requested output, output the window keeps free, reasoning reserve)``, validated.

    The window keeps the requested output free, else one token (none for an embedding
    model), and at least the reasoning reserve when no output cap is asked for.
    """
    embedding = spec.kind == "embedding"
    if max_output_tokens is not None:
        max_output_tokens = require_int(
            "max_output_tokens", max_output_tokens, least=0 if embedding else 1
        )
        if embedding and max_output_tokens:
            raise SettingsError(
                f"{spec.name} is an embedding model and produces no output; "
                f"drop max_output_tokens (got {max_output_tokens:,})",
                parameter="max_output_tokens",
                value=max_output_tokens,
            )
        cap = spec.max_output_tokens
        if cap is not None and max_output_tokens > cap:
            raise SettingsError(
                f"max_output_tokens={max_output_tokens:,} is more than {spec.name}'s cap of "
                f"{cap:,} output tokens; ask for at most {cap:,}",
                parameter="max_output_tokens",
                value=max_output_tokens,
            )
    reasoning_reserve = require_int("reasoning_reserve", reasoning_reserve, unit="tokens")
    if max_output_tokens is not None or embedding:
        reasoning_reserve = 0  # an output cap bounds reasoning and reply together
    elif spec.max_output_tokens is not None:
        reasoning_reserve = min(reasoning_reserve, spec.max_output_tokens)
    output = max_output_tokens if max_output_tokens is not None else (0 if embedding else 1)
    return max_output_tokens, max(output, reasoning_reserve), reasoning_reserve


def prompt_budget(spec: ModelSpec, output: int, reserve: int) -> int:
    """The most prompt tokens that fit once ``output`` and ``reserve`` are set aside."""
    caps = []
    if spec.max_input_tokens is not None:
        caps.append(spec.max_input_tokens)
    if spec.context_window is not None:
        caps.append(spec.context_window - output)
    if not caps:
        raise SettingsError(
            f"{spec.name} has no known context window or input limit; add context_window "
            "(and max_output_tokens) to its entry in a TOKBUDGET_MODELS file"
        )
    budget = min(caps) - reserve
    if budget < 0:
        raise SettingsError(
            f"reserve={reserve:,} with {output:,} output tokens leaves no room for a prompt in "
            f"{spec.name} (prompt + reserve at most {min(caps):,}); lower the reserve",
            parameter="reserve",
            value=reserve,
        )
    return budget


def completion_room(spec: ModelSpec, used: int) -> int:
    """Output tokens left once ``used`` tokens of the window are taken (0 for embeddings)."""
    if spec.kind == "embedding":
        return 0
    room = [c for c in (spec.max_output_tokens,) if c is not None]
    if spec.context_window is not None:
        room.append(spec.context_window - used)
    return max(0, min(room)) if room else 0


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
