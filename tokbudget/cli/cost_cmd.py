"""``tokbudget cost``: what files would cost on several models, or what usage logs cost."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import click

from ..chat.request import Request, read_request
from ..errors import ContextOverflowError, MessageFormatError, SettingsError, UsageRecordError
from ..models.registry import get_model
from ..pricing import decimal_str, estimate_cost
from ..usage import UsageCost, cost_from_usage
from ._io import InputFile, read_text
from ._output import BadInput, render_table
from ._request import api_option
from .app import cli, emit_json

__all__ = ["cost_command", "load_payloads"]

_REQUEST_KEYS = ("messages", "input", "instructions", "body")


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
    if not isinstance(payload, Mapping | Request):
        return False
    try:
        return read_request(payload).max_output_tokens is not None
    except (MessageFormatError, SettingsError):
        return False  # not a request the reader knows; estimate_cost will say why


@cli.command("cost")
@click.argument("files", nargs=-1, metavar="[FILE]...")
@click.option("-m", "--model", "models", multiple=True, help="Model to price (repeat to compare).")
@click.option(
    "--output-tokens",
    type=click.IntRange(min=0),
    default=None,
    help="Reply tokens per request (default: a request's max_completion_tokens, else 0).",
)
@click.option("--batch", is_flag=True, help="Price at Batch API rates.")
@click.option(
    "--usage",
    default=None,
    metavar="LOG",
    help="Sum a usage log (JSONL of API responses or usage objects; '-' for stdin) instead.",
)
@api_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def cost_command(
    files: tuple[str, ...],
    models: tuple[str, ...],
    output_tokens: int | None,
    batch: bool,
    usage: str | None,
    api: str | None,
    as_json: bool,
) -> int:
    """Price FILEs (text, a Chat Completions or Responses API request, or a JSONL batch
    file) on each -m MODEL.

    Prompts are counted exactly per model; replies are --output-tokens per request. With
    --usage, real usage logs are summed per model instead (-m names the model of bare
    usage objects).

    \b
    Examples:
      tokbudget cost prompt.txt -m gpt-4o -m gpt-4o-mini -m gpt-5-mini --output-tokens 500
      tokbudget cost request.json batch.jsonl -m gpt-4.1 --batch --json
      tokbudget cost --usage responses.jsonl
    """
    if usage is not None:
        if files:
            raise click.UsageError("give FILEs to estimate or --usage LOG to sum, not both")
        if len(models) > 1:
            raise click.UsageError("--usage takes at most one -m (the model of bare usage objects)")
        return _usage(InputFile(usage), models[0] if models else None, batch, as_json)
    inputs = [InputFile(name) for name in (files or ("-",))]
    loaded = [(source.label, load_payloads(read_text(source))) for source in inputs]
    if api is not None:  # --api: read every body as that API's
        try:
            loaded = [
                (label, [read_request(p, api) if isinstance(p, Mapping) else p for p in ps])
                for label, ps in loaded
            ]
        except (MessageFormatError, SettingsError) as exc:
            raise BadInput(str(exc)) from None
    rows: dict[str, dict[str, Any]] = {}  # by model: priced files and "does not fit" errors
    embedding = {m for m in models if get_model(m).kind == "embedding"}
    for model in models or (None,):
        for label, payloads in loaded:
            for payload in payloads:
                reply = output_tokens
                if (reply is None and not _has_max_output(payload)) or model in embedding:
                    reply = 0  # embedding models produce no output
                try:
                    c = estimate_cost(payload, model=model, max_output_tokens=reply, batch=batch)
                except ContextOverflowError as exc:
                    _row(rows, model or exc.model)["errors"].append(f"{label}: {exc}")
                    continue
                _row(rows, model or c.model)["files"].append({"file": label, **c.as_dict()})
    for row in rows.values():
        row["total"] = _sum(row["files"])
    failed = any(row["errors"] for row in rows.values())
    if as_json:
        emit_json(list(rows.values()))
        return 1 if failed else 0
    header = ["model", "input tokens", "output tokens", "input $", "output $", "total $"]
    table = []
    for row in rows.values():
        t = row["total"]
        prompt = decimal_str(Decimal(t["input"]) + Decimal(t["cached_input"]))
        label = row["model"] + (" (does not fit)" if row["errors"] else "")
        tokens = [f"{t['input_tokens']:,}", f"{t['output_tokens']:,}"]
        table.append([label, *tokens, prompt, t["output"], t["total"]])
    sys.stdout.write(render_table(header, table))
    notes = sorted({n for row in rows.values() for f in row["files"] for n in f["notes"]})
    if output_tokens is None and not any(_has_max_output(p) for _, ps in loaded for p in ps):
        notes.insert(0, "replies not priced: pass --output-tokens N (tokens per request)")
    for line in notes + [e for row in rows.values() for e in row["errors"]]:
        sys.stdout.write(f"note: {line}\n")
    return 1 if failed else 0


def _row(rows: dict[str, dict[str, Any]], model: str) -> dict[str, Any]:
    return rows.setdefault(model, {"model": model, "files": [], "errors": []})


def _sum(costs: list[dict[str, Any]]) -> dict[str, Any]:
    """Totals of several ``Cost.as_dict()`` results, in the same shape."""
    money = ("input", "cached_input", "output", "total")
    out: dict[str, Any] = {"requests": len(costs)}
    for key in ("input_tokens", "cached_input_tokens", "output_tokens"):
        out[key] = sum(c[key] for c in costs)
    for key in money:
        out[key] = decimal_str(sum((Decimal(c[key]) for c in costs), Decimal(0)))
    return out


def _usage(source: InputFile, model: str | None, batch: bool, as_json: bool) -> int:
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
        result = cost_from_usage(records(), model, batch=batch)
    except UsageRecordError as exc:
        raise BadInput(f"{source.label} line {lines[exc.index]}: {exc.reason}") from None
    if as_json:
        emit_json(result.as_dict())
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
