"""Pricing real API usage: sum the ``usage`` of logged responses, per model and in total.

Records may be Chat Completions or embeddings responses (``usage.prompt_tokens``,
``completion_tokens``, ``prompt_tokens_details.cached_tokens`` / ``cache_write_tokens`` /
``audio_tokens``, ``completion_tokens_details.reasoning_tokens`` / ``audio_tokens``),
Responses API responses (``input_tokens``, ``output_tokens``,
``input_tokens_details.cached_tokens`` / ``cache_write_tokens``,
``output_tokens_details.reasoning_tokens``), bare usage dicts, Batch API output lines
(priced at batch rates), or streamed events. Cached and cache-write tokens are parts of
the input, each billed at its own rate; reasoning tokens are part of the output. A
record's ``service_tier`` picks the tier's rates and its ``created`` (Chat Completions) or
``created_at`` (Responses) timestamp the price in force that day. Records that are
not billed are skipped and counted: failed batch lines, stream chunks without usage (only
the last chunk carries it, with ``stream_options={"include_usage": True}``) and stream
events other than the final one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, localcontext
from typing import Any

from ._util import require_int
from .errors import TokbudgetError, UsageRecordError
from .models.registry import Registry
from .money import EXACT, Cost, day_of, decimal_str
from .pricing import cost

__all__ = ["UsageCost", "UsageTotal", "cost_from_usage"]

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class UsageTotal:
    """Tokens and money summed over the requests of one model (or of all of them)."""

    model: str
    requests: int = 0
    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    input: Decimal = _ZERO
    cached_input: Decimal = _ZERO
    output: Decimal = _ZERO
    total: Decimal = _ZERO
    cache_write_tokens: int = 0
    cache_write: Decimal = _ZERO

    def add(self, c: Cost, times: int = 1) -> UsageTotal:
        """Return this total with ``times`` more requests of cost ``c`` added."""
        return self._plus(times, c, times)

    def __add__(self, other: UsageTotal) -> UsageTotal:
        """Both totals together (e.g. of two partitions of a corpus), under this model."""
        return self._plus(other.requests, other, 1)

    def _plus(self, requests: int, c: Cost | UsageTotal, times: int) -> UsageTotal:
        with localcontext(EXACT):
            return UsageTotal(
                self.model,
                self.requests + requests,
                self.input_tokens + c.input_tokens * times,
                self.cached_input_tokens + c.cached_input_tokens * times,
                self.output_tokens + c.output_tokens * times,
                self.input + c.input * times,
                self.cached_input + c.cached_input * times,
                self.output + c.output * times,
                self.total + c.total * times,
                self.cache_write_tokens + c.cache_write_tokens * times,
                self.cache_write + c.cache_write * times,
            )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; money as exact decimal strings."""
        out = {name: getattr(self, name) for name in self.__dataclass_fields__}
        for name in ("input", "cached_input", "cache_write", "output", "total"):
            out[name] = decimal_str(out[name])
        return out


@dataclass(frozen=True, slots=True)
class UsageCost:
    """Usage priced per model (``by_model``, sorted by name) and in total (``total``)."""

    by_model: Mapping[str, UsageTotal]
    total: UsageTotal
    skipped: int = 0  # records that are not billed (failed batch lines, stream chunks)
    currency: str = "USD"
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; money as exact decimal strings."""
        return {
            "currency": self.currency,
            "models": [t.as_dict() for t in self.by_model.values()],
            "total": self.total.as_dict(),
            "skipped": self.skipped,
            "notes": list(self.notes),
        }


_USAGE_SHAPES = (
    # (input, output, input details, output details): Chat Completions, then Responses API.
    ("prompt_tokens", "completion_tokens", "prompt_tokens_details", "completion_tokens_details"),
    ("input_tokens", "output_tokens", "input_tokens_details", "output_tokens_details"),
)


class _Malformed(ValueError):
    """A record's shape is wrong; :func:`cost_from_usage` re-raises it as a UsageRecordError
    (a format error naming the record's index), never as a SettingsError."""


@dataclass(frozen=True, slots=True)
class _Usage:
    """The billed counts of one usage object (every part is included in its total)."""

    input: int
    output: int
    cached: int = 0
    cache_write: int = 0
    audio_in: int = 0
    audio_out: int = 0


def _details(usage: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    table = usage.get(key) or {}
    if not isinstance(table, Mapping):
        raise _Malformed(f"{key} must be an object, got {table!r:.60}")
    return table


def _read_usage(usage: Mapping[str, Any]) -> _Usage:
    for in_key, out_key, in_details, out_details in _USAGE_SHAPES:
        if in_key not in usage:
            continue
        ins, outs = _details(usage, in_details), _details(usage, out_details)

        def part(table: Mapping[str, Any], where: str, key: str) -> int:
            return require_int(f"{where}.{key}", table.get(key) or 0)

        return _Usage(
            input=require_int(in_key, usage[in_key]),
            output=require_int(out_key, usage.get(out_key) or 0),
            cached=part(ins, in_details, "cached_tokens"),
            cache_write=part(ins, in_details, "cache_write_tokens"),
            audio_in=part(ins, in_details, "audio_tokens"),
            audio_out=part(outs, out_details, "audio_tokens"),
        )
    raise _Malformed(
        "usage has neither prompt_tokens (Chat Completions) nor input_tokens (Responses API)"
    )


def _when(record: Mapping[str, Any]) -> date | None:
    """The day of a record's ``created`` / ``created_at`` Unix timestamp, if it has one."""
    stamp = record.get("created_at", record.get("created"))
    return None if stamp is None else day_of(stamp)


def _unwrap(
    record: object,
) -> tuple[str | None, Mapping[str, Any], bool, Mapping[str, Any]] | None:
    """``(model, usage, from a batch line, the response)`` of a record; None if not billed."""
    if not isinstance(record, Mapping):
        raise _Malformed(f"expected a JSON object, got {type(record).__name__}")
    from_batch = "custom_id" in record and "response" in record
    if from_batch:  # {"custom_id": ..., "response": {"status_code": 200, "body": {...}}}
        response = record["response"]
        if response is None or record.get("error"):
            return None
        if not isinstance(response, Mapping) or response.get("status_code", 200) != 200:
            return None  # a failed request is not billed
        body = response.get("body")
        if not isinstance(body, Mapping):
            raise _Malformed("the Batch API line has no response body")
        record = body
    streamed = "type" in record or str(record.get("object", "")).endswith(".chunk")
    event = record.get("response")
    if isinstance(event, Mapping) and "type" in record:
        record = event  # a Responses API stream event (response.completed)
    if "usage" not in record:
        if streamed:
            return None
        if "prompt_tokens" in record or "input_tokens" in record:
            return None, record, from_batch, {}  # a bare usage dict
        raise _Malformed(
            "it has no 'usage' (nor the prompt_tokens / input_tokens of a bare usage object)"
        )
    usage = record["usage"]
    if usage is None and streamed:
        return None  # a stream chunk or event before the last one
    if not isinstance(usage, Mapping):
        raise _Malformed(
            f"usage is {usage!r:.40}, not an object (streamed responses carry usage only "
            "with stream_options={'include_usage': True})"
        )
    name = record.get("model")
    return (name if isinstance(name, str) else None), usage, from_batch, record


def cost_from_usage(
    records: Mapping[str, Any] | Iterable[Mapping[str, Any]],
    model: str | None = None,
    *,
    batch: bool = False,
    service_tier: str | None = None,
    region: str | None = None,
    at: date | None = None,
    registry: Registry | None = None,
) -> UsageCost:
    """Price real API usage and sum it per model.

    Each record is a response (``{"model": ..., "usage": {...}}``), a bare ``usage`` dict
    (its model is ``model``), a Batch API output line (priced at batch rates), or a stream
    chunk or event (see the module doc); a single record may be passed alone. A record's
    own ``model`` wins over ``model``, its ``service_tier`` over ``service_tier``
    (default ``"default"``), its ``created``/``created_at`` over ``at`` (default today);
    ``region`` adds the regional-processing uplift. Models are grouped by registry name.

    Raises:
        UsageRecordError: a record cannot be priced; the error names its index.

    >>> r = {"model": "gpt-4o", "usage": {"prompt_tokens": 1000, "completion_tokens": 100}}
    >>> decimal_str(cost_from_usage([r, r]).total.total)
    '0.007'
    """
    if isinstance(records, Mapping):
        records = [records]
    by_model: dict[str, UsageTotal] = {}
    grand = UsageTotal("*")
    skipped = 0
    notes: list[str] = []
    for index, record in enumerate(records):
        try:
            unwrapped = _unwrap(record)
            if unwrapped is None:
                skipped += 1
                continue
            priced = _price_record(unwrapped, model, batch, service_tier, region, at, registry)
        except (TokbudgetError, _Malformed) as exc:
            raise UsageRecordError(
                f"usage record {index}: {exc}", index=index, reason=str(exc)
            ) from exc
        by_model[priced.model] = by_model.get(priced.model, UsageTotal(priced.model)).add(priced)
        grand = grand.add(priced)
        notes.extend(n for n in priced.notes if n not in notes)
    ordered = {name: by_model[name] for name in sorted(by_model)}
    return UsageCost(by_model=ordered, total=grand, skipped=skipped, notes=tuple(notes))


def _price_record(
    unwrapped: tuple[str | None, Mapping[str, Any], bool, Mapping[str, Any]],
    model: str | None,
    batch: bool,
    service_tier: str | None,
    region: str | None,
    at: date | None,
    registry: Registry | None,
) -> Cost:
    name, usage, from_batch, response = unwrapped
    name = name or model
    if not name:
        raise _Malformed("it names no model; pass model= for bare usage dicts")
    n = _read_usage(usage)
    tier = response.get("service_tier") or service_tier or "default"
    if not isinstance(tier, str):
        raise _Malformed(f"service_tier must be a string, got {tier!r:.40}")
    in_batch = batch or from_batch
    if in_batch and tier == "batch":
        tier = "default"  # some logs carry service_tier "batch" on Batch API lines
    return cost(
        name,
        n.input,
        n.output,
        n.cached,
        n.cache_write,
        in_batch,
        tier,
        region,
        _when(response) or at,
        input_audio_tokens=n.audio_in,
        output_audio_tokens=n.audio_out,
        registry=registry,
    )
