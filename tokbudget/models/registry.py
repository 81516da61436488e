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

``assumed_encodings`` lists the families whose encoding OpenAI has not documented (GPT-6:
o200k_base is assumed). Every model of such a family counted with the family's encoding,
and every name resolved by it, is marked ``encoding_assumed``: when the fact is
documented, deleting the family from that one line removes the assumption everywhere.

``assumed_images`` does the same for image rules: ``[assumed_images."gpt-6"]`` is the rule
every chat or reasoning model of that family without an ``[image]`` table of its own gets,
marked ``assumed`` (an upper bound of the family's measured rules, never a guess below
them). Giving a model its own ``[image]`` table, from a source, removes its assumption.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import RegistryError, SettingsError, UnknownModelError
from .genai_prices import read_genai_prices
from .litellm import Imported, read_litellm
from .reader import Reader
from .schema import TOP_KEYS, image_table, parse_model
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

# ------------------------------------------------------------------------ the registry

_DATE_SUFFIX = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{4})$")


@dataclass(frozen=True)
class Registry:
    """A set of models plus family prefix rules. Immutable; ``merged`` builds a new one."""

    models: Mapping[str, ModelSpec]
    families: Mapping[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()  # entries an import could not use (e.g. unknown encoding)
    assumed_encodings: tuple[str, ...] = ()  # families whose encoding is an assumption
    assumed_images: Mapping[str, ImageRules] = field(default_factory=dict)  # family -> rule
    _aliases: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.assumed_encodings:  # mark the family's models in one place, not per entry
            marked = {
                name: replace(spec, encoding_assumed=True)
                if not spec.encoding_assumed and self._family_assumes(name, spec.encoding)
                else spec
                for name, spec in self.models.items()
            }
            object.__setattr__(self, "models", marked)
        if self.assumed_images:  # a family's image rule where a model has none of its own
            imaged = {name: self._with_assumed_image(spec) for name, spec in self.models.items()}
            object.__setattr__(self, "models", imaged)
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
        except UnicodeDecodeError as exc:  # TOML is UTF-8 by definition
            raise RegistryError(
                f"{path_str}: not UTF-8 text (invalid byte 0x{exc.object[exc.start]:02x} at "
                f"byte offset {exc.start:,}); save it as UTF-8",
                path=path_str,
            ) from None
        return cls.from_dict(data, source=path_str)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "<dict>") -> Registry:
        top = Reader(source, None, data)
        top.check_keys(TOP_KEYS)
        version = data.get("schema_version", 1)
        if version != 1:
            raise top.fail("schema_version", f"this tokbudget reads schema 1, got {version!r}")
        families = data.get("families", {})
        if not isinstance(families, dict) or not all(isinstance(v, str) for v in families.values()):
            raise top.fail("families", "must be a table of prefix = encoding strings")
        fam = Reader(source, None, families, "families.")
        for prefix in families:
            fam.str_(prefix, choices=ENCODING_NAMES)
        assumed = top.strs("assumed_encodings")
        for prefix in assumed:
            if prefix not in families:
                raise top.fail(
                    "assumed_encodings",
                    f"{prefix!r} is not a family of this file; add it to [families] "
                    "with the encoding assumed for it",
                )
        models_raw = data.get("models", {})
        if not isinstance(models_raw, dict):
            raise top.fail("models", "must be a table of [models.NAME] tables")
        models = {name: parse_model(source, name, raw) for name, raw in models_raw.items()}
        check_aliases(source, models)
        return cls(
            models=models,
            families=dict(families),
            sources=(source,),
            assumed_encodings=assumed,
            assumed_images=_assumed_images(top),
        )

    @classmethod
    def from_litellm(
        cls, path: str | Path, *, base: Registry | None = None, provider: str | None = None
    ) -> Registry:
        """Import litellm's ``model_prices_and_context_window.json``; see :mod:`.litellm`.

        The one entry point of that importer. ``base`` supplies encodings, chat formats and
        image rules (default: the bundled registry); ``provider`` keeps only one
        ``litellm_provider``'s entries. Imported entries pass the same invariant checks as
        TOML ones; those that fail are listed in ``skipped`` with the reason.
        """
        return cls._imported(
            read_litellm(path, base=base or default_registry(), provider=provider), str(path)
        )

    @classmethod
    def from_genai_prices(
        cls, source: str | Path | None = None, *, base: Registry | None = None
    ) -> Registry:
        """Import genai-prices' OpenAI models (dated prices, >272K tiers, service tiers).

        ``source`` is a JSON file of genai-prices' OpenAI provider (``{"id": "openai",
        "models": [...]}``); None reads the installed ``genai-prices`` package's data
        (:class:`MissingDependencyError` if it is not installed). See :mod:`.genai_prices`.
        """
        imported, where = read_genai_prices(source, base=base or default_registry())
        return cls._imported(imported, where)

    @classmethod
    def _imported(cls, imported: Imported, source: str) -> Registry:
        models, skipped = imported
        return cls(models=models, sources=(source,), skipped=skipped)

    def merged(self, other: Registry) -> Registry:
        """Return a registry with ``other``'s models and families over this one's."""
        return Registry(
            models={**self.models, **other.models},
            families={**self.families, **other.families},
            sources=self.sources + other.sources,
            skipped=self.skipped + other.skipped,
            assumed_encodings=tuple(
                dict.fromkeys(self.assumed_encodings + other.assumed_encodings)
            ),
            assumed_images={**self.assumed_images, **other.assumed_images},
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

    def resolve(self, name: str) -> tuple[str, ModelSpec | None] | None:
        """``(encoding, spec)`` of ``name``: spec None where only its family is known; None
        if the registry cannot resolve it at all (the importers' first question)."""
        try:
            encoding = self.encoding_name(name)
        except UnknownModelError:
            return None
        try:
            return encoding, self.get(name)
        except UnknownModelError:
            return encoding, None

    def encoding_name(self, name: str) -> str:
        """Return the encoding of ``name``, failing open on family prefixes for new snapshots."""
        if not isinstance(name, str):
            raise UnknownModelError(
                f"model name must be a string, got {type(name).__name__}", model=repr(name)
            )
        canonical = self._canonical(name)
        if canonical is not None:
            return self.models[canonical].encoding
        best = self._family(name)
        if best is not None:
            return self.families[best]
        raise self._unknown(name)

    def encoding_assumed(self, name: str) -> bool:
        """Whether the encoding ``name`` is counted with is an assumption, not documented.

        >>> default_registry().encoding_assumed("gpt-6.9-nova")  # by its family, gpt-6
        True
        """
        canonical = self._canonical(name)
        if canonical is not None:
            return self.models[canonical].encoding_assumed
        best = self._family(name)
        return best is not None and best in self.assumed_encodings

    def _family(self, name: str) -> str | None:
        """The longest family prefix ``name`` (or a reading of it) belongs to, if any."""
        for candidate in _candidates(name):
            best = max(
                (p for p in self.families if _in_family(candidate, p)), key=len, default=None
            )
            if best is not None:
                return best
        return None

    def _with_assumed_image(self, spec: ModelSpec) -> ModelSpec:
        """``spec`` with its family's assumed image rule, if it has none and takes messages."""
        if spec.image is not None or spec.kind not in ("chat", "reasoning"):
            return spec
        prefixes = (p for p in self.assumed_images if _in_family(spec.name, p))
        best = max(prefixes, key=len, default=None)
        return spec if best is None else replace(spec, image=self.assumed_images[best])

    def _family_assumes(self, name: str, encoding: str) -> bool:
        best = self._family(name)
        return best in self.assumed_encodings and self.families.get(best or "") == encoding

    def list(self, kind: str | None = None) -> list[ModelSpec]:
        """Models sorted by name, optionally only one kind."""
        if kind is not None and kind not in KINDS:
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


def _assumed_images(top: Reader) -> dict[str, ImageRules]:
    """``[assumed_images."PREFIX"]`` tables: each family's image rule, marked ``assumed``."""
    images = top.sub("assumed_images")
    rules: dict[str, ImageRules] = {}
    for prefix in images.table if images is not None else {}:
        table = images.sub(prefix) if images is not None else None
        if table is not None:
            rules[prefix] = replace(image_table(table), assumed=True)
    return rules


def check_aliases(source: str, models: Mapping[str, ModelSpec]) -> None:
    """Every alias names one model: not another model's name, not claimed by two models."""
    owner: dict[str, str] = {}
    for spec in models.values():
        for alias in spec.aliases:
            other = alias if alias in models else owner.get(alias)
            if other is not None:
                what = "is the name of model" if alias in models else "is also an alias of"
                raise RegistryError(
                    f"{source}: model {spec.name!r}, field 'aliases': {alias!r} {what} "
                    f"{other!r}; an alias must name exactly one model",
                    path=source,
                    model=spec.name,
                    field="aliases",
                )
            owner[alias] = spec.name


def _in_family(name: str, prefix: str) -> bool:
    """``name`` is ``prefix`` or a variant of it (``gpt-5`` + ``.9-mini``), not a longer word.

    ``gpt-4oo`` or ``gpt-55`` are typos or other models, not members of ``gpt-4o``/``gpt-5``:
    a variant continues with a separator, never with a letter or digit.
    """
    return name.startswith(prefix) and (len(name) == len(prefix) or not name[len(prefix)].isalnum())


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
