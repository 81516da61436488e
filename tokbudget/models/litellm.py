"""Import litellm's ``model_prices_and_context_window.json`` into a :class:`Registry`.

Users bring fresher prices and limits this way. litellm's fields are mapped with care:

* prices are per token there (floats); here they are exact ``Decimal`` USD per 1M tokens,
  converted through the float's shortest repr (``2.5e-06`` -> ``2.5``);
* ``max_input_tokens`` is sometimes the total window (gpt-4o: 128,000) and sometimes a
  separate input cap (gpt-5: 272,000 of a 400,000 window). We take it as the total window
  (conservative: never larger than the truth), unless the base registry already knows the
  model with that very input cap, in which case the base's window is kept;
* the legacy ``max_tokens`` is ambiguous (often the *output* cap) and is only used when
  neither ``max_input_tokens`` nor ``max_output_tokens`` is given, as the window;
* cache writes (``cache_creation_input_token_cost``), the >272K tier (``*_above_272k_tokens``),
  service tiers (``*_flex``, ``*_priority``, ``*_ultrafast``: their input rate over the
  base input rate), regional uplift (``regional_processing_uplift_multiplier_us``) and the
  shutdown date (``deprecation_date``) and ``successor_model`` are mapped too;
* entries whose encoding we cannot tell (other providers' models), modes other than
  chat, completion and embedding, and entries failing the registry's invariant checks
  (:func:`.schema.check_spec`) are skipped and listed in ``Registry.skipped``.

The one entry point is :meth:`Registry.from_litellm`; this module has no other caller.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import RegistryError
from .schema import check_spec
from .spec import ChatFormat, EmbeddingLimits, ModelSpec, Price, PriceTier, ServiceTier

if TYPE_CHECKING:  # the registry calls in; importing it here would make a cycle
    from .registry import Registry

__all__ = ["Imported", "read_litellm"]

Imported = tuple[dict[str, ModelSpec], tuple[str, ...]]
"""An importer's result: the specs it could use, by name, and the names it skipped."""

_MODES = {"chat": "chat", "responses": "chat", "completion": "completion", "embedding": "embedding"}
_TIER = re.compile(r"^input_cost_per_token_above_(\d+)k_tokens$")


def _per_million(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    exact = (Decimal(repr(float(value))) * 1_000_000).normalize()
    # normalize() writes whole numbers with an exponent (1E+1); keep them plain (10).
    return exact.quantize(Decimal(1)) if exact == exact.to_integral_value() else exact


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def read_litellm(path: str | Path, *, base: Registry, provider: str | None = None) -> Imported:
    """Read litellm's JSON at ``path``; ``base`` supplies encodings and chat/image rules.

    ``provider`` keeps only entries of that ``litellm_provider`` (``"openai"``).
    """
    path_str = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise RegistryError(f"cannot read {path_str}: {exc}", path=path_str) from exc
    except json.JSONDecodeError as exc:
        raise RegistryError(f"{path_str}: invalid JSON: {exc}", path=path_str) from exc
    if not isinstance(data, dict):
        raise RegistryError(f"{path_str}: expected a JSON object of models", path=path_str)
    as_of = date.fromtimestamp(Path(path).stat().st_mtime)
    models: dict[str, ModelSpec] = {}
    skipped: list[str] = []
    for name, entry in data.items():
        if name == "sample_spec" or not isinstance(entry, dict):
            continue
        if provider is not None and entry.get("litellm_provider") != provider:
            continue
        spec = _convert(name, entry, base, f"litellm:{path_str}", as_of)
        try:
            if spec is not None:
                check_spec(f"litellm:{path_str}", spec)
        except RegistryError as exc:
            skipped.append(f"{name} ({exc.field}: {str(exc).rsplit(': ', 1)[-1]})")
            continue
        if spec is None:
            skipped.append(name)
        else:
            models[name] = spec
    return models, tuple(skipped)


def _convert(
    name: str, entry: dict[str, Any], base: Registry, source: str, as_of: date
) -> ModelSpec | None:
    mode = _MODES.get(str(entry.get("mode", "chat")))
    if mode is None:
        return None
    resolved = base.resolve(name)
    if resolved is None:
        return None
    encoding, known = resolved
    kind: Any = "reasoning" if mode == "chat" and entry.get("supports_reasoning") else mode
    max_in, max_out = _int(entry.get("max_input_tokens")), _int(entry.get("max_output_tokens"))
    window: int | None
    if mode == "embedding":
        max_in = max_in or _int(entry.get("max_tokens"))
        window, max_out = None, None
        if max_in is None:
            return None
    elif max_in is None and max_out is None:
        window = _int(entry.get("max_tokens"))
    elif (
        known is not None
        and known.max_input_tokens is not None
        and max_in == known.max_input_tokens
    ):
        window = known.context_window
    else:
        window, max_in = max_in, None
    if mode != "embedding" and window is None:
        return None
    if window is not None and max_out is not None and max_out > window:
        max_out = window
    price = _price(entry, embedding=mode == "embedding")
    shutdown = _date(entry.get("deprecation_date"))
    spec = ModelSpec(
        name=name,
        kind=kind,
        encoding=encoding,
        encoding_assumed=known.encoding_assumed if known else False,
        context_window=window,
        max_input_tokens=max_in,
        max_output_tokens=max_out,
        source=(source,),
        as_of=as_of,
        price=price,
        service_tiers=_service_tiers(entry),
        regional_uplift=_uplift(entry),
        deprecated=shutdown is not None,
        shutdown_date=shutdown,
        successor=entry.get("successor_model")
        if isinstance(entry.get("successor_model"), str)
        else None,
        chat=(known.chat if known else None) or (ChatFormat() if mode == "chat" else None),
        image=known.image if known else None,
        embedding=(known.embedding if known else None)
        or (
            EmbeddingLimits(dimensions=_int(entry.get("output_vector_size")))
            if mode == "embedding"
            else None
        ),
    )
    return replace(
        spec, description=f"imported from litellm ({entry.get('litellm_provider', '?')})"
    )


def _price(entry: dict[str, Any], *, embedding: bool) -> Price | None:
    unit_in = _per_million(entry.get("input_cost_per_token"))
    if unit_in is None:
        return None
    tiers = []
    for key, value in entry.items():
        match = _TIER.match(key)
        tier_in = _per_million(value)
        if match and tier_in is not None:
            k = match.group(1)
            tiers.append(
                PriceTier(
                    above_input_tokens=int(k) * 1000,
                    input=tier_in,
                    output=_per_million(entry.get(f"output_cost_per_token_above_{k}k_tokens")),
                    cached_input=_per_million(
                        entry.get(f"cache_read_input_token_cost_above_{k}k_tokens")
                    ),
                    cache_write=_per_million(
                        entry.get(f"cache_creation_input_token_cost_above_{k}k_tokens")
                    ),
                )
            )
    return Price(
        input=unit_in,
        output=None if embedding else _per_million(entry.get("output_cost_per_token")),
        cached_input=_per_million(entry.get("cache_read_input_token_cost")),
        cache_write=_per_million(entry.get("cache_creation_input_token_cost")),
        batch_input=_per_million(entry.get("input_cost_per_token_batches")),
        batch_output=None
        if embedding
        else _per_million(entry.get("output_cost_per_token_batches")),
        tiers=tuple(sorted(tiers, key=lambda t: t.above_input_tokens)),
    )


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _service_tiers(entry: dict[str, Any]) -> tuple[ServiceTier, ...]:
    """Each tier's input rate over the base input rate: the multiplier of every rate."""
    base = _per_million(entry.get("input_cost_per_token"))
    if not base:
        return ()
    out = []
    for name in ("flex", "priority", "ultrafast"):
        rate = _per_million(entry.get(f"input_cost_per_token_{name}"))
        if rate:
            out.append(ServiceTier(name, (rate / base).normalize()))
    return tuple(out)


def _uplift(entry: dict[str, Any]) -> tuple[tuple[str, Decimal], ...]:
    prefix = "regional_processing_uplift_multiplier_"
    out = []
    for key, value in sorted(entry.items()):
        if key.startswith(prefix) and isinstance(value, int | float) and value >= 1:
            out.append((key[len(prefix) :], Decimal(repr(float(value))) - 1))
    return tuple(out)
