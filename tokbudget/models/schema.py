"""Validation of models files: every error names the file, the model and the field.

A typo in a key is an error (with a suggestion), never silently ignored.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from ..errors import RegistryError
from .spec import (
    ENCODING_NAMES,
    KINDS,
    ChatFormat,
    EmbeddingLimits,
    ImageRules,
    ModelSpec,
    Price,
    PriceTier,
)

__all__ = ["TOP_KEYS", "Reader", "parse_model"]


TOP_KEYS = {"schema_version", "families", "models"}
_MODEL_KEYS = {
    "kind", "encoding", "context_window", "max_input_tokens", "max_output_tokens", "aliases",
    "description", "deprecated", "source", "as_of", "price", "chat", "image", "embedding",
}  # fmt: skip
_PRICE_KEYS = {"input", "output", "cached_input", "batch_input", "batch_output", "tiers"}
_TIER_KEYS = {"above_input_tokens", "input", "output", "cached_input"}
_CHAT_KEYS = {"tokens_per_message", "tokens_per_name", "reply_priming"}
_IMAGE_KEYS = {"scheme", "base_tokens", "tile_tokens", "patch_multiplier", "max_patches"}
_EMBED_KEYS = {"dimensions", "max_inputs_per_request", "max_tokens_per_request"}


class Reader:
    """Validates one table of a models file, naming file, model and field in every error."""

    def __init__(self, path: str, model: str | None, table: Mapping[str, Any], where: str = ""):
        self.path, self.model, self.table, self.where = path, model, table, where

    def fail(self, field_name: str, problem: str) -> RegistryError:
        full = f"{self.where}{field_name}"
        subject = f"model {self.model!r}, field {full!r}" if self.model else f"field {full!r}"
        return RegistryError(
            f"{self.path}: {subject}: {problem}", path=self.path, model=self.model, field=full
        )

    def check_keys(self, allowed: set[str]) -> None:
        for key in self.table:
            if key not in allowed:
                close = difflib.get_close_matches(key, sorted(allowed), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise self.fail(key, f"unknown key{hint}; allowed: {', '.join(sorted(allowed))}")

    def sub(self, key: str) -> Reader | None:
        value = self.table.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a table, got {type(value).__name__}")
        return Reader(self.path, self.model, value, f"{self.where}{key}.")

    def int_(self, key: str, required: bool = False, minimum: int = 0) -> int | None:
        value = self.table.get(key)
        if value is None:
            if required:
                raise self.fail(key, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(key, f"must be an integer >= {minimum}, got {value!r}")
        return value

    def str_(self, key: str, required: bool = False, choices: Iterable[str] = ()) -> str | None:
        value = self.table.get(key)
        if value is None:
            if required:
                raise self.fail(key, "is required")
            return None
        choices = tuple(choices)
        if not isinstance(value, str) or (choices and value not in choices):
            want = f"one of {', '.join(choices)}" if choices else "a string"
            raise self.fail(key, f"must be {want}, got {value!r}")
        return value

    def strs(self, key: str) -> tuple[str, ...]:
        value = self.table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, f"must be a string or a list of strings, got {value!r}")
        return tuple(value)

    def decimal(self, key: str, required: bool = False) -> Decimal | None:
        value = self.table.get(key)
        if value is None:
            if required:
                raise self.fail(key, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(key, f'must be a decimal string such as "2.50", got {value!r}')
        try:
            result = Decimal(str(value))
        except ArithmeticError:
            raise self.fail(key, f"is not a decimal number: {value!r}") from None
        if not result.is_finite() or result < 0:
            raise self.fail(key, f"must be a finite number >= 0, got {value!r}")
        return result


def _price(r: Reader) -> Price:
    r.check_keys(_PRICE_KEYS)
    tiers = []
    raw_tiers = r.table.get("tiers", [])
    if not isinstance(raw_tiers, list):
        raise r.fail("tiers", "must be an array of tables ([[models.NAME.price.tiers]])")
    for i, raw in enumerate(raw_tiers):
        t = Reader(r.path, r.model, raw, f"{r.where}tiers[{i}].")
        t.check_keys(_TIER_KEYS)
        tiers.append(
            PriceTier(
                above_input_tokens=t.int_("above_input_tokens", required=True) or 0,
                input=t.decimal("input", required=True) or Decimal(0),
                output=t.decimal("output"),
                cached_input=t.decimal("cached_input"),
            )
        )
    return Price(
        input=r.decimal("input", required=True) or Decimal(0),
        output=r.decimal("output"),
        cached_input=r.decimal("cached_input"),
        batch_input=r.decimal("batch_input"),
        batch_output=r.decimal("batch_output"),
        tiers=tuple(sorted(tiers, key=lambda t: t.above_input_tokens)),
    )


def parse_model(path: str, name: str, raw: Any) -> ModelSpec:
    if not isinstance(raw, dict):
        raise RegistryError(f"{path}: model {name!r} must be a table", path=path, model=name)
    r = Reader(path, name, raw)
    r.check_keys(_MODEL_KEYS)
    kind: Any = r.str_("kind", required=True, choices=KINDS)
    as_of = raw.get("as_of")
    if as_of is not None and not isinstance(as_of, date):
        raise r.fail("as_of", f"must be a TOML date such as 2025-11-01, got {as_of!r}")
    spec = ModelSpec(
        name=name,
        kind=kind,
        encoding=r.str_("encoding", required=True, choices=ENCODING_NAMES) or "",
        context_window=r.int_("context_window", minimum=1),
        max_input_tokens=r.int_("max_input_tokens", minimum=1),
        max_output_tokens=r.int_("max_output_tokens", minimum=1),
        aliases=r.strs("aliases"),
        description=r.str_("description") or "",
        deprecated=bool(raw.get("deprecated", False)),
        source=r.strs("source"),
        as_of=as_of,
    )
    if (p := r.sub("price")) is not None:
        spec = replace(spec, price=_price(p))
    if (c := r.sub("chat")) is not None:
        c.check_keys(_CHAT_KEYS)
        defaults = ChatFormat()
        spec = replace(
            spec,
            chat=ChatFormat(
                tokens_per_message=_signed(c, "tokens_per_message", defaults.tokens_per_message),
                tokens_per_name=_signed(c, "tokens_per_name", defaults.tokens_per_name),
                reply_priming=_signed(c, "reply_priming", defaults.reply_priming),
            ),
        )
    elif kind in ("chat", "reasoning"):
        spec = replace(spec, chat=ChatFormat())
    if (i := r.sub("image")) is not None:
        i.check_keys(_IMAGE_KEYS)
        scheme: Any = i.str_("scheme", required=True, choices=("tile", "patch"))
        spec = replace(
            spec,
            image=ImageRules(
                scheme=scheme,
                base_tokens=i.int_("base_tokens", required=scheme == "tile") or 0,
                tile_tokens=i.int_("tile_tokens", required=scheme == "tile") or 0,
                patch_multiplier=i.decimal("patch_multiplier", required=scheme == "patch")
                or Decimal(1),
                max_patches=i.int_("max_patches", minimum=1) or 1536,
            ),
        )
    if (e := r.sub("embedding")) is not None:
        e.check_keys(_EMBED_KEYS)
        spec = replace(
            spec,
            embedding=EmbeddingLimits(
                dimensions=e.int_("dimensions", minimum=1),
                max_inputs_per_request=e.int_("max_inputs_per_request", minimum=1),
                max_tokens_per_request=e.int_("max_tokens_per_request", minimum=1),
            ),
        )
    _check_limits(r, spec)
    return spec


def _signed(r: Reader, key: str, default: int) -> int:
    value = r.table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise r.fail(key, f"must be an integer, got {value!r}")
    return value


def _check_limits(r: Reader, spec: ModelSpec) -> None:
    if spec.kind == "embedding":
        if spec.max_input_tokens is None and spec.context_window is None:
            raise r.fail("max_input_tokens", "is required for embedding models (per-input limit)")
        if spec.price is not None and spec.price.output is not None:
            raise r.fail("price.output", "embedding models have no output price; remove it")
    elif spec.context_window is None:
        raise r.fail("context_window", f"is required for {spec.kind} models")
    window = spec.context_window
    if window is not None:
        for key in ("max_input_tokens", "max_output_tokens"):
            value = getattr(spec, key)
            if value is not None and value > window:
                raise r.fail(key, f"{value:,} exceeds context_window {window:,}")
        if (
            spec.max_input_tokens is not None
            and spec.max_output_tokens is not None
            and spec.max_input_tokens + spec.max_output_tokens > window
        ):
            raise r.fail(
                "max_input_tokens",
                f"max_input_tokens + max_output_tokens = "
                f"{spec.max_input_tokens + spec.max_output_tokens:,} exceeds context_window "
                f"{window:,}",
            )
