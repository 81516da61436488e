"""The model registry: every model's encoding, limits, chat overheads, image rules and prices.

The data lives in ``tokbudget/data/models.toml`` (read once, validated into frozen
dataclasses). Users extend or override it without code: a TOML file of the same schema
named by ``TOKBUDGET_MODELS`` (``os.pathsep``-separated for several), or
``Registry.from_toml(path)`` / ``Registry.from_litellm(path)`` merged into the default.

Lookup (:meth:`Registry.get`) tries, in order: the exact name, an alias, the name without a
provider prefix (``openai/``) or fine-tune wrapper (``ft:gpt-4o-mini:org::id``), the name
without a dated-snapshot suffix (``-2024-08-06``, ``-0613``). :meth:`Registry.encoding_name`
then falls back to family prefixes, so a new snapshot of a known family still gets the
right encoding (``gpt-5.9-mini-2027-01-01`` -> ``o200k_base``).
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from .errors import RegistryError, UnknownModelError

__all__ = [
    "MODELS_ENV",
    "ChatFormat",
    "EmbeddingLimits",
    "ImageRules",
    "ModelSpec",
    "Price",
    "PriceTier",
    "Registry",
    "default_registry",
    "get_model",
    "list_models",
]

MODELS_ENV = "TOKBUDGET_MODELS"
"""Environment variable naming extra models files (TOML, same schema), merged over the default."""

Kind = Literal["chat", "reasoning", "embedding", "completion"]
KINDS: tuple[str, ...] = ("chat", "reasoning", "embedding", "completion")


@dataclass(frozen=True, slots=True)
class PriceTier:
    """Prices that apply when the prompt exceeds ``above_input_tokens``."""

    above_input_tokens: int
    input: Decimal
    output: Decimal | None = None
    cached_input: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Price:
    """USD per 1M tokens, exact decimals."""

    input: Decimal
    output: Decimal | None = None  # None for embedding models: they have no output
    cached_input: Decimal | None = None
    batch_input: Decimal | None = None
    batch_output: Decimal | None = None
    tiers: tuple[PriceTier, ...] = ()


@dataclass(frozen=True, slots=True)
class ChatFormat:
    """Chat-format overheads from OpenAI's cookbook "How to count tokens with tiktoken"."""

    tokens_per_message: int = 3
    tokens_per_name: int = 1
    reply_priming: int = 3


@dataclass(frozen=True, slots=True)
class ImageRules:
    """How a model bills an image: 512-px tiles or 32-px patches."""

    scheme: Literal["tile", "patch"]
    base_tokens: int = 0
    tile_tokens: int = 0
    patch_multiplier: Decimal = Decimal(1)
    max_patches: int = 1536


@dataclass(frozen=True, slots=True)
class EmbeddingLimits:
    dimensions: int | None = None
    max_inputs_per_request: int | None = None
    max_tokens_per_request: int | None = None


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """Everything tokbudget knows about one model. Figures cite ``source`` as of ``as_of``."""

    name: str
    kind: Kind
    encoding: str
    context_window: int | None = None
    max_input_tokens: int | None = None
    max_output_tokens: int | None = None
    aliases: tuple[str, ...] = ()
    description: str = ""
    deprecated: bool = False
    source: tuple[str, ...] = ()
    as_of: date | None = None
    price: Price | None = None
    chat: ChatFormat | None = None
    image: ImageRules | None = None
    embedding: EmbeddingLimits | None = None

    @property
    def input_limit(self) -> int | None:
        """The most prompt tokens the model accepts (its input cap, else its window)."""
        caps = [c for c in (self.max_input_tokens, self.context_window) if c is not None]
        return min(caps) if caps else None


# ------------------------------------------------------------------------ validation

_TOP_KEYS = {"schema_version", "families", "models"}
_MODEL_KEYS = {
    "kind", "encoding", "context_window", "max_input_tokens", "max_output_tokens", "aliases",
    "description", "deprecated", "source", "as_of", "price", "chat", "image", "embedding",
}  # fmt: skip
_PRICE_KEYS = {"input", "output", "cached_input", "batch_input", "batch_output", "tiers"}
_TIER_KEYS = {"above_input_tokens", "input", "output", "cached_input"}
_CHAT_KEYS = {"tokens_per_message", "tokens_per_name", "reply_priming"}
_IMAGE_KEYS = {"scheme", "base_tokens", "tile_tokens", "patch_multiplier", "max_patches"}
_EMBED_KEYS = {"dimensions", "max_inputs_per_request", "max_tokens_per_request"}


class _Reader:
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

    def sub(self, key: str) -> _Reader | None:
        value = self.table.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a table, got {type(value).__name__}")
        return _Reader(self.path, self.model, value, f"{self.where}{key}.")

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


def _price(r: _Reader) -> Price:
    r.check_keys(_PRICE_KEYS)
    tiers = []
    raw_tiers = r.table.get("tiers", [])
    if not isinstance(raw_tiers, list):
        raise r.fail("tiers", "must be an array of tables ([[models.NAME.price.tiers]])")
    for i, raw in enumerate(raw_tiers):
        t = _Reader(r.path, r.model, raw, f"{r.where}tiers[{i}].")
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


def _model(path: str, name: str, raw: Any) -> ModelSpec:
    if not isinstance(raw, dict):
        raise RegistryError(f"{path}: model {name!r} must be a table", path=path, model=name)
    r = _Reader(path, name, raw)
    r.check_keys(_MODEL_KEYS)
    from .vocab import ENCODINGS

    kind: Any = r.str_("kind", required=True, choices=KINDS)
    as_of = raw.get("as_of")
    if as_of is not None and not isinstance(as_of, date):
        raise r.fail("as_of", f"must be a TOML date such as 2025-11-01, got {as_of!r}")
    spec = ModelSpec(
        name=name,
        kind=kind,
        encoding=r.str_("encoding", required=True, choices=ENCODINGS) or "",
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


def _signed(r: _Reader, key: str, default: int) -> int:
    value = r.table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise r.fail(key, f"must be an integer, got {value!r}")
    return value


def _check_limits(r: _Reader, spec: ModelSpec) -> None:
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


# ------------------------------------------------------------------------ the registry

_DATE_SUFFIX = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{4})$")


@dataclass(frozen=True)
class Registry:
    """A set of models plus family prefix rules. Immutable; ``merged`` builds a new one."""

    models: Mapping[str, ModelSpec]
    families: Mapping[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()  # entries an import could not use (e.g. unknown encoding)
    _aliases: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for spec in self.models.values():
            for alias in spec.aliases:
                self._aliases.setdefault(alias, spec.name)

    # construction ---------------------------------------------------------------------

    @classmethod
    def from_toml(cls, path: str | Path) -> Registry:
        """Read and validate a models file; errors name the file, the model and the field."""
        path_str = str(path)
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except OSError as exc:
            raise RegistryError(
                f"cannot read models file {path_str}: {exc}", path=path_str
            ) from exc
        except tomllib.TOMLDecodeError as exc:
            raise RegistryError(f"{path_str}: invalid TOML: {exc}", path=path_str) from exc
        return cls.from_dict(data, source=path_str)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "<dict>") -> Registry:
        top = _Reader(source, None, data)
        top.check_keys(_TOP_KEYS)
        version = data.get("schema_version", 1)
        if version != 1:
            raise top.fail("schema_version", f"this tokbudget reads schema 1, got {version!r}")
        families = data.get("families", {})
        if not isinstance(families, dict) or not all(isinstance(v, str) for v in families.values()):
            raise top.fail("families", "must be a table of prefix = encoding strings")
        models_raw = data.get("models", {})
        if not isinstance(models_raw, dict):
            raise top.fail("models", "must be a table of [models.NAME] tables")
        models = {name: _model(source, name, raw) for name, raw in models_raw.items()}
        return cls(models=models, families=dict(families), sources=(source,))

    @classmethod
    def from_litellm(cls, path: str | Path, *, base: Registry | None = None) -> Registry:
        """Import litellm's ``model_prices_and_context_window.json``; see :mod:`.litellm`."""
        from .litellm import registry_from_litellm

        return registry_from_litellm(path, base=base or default_registry())

    def merged(self, other: Registry) -> Registry:
        """Return a registry with ``other``'s models and families over this one's."""
        return Registry(
            models={**self.models, **other.models},
            families={**self.families, **other.families},
            sources=self.sources + other.sources,
            skipped=self.skipped + other.skipped,
        )

    # lookup -----------------------------------------------------------------------------

    def _canonical(self, name: str) -> str | None:
        for candidate in _candidates(name):
            if candidate in self.models:
                return candidate
            if candidate in self._aliases:
                return self._aliases[candidate]
        return None

    def get(self, name: str) -> ModelSpec:
        """Return the model called ``name`` (exact, alias, prefixed, fine-tuned or dated)."""
        if not isinstance(name, str):
            raise UnknownModelError(
                f"model name must be a string, got {type(name).__name__}", model=repr(name)
            )
        canonical = self._canonical(name)
        if canonical is None:
            raise self._unknown(name)
        return self.models[canonical]

    def encoding_name(self, name: str) -> str:
        """Return the encoding of ``name``, failing open on family prefixes for new snapshots."""
        if not isinstance(name, str):
            raise UnknownModelError(
                f"model name must be a string, got {type(name).__name__}", model=repr(name)
            )
        canonical = self._canonical(name)
        if canonical is not None:
            return self.models[canonical].encoding
        for candidate in _candidates(name):
            best = max((p for p in self.families if candidate.startswith(p)), key=len, default=None)
            if best is not None:
                return self.families[best]
        raise self._unknown(name)

    def list(self, kind: str | None = None) -> list[ModelSpec]:
        """Models sorted by name, optionally only one kind."""
        if kind is not None and kind not in KINDS:
            from .errors import SettingsError

            raise SettingsError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
        return [m for _, m in sorted(self.models.items()) if kind is None or m.kind == kind]

    def _unknown(self, name: str) -> UnknownModelError:
        names = [*self.models, *self._aliases]
        close = tuple(difflib.get_close_matches(name, names, n=5, cutoff=0.6))
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        return UnknownModelError(
            f"unknown model {name!r}{hint} (`tokbudget models` lists them; add your own with "
            f"a TOML file named by {MODELS_ENV}, or pass encoding= instead)",
            model=name,
            suggestions=close,
        )


def _candidates(name: str) -> list[str]:
    """Spellings to try: as given, without provider prefix / fine-tune wrapper / date."""
    out = [name]
    base = name
    if base.startswith("ft:"):  # ft:gpt-4o-mini-2024-07-18:org:suffix:id
        base = base[3:].split(":", 1)[0]
    if "/" in base:  # openai/gpt-4o, azure/gpt-4o
        base = base.rsplit("/", 1)[1]
    if base != name:
        out.append(base)
    undated = _DATE_SUFFIX.sub("", base)
    if undated != base:
        out.append(undated)
    return out


# ------------------------------------------------------------------------ the default


def _bundled_path() -> Path:
    return Path(str(resources.files("tokbudget") / "data" / "models.toml"))


@functools.cache
def _default_for(env_value: str) -> Registry:
    registry = Registry.from_toml(_bundled_path())
    for extra in (p for p in env_value.split(os.pathsep) if p):
        registry = registry.merged(Registry.from_toml(Path(extra).expanduser()))
    return registry


def default_registry() -> Registry:
    """The bundled registry with any ``TOKBUDGET_MODELS`` files merged over it (cached)."""
    return _default_for(os.environ.get(MODELS_ENV, ""))


def get_model(name: str, registry: Registry | None = None) -> ModelSpec:
    """Return the :class:`ModelSpec` of ``name`` (alias, dated snapshot and ``ft:`` resolve).

    >>> get_model("gpt-4o-2024-08-06").context_window
    128000
    """
    return (registry or default_registry()).get(name)


def list_models(kind: str | None = None, registry: Registry | None = None) -> list[ModelSpec]:
    """All models, sorted by name; ``kind`` is chat, reasoning, embedding or completion."""
    return (registry or default_registry()).list(kind)
