"""Which per-1M rates bill a request: one small function per price dimension.

A request's rates are chosen in this order, each step a function of its own:

1. :func:`price_in_force` -- the model's price on the request's day (dated price changes);
2. :func:`context_rates` -- the long-context tier: once the prompt exceeds a tier's
   ``above_input_tokens``, the tier's input, cached-input, cache-write and output rates
   bill the *whole* request;
3. :func:`batch_factor` -- the Batch API (a multiplier of every rate, or the model's
   explicit batch input/output prices);
4. :func:`service_factor` -- the service tier (``flex``, ``priority`` = ``fast``,
   ``ultrafast``; dated multipliers);
5. :func:`region_factor` -- regional processing (+10% where offered).

Every rate of the result is the tier rate times the three factors. A dimension the
model does not offer (a service tier, a region, a batch price) is an error naming what
it does offer: a silent base price would be a wrong number.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from ..errors import SettingsError
from .spec import ModalityPrice, ModelSpec, Price

__all__ = [
    "SERVICE_TIER_NAMES",
    "Rates",
    "batch_factor",
    "context_rates",
    "price_in_force",
    "region_factor",
    "select_rates",
    "service_factor",
]

SERVICE_TIER_NAMES: tuple[str, ...] = ("default", "flex", "priority", "fast", "ultrafast")
"""Accepted ``service_tier`` values; ``fast`` is ``priority``'s new name (same tier)."""
_ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class Rates:
    """USD per 1M tokens that bill one request, all factors applied."""

    input: Decimal
    cached_input: Decimal | None
    cache_write: Decimal | None
    output: Decimal | None
    modalities: tuple[ModalityPrice, ...] = ()
    tier: int | None = None  # the long-context tier's threshold, if one applied
    since: date | None = None  # the date the price in force took effect
    notes: tuple[str, ...] = ()


def price_in_force(spec: ModelSpec, day: date) -> Price:
    """The price of ``spec`` on ``day``; an error if the registry has none."""
    price = spec.price_at(day)
    if price is None:
        raise SettingsError(
            f"{spec.name} has no price in the registry (open-weight models have no OpenAI "
            f"price list); to price it, add [models.{spec.name!r}.price] to a TOML file "
            "named by TOKBUDGET_MODELS"
        )
    return price


def context_rates(price: Price, input_tokens: int) -> Rates:
    """The base rates, or the long-context tier's once the prompt exceeds its threshold."""
    tier = next((t for t in reversed(price.tiers) if input_tokens > t.above_input_tokens), None)
    if tier is None:
        return Rates(
            price.input, price.cached_input, price.cache_write, price.output, price.modalities
        )
    notes: tuple[str, ...] = ()
    output = tier.output
    if output is None:
        output = price.output
        notes = ("no long-context output price recorded; the base one is used",)
    return Rates(
        tier.input,
        tier.cached_input,
        tier.cache_write,
        output,
        price.modalities,
        tier=tier.above_input_tokens,
        notes=notes,
    )


def batch_factor(spec: ModelSpec, price: Price, rates: Rates) -> Rates:
    """``rates`` at Batch API prices: the model's batch multiplier or explicit batch prices."""
    if price.batch_multiplier is not None:
        return _scaled(rates, price.batch_multiplier)
    if price.batch_input is None:
        raise SettingsError(
            f"{spec.name} has no Batch API price in the registry (tokbudget does not assume "
            "the usual 50% discount); pass batch=False, or add batch_input and batch_output "
            f"to [models.{spec.name!r}.price] in a TOML file named by TOKBUDGET_MODELS"
        )
    if rates.tier is not None:
        raise SettingsError(
            f"{spec.name} has no Batch API price for prompts over {rates.tier:,} tokens; "
            "pass batch=False"
        )
    # Cached tokens in a batch are billed at the batch input price: no further cache
    # discount is assumed without a recorded figure (the higher figure).
    return Rates(
        price.batch_input,
        price.batch_input,
        rates.cache_write,
        price.batch_output,
        since=rates.since,
        notes=rates.notes,
    )


def service_factor(spec: ModelSpec, service_tier: str, day: date) -> Decimal:
    """The multiplier of ``service_tier`` on ``day``; ``default`` is 1."""
    if service_tier not in SERVICE_TIER_NAMES:
        raise SettingsError(
            f"service_tier is {service_tier!r}; use one of {', '.join(SERVICE_TIER_NAMES)}"
        )
    name = "priority" if service_tier == "fast" else service_tier
    if name == "default":
        return _ONE
    entries = [t for t in spec.service_tiers if t.name == name]
    in_force = [t for t in entries if t.since is None or t.since <= day]
    if not in_force:
        offered = ", ".join(spec.tier_names())
        since = f" before {entries[0].since}" if entries else ""
        raise SettingsError(
            f"{spec.name} has no {service_tier!r} service tier{since} in the registry; it "
            f"offers: {offered}"
        )
    return in_force[-1].multiplier


def region_factor(spec: ModelSpec, region: str | None) -> Decimal:
    """``1 +`` the model's regional-processing uplift for ``region`` (None: no region)."""
    if region is None:
        return _ONE
    uplift = dict(spec.regional_uplift)
    key = region.lower() if isinstance(region, str) else region
    if key not in uplift:
        offered = ", ".join(sorted(uplift)) or "none recorded"
        raise SettingsError(
            f"{spec.name} has no regional-processing price for region {region!r}; regions "
            f"offered: {offered}; pass region=None for global processing"
        )
    return _ONE + uplift[key]


def select_rates(
    spec: ModelSpec,
    input_tokens: int,
    *,
    day: date,
    batch: bool = False,
    service_tier: str = "default",
    region: str | None = None,
) -> Rates:
    """The rates that bill a request of ``input_tokens`` prompt tokens, every factor applied.

    >>> from tokbudget.models.registry import get_model
    >>> r = select_rates(get_model("gpt-6-sol"), 300_000, day=date(2026, 12, 7),
    ...                  service_tier="priority", region="eu")
    >>> r.input, r.output, r.tier
    (Decimal('8.8000'), Decimal('33.0000'), 272000)
    """
    price = price_in_force(spec, day)
    rates = context_rates(price, input_tokens)
    rates = replace(rates, since=price.since)
    if batch:
        if service_tier not in ("default",):
            raise SettingsError(
                f"service_tier is {service_tier!r} but batch=True: Batch API requests have "
                "their own price and no service tier; pass one or the other"
            )
        rates = batch_factor(spec, price, rates)
    factor = service_factor(spec, service_tier, day) * region_factor(spec, region)
    return rates if factor == _ONE else _scaled(rates, factor)


def _times(value: Decimal | None, factor: Decimal) -> Decimal | None:
    return None if value is None else value * factor


def _scaled(r: Rates, factor: Decimal) -> Rates:
    modalities = tuple(
        ModalityPrice(
            m.modality,
            m.input * factor,
            _times(m.cached_input, factor),
            _times(m.output, factor),
        )
        for m in r.modalities
    )
    return Rates(
        r.input * factor,
        _times(r.cached_input, factor),
        _times(r.cache_write, factor),
        _times(r.output, factor),
        modalities,
        tier=r.tier,
        since=r.since,
        notes=r.notes,
    )
