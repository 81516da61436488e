"""Import genai-prices' OpenAI models as registry entries (:meth:`Registry.from_genai_prices`).

genai-prices (pydantic's price database, on PyPI) records, per model, a ``prices`` value
that is one price set or a list of price sets with a ``start_date`` constraint (dated
price changes), each rate a number or ``{"base", "tiers": [{"start", "price"}]}``
(a tier applies to the whole request once the input exceeds ``start``), and
``price_variants`` keyed by ``{"service_tier": ...}`` or ``{"processing": "batch"}``.
The mapping, faithfully:

* ``input_mtok``, ``cache_read_mtok``, ``cache_write_mtok``, ``output_mtok`` (USD per 1M)
  -> input, cached input, cache write, output; their tiers -> long-context tiers;
  ``input_audio_mtok`` / ``cache_audio_read_mtok`` / ``output_audio_mtok`` and
  ``input_image_mtok`` -> audio and image prices;
* dated price sets -> :attr:`ModelSpec.price_history` and the current :attr:`ModelSpec.price`
  with its ``since`` date;
* a service-tier or batch variant -> its input rate over the base input rate, the
  multiplier of every rate (``fast`` is ``priority``), dated where the variant is;
* limits, kinds, chat formats and image rules come from ``base`` (genai-prices has only
  ``context_window``); encodings from ``base``'s families. Entries without an encoding
  or failing the registry's invariant checks are listed as skipped, with the reason.

The data is read either from the installed package (``genai_prices.data.providers``,
plain Python objects converted field by field) or from a JSON file of the same shape.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import MissingDependencyError, RegistryError
from .schema import check_spec
from .spec import SERVICE_TIERS, ChatFormat, ModalityPrice, ModelSpec, Price, PriceTier, ServiceTier

if TYPE_CHECKING:  # the registry calls in; importing it here would make a cycle
    from .registry import Registry

__all__ = ["installed_openai_models", "plain", "read_genai_prices"]

Imported = tuple[dict[str, ModelSpec], tuple[str, ...]]
_RATES = {
    "input_mtok": "input",
    "cache_read_mtok": "cached_input",
    "cache_write_mtok": "cache_write",
    "output_mtok": "output",
}
_MODALITIES = {
    "audio": ("input_audio_mtok", "cache_audio_read_mtok", "output_audio_mtok"),
    "image": ("input_image_mtok", None, None),
}


def plain(obj: Any) -> Any:
    """genai-prices' objects as JSON-like data (dataclasses and plain objects to dicts)."""
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, date):
        return obj.isoformat()
    if isinstance(obj, Mapping):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [plain(v) for v in obj]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if hasattr(obj, "__dict__"):
        return {k: plain(v) for k, v in vars(obj).items() if not k.startswith("_")}
    return obj


def installed_openai_models() -> tuple[list[Any], str]:
    """The installed genai-prices package's OpenAI models as plain data, and a label."""
    try:
        from genai_prices import data  # an optional dependency (tokbudget[refresh])
    except ImportError as exc:
        raise MissingDependencyError(
            "genai-prices is not installed: `pip install 'tokbudget[refresh]'` (or "
            "`pip install genai-prices`), or pass genai-prices' OpenAI data as a JSON file",
            package="genai-prices",
            extra="refresh",
        ) from exc

    provider = next((p for p in data.providers if p.id == "openai"), None)
    if provider is None:
        raise RegistryError("the installed genai-prices has no 'openai' provider")
    return plain(provider.models), f"genai-prices {version('genai-prices')} (installed)"


def _load(source: str | Path | None) -> tuple[list[Any], str]:
    if source is None:
        return installed_openai_models()
    where = str(source)
    try:
        doc = json.loads(Path(source).read_text(encoding="utf-8"))
    except OSError as exc:
        raise RegistryError(f"cannot read {where}: {exc}", path=where) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{where}: invalid JSON: {exc}", path=where) from exc
    models = doc.get("models") if isinstance(doc, dict) else None
    if not isinstance(models, list):
        raise RegistryError(
            f'{where}: expected genai-prices\' provider object {{"id": "openai", "models": [...]}}',
            path=where,
        )
    return models, where


def read_genai_prices(source: str | Path | None, *, base: Registry) -> tuple[Imported, str]:
    """Convert genai-prices' OpenAI models (installed, or the JSON file ``source``)."""
    models_raw, where = _load(source)
    models: dict[str, ModelSpec] = {}
    skipped: list[str] = []
    for raw in models_raw:
        name = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(name, str):
            continue
        try:
            spec = _convert(name, raw, base, f"genai-prices:{where}")
            if spec is not None:
                check_spec(f"genai-prices:{where}", spec)
        except (RegistryError, ArithmeticError, TypeError, ValueError) as exc:
            skipped.append(f"{name} ({exc})")
            continue
        if spec is None:
            skipped.append(name)
        else:
            models[name] = spec
    return (models, tuple(skipped)), where


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def _rate(value: Any) -> tuple[Decimal | None, dict[int, Decimal]]:
    """(base rate, {tier start: rate}) of a number or a ``{"base", "tiers"}`` object."""
    if isinstance(value, dict):
        tiers = {
            int(t["start"]): rate
            for t in value.get("tiers") or []
            if (rate := _decimal(t.get("price"))) is not None
        }
        return _decimal(value.get("base")), tiers
    return _decimal(value), {}


def _price(prices: dict[str, Any], since: date | None) -> Price | None:
    rates = {field: _rate(prices.get(key)) for key, field in _RATES.items()}
    base_input = rates["input"][0]
    if base_input is None:
        return None
    starts = sorted({s for _, tiers in rates.values() for s in tiers})
    tiers = tuple(
        PriceTier(
            above_input_tokens=start,
            input=rates["input"][1].get(start, base_input),
            output=rates["output"][1].get(start),
            cached_input=rates["cached_input"][1].get(start),
            cache_write=rates["cache_write"][1].get(start),
        )
        for start in starts
    )
    modalities = []
    for modality, (inp, cached, out) in _MODALITIES.items():
        rate = _decimal(prices.get(inp))
        if rate is not None:
            modalities.append(
                ModalityPrice(
                    modality,
                    rate,
                    _decimal(prices.get(cached)) if cached else None,
                    _decimal(prices.get(out)) if out else None,
                )
            )
    return Price(
        input=base_input,
        output=rates["output"][0],
        cached_input=rates["cached_input"][0],
        cache_write=rates["cache_write"][0],
        tiers=tiers,
        modalities=tuple(modalities),
        since=since,
    )


def _since(constraint: Any) -> date | None:
    if isinstance(constraint, dict) and isinstance(constraint.get("start_date"), str):
        return date.fromisoformat(constraint["start_date"][:10])
    return None


def _prices(raw: dict[str, Any]) -> list[Price]:
    """The model's price sets, oldest first (a dated list, or one undated set)."""
    value = raw.get("prices")
    sets = value if isinstance(value, list) else [{"prices": value}]
    out = []
    for item in sets:
        if isinstance(item, dict) and isinstance(item.get("prices"), dict):
            price = _price(item["prices"], _since(item.get("constraint")))
            if price is not None:
                out.append(price)
    return sorted(out, key=lambda p: p.since or date.min)


def _variants(
    raw: dict[str, Any], base_input: Decimal
) -> tuple[tuple[ServiceTier, ...], Decimal | None]:
    """Service tiers (multiplier of every rate, dated where the variant is) and batch's."""
    tiers: list[ServiceTier] = []
    batch = None
    for v in raw.get("price_variants") or []:
        when = v.get("when") or {}
        rate = _rate((v.get("prices") or {}).get("input_mtok"))[0]
        if rate is None or not base_input:
            continue
        factor = (rate / base_input).normalize()
        if when.get("processing") == "batch":
            batch = factor
            continue
        tier = str(when.get("service_tier"))
        name = "priority" if tier == "fast" else tier
        if name in SERVICE_TIERS and not any(
            t.name == name and t.since == _since(v.get("constraint")) for t in tiers
        ):
            tiers.append(ServiceTier(name, factor, _since(v.get("constraint"))))
    ordered = sorted(tiers, key=lambda t: (SERVICE_TIERS.index(t.name), t.since or date.min))
    return tuple(ordered), batch


def _convert(name: str, raw: dict[str, Any], base: Registry, source: str) -> ModelSpec | None:
    resolved = base.resolve(name)
    if resolved is None:
        return None
    encoding, known = resolved
    prices = _prices(raw)
    if not prices:
        return None
    current = prices[-1]
    service_tiers, batch = _variants(raw, current.input)
    if batch is not None:
        current = dataclasses.replace(current, batch_multiplier=batch)
    window = raw.get("context_window") if isinstance(raw.get("context_window"), int) else None
    kind: Any = known.kind if known else "chat"
    return ModelSpec(
        name=name,
        kind=kind,
        encoding=encoding,
        encoding_assumed=known.encoding_assumed if known else False,
        context_window=window or (known.context_window if known else None),
        max_input_tokens=known.max_input_tokens if known else None,
        max_output_tokens=known.max_output_tokens if known else None,
        description=f"imported from genai-prices ({raw.get('name') or name})",
        deprecated=bool(raw.get("deprecated") is True),
        source=(source,),
        price=current,
        price_history=tuple(prices[:-1]),
        service_tiers=service_tiers,
        chat=(known.chat if known else None) or (ChatFormat() if kind != "embedding" else None),
        image=known.image if known else None,
        embedding=known.embedding if known else None,
    )
