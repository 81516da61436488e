"""Validation of models files: every error names the file, the model and the dotted field.

A typo in a key is an error (with a suggestion), never silently ignored; a value of the
wrong type is an error, never coerced (``deprecated = "false"`` is not true, a patch
multiplier of ``"0"`` is not 1, a chat overhead is never negative).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from ..errors import RegistryError
from .reader import Reader
from .spec import (
    ENCODING_NAMES,
    KINDS,
    MODALITIES,
    SERVICE_TIERS,
    ChatFormat,
    EmbeddingLimits,
    ImageRules,
    ModalityPrice,
    ModelSpec,
    Price,
    PriceTier,
    ServiceTier,
)

__all__ = ["TOP_KEYS", "check_spec", "image_table", "parse_model"]


TOP_KEYS = {"schema_version", "families", "assumed_encodings", "assumed_images", "models"}
_MODEL_KEYS = {
    "kind", "encoding", "encoding_assumed", "context_window", "max_input_tokens",
    "max_output_tokens", "aliases", "description", "deprecated", "deprecation_date",
    "shutdown_date", "successor", "source", "as_of", "price", "price_history",
    "service_tiers", "regional_uplift", "chat", "image", "embedding",
}  # fmt: skip
_PRICE_KEYS = {
    "since", "input", "output", "cached_input", "cache_write", "batch_input", "batch_output",
    "batch_multiplier", "tiers", *MODALITIES,
}  # fmt: skip
_TIER_KEYS = {"above_input_tokens", "input", "output", "cached_input", "cache_write"}
_MODALITY_KEYS = {"input", "cached_input", "output"}
_CHAT_KEYS = {"tokens_per_message", "tokens_per_name", "reply_priming"}
_IMAGE_KEYS = {
    "scheme",
    "base_tokens",
    "tile_tokens",
    "patch_multiplier",
    "max_patches",
    "original",
    "original_max_patches",
    "assumed",
}
_EMBED_KEYS = {"dimensions", "max_inputs_per_request", "max_tokens_per_request"}
_INPUT_ONLY = ("embedding", "moderation")


# ---------------------------------------------------------------------------- prices


def _tier(t: Reader) -> PriceTier:
    t.check_keys(_TIER_KEYS)
    return PriceTier(
        above_input_tokens=t.need("above_input_tokens", t.int_("above_input_tokens", True, 1)),
        input=t.need("input", t.decimal("input", required=True)),
        output=t.decimal("output"),
        cached_input=t.decimal("cached_input"),
        cache_write=t.decimal("cache_write"),
    )


def _modality(r: Reader, name: str) -> ModalityPrice | None:
    m = r.sub(name)
    if m is None:
        return None
    m.check_keys(_MODALITY_KEYS)
    return ModalityPrice(
        name,
        input=m.need("input", m.decimal("input", required=True)),
        cached_input=m.decimal("cached_input"),
        output=m.decimal("output"),
    )


def _price(r: Reader) -> Price:
    r.check_keys(_PRICE_KEYS)
    tiers = [_tier(t) for t in r.items("tiers")]
    starts = [t.above_input_tokens for t in tiers]
    for i, start in enumerate(starts):
        if start in starts[:i]:
            raise r.fail(f"tiers[{i}].above_input_tokens", f"tier {start:,} is declared twice")
    modalities = [m for m in (_modality(r, name) for name in MODALITIES) if m is not None]
    return Price(
        input=r.need("input", r.decimal("input", required=True)),
        output=r.decimal("output"),
        cached_input=r.decimal("cached_input"),
        cache_write=r.decimal("cache_write"),
        batch_input=r.decimal("batch_input"),
        batch_output=r.decimal("batch_output"),
        batch_multiplier=r.decimal("batch_multiplier", positive=True),
        tiers=tuple(sorted(tiers, key=lambda t: t.above_input_tokens)),
        modalities=tuple(modalities),
        since=r.date_("since"),
    )


def _prices(r: Reader) -> tuple[Price | None, tuple[Price, ...]]:
    """The current price and the dated earlier ones, oldest first, strictly ordered."""
    table = r.sub("price")
    current = _price(table) if table is not None else None
    history = tuple(_price(h) for h in r.items("price_history"))
    if history and current is None:
        raise r.fail("price", "is required when price_history is given (the current price)")
    chain = [*history, *([current] if current else [])]
    for i, later in enumerate(chain[1:], 1):
        where = "price.since" if i == len(history) else f"price_history[{i}].since"
        if later.since is None:
            raise r.fail(where, "is required: a later price says from which date it applies")
        before = chain[i - 1].since
        if before is not None and later.since <= before:
            raise r.fail(where, f"{later.since} is not after the previous price's {before}")
    return current, history


def _service_tiers(r: Reader) -> tuple[ServiceTier, ...]:
    s = r.sub("service_tiers")
    if s is None:
        return ()
    s.check_keys(SERVICE_TIERS)
    out: list[ServiceTier] = []
    for name in SERVICE_TIERS:
        raw = s.table.get(name)
        if raw is None:
            continue
        if not isinstance(raw, list):
            out.append(ServiceTier(name, s.need(name, s.decimal(name, positive=True))))
            continue
        entries = s.items(name)
        if not entries:
            raise s.fail(name, "must list at least one { multiplier = ... } entry")
        for i, e in enumerate(entries):
            e.check_keys({"multiplier", "since"})
            since = e.date_("since")
            previous = out[-1].since if i else None
            if i and (since is None or (previous is not None and since <= previous)):
                raise e.fail("since", f"must be a date after the previous entry's ({previous})")
            multiplier = e.need("multiplier", e.decimal("multiplier", True, positive=True))
            out.append(ServiceTier(name, multiplier, since))
    return tuple(out)


def _uplift(r: Reader) -> tuple[tuple[str, Decimal], ...]:
    u = r.sub("regional_uplift")
    if u is None:
        return ()
    return tuple((region, u.need(region, u.decimal(region, required=True))) for region in u.table)


# ---------------------------------------------------------------------------- a model


def parse_model(
    path: str, name: str, raw: Any, encodings: Iterable[str] | None = None
) -> ModelSpec:
    """Validate one ``[models.NAME]`` table into a :class:`ModelSpec`."""
    if not isinstance(raw, dict):
        raise RegistryError(f"{path}: model {name!r} must be a table", path=path, model=name)
    if not name.strip():
        raise RegistryError(f"{path}: a model name is empty", path=path, model=name)
    r = Reader(path, name, raw)
    r.check_keys(_MODEL_KEYS)
    known = tuple(encodings) if encodings is not None else ENCODING_NAMES

    kind: Any = r.str_("kind", required=True, choices=KINDS)
    as_of = r.date_("as_of")
    price, history = _prices(r)
    shutdown = r.date_("shutdown_date")
    deprecation = r.date_("deprecation_date")
    if deprecation and shutdown and shutdown < deprecation:
        raise r.fail("shutdown_date", f"{shutdown} is before deprecation_date {deprecation}")
    spec = ModelSpec(
        name=name,
        kind=kind,
        encoding=r.need("encoding", r.str_("encoding", required=True, choices=known)),
        encoding_assumed=r.bool_("encoding_assumed"),
        context_window=r.int_("context_window", minimum=1),
        max_input_tokens=r.int_("max_input_tokens", minimum=1),
        max_output_tokens=r.int_("max_output_tokens", minimum=1),
        aliases=_aliases(r, name),
        description=r.str_("description") or "",
        deprecated=r.bool_("deprecated") or deprecation is not None or shutdown is not None,
        deprecation_date=deprecation,
        shutdown_date=shutdown,
        successor=r.str_("successor"),
        source=r.strs("source"),
        as_of=as_of,
        price=price,
        price_history=history,
        service_tiers=_service_tiers(r),
        regional_uplift=_uplift(r),
    )
    spec = replace(spec, chat=_chat(r, kind), image=_image(r), embedding=_embedding(r))
    _check_limits(r, spec)
    return spec


def _aliases(r: Reader, name: str) -> tuple[str, ...]:
    aliases = r.strs("aliases")
    for i, alias in enumerate(aliases):
        if alias == name or alias in aliases[:i]:
            raise r.fail("aliases", f"{alias!r} is declared twice (or is the model's own name)")
    return aliases


def _chat(r: Reader, kind: str) -> ChatFormat | None:
    c = r.sub("chat")
    if c is None:
        return ChatFormat() if kind in ("chat", "reasoning", "realtime") else None
    c.check_keys(_CHAT_KEYS)
    d = ChatFormat()
    return ChatFormat(
        tokens_per_message=_overhead(c, "tokens_per_message", d.tokens_per_message, 0),
        tokens_per_name=_overhead(c, "tokens_per_name", d.tokens_per_name, -1),
        reply_priming=_overhead(c, "reply_priming", d.reply_priming, 0),
    )


def _overhead(r: Reader, key: str, default: int, minimum: int) -> int:
    """A chat overhead: an integer, never below ``minimum``.

    ``tokens_per_name`` may be -1 (gpt-3.5-turbo-0301 counts a name in place of the role);
    anything lower would let a message count go negative.
    """
    value = r.table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise r.fail(key, f"must be an integer >= {minimum}, got {value!r}")
    return value


def _image(r: Reader) -> ImageRules | None:
    i = r.sub("image")
    return None if i is None else image_table(i)


def image_table(i: Reader) -> ImageRules:
    """An ``[image]`` table: a model's, or a family's in ``[assumed_images."gpt-6"]``."""
    i.check_keys(_IMAGE_KEYS)
    scheme: Any = i.str_("scheme", required=True, choices=("tile", "patch"))
    patch = scheme == "patch"
    multiplier = i.decimal("patch_multiplier", required=patch, positive=True)
    original = i.bool_("original")
    original_cap = i.int_("original_max_patches", minimum=1)
    if original and not patch:
        raise i.fail("original", "is only for the patch scheme (scheme = 'patch')")
    if original_cap is not None and not original:
        raise i.fail("original_max_patches", "needs original = true")
    return ImageRules(
        scheme=scheme,
        base_tokens=i.int_("base_tokens", required=not patch) or 0,
        tile_tokens=i.int_("tile_tokens", required=not patch, minimum=1 if not patch else 0) or 0,
        patch_multiplier=multiplier if multiplier is not None else Decimal(1),
        max_patches=i.int_("max_patches", minimum=1) or 1536,
        original=original,
        original_max_patches=original_cap,
        assumed=i.bool_("assumed"),
    )


def _embedding(r: Reader) -> EmbeddingLimits | None:
    e = r.sub("embedding")
    if e is None:
        return None
    e.check_keys(_EMBED_KEYS)
    return EmbeddingLimits(
        dimensions=e.int_("dimensions", minimum=1),
        max_inputs_per_request=e.int_("max_inputs_per_request", minimum=1),
        max_tokens_per_request=e.int_("max_tokens_per_request", minimum=1),
    )


def check_spec(source: str, spec: ModelSpec) -> None:
    """The invariants every entry meets, however it was made (TOML or an importer).

    Limits consistent with the window, prices >= 0, dated prices strictly ordered.
    """
    r = Reader(source, spec.name, {})
    _check_limits(r, spec)
    chain = [*spec.price_history, *([spec.price] if spec.price else [])]
    for i, p in enumerate(chain):
        values = [p.input, p.output, p.cached_input, p.cache_write, p.batch_input, p.batch_output]
        values += [v for t in p.tiers for v in (t.input, t.output, t.cached_input, t.cache_write)]
        if any(v is not None and (not v.is_finite() or v < 0) for v in values):
            raise r.fail("price", "has a negative or non-finite price")
        before = chain[i - 1].since if i else None
        if i and (p.since is None or (before is not None and p.since <= before)):
            raise r.fail("price.since", "dated prices must be strictly increasing")
    if any(t.multiplier <= 0 for t in spec.service_tiers):
        raise r.fail("service_tiers", "a multiplier must be > 0")


def _check_limits(r: Reader, spec: ModelSpec) -> None:
    if spec.kind in _INPUT_ONLY:
        if spec.max_input_tokens is None and spec.context_window is None:
            raise r.fail(
                "max_input_tokens", f"is required for {spec.kind} models (per-input limit)"
            )
        for p in (spec.price, *spec.price_history):
            if p is not None and p.output is not None:
                raise r.fail("price.output", f"{spec.kind} models have no output price; remove it")
    elif spec.context_window is None:
        raise r.fail("context_window", f"is required for {spec.kind} models")
    window = spec.context_window
    if window is None:
        return
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
