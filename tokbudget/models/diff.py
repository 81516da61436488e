"""Where the bundled registry and another source (litellm, genai-prices) disagree.

The maintainer's refresh routine (README, "Keeping the registry current") runs this over
the PyPI wheels of litellm and genai-prices: per model and field, the values that differ
(both sides have one, and they are not equal), the values only the other source has,
and the models one side has and the other lacks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ..errors import UnknownModelError
from .registry import Registry
from .spec import ModelSpec, plain

__all__ = ["FieldDiff", "RegistryDiff", "compared_fields", "diff_registries"]


@dataclass(frozen=True, slots=True)
class FieldDiff:
    """One field of one model: our value and theirs (None where a side has none)."""

    model: str
    field: str
    ours: Any
    theirs: Any


@dataclass(frozen=True, slots=True)
class RegistryDiff:
    """The differences of a source (``source``) from the registry."""

    source: str
    differ: tuple[FieldDiff, ...] = ()
    missing: tuple[FieldDiff, ...] = ()  # they have a value where we have none
    only_ours: tuple[str, ...] = ()
    only_theirs: tuple[str, ...] = ()
    skipped: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: values as exact decimal strings and ISO dates."""

        def rows(diffs: tuple[FieldDiff, ...]) -> list[dict[str, Any]]:
            return [
                {
                    "model": d.model,
                    "field": d.field,
                    "ours": plain(d.ours),
                    "theirs": plain(d.theirs),
                }
                for d in diffs
            ]

        return {
            "source": self.source,
            "differ": rows(self.differ),
            "missing": rows(self.missing),
            "only_in_registry": list(self.only_ours),
            "only_in_source": list(self.only_theirs),
            "skipped": list(self.skipped),
        }


def compared_fields(spec: ModelSpec) -> dict[str, Decimal | int | str | date | None]:
    """The figures of ``spec`` a diff compares, by dotted name."""
    out: dict[str, Any] = {
        "context_window": spec.context_window,
        "max_input_tokens": spec.max_input_tokens,
        "max_output_tokens": spec.max_output_tokens,
        "shutdown_date": spec.shutdown_date,
        "successor": spec.successor,
    }
    p = spec.price
    if p is not None:
        for name in ("input", "cached_input", "cache_write", "output", "since"):
            out[f"price.{name}"] = getattr(p, name)
        batch = p.input * p.batch_multiplier if p.batch_multiplier else p.batch_input
        out["price.batch_input"] = batch
        for t in p.tiers:
            for name in ("input", "cached_input", "cache_write", "output"):
                out[f"price.above_{t.above_input_tokens}.{name}"] = getattr(t, name)
        for m in p.modalities:
            for name in ("input", "cached_input", "output"):
                out[f"price.{m.modality}.{name}"] = getattr(m, name)
    for tier in spec.service_tiers:  # the latest entry of each tier wins
        out[f"service_tiers.{tier.name}"] = tier.multiplier
    for region, uplift in spec.regional_uplift:
        out[f"regional_uplift.{region}"] = uplift
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a.compare(b) == 0
    return bool(a == b)


def _entry(registry: Registry, name: str) -> ModelSpec | None:
    """The entry of ``name`` itself or of its alias (not a dated-snapshot fallback)."""
    try:
        spec = registry.get(name)
    except UnknownModelError:
        return None
    return spec if name == spec.name or name in spec.aliases else None


def diff_registries(ours: Registry, theirs: Registry, source: str) -> RegistryDiff:
    """Compare ``theirs`` (an imported source) with ``ours``, model by model."""
    differ: list[FieldDiff] = []
    missing: list[FieldDiff] = []
    only_theirs: list[str] = []
    matched: set[str] = set()
    for name in sorted(theirs.models):
        mine = _entry(ours, name)
        if mine is None:
            try:
                ours.get(name)  # a dated snapshot of a model we have: not "lacking"
            except UnknownModelError:
                only_theirs.append(name)
            continue
        matched.add(mine.name)
        a, b = compared_fields(mine), compared_fields(theirs.models[name])
        for key in sorted(b):
            if b[key] is None:
                continue
            if a.get(key) is None:
                missing.append(FieldDiff(name, key, None, b[key]))
            elif not _same(a[key], b[key]):
                differ.append(FieldDiff(name, key, a[key], b[key]))
    only_ours = tuple(n for n in sorted(ours.models) if n not in matched)
    return RegistryDiff(
        source=source,
        differ=tuple(differ),
        missing=tuple(missing),
        only_ours=only_ours,
        only_theirs=tuple(only_theirs),
        skipped=theirs.skipped,
    )
