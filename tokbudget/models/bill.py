"""What each part of one request bills at given rates: the arithmetic of :func:`tokbudget.cost`.

:mod:`.rates` chooses the per-1M rates; this module validates the request's token counts
(cached and cache-write tokens are parts of the input, audio tokens parts of the input
and output) and multiplies each part by its rate, exactly. A part whose rate the model
lacks (cached input, cache writes) bills as input, and a note says so; audio without an
audio rate is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

from .._util import require_int
from ..errors import SettingsError
from ..money import EXACT
from .rates import Rates
from .registry import MODELS_ENV
from .spec import ModelSpec

__all__ = ["COUNT_ARGS", "Amounts", "Counts", "amounts", "check_output", "counts"]

_MILLION = Decimal(1_000_000)
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Counts:
    """The token counts of one request, validated: the parts never exceed their whole."""

    input: int
    output: int
    cached: int
    write: int
    audio_in: int
    audio_out: int


COUNT_ARGS = (
    "input_tokens",
    "output_tokens",
    "cached_input_tokens",
    "cache_write_tokens",
    "input_audio_tokens",
    "output_audio_tokens",
)


def counts(*values: object) -> Counts:
    """The token counts of :func:`cost`, validated; the parts never exceed their whole."""
    c = Counts(*(require_int(name, v) for name, v in zip(COUNT_ARGS, values, strict=True)))
    if c.cached + c.write > c.input:
        raise SettingsError(
            f"cached_input_tokens ({c.cached:,}) plus cache_write_tokens ({c.write:,}) "
            f"exceeds input_tokens ({c.input:,}); cached and cache-write tokens are parts "
            "of the prompt, so pass the whole prompt as input_tokens",
            parameter="cached_input_tokens" if c.cached > c.input else "cache_write_tokens",
            value=c.cached if c.cached > c.input else c.write,
        )
    if c.audio_in > c.input or c.audio_out > c.output:
        raise SettingsError(
            "input_audio_tokens / output_audio_tokens are parts of input_tokens / "
            f"output_tokens (got {c.audio_in:,} of {c.input:,} and {c.audio_out:,} of "
            f"{c.output:,}); pass the totals as input_tokens and output_tokens",
            parameter="input_audio_tokens" if c.audio_in > c.input else "output_audio_tokens",
            value=c.audio_in if c.audio_in > c.input else c.audio_out,
        )
    return c


def _rate_or_input(
    rate: Decimal | None, base: Decimal, tokens: int, what: str, spec: ModelSpec
) -> tuple[Decimal, tuple[str, ...]]:
    if rate is not None or not tokens:
        return (base if rate is None else rate), ()
    return base, (f"{spec.name} has no {what} price; those tokens billed as input",)


def _audio(spec: ModelSpec, rates: Rates, n: Counts) -> tuple[Decimal, Decimal]:
    """(input, output) USD of the audio tokens; an error if the model has no audio rate."""
    if not (n.audio_in or n.audio_out):
        return _ZERO, _ZERO
    audio = next((m for m in rates.modalities if m.modality == "audio"), None)
    if audio is None or (n.audio_out and audio.output is None):
        raise SettingsError(
            f"{spec.name} has no audio price in the registry; audio tokens are billed at "
            "their own rates, so this request cannot be priced (pass a realtime or audio "
            "model, or add [price.audio] for it)"
        )
    return audio.input * n.audio_in / _MILLION, (audio.output or _ZERO) * n.audio_out / _MILLION


@dataclass(frozen=True, slots=True)
class Amounts:
    """USD of each part of one request; ``total`` is their sum. ``notes`` say what was assumed."""

    input: Decimal
    cached_input: Decimal
    cache_write: Decimal
    output: Decimal
    total: Decimal
    notes: tuple[str, ...] = ()


def amounts(spec: ModelSpec, rates: Rates, n: Counts) -> Amounts:
    """What each part of a request with counts ``n`` costs at ``rates``, exactly."""
    rate_cached, note_c = _rate_or_input(
        rates.cached_input, rates.input, n.cached, "cached-input", spec
    )
    rate_write, note_w = _rate_or_input(
        rates.cache_write, rates.input, n.write, "cache-write", spec
    )
    with localcontext(EXACT):
        audio_in, audio_out = _audio(spec, rates, n)
        c_in = rates.input * (n.input - n.cached - n.write - n.audio_in) / _MILLION + audio_in
        c_cached = rate_cached * n.cached / _MILLION
        c_write = rate_write * n.write / _MILLION
        c_out = (rates.output or _ZERO) * (n.output - n.audio_out) / _MILLION + audio_out
        total = c_in + c_cached + c_write + c_out
    return Amounts(c_in, c_cached, c_write, c_out, total, (*note_c, *note_w))


def check_output(spec: ModelSpec, rates: Rates, n_out: int, batch: bool) -> None:
    """An error if ``n_out`` output tokens cannot be priced (an input-only model, no rate)."""
    if rates.output is not None or not n_out:
        return
    if spec.kind in ("embedding", "moderation"):
        article = "an" if spec.kind == "embedding" else "a"
        raise SettingsError(
            f"{spec.name} is {article} {spec.kind} model: it produces no output tokens (got "
            f"output_tokens={n_out:,}); pass output_tokens=0"
        )
    kind = "Batch API output" if batch else "output"
    raise SettingsError(
        f"{spec.name} has no {kind} price in the registry; add it to "
        f"[models.{spec.name!r}.price] in a TOML file named by {MODELS_ENV}"
    )
