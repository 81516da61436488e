"""``tokbudget models``: the registry as a table, and one model in full."""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import Any

import click

from ..models.diff import RegistryDiff, diff_registries
from ..models.lifecycle import retiring
from ..models.registry import ModelSpec, Registry, default_registry, get_model, list_models
from ..models.spec import KINDS, ImageRules, Price
from ..money import decimal_str
from . import _notes
from ._defaults import default_line
from ._notes import warn_models
from ._output import emit_json, render_table

__all__ = ["models_group", "spec_dict"]


def spec_dict(spec: ModelSpec) -> dict[str, Any]:
    """``spec`` as JSON-ready data: :meth:`ModelSpec.to_dict` (kept for callers)."""
    return spec.to_dict()


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _usd(value: Decimal | None) -> str:
    if value is None:
        return "-"
    # Cents always shown (2.50, not 2.5); finer prices in full (0.075).
    return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else decimal_str(value)


def _prices(
    inp: Decimal | None,
    cached: Decimal | None,
    out: Decimal | None,
    write: Decimal | None = None,
) -> str:
    cached_part = f", cached input {_usd(cached)}" if cached is not None else ""
    write_part = f", cache write {_usd(write)}" if write is not None else ""
    return f"input {_usd(inp)}{cached_part}{write_part}, output {_usd(out)}"


def _price_fields(p: Price, label: str) -> list[tuple[str, str]]:
    fields = [(label, _prices(p.input, p.cached_input, p.output, p.cache_write))]
    if p.batch_multiplier is not None:
        fields.append(("batch", f"x {decimal_str(p.batch_multiplier)} of every rate"))
    elif p.batch_input is not None:
        fields.append(("batch", _prices(p.batch_input, None, p.batch_output)))
    for t in p.tiers:
        rates = _prices(t.input, t.cached_input, t.output, t.cache_write)
        fields.append((f"prompts > {t.above_input_tokens:,}", rates))
    for m in p.modalities:
        fields.append((f"{m.modality} tokens", _prices(m.input, m.cached_input, m.output)))
    return fields


def _lifecycle_fields(spec: ModelSpec) -> list[tuple[str, str]]:
    fields = []
    if spec.deprecation_date:
        fields.append(("deprecated on", spec.deprecation_date.isoformat()))
    if spec.shutdown_date:
        fields.append(("shutdown date", spec.shutdown_date.isoformat()))
    if spec.successor:
        fields.append(("successor", spec.successor))
    return fields


def _dimension_fields(spec: ModelSpec) -> list[tuple[str, str]]:
    fields = []
    if spec.service_tiers:
        tiers = [
            f"{t.name} x{decimal_str(t.multiplier)}" + (f" from {t.since}" if t.since else "")
            for t in spec.service_tiers
        ]
        fields.append(("service tiers", ", ".join(tiers) + " (fast = priority)"))
    if spec.regional_uplift:
        uplift = ", ".join(f"{r} +{decimal_str(u * 100)}%" for r, u in spec.regional_uplift)
        fields.append(("regional uplift", uplift))
    return fields


def _list(kind: str | None, as_json: bool) -> int:
    specs = list_models(kind)
    if as_json:
        emit_json([spec_dict(s) for s in specs])
        return 0
    header = [
        "model",
        "kind",
        "context",
        "max input",
        "max output",
        "in $/1M",
        "cached",
        "out $/1M",
        "as of",
    ]
    rows = []
    for s in specs:
        p = s.price
        rows.append(
            [
                s.name + (" (deprecated)" if s.deprecated else ""),
                s.kind,
                _n(s.context_window),
                _n(s.max_input_tokens),
                _n(s.max_output_tokens),
                _usd(p.input if p else None),
                _usd(p.cached_input if p else None),
                _usd(p.output if p else None),
                s.as_of.isoformat() if s.as_of else "-",
            ]
        )
    sys.stdout.write(render_table(header, rows, left=2))
    sys.stdout.write(default_line())
    sys.stdout.write(
        f"{len(specs)} models; prices in USD per 1M tokens. `tokbudget models show NAME` "
        "for tiers, batch prices, chat overheads, image rules and sources.\n"
    )
    return 0


class _ModelsGroup(click.Group):
    """A group whose unknown subcommands are most likely model names."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            raise click.UsageError(
                f"no subcommand {args[0]!r}; to see a model: tokbudget models show {args[0]}"
            )
        return super().resolve_command(ctx, args)


_KIND = click.Choice(KINDS)
_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


_RETIRING = click.option(
    "--retiring", is_flag=True, help="Only models with a shutdown date, soonest first."
)
_WITHIN = click.option(
    "--within",
    type=click.IntRange(min=0),
    default=None,
    metavar="DAYS",
    help="With --retiring: only those shutting down within DAYS (or already shut down).",
)


@click.group("models", cls=_ModelsGroup, invoke_without_command=True)
@click.option("-k", "--kind", type=_KIND, default=None, help="Only models of this kind.")
@_RETIRING
@_WITHIN
@_JSON
@click.pass_context
def models_group(
    ctx: click.Context, kind: str | None, retiring: bool, within: int | None, as_json: bool
) -> int:
    """List the known models (name, limits, prices); `models show NAME` for one in full.

    \b
    Examples:
      tokbudget models                      every model, as a table
      tokbudget models --kind embedding --json
      tokbudget models show gpt-4o-2024-08-06
      tokbudget models --retiring --within 60
    """
    if ctx.invoked_subcommand is None:
        return (
            _retiring(within, as_json) if retiring or within is not None else _list(kind, as_json)
        )
    return 0


def _retiring(within: int | None, as_json: bool) -> int:
    day = _notes.today()
    specs = retiring(within, today=day)
    if as_json:
        emit_json(
            [
                {
                    "name": s.name,
                    "deprecation_date": s.deprecation_date and s.deprecation_date.isoformat(),
                    "shutdown_date": s.shutdown_date and s.shutdown_date.isoformat(),
                    "days_left": (s.shutdown_date - day).days if s.shutdown_date else None,
                    "successor": s.successor,
                }
                for s in specs
            ]
        )
        return 0
    header = ["model", "shutdown", "days left", "deprecated on", "successor"]
    rows = [
        [
            s.name,
            str(s.shutdown_date),
            f"{(s.shutdown_date - day).days:,}" if s.shutdown_date else "-",
            str(s.deprecation_date or "-"),
            s.successor or "-",
        ]
        for s in specs
    ]
    sys.stdout.write(render_table(header, rows, left=1))
    scope = f" within {within} days" if within is not None else ""
    sys.stdout.write(
        f"{len(specs)} models shutting down{scope} (as of {day}); past dates have shut down.\n"
    )
    return 0


@models_group.command("list")
@click.option("-k", "--kind", type=_KIND, default=None, help="Only models of this kind.")
@_RETIRING
@_WITHIN
@_JSON
def list_command(kind: str | None, retiring: bool, within: int | None, as_json: bool) -> int:
    """List the known models (the same as `tokbudget models`)."""
    return _retiring(within, as_json) if retiring or within is not None else _list(kind, as_json)


@models_group.command("show")
@click.argument("name")
@_JSON
def show_command(name: str, as_json: bool) -> int:
    """Show everything the registry knows about model NAME (aliases and snapshots resolve)."""
    spec = get_model(name)
    if as_json:
        notes = _notes.model_notes([spec.name])
        emit_json({"query": name, **spec.to_dict(), "model_notes": notes})
        return 0
    out = [spec.name]
    if name in spec.aliases:
        out[0] += f"  (alias {name})"
    elif name != spec.name:
        out[0] += f"  ({name} has no entry of its own; these are {spec.name}'s figures)"
    if spec.description:
        out.append(f"  {spec.description}")
    fields = [
        ("kind", spec.kind + (", deprecated" if spec.deprecated else "")),
        (
            "encoding",
            spec.encoding + (" (assumed, not documented)" if spec.encoding_assumed else ""),
        ),
        ("context window", _n(spec.context_window)),
        ("max input tokens", _n(spec.max_input_tokens)),
        ("max output tokens", _n(spec.max_output_tokens)),
        ("aliases", ", ".join(spec.aliases) or "-"),
    ]
    fields += _lifecycle_fields(spec)
    if (p := spec.price) is not None:
        since = f" (since {p.since})" if p.since else ""
        fields += _price_fields(p, f"USD / 1M tokens{since}")
        for old in reversed(spec.price_history):
            fields.append(
                (
                    "earlier price",
                    _prices(old.input, old.cached_input, old.output)
                    + (f" (from {old.since})" if old.since else " (launch)"),
                )
            )
        fields += _dimension_fields(spec)
    else:
        fields.append(("price", "- (not in the registry)"))
    if (c := spec.chat) is not None:
        overheads = f"{c.tokens_per_message} per message, {c.tokens_per_name} per name"
        fields.append(("chat format", f"{overheads}, {c.reply_priming} reply priming"))
    if spec.image is not None:
        fields.append(("images", _image_rule(spec.image)))
    if (e := spec.embedding) is not None:
        per_request = (
            f"{_n(e.max_inputs_per_request)} inputs, {_n(e.max_tokens_per_request)} tokens"
        )
        fields.append(("embedding", f"{_n(e.dimensions)} dimensions; per request {per_request}"))
    fields.append(("as of", spec.as_of.isoformat() if spec.as_of else "-"))
    width = max(len(k) for k, _ in fields)
    out += [f"  {k.ljust(width)}  {v}" for k, v in fields]
    if spec.source:  # a user's own model may cite none
        out += ["  sources:", *(f"    {s}" for s in spec.source)]
    sys.stdout.write("\n".join(out) + "\n")
    warn_models([spec.name])
    return 0


def _image_rule(i: ImageRules) -> str:
    """How the model counts an image, in one line."""
    multiplier = decimal_str(i.patch_multiplier)
    rule = (
        f"512-px tiles: {i.base_tokens} + {i.tile_tokens} per tile"
        if i.scheme == "tile"
        else f"32-px patches (at most {i.max_patches:,}) x {multiplier}"
    )
    if i.original:
        cap = (
            "no known cap"
            if i.original_max_patches is None
            else f"at most {i.original_max_patches:,}"
        )
        rule += f"; detail 'original' and 'auto': {cap}"
    if i.assumed:
        rule += " (assumed: the family's upper bound, not measured for this model)"
    return rule


@models_group.command("diff")
@click.option(
    "--litellm",
    "litellm_path",
    default=None,
    metavar="PATH",
    help="litellm's model_prices_and_context_window(_backup).json.",
)
@click.option(
    "--genai-prices",
    "genai",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[PATH]",
    help="genai-prices' OpenAI data: the installed package, or a JSON file PATH.",
)
@_JSON
def diff_command(litellm_path: str | None, genai: str | None, as_json: bool) -> int:
    """Show where the bundled registry and litellm or genai-prices disagree.

    Per model and field: values that differ, values only the source has, and the models
    one side has and the other lacks. Always exits 0; see the README's refresh routine.

    \b
    Examples:
      pip download --no-deps -d wheels litellm genai-prices
      tokbudget models diff --litellm model_prices_and_context_window_backup.json
      tokbudget models diff --genai-prices --json
    """
    if (litellm_path is None) == (genai is None):
        raise click.UsageError("pass one of --litellm PATH or --genai-prices [PATH]")
    ours = default_registry()
    if litellm_path is not None:
        theirs = Registry.from_litellm(litellm_path, base=ours, provider="openai")
        source = f"litellm {litellm_path}"
    else:
        theirs = Registry.from_genai_prices(genai or None, base=ours)
        source = f"genai-prices {theirs.sources[0]}"
    result = diff_registries(ours, theirs, source)
    if as_json:
        emit_json(result.to_dict())
    else:
        _print_diff(result)
    return 0


def _shown(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, Decimal):
        return decimal_str(value)
    return str(value)


def _print_diff(d: RegistryDiff) -> None:
    out = [f"registry vs {d.source}"]
    by_model: dict[str, list[str]] = {}
    for f in d.differ:
        line = f"    {f.field}: registry {_shown(f.ours)}, source {_shown(f.theirs)}"
        by_model.setdefault(f.model, []).append(line)
    for f in d.missing:
        line = f"    {f.field}: registry -, source {_shown(f.theirs)}"
        by_model.setdefault(f.model, []).append(line)
    for model in sorted(by_model):
        out += [f"  {model}", *by_model[model]]
    out.append(f"{len(d.differ)} values differ and {len(d.missing)} are only in the source,")
    out.append(f"  across {len(by_model)} models.")
    if d.only_theirs:
        out.append(f"only in the source ({len(d.only_theirs)}): {', '.join(d.only_theirs)}")
    if d.only_ours:
        out.append(f"only in the registry ({len(d.only_ours)}): {', '.join(d.only_ours)}")
    if d.skipped:
        out.append(f"not importable ({len(d.skipped)}): {', '.join(d.skipped)}")
    sys.stdout.write("\n".join(out) + "\n")
