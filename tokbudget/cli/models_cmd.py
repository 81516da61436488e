"""``tokbudget models``: the registry as a table, and one model in full."""

from __future__ import annotations

import dataclasses
import sys
from datetime import date
from decimal import Decimal
from typing import Any

import click

from ..models.registry import ModelSpec, get_model, list_models
from ..models.spec import KINDS
from ..pricing import decimal_str
from ._output import emit_json, render_table

__all__ = ["models_group", "spec_dict"]


def spec_dict(spec: ModelSpec) -> dict[str, Any]:
    """``spec`` as JSON-ready data: prices as exact decimal strings, dates as ISO text."""

    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return decimal_str(value)
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    return {k: plain(v) for k, v in dataclasses.asdict(spec).items()}


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _usd(value: Decimal | None) -> str:
    if value is None:
        return "-"
    # Cents always shown (2.50, not 2.5); finer prices in full (0.075).
    return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else decimal_str(value)


def _prices(inp: Decimal | None, cached: Decimal | None, out: Decimal | None) -> str:
    cached_part = f", cached input {_usd(cached)}" if cached is not None else ""
    return f"input {_usd(inp)}{cached_part}, output {_usd(out)}"


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


@click.group("models", cls=_ModelsGroup, invoke_without_command=True)
@click.option("-k", "--kind", type=_KIND, default=None, help="Only models of this kind.")
@_JSON
@click.pass_context
def models_group(ctx: click.Context, kind: str | None, as_json: bool) -> int:
    """List the known models (name, limits, prices); `models show NAME` for one in full.

    \b
    Examples:
      tokbudget models                      every model, as a table
      tokbudget models --kind embedding --json
      tokbudget models show gpt-4o-2024-08-06
    """
    if ctx.invoked_subcommand is None:
        return _list(kind, as_json)
    return 0


@models_group.command("list")
@click.option("-k", "--kind", type=_KIND, default=None, help="Only models of this kind.")
@_JSON
def list_command(kind: str | None, as_json: bool) -> int:
    """List the known models (the same as `tokbudget models`)."""
    return _list(kind, as_json)


@models_group.command("show")
@click.argument("name")
@_JSON
def show_command(name: str, as_json: bool) -> int:
    """Show everything the registry knows about model NAME (aliases and snapshots resolve)."""
    spec = get_model(name)
    if as_json:
        emit_json({"query": name, **spec_dict(spec)})
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
        ("encoding", spec.encoding),
        ("context window", _n(spec.context_window)),
        ("max input tokens", _n(spec.max_input_tokens)),
        ("max output tokens", _n(spec.max_output_tokens)),
        ("aliases", ", ".join(spec.aliases) or "-"),
    ]
    if (p := spec.price) is not None:
        fields.append(("USD / 1M tokens", _prices(p.input, p.cached_input, p.output)))
        fields.append(("batch", _prices(p.batch_input, None, p.batch_output)))
        fields += [
            (f"prompts > {t.above_input_tokens:,}", _prices(t.input, t.cached_input, t.output))
            for t in p.tiers
        ]
    else:
        fields.append(("price", "- (not in the registry)"))
    if (c := spec.chat) is not None:
        overheads = f"{c.tokens_per_message} per message, {c.tokens_per_name} per name"
        fields.append(("chat format", f"{overheads}, {c.reply_priming} reply priming"))
    if (i := spec.image) is not None:
        multiplier = decimal_str(i.patch_multiplier)
        rule = (
            f"512-px tiles: {i.base_tokens} + {i.tile_tokens} per tile"
            if i.scheme == "tile"
            else f"32-px patches (at most {i.max_patches:,}) x {multiplier}"
        )
        fields.append(("images", rule))
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
    return 0
