"""``tokbudget cost``: what files would cost on several models, or what usage logs cost."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

import click

from ..chat.messages import request_body
from ..errors import ContextOverflowError, UsageRecordError
from ..models.rates import SERVICE_TIER_NAMES
from ..models.registry import get_model
from ..money import decimal_str
from ..pricing import estimate_cost
from ..usage import UsageCost, UsageTotal, cost_from_usage
from ._io import InputFile, read_text
from ._notes import warn_models
from ._output import BadInput, render_table
from .app import cli, emit_json

__all__ = ["cost_command", "load_payloads"]

_REQUEST_KEYS = ("messages", "input", "body")


def load_payloads(text: str) -> list[Any]:
    """A file's requests: a Chat Completions / embeddings body, a JSONL batch file, or text."""
    if not text.lstrip().startswith("{"):
        return [text]
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        try:
            docs = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError:
            return [text]
    else:
        docs = [doc]
    if all(isinstance(d, Mapping) and any(k in d for k in _REQUEST_KEYS) for d in docs):
        return docs
    return [text]


def _has_max_output(payload: Any) -> bool:
    if not isinstance(payload, Mapping):
        return False
    body = request_body(payload)
    return body.get("max_completion_tokens", body.get("max_tokens")) is not None


class _Day(click.ParamType[date]):
    """A date (2026-12-07) or an ISO datetime; the price in force that day is used."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return datetime.fromisoformat(str(value)).date()
        except ValueError:
            self.fail(f"{value!r} is not a date such as 2026-12-07", param, ctx)


@cli.command("cost")
@click.argument("files", nargs=-1, metavar="[FILE]...")
@click.option("-m", "--model", "models", multiple=True, help="Model to price (repeat to compare).")
@click.option(
    "--output-tokens",
    type=click.IntRange(min=0),
    default=None,
    help="Reply tokens per request (default: a request's max_completion_tokens, else 0).",
)
@click.option(
    "--cached-tokens",
    type=click.IntRange(min=0),
    default=0,
    help="Prompt tokens per request read from the prompt cache.",
)
@click.option(
    "--cache-write-tokens",
    type=click.IntRange(min=0),
    default=0,
    help="Prompt tokens per request written to the prompt cache.",
)
@click.option("--batch", is_flag=True, help="Price at Batch API rates.")
@click.option(
    "--service-tier",
    type=click.Choice(SERVICE_TIER_NAMES),
    default=None,
    help="Service tier (fast = priority). Default: default, or a usage record's own.",
)
@click.option("--region", default=None, help="Regional processing (us, eu): adds its uplift.")
@click.option("--at", "at", type=_Day(), default=None, help="Price as of DATE (default: today).")
@click.option(
    "--usage",
    default=None,
    metavar="LOG",
    help="Sum a usage log (JSONL of API responses or usage objects; '-' for stdin) instead.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def cost_command(
    files: tuple[str, ...],
    models: tuple[str, ...],
    output_tokens: int | None,
    cached_tokens: int,
    cache_write_tokens: int,
    batch: bool,
    service_tier: str | None,
    region: str | None,
    at: date | None,
    usage: str | None,
    as_json: bool,
) -> int:
    """Price FILEs (text, a Chat Completions request or a JSONL batch file) on each -m MODEL.

    Prompts are counted exactly per model; replies are --output-tokens per request. With
    --usage, real usage logs are summed per model instead (-m names the model of bare
    usage objects).

    \b
    Examples:
      tokbudget cost prompt.txt -m gpt-4o -m gpt-4o-mini -m gpt-5-mini --output-tokens 500
      tokbudget cost request.json batch.jsonl -m gpt-4.1 --batch --json
      tokbudget cost prompt.txt -m gpt-6-sol --service-tier flex --region eu --at 2027-03-01
      tokbudget cost --usage responses.jsonl
    """
    priced = {"batch": batch, "region": region, "at": at}
    if usage is not None:
        if files:
            raise click.UsageError("give FILEs to estimate or --usage LOG to sum, not both")
        if len(models) > 1:
            raise click.UsageError("--usage takes at most one -m (the model of bare usage objects)")
        model = models[0] if models else None
        return _usage(InputFile(usage), model, as_json, service_tier=service_tier, **priced)
    models = tuple(dict.fromkeys(models))  # -m gpt-4o -m gpt-4o prices once
    inputs = [InputFile(name) for name in (files or ("-",))]
    loaded = [(source.label, load_payloads(read_text(source))) for source in inputs]
    options = {
        **priced,
        "cached_input_tokens": cached_tokens,
        "cache_write_tokens": cache_write_tokens,
        "service_tier": service_tier or "default",
    }
    rows = _estimate(models, loaded, output_tokens, options)
    notes = warn_models(row["model"] for row in rows.values())
    failed = any(row["errors"] for row in rows.values())
    if as_json:
        emit_json([{**row, "total": row["total"].as_dict()} for row in rows.values()])
        return 1 if failed else 0
    _estimate_table(rows, loaded, output_tokens, notes)
    return 1 if failed else 0


def _estimate(
    models: tuple[str, ...],
    loaded: list[tuple[str, list[Any]]],
    output_tokens: int | None,
    options: dict[str, Any],
) -> dict[str, dict[str, Any]]:
    """Per model: the priced files, the "does not fit" errors, and their UsageTotal."""
    rows: dict[str, dict[str, Any]] = {}
    embedding = {m for m in models if get_model(m).kind in ("embedding", "moderation")}
    for model in models or (None,):
        for label, payloads in loaded:
            for payload in payloads:
                reply = output_tokens
                if (reply is None and not _has_max_output(payload)) or model in embedding:
                    reply = 0  # embedding models produce no output
                try:
                    c = estimate_cost(payload, model=model, max_output_tokens=reply, **options)
                except ContextOverflowError as exc:
                    _row(rows, model or exc.model)["errors"].append(f"{label}: {exc}")
                    continue
                row = _row(rows, model or c.model)
                row["files"].append({"file": label, **c.as_dict()})
                row["total"] = row["total"].add(c)
    return rows


def _estimate_table(
    rows: dict[str, dict[str, Any]],
    loaded: list[tuple[str, list[Any]]],
    output_tokens: int | None,
    lifecycle: list[str],
) -> None:
    header = ["model", "input tokens", "output tokens", "input $", "output $", "total $"]
    table = []
    for row in rows.values():
        t: UsageTotal = row["total"]
        prompt = decimal_str(t.input + t.cached_input + t.cache_write)
        label = row["model"] + (" (does not fit)" if row["errors"] else "")
        tokens = [f"{t.input_tokens:,}", f"{t.output_tokens:,}"]
        table.append([label, *tokens, prompt, decimal_str(t.output), decimal_str(t.total)])
    sys.stdout.write(render_table(header, table))
    notes = sorted({n for row in rows.values() for f in row["files"] for n in f["notes"]})
    if output_tokens is None and not any(_has_max_output(p) for _, ps in loaded for p in ps):
        notes.insert(0, "replies not priced: pass --output-tokens N (tokens per request)")
    for line in notes + [e for row in rows.values() for e in row["errors"]]:
        sys.stdout.write(f"note: {line}\n")


def _row(rows: dict[str, dict[str, Any]], model: str) -> dict[str, Any]:
    return rows.setdefault(
        model, {"model": model, "files": [], "errors": [], "total": UsageTotal(model)}
    )


def _usage(source: InputFile, model: str | None, as_json: bool, **priced: Any) -> int:
    lines: list[int] = []  # the line number of each record, as they are read

    def records() -> Iterator[Any]:
        fh = source.open()
        try:
            for number, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw)
                except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                    where = f"{source.label} line {number}"
                    raise BadInput(f"{where}: not JSON: {exc}") from None
                for item in record if isinstance(record, list) else [record]:
                    lines.append(number)
                    yield item
        finally:
            if not source.is_stdin:
                fh.close()

    try:
        result = cost_from_usage(records(), model, **priced)
    except UsageRecordError as exc:
        raise BadInput(f"{source.label} line {lines[exc.index]}: {exc.reason}") from None
    notes = warn_models(result.by_model)
    if as_json:
        emit_json({**result.as_dict(), "model_notes": notes})
        return 0
    _usage_table(result)
    return 0


def _usage_table(result: UsageCost) -> None:
    header = ["model", "requests", "input tokens", "cached", "output tokens", "total $"]
    rows = []
    for t in [*result.by_model.values(), result.total]:
        tokens = [t.requests, t.input_tokens, t.cached_input_tokens, t.output_tokens]
        rows.append([t.model, *(f"{n:,}" for n in tokens), decimal_str(t.total)])
    rows[-1][0] = "total"
    sys.stdout.write(render_table(header, rows))
    if result.skipped:
        why = "not billed: failed batch lines, stream chunks without usage"
        noun = "record" if result.skipped == 1 else "records"
        sys.stdout.write(f"note: {result.skipped:,} {noun} skipped ({why})\n")
    for note in result.notes:
        sys.stdout.write(f"note: {note}\n")
