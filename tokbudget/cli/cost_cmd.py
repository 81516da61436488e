"""``tokbudget cost``: what files would cost on several models, or what usage logs cost."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import click

from ..chat.request import Request, read_request
from ..errors import (
    ContextOverflowError,
    InvalidInputError,
    JSONInputError,
    MessageFormatError,
    SettingsError,
    UsageRecordError,
)
from ..jsonload import loads
from ..models.defaults import DEFAULT_MODEL, MODEL_ENV
from ..models.rates import SERVICE_TIER_NAMES
from ..models.registry import get_model
from ..money import Cost, decimal_str
from ..pricing import estimate_cost
from ..usage import UsageCost, UsageTotal, cost_from_usage
from ._defaults import model_for_request
from ._inputs import Skips, input_files
from ._io import InputFile, Undecodable, read_text
from ._notes import model_notes, warn_models
from ._output import BadInput, emit_json, render_table
from ._request import api_option
from .options import input_options, json_option

__all__ = ["cost_command", "load_payloads"]

_REQUEST_KEYS = ("messages", "input", "instructions", "body")


def load_payloads(text: str, label: str = "<text>") -> list[Any]:
    """A file's requests: a Chat Completions, Responses or embeddings body, a JSONL batch
    file, or text.

    Text that is not JSON is priced as one prompt; JSON that cannot be read at all (nested
    too deeply, a huge integer) is an error naming ``label``.
    """
    if not text.lstrip().startswith("{"):
        return [text]
    try:
        docs = [_json(text)]
    except _NotJSON:
        try:
            docs = [_json(line) for line in text.splitlines() if line.strip()]
        except _NotJSON:
            return [text]
    except JSONInputError as exc:
        raise BadInput(f"{label} is {exc.reason}") from None
    if all(isinstance(d, Mapping) and any(k in d for k in _REQUEST_KEYS) for d in docs):
        return docs
    return [text]


class _NotJSON(Exception):
    """Not JSON syntax: the text may be a JSONL file, or just text."""


def _json(text: str) -> Any:
    try:
        return loads(text)
    except JSONInputError as exc:
        if exc.line is not None:  # a syntax error
            raise _NotJSON from None
        raise


def _has_max_output(payload: Any) -> bool:
    if not isinstance(payload, Mapping | Request):
        return False
    try:
        return read_request(payload).max_output_tokens is not None
    except (MessageFormatError, SettingsError, InvalidInputError):
        return False  # not a request the reader knows; estimate_cost will say why


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


@click.command("cost")
@click.argument("files", nargs=-1, metavar="[FILE|DIR|GLOB]...")
@click.option(
    "-m",
    "--model",
    "models",
    multiple=True,
    help=f"Model to price, repeat to compare (default: a request's own model, else "
    f"${MODEL_ENV}, else {DEFAULT_MODEL}).",
)
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
@input_options
@api_option
@json_option("Print JSON.")
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
    text: str | None,
    skip_undecodable: bool,
    api: str | None,
    as_json: bool,
) -> int:
    """Price FILEs (text, a Chat Completions or Responses API request, or a JSONL batch
    file) on each -m MODEL.

    Prompts are counted exactly per model; replies are --output-tokens per request. With
    --usage, real usage logs are summed per model instead (-m names the model of bare
    usage objects). Quoted globs are expanded and directories walked, as in `count`;
    --text 'some words' prices the string itself.

    \b
    Examples:
      tokbudget cost prompt.txt -m gpt-4o -m gpt-4o-mini -m gpt-5-mini --output-tokens 500
      tokbudget cost request.json batch.jsonl -m gpt-4.1 --batch --json
      tokbudget cost 'prompts/*.md' -m gpt-4o
      tokbudget cost prompt.txt -m gpt-6-sol --service-tier flex --region eu --at 2027-03-01
      tokbudget cost --usage responses.jsonl
    """
    models = tuple(dict.fromkeys(models))  # `-m gpt-4o -m gpt-4o` prices gpt-4o once
    priced: dict[str, Any] = {"batch": batch, "region": region, "at": at}
    if usage is not None:
        if files or text is not None:
            raise click.UsageError("give FILEs to estimate or --usage LOG to sum, not both")
        if len(models) > 1:
            raise click.UsageError("--usage takes at most one -m (the model of bare usage objects)")
        model = models[0] if models else None
        return _usage(InputFile(usage), model, as_json, service_tier=service_tier, **priced)
    skips = Skips(skip_undecodable)
    loaded = _load(input_files(files, text), skips)
    if api is not None:  # --api: read every body as that API's
        loaded = _as_api(loaded, api)
    options = {
        **priced,
        "cached_input_tokens": cached_tokens,
        "cache_write_tokens": cache_write_tokens,
        "service_tier": service_tier or "default",
    }
    rows = _estimate(loaded, models, output_tokens, options)
    failed = any(row.errors for row in rows.values())
    warn_models(rows)
    if as_json:
        emit_json([row.as_dict() for row in rows.values()])
    else:
        _table(rows, loaded, output_tokens)
    return 1 if failed else skips.exit_code()


Loaded = list[tuple[str, list[Any]]]
"""Each input's label and its payloads (requests, or one text)."""


@dataclass(slots=True)
class _ModelRow:
    """One model's priced files, the requests that do not fit it, and its total."""

    model: str
    files: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    total: UsageTotal | None = None

    def add(self, label: str, c: Cost) -> None:
        self.files.append({"file": label, **c.as_dict()})
        self.total = (self.total or UsageTotal(self.model)).add(c)

    def as_dict(self) -> dict[str, Any]:
        total = (self.total or UsageTotal(self.model)).as_dict()
        notes = model_notes([self.model])
        return {
            "model": self.model,
            "files": self.files,
            "errors": self.errors,
            "total": total,
            "model_notes": notes,
        }


def _load(inputs: list[InputFile], skips: Skips) -> Loaded:
    loaded: Loaded = []
    for source in inputs:
        try:
            loaded.append((source.label, load_payloads(read_text(source), source.label)))
        except Undecodable as exc:
            skips.skip(source, exc)
    return loaded


def _as_api(loaded: Loaded, api: str) -> Loaded:
    try:
        return [
            (label, [read_request(p, api) if isinstance(p, Mapping) else p for p in ps])
            for label, ps in loaded
        ]
    except (MessageFormatError, SettingsError, InvalidInputError) as exc:
        raise BadInput(str(exc)) from None


def _estimate(
    loaded: Loaded, models: tuple[str, ...], output_tokens: int | None, options: dict[str, Any]
) -> dict[str, _ModelRow]:
    """Each payload priced on each model (the payload's own model if none is given)."""
    rows: dict[str, _ModelRow] = {}
    embedding = {m for m in models if get_model(m).kind in ("embedding", "moderation")}
    for model in models or (None,):
        for label, payloads in loaded:
            for payload in payloads:
                reply = output_tokens
                if reply is None and (model in embedding or not _has_max_output(payload)):
                    reply = 0  # embedding and moderation models produce no output
                chosen = model_for_request(model, payload)
                try:
                    c = estimate_cost(payload, model=chosen, max_output_tokens=reply, **options)
                except ContextOverflowError as exc:
                    name = model or exc.model
                    rows.setdefault(name, _ModelRow(name)).errors.append(f"{label}: {exc}")
                    continue
                except (MessageFormatError, RecursionError) as exc:
                    why = "nested too deeply" if isinstance(exc, RecursionError) else exc
                    raise BadInput(f"{label}: {why}") from None
                name = model or c.model
                rows.setdefault(name, _ModelRow(name)).add(label, c)
    return rows


def _table(rows: dict[str, _ModelRow], loaded: Loaded, output_tokens: int | None) -> None:
    header = ["model", "input tokens", "output tokens", "input $", "output $", "total $"]
    table = []
    for row in rows.values():
        t = row.total or UsageTotal(row.model)
        label = row.model + (" (does not fit)" if row.errors else "")
        tokens = [f"{t.input_tokens:,}", f"{t.output_tokens:,}"]
        money = [t.input + t.cached_input + t.cache_write, t.output, t.total]
        table.append([label, *tokens, *map(decimal_str, money)])
    sys.stdout.write(render_table(header, table))
    notes = sorted({n for row in rows.values() for f in row.files for n in f["notes"]})
    if output_tokens is None and not any(_has_max_output(p) for _, ps in loaded for p in ps):
        notes.insert(0, "replies not priced: pass --output-tokens N (tokens per request)")
    for line in notes + [e for row in rows.values() for e in row.errors]:
        sys.stdout.write(f"note: {line}\n")


def _usage(source: InputFile, model: str | None, as_json: bool, **priced: Any) -> int:
    lines: list[int] = []  # the line number of each record, as they are read

    def records() -> Iterator[Any]:
        fh = source.open()
        try:
            for number, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                try:
                    record = loads(raw)
                except JSONInputError as exc:
                    raise BadInput(f"{source.label} line {number} is {exc.reason}") from None
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
