"""What requests cost, in exact decimal USD: from token counts, or before sending.

Billing rules, as OpenAI applies them (and litellm's and genai-prices' calculators
reproduce):

* ``input_tokens`` is the *whole* prompt, exactly as the API reports it
  (``usage.prompt_tokens`` / ``usage.input_tokens``). ``cached_input_tokens`` (cache
  reads) and ``cache_write_tokens`` (prompt-cache writes, billed since GPT-5.6) are parts
  of it, each billed at its own rate; the rest at the input rate. A model with no cached
  (or cache-write) price bills those tokens at the input rate, and the notes say so.
  Audio tokens (``input_audio_tokens``, ``output_audio_tokens``) are parts of the input
  and output, billed at the model's audio rates.
* The rates are chosen by :mod:`tokbudget.models.rates`: the price in force on the
  request's date (``at``), the long-context tier (once the prompt *exceeds* 272K on
  GPT-5.4+, the tier prices the whole request: 2x input, cached input and cache writes,
  1.5x output), the Batch API, the service tier and the region's uplift;
  :mod:`tokbudget.models.bill` multiplies each part of the request by its rate.
* ``batch=True`` uses the Batch API prices recorded for the model. No 50% rule is
  guessed: a model without a recorded batch price is an error.
* Money is never a float: prices are ``Decimal`` and every sum is exact.

Summing real usage logs is :mod:`tokbudget.usage`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, SupportsIndex

from ._util import require_int
from .chat.breakdown import count_request
from .chat.request import Request, read_request, request_body
from .counting import count, count_many
from .errors import (
    ContextOverflowError,
    InvalidInputError,
    MessageFormatError,
    SettingsError,
    UnknownModelError,
)
from .models.bill import amounts, check_output, counts
from .models.defaults import DEFAULT_MODEL
from .models.limits import check_embedding_input
from .models.rates import select_rates
from .models.registry import MODELS_ENV, ModelSpec, Registry, default_registry
from .money import EXACT, Cost, day_of, decimal_str, money

__all__ = [
    "EXACT",
    "Cost",
    "cost",
    "day_of",
    "decimal_str",
    "estimate_cost",
    "money",
]

TokenCount = int | SupportsIndex
"""A token count: an ``int`` or anything with ``__index__`` (numpy integers)."""


# ------------------------------------------------------------------------- from counts


def _priced_spec(name: str, registry: Registry | None) -> tuple[ModelSpec, tuple[str, ...]]:
    """The spec that prices ``name``, and a note if it is another name's entry."""
    spec = (registry or default_registry()).get(name)
    if name == spec.name or name in spec.aliases:
        return spec, ()
    if name.startswith("ft:"):
        raise SettingsError(
            f"{name!r} is a fine-tuned model; fine-tuned inference is billed at other "
            f"rates than {spec.name}, and the registry has no price for it; add it with "
            f"its price to a TOML file named by {MODELS_ENV}"
        )
    return spec, (f"priced as {spec.name}: the registry has no entry of its own for {name!r}",)


def cost(
    model: str,
    input_tokens: TokenCount = 0,
    output_tokens: TokenCount = 0,
    cached_input_tokens: TokenCount = 0,
    cache_write_tokens: TokenCount = 0,
    batch: bool = False,
    service_tier: str = "default",
    region: str | None = None,
    at: date | datetime | None = None,
    *,
    input_audio_tokens: TokenCount = 0,
    output_audio_tokens: TokenCount = 0,
    registry: Registry | None = None,
) -> Cost:
    """Return what a request of ``model`` with these token counts costs, exactly.

    Args:
        model: a model name, alias or dated snapshot (``ft:`` models need their own entry).
        input_tokens: the whole prompt, cached and cache-write tokens included
            (``usage.prompt_tokens``); an int or a numpy integer.
        output_tokens: generated tokens, reasoning tokens included.
        cached_input_tokens: how many of ``input_tokens`` were cache reads.
        cache_write_tokens: how many of ``input_tokens`` were written to the cache.
        batch: price at the model's Batch API rates.
        service_tier: ``"default"``, ``"flex"``, ``"priority"`` (``"fast"``) or
            ``"ultrafast"``; one the model does not offer is an error naming those it does.
        region: regional processing (``"us"``, ``"eu"``): adds the model's uplift.
        at: the request's date or datetime (default: today, UTC): selects the price and
            the service-tier multiplier in force then.
        input_audio_tokens: how many of ``input_tokens`` were audio (realtime models).
        output_audio_tokens: how many of ``output_tokens`` were audio.
        registry: the registry to price from (default: :func:`default_registry`).

    Raises:
        SettingsError: a negative count, more cached/cache-write than input tokens,
            output tokens for an embedding model, or a price, tier or region the
            registry does not have.

    >>> cost("gpt-4o", input_tokens=1_234_567).total
    Decimal('3.0864175')
    >>> [str(cost("gpt-5.6-sol", 200_000, at=date(2026, 8, d)).total) for d in (20, 21)]
    ['1.00', '0.80']
    """
    n = counts(
        input_tokens,
        output_tokens,
        cached_input_tokens,
        cache_write_tokens,
        input_audio_tokens,
        output_audio_tokens,
    )
    if not isinstance(service_tier, str):
        raise InvalidInputError(f"service_tier must be a string, got {service_tier!r:.40}")
    if region is not None and not isinstance(region, str):
        raise InvalidInputError(f"region must be a string or None, got {region!r:.40}")
    spec, notes = _priced_spec(model, registry)
    rates = select_rates(
        spec, n.input, day=day_of(at), batch=batch, service_tier=service_tier, region=region
    )
    check_output(spec, rates, n.output, batch)
    a = amounts(spec, rates, n)
    return Cost(
        model=spec.name,
        input_tokens=n.input,
        output_tokens=n.output,
        cached_input_tokens=n.cached,
        input=a.input,
        cached_input=a.cached_input,
        output=a.output,
        total=a.total,
        batch=batch,
        tier=rates.tier,
        notes=(*notes, *(f"{spec.name}: {x}" for x in rates.notes), *a.notes),
        cache_write_tokens=n.write,
        cache_write=a.cache_write,
        service_tier="priority" if service_tier == "fast" else service_tier,
        region=region,
        price_date=rates.since,
    )


# -------------------------------------------------------------------- before sending


def estimate_cost(
    text_or_messages: str | Sequence[Any] | Mapping[str, Any],
    model: str | None = None,
    max_output_tokens: int | None = None,
    *,
    cached_input_tokens: int = 0,
    cache_write_tokens: int = 0,
    batch: bool = False,
    service_tier: str = "default",
    region: str | None = None,
    at: date | datetime | None = None,
) -> Cost:
    """Return what a request will cost at most, before it is sent.

    The prompt is counted: a string with :func:`tokbudget.count`; a list of chat messages,
    a Chat Completions or Responses API request body, or a Batch API line with
    :func:`tokbudget.count_request` (its ``model``, tools, response format, output cap --
    ``max_completion_tokens`` / ``max_tokens`` or ``max_output_tokens`` -- and ``n`` are
    used); a list of strings, or an embeddings request body (``input`` for an embedding
    model), as embedding inputs, each checked against the per-input limit.
    The reply is ``max_output_tokens`` tokens (times ``n``); if not given, the model's own
    ``max_output_tokens`` (capped by what the window leaves), a worst case that
    ``Cost.notes`` states. ``cached_input_tokens``, ``cache_write_tokens``, ``batch``,
    ``service_tier``, ``region`` and ``at`` are :func:`cost`'s.

    Raises:
        ContextOverflowError: the prompt, an embedding input, or prompt plus reply, does
            not fit the model.

    >>> estimate_cost("hello world", model="gpt-4o", max_output_tokens=0).input_tokens
    2
    """
    req = _read_payload(text_or_messages, model)
    name = model if model is not None else (req.model or DEFAULT_MODEL)
    if max_output_tokens is None:
        max_output_tokens = req.max_output
    spec, _ = _priced_spec(name, None)
    prompt, estimated = _prompt_tokens(req.payload, name, spec)
    reply, notes = _reply_tokens(spec, prompt, max_output_tokens)
    if estimated:
        notes.insert(
            0,
            f"input_tokens {prompt:,} include estimates (estimated: {', '.join(estimated)}; "
            "tokbudget.count_request says why)",
        )
    if req.choices > 1:
        notes.append(f"n={req.choices}: {req.choices} replies of up to {reply:,} tokens each")
    result = cost(
        name,
        prompt,
        reply * req.choices,
        cached_input_tokens,
        cache_write_tokens,
        batch,
        service_tier,
        region,
        at,
    )
    return replace(result, notes=(*result.notes, *notes))


@dataclass(frozen=True, slots=True)
class _Request:
    """What :func:`estimate_cost` needs of its argument."""

    payload: Any  # a string, a read Request, a message or item list, or embedding inputs
    model: str | None = None
    max_output: Any = None
    choices: int = 1


def _read_payload(payload: Any, model: str | None) -> _Request:
    """The request inside ``payload``: bodies are read by the one request reader
    (:func:`tokbudget.chat.request.read_request`: Chat, Responses, Batch lines), an
    embeddings or moderation body is unwrapped to its inputs, anything else kept."""
    if isinstance(payload, Request):  # already read
        return _Request(payload, payload.model, payload.max_output_tokens, payload.choices)
    if not (isinstance(payload, Mapping) or hasattr(payload, "model_dump")):
        return _Request(payload)
    body = request_body(payload)
    own = body.get("model")
    if _embeddings_body(payload, body, model or own or DEFAULT_MODEL):
        inputs = body["input"]  # an embeddings request has no output cap and no n
        return _Request([inputs] if isinstance(inputs, str) else inputs, own)
    req = read_request(payload)
    return _Request(req, req.model, req.max_output_tokens, req.choices)


def _reply_tokens(spec: ModelSpec, prompt: int, max_output: Any) -> tuple[int, list[str]]:
    """The reply tokens to price (and notes): the cap asked for, else the worst case."""
    window = spec.context_window
    notes: list[str] = []
    if spec.kind in ("embedding", "moderation"):
        return require_int("max_output_tokens", max_output or 0), notes
    if max_output is not None:
        reply = require_int("max_output_tokens", max_output)
        if spec.max_output_tokens is not None and reply > spec.max_output_tokens:
            raise SettingsError(
                f"max_output_tokens is {reply:,} but {spec.name} generates at most "
                f"{spec.max_output_tokens:,}; pass a smaller max_output_tokens",
                parameter="max_output_tokens",
                value=reply,
            )
    else:
        room = window - prompt if window is not None else None
        caps = [c for c in (spec.max_output_tokens, room) if c is not None]
        if not caps:
            raise SettingsError(
                f"{spec.name} records no output limit; pass max_output_tokens= explicitly"
            )
        reply = min(caps)
        why = "what its window leaves" if reply == room else "its max_output_tokens"
        notes.append(
            f"output_tokens assumed {reply:,}: the most {spec.name} can generate ({why}), a "
            "worst case; pass max_output_tokens= for a tighter estimate"
        )
    if window is not None and prompt + reply > window:
        raise ContextOverflowError(
            f"the prompt ({prompt:,} tokens) plus max_output_tokens ({reply:,}) is "
            f"{prompt + reply:,}, over {spec.name}'s {window:,}-token window; lower "
            f"max_output_tokens to {max(window - prompt, 0):,} or shorten the prompt",
            needed=prompt + reply,
            available=window,
            model=spec.name,
        )
    return reply, notes


def _embeddings_body(payload: Any, body: Mapping[str, Any], model: Any) -> bool:
    """An embeddings (or moderation) request: a Batch line for /v1/embeddings or
    /v1/moderations, or ``input`` for such a model (a Responses body also has ``input``)."""
    if "messages" in body or "input" not in body:
        return False
    url = payload.get("url") if isinstance(payload, Mapping) else None
    if url in ("/v1/embeddings", "/v1/moderations"):
        return True
    try:
        kind = default_registry().get(model).kind if isinstance(model, str) else None
    except UnknownModelError:
        return False
    return kind in ("embedding", "moderation")


def _prompt_tokens(payload: Any, name: str, spec: ModelSpec) -> tuple[int, list[str]]:
    """The prompt's tokens, and the names of its parts that are estimates."""
    if isinstance(payload, str):
        prompt, estimated = count(payload, model=name), []
    elif isinstance(payload, Request):
        counted = count_request(payload, model=name)
        prompt, estimated = counted.total, [e.part for e in counted.estimated]
    elif spec.kind == "embedding" or (
        isinstance(payload, Sequence) and payload and all(isinstance(t, str) for t in payload)
    ):
        return _embedding_tokens(payload, name, spec), []
    elif isinstance(payload, Sequence) and not isinstance(payload, bytes | bytearray):
        counted = count_request(payload, model=name)
        prompt, estimated = counted.total, [e.part for e in counted.estimated]
    else:
        raise InvalidInputError(
            f"estimate_cost() takes a string, a list of messages or a request dict, "
            f"got {type(payload).__name__}"
        )
    _check_fits(
        "the prompt",
        prompt,
        spec.input_limit,
        spec,
        "",
        "shorten it or pick a model with a larger window",
    )
    return prompt, estimated


def _check_fits(
    what: str, needed: int, limit: int | None, spec: ModelSpec, per: str, fix: str
) -> None:
    if limit is not None and needed > limit:
        raise ContextOverflowError(
            f"{what} needs {needed:,} tokens but {spec.name} accepts at most {limit:,}{per}; {fix}",
            needed=needed,
            available=limit,
            model=spec.name,
        )


def _embedding_tokens(inputs: Any, name: str, spec: ModelSpec) -> int:
    if isinstance(inputs, Mapping) or not isinstance(inputs, Sequence):
        raise MessageFormatError(
            f"embedding input must be a string or a list of strings, got {type(inputs).__name__}",
            field="input",
        )
    counts = count_many(inputs, model=name)
    limits = spec.embedding
    for i, n in enumerate(counts.tolist()):
        check_embedding_input(spec, f"embedding input {i}", n)
    total = int(counts.sum())
    if limits is not None:
        most = limits.max_inputs_per_request
        if most is not None and len(counts) > most:
            raise SettingsError(
                f"{len(counts):,} embedding inputs in one request, but {spec.name} takes at "
                f"most {most:,}; send them in several requests"
            )
        cap = limits.max_tokens_per_request
        fix = "send them in several requests"
        _check_fits("the embedding inputs together", total, cap, spec, " per request", fix)
    return total
