"""Money: exact decimal amounts, the one formatter every screen uses, and :class:`Cost`.

Money is never a float. ``EXACT`` is the decimal context every sum and product of prices
runs in; :func:`decimal_str` writes an amount exactly (JSON), :func:`money` for people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Context, Decimal
from typing import Any

from .errors import InvalidInputError

__all__ = ["EXACT", "Cost", "day_of", "decimal_str", "money"]

_ZERO = Decimal(0)

EXACT = Context(prec=60)
"""Wide enough that no realistic product or sum of prices is ever rounded."""


def decimal_str(value: Decimal) -> str:
    """The exact value in plain notation, without exponent or trailing zeros.

    >>> decimal_str(Decimal("3.08641750"))
    '3.0864175'
    """
    text = format(value.normalize(EXACT), "f")
    return "0" if text in ("-0", "0") else text


def money(value: Decimal) -> str:
    """Dollars with every significant digit, at least cents, and no exponent.

    The one money formatter of every screen (``count``/``split`` summaries, ``show``,
    ``cost``); JSON keeps :func:`decimal_str`'s exact strings.

    >>> money(Decimal("0.0030850")), money(Decimal("12.5")), money(Decimal("1234.5"))
    ('$0.003085', '$12.50', '$1,234.50')
    """
    whole, _, frac = decimal_str(value).partition(".")
    return f"${int(whole):,}.{frac.ljust(2, '0')}"


def day_of(at: date | datetime | float | None) -> date:
    """The UTC day of ``at``: a date, a datetime, a Unix timestamp, or None for today."""
    if at is None:
        return datetime.now(UTC).date()
    if isinstance(at, datetime):
        return (at.astimezone(UTC) if at.tzinfo else at).date()
    if isinstance(at, date):
        return at
    if isinstance(at, int | float) and not isinstance(at, bool):
        try:
            return datetime.fromtimestamp(at, UTC).date()
        except (OverflowError, OSError, ValueError):
            pass
    raise InvalidInputError(
        f"at must be a date, a datetime or a Unix timestamp, got {type(at).__name__}: {at!r:.40}"
    )


@dataclass(frozen=True, slots=True)
class Cost:
    """The price of one request (or a hypothetical one), in exact decimals.

    ``input`` is what the uncached prompt tokens cost, ``cached_input`` what the cache
    reads cost, ``cache_write`` what the cache writes cost; ``total = input + cached_input
    + cache_write + output``. ``tier`` is the ``above_input_tokens`` of the long-context
    tier that priced the request, if any; ``price_date`` the date the price in force took
    effect (None: the first recorded one); ``notes`` say what was assumed.
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
    cache_write_tokens: int = 0
    cache_write: Decimal = _ZERO
    service_tier: str = "default"
    region: str | None = None
    price_date: date | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; money as exact decimal strings (``"3.0864175"``)."""
        out: dict[str, Any] = {name: getattr(self, name) for name in self.__dataclass_fields__}
        for name in ("input", "cached_input", "cache_write", "output", "total"):
            out[name] = decimal_str(out[name])
        out["notes"] = list(self.notes)
        out["price_date"] = self.price_date.isoformat() if self.price_date else None
        return out
