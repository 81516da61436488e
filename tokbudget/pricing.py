"""What requests cost, in exact decimal USD: from token counts, or before sending.

Billing rules, as OpenAI applies them (and litellm's cost calculator reproduces):

* ``input_tokens`` is the *whole* prompt, cached tokens included, exactly as the API
  reports it (``usage.prompt_tokens`` / ``usage.input_tokens``). ``cached_input_tokens``
  (``prompt_tokens_details.cached_tokens``) are the part of it billed at the cached price;
  the other ``input_tokens - cached`` are billed at the input price. A model with no
  cached price bills them at the input price (and the result's notes say so).
* Long-context tiers (``Price.tiers``): once the prompt *exceeds* a tier's
  ``above_input_tokens`` (``input_tokens > 272_000``), the tier's prices apply to the whole
  request: every input, cached and output token, not only those past the threshold
  (OpenAI: "priced at 2x input and 1.5x output for the full request").
* ``batch=True`` uses the Batch API prices recorded for the model. No 50% rule is
  guessed: a model without a recorded batch price is an error. Cached tokens in a batch
  are billed at the batch input price (no extra cache discount is assumed, the higher
  figure), and the registry has no batch price for long-context prompts, so those are an
  error too.
* Money is never a float: prices are ``Decimal`` and every sum is exact.

Summing real usage logs is :mod:`tokbudget.usage`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Context, Decimal, localcontext
from typing import Any, SupportsIndex

from ._util import require_int
from .chat.messages import count_messages, parse_request, request_body
from .counting import count, count_many
from .errors import ContextOverflowError, InvalidInputError, MessageFormatError, SettingsError
from .models.defaults import DEFAULT_MODEL
from .models.limits import check_embedding_input
from .models.registry import MODELS_ENV, ModelSpec, Price, Registry, default_registry

__all__ = ["EXACT", "Cost", "cost", "decimal_str", "estimate_cost"]

EXACT = Context(prec=60)
"""Wide enough that no realistic product or sum of prices is ever rounded."""

_MILLION = Decimal(1_000_000)

TokenCount = int | SupportsIndex
"""A token count: an ``int`` or anything with ``__index__`` (numpy integers)."""


def decimal_str(value: Decimal) -> str:
    """The exact value in plain notation, without exponent or trailing zeros.

    >>> decimal_str(Decimal("3.08641750"))
    '3.0864175'
    """
    text = format(value.normalize(EXACT), "f")
    return "0" if text in ("-0", "0") else text


@dataclass(frozen=True, slots=True)
class Cost:
    """The price of one request (or a hypothetical one), in exact decimals.

    ``input`` is what the uncached prompt tokens cost, ``cached_input`` what the cached
    ones cost; ``total = input + cached_input + output``. ``tier`` is the
    ``above_input_tokens`` of the long-context tier that priced the request, if any;
    ``notes`` say what was assumed.
    """

    model: str
    input_tokens: int
    output_tokens: int
    cached_input_tokens: int
    input: Decimal
    cached_input: Decimal
    output: Decimal
    total: Decimal
    currency: str = "USD"
    batch: bool = False
    tier: int | None = None
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; money as exact decimal strings (``"3.0864175"``)."""
        out: dict[str, Any] = {name: getattr(self, name) for name in self.__dataclass_fields__}
        for name in ("input", "cached_input", "output", "total"):
            out[name] = decimal_str(out[name])
        out["notes"] = list(self.notes)
        return out


# ------------------------------------------------------------------------- from counts


def _priced_spec(name: str, registry: Registry | None) -> tuple[ModelSpec, Price, tuple[str, ...]]:
    spec = (registry or default_registry()).get(name)
    notes: tuple[str, ...] = ()
    if name != spec.name and name not in spec.aliases:
        if name.startswith("ft:"):
            raise SettingsError(
                f"{name!r} is a fine-tuned model; fine-tuned inference is billed at other "
                f"rates than {spec.name}, and the registry has no price for it; add it with "
                f"its price to a TOML file named by {MODELS_ENV}"
            )
        notes = (f"priced as {spec.name}: the registry has no entry of its own for {name!r}",)
    if spec.price is None:
        raise SettingsError(
            f"{spec.name} has no price in the registry (open-weight models have no OpenAI "
            f"price list); to price it, add [models.{spec.name!r}.price] to a TOML file "
            f"named by {MODELS_ENV}"
        )
    return spec, spec.price, notes


def cost(
    model: str,
    input_tokens: TokenCount = 0,
    output_tokens: TokenCount = 0,
    cached_input_tokens: TokenCount = 0,
    batch: bool = False,
    *,
    registry: Registry | None = None,
) -> Cost:
    """Return what a request of ``model`` with these token counts costs, exactly.

    Args:
        model: a model name, alias or dated snapshot (``ft:`` models need their own entry).
        input_tokens: the whole prompt, cached tokens included (``usage.prompt_tokens``).
        output_tokens: generated tokens, reasoning tokens included.
        cached_input_tokens: how many of ``input_tokens`` were cache hits.
        batch: price at the model's Batch API rates.
        registry: the registry to price from (default: :func:`default_registry`).

    Raises:
        SettingsError: a negative count, more cached than input tokens, output tokens for
            an embedding model, or a price the registry does not have.

    >>> cost("gpt-4o", input_tokens=1_234_567).total
    Decimal('3.0864175')
    """
    n_in = require_int("input_tokens", input_tokens)
    n_out = require_int("output_tokens", output_tokens)
    n_cached = require_int("cached_input_tokens", cached_input_tokens)
    if n_cached > n_in:
        raise SettingsError(
            f"cached_input_tokens ({n_cached:,}) exceeds input_tokens ({n_in:,}); cached "
            "tokens are part of the prompt, so pass the whole prompt as input_tokens",
            parameter="cached_input_tokens",
            value=n_cached,
        )
    spec, price, notes = _priced_spec(model, registry)
    tier = next((t for t in reversed(price.tiers) if n_in > t.above_input_tokens), None)
    where = f"[models.{spec.name!r}.price] in a TOML file named by {MODELS_ENV}"
    if batch:
        if price.batch_input is None:
            raise SettingsError(
                f"{spec.name} has no Batch API price in the registry (tokbudget does not "
                f"assume the usual 50% discount); pass batch=False, or add batch_input and "
                f"batch_output to {where}"
            )
        if tier is not None:
            raise SettingsError(
                f"{spec.name} has no Batch API price for prompts over "
                f"{tier.above_input_tokens:,} tokens (this one has {n_in:,}); pass batch=False"
            )
        rate_in, rate_cached, rate_out = price.batch_input, price.batch_input, price.batch_output
    elif tier is not None:
        rate_in = tier.input
        rate_cached = tier.cached_input if tier.cached_input is not None else tier.input
        rate_out = tier.output if tier.output is not None else price.output
        if tier.output is None and n_out:
            notes += (f"no long-context output price recorded; {spec.name}'s base one is used",)
    else:
        rate_in, rate_out = price.input, price.output
        rate_cached = price.cached_input if price.cached_input is not None else price.input
        if price.cached_input is None and n_cached:
            notes += (f"{spec.name} has no cached-input price; cached tokens billed as input",)
    if rate_out is None and n_out:
        if spec.kind == "embedding":
            raise SettingsError(
                f"{spec.name} is an embedding model: it produces no output tokens (got "
                f"output_tokens={n_out:,}); pass output_tokens=0"
            )
        kind = "Batch API output" if batch else "output"
        raise SettingsError(f"{spec.name} has no {kind} price in the registry; add it to {where}")
    with localcontext(EXACT):
        c_in = rate_in * (n_in - n_cached) / _MILLION
        c_cached = rate_cached * n_cached / _MILLION
        c_out = (rate_out or Decimal(0)) * n_out / _MILLION
        total = c_in + c_cached + c_out
    return Cost(
        model=spec.name,
        input_tokens=n_in,
        output_tokens=n_out,
        cached_input_tokens=n_cached,
        input=c_in,
        cached_input=c_cached,
        output=c_out,
        total=total,
        batch=batch,
        tier=tier.above_input_tokens if tier is not None else None,
        notes=notes,
    )


# -------------------------------------------------------------------- before sending


def estimate_cost(
    text_or_messages: str | Sequence[Any] | Mapping[str, Any],
    model: str | None = None,
    max_output_tokens: int | None = None,
    *,
    cached_input_tokens: int = 0,
    batch: bool = False,
) -> Cost:
    """Return what a request will cost at most, before it is sent.

    The prompt is counted exactly: a string with :func:`tokbudget.count`; a list of chat
    messages with :func:`tokbudget.count_messages`; a Chat Completions request body (its
    ``model``, ``messages``, ``tools``, ``tool_choice``, ``max_completion_tokens`` /
    ``max_tokens`` and ``n`` are used); a list of strings, or an embeddings request body
    (``input``), as embedding inputs, each checked against the per-input limit.
    The reply is ``max_output_tokens`` tokens (times ``n``); if not given, the model's own
    ``max_output_tokens`` (capped by what the window leaves), a worst case that
    ``Cost.notes`` states.

    Raises:
        ContextOverflowError: the prompt, an embedding input, or prompt plus reply, does
            not fit the model.

    >>> estimate_cost("hello world", model="gpt-4o", max_output_tokens=0).input_tokens
    2
    """
    payload: Any = text_or_messages
    tools = tool_choice = None
    choices = 1
    if isinstance(payload, Mapping):
        body = request_body(payload)
        model = model or body.get("model")
        if max_output_tokens is None:
            max_output_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
        choices = require_int("n", body.get("n") or 1)
        if "messages" not in body and "input" in body:  # an embeddings request
            payload = body["input"]
            payload = [payload] if isinstance(payload, str) else payload
        else:
            payload, tools, tool_choice = parse_request(body)
    name = model or DEFAULT_MODEL
    spec, _, _ = _priced_spec(name, None)
    prompt = _prompt_tokens(payload, name, spec, tools, tool_choice)
    notes: list[str] = []
    window = spec.context_window
    if spec.kind == "embedding":
        reply = require_int("max_output_tokens", max_output_tokens or 0)
    elif max_output_tokens is not None:
        reply = require_int("max_output_tokens", max_output_tokens)
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
    if window is not None and spec.kind != "embedding" and prompt + reply > window:
        raise ContextOverflowError(
            f"the prompt ({prompt:,} tokens) plus max_output_tokens ({reply:,}) is "
            f"{prompt + reply:,}, over {spec.name}'s {window:,}-token window; lower "
            f"max_output_tokens to {max(window - prompt, 0):,} or shorten the prompt",
            needed=prompt + reply,
            available=window,
            model=spec.name,
        )
    if choices > 1:
        notes.append(f"n={choices}: {choices} replies of up to {reply:,} tokens each")
    result = cost(name, prompt, reply * choices, cached_input_tokens, batch)
    return replace(result, notes=(*result.notes, *notes))


def _prompt_tokens(payload: Any, name: str, spec: ModelSpec, tools: Any, tool_choice: Any) -> int:
    if isinstance(payload, str):
        prompt = count(payload, model=name)
    elif spec.kind == "embedding" or (
        isinstance(payload, Sequence) and payload and all(isinstance(t, str) for t in payload)
    ):
        return _embedding_tokens(payload, name, spec)
    elif isinstance(payload, Sequence) and not isinstance(payload, bytes | bytearray):
        prompt = count_messages(payload, model=name, tools=tools, tool_choice=tool_choice)
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
    return prompt


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
