"""``tokbudget check``: does a prompt fit the model? Exit 0 yes, 1 no: a CI gate."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ..budget import BudgetReport, check, check_stream
from ._io import InputFile, read_text, text_blocks
from .app import budget_options, cli, emit_json


@cli.command("check")
@click.argument("file", default="-", metavar="[FILE|REQUEST.json]")
@click.option("-m", "--model", default=None, help="Model name (default: gpt-4o).")
@budget_options
@click.option(
    "--messages/--text",
    "as_request",
    default=None,
    help="Read the input as a Chat Completions request (JSON) / as plain text. "
    "Default: a .json file holding a 'messages' key is a request, anything else text.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document.")
def check_command(
    file: str,
    model: str | None,
    max_output: int | None,
    reserve: int,
    as_request: bool | None,
    as_json: bool,
) -> int:
    """Check that FILE (or stdin) fits MODEL with room for the output.

    Exits 0 when it fits and 1 when it does not, so it can gate CI or a pre-commit hook.
    A text is read only until it is known not to fit ("at least N tokens").

    A request is a Chat Completions body ({"messages": [...], "tools": [...], ...}) or a
    bare list of messages; its "model" and "max_completion_tokens" / "max_tokens" apply
    unless -m / --max-output are given.

    \b
    Examples:
      tokbudget check prompt.md -m gpt-5 --max-output 20000
      tokbudget check request.json --json
      cat chat.json | tokbudget check --messages -m gpt-4o-mini
    """
    source = InputFile(file)
    settings: dict[str, Any] = {"max_output_tokens": max_output, "reserve": reserve}
    request = _request(source, as_request)
    if request is None:
        report = check_stream(text_blocks(source), model, **settings)
    else:
        report = check(request, model, **settings)
    if as_json:
        emit_json({"file": source.label, **report.to_dict()})
    else:
        _print(report)
    return 0 if report.fits else 1


def _request(source: InputFile, as_request: bool | None) -> Any:
    """The parsed request body, or None to read the input as text."""
    if as_request is False:
        return None
    if as_request is None and not source.name.lower().endswith(".json"):
        return None
    raw = read_text(source)
    try:
        body = json.loads(raw)
    except json.JSONDecodeError as exc:
        if as_request is None:  # a .json file that is not JSON: just text
            return raw
        raise click.UsageError(
            f"{source.label} is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "pass --text to check it as plain text"
        ) from None
    if isinstance(body, dict) and "messages" in body:
        return body
    if isinstance(body, list) and all(isinstance(m, dict) for m in body):
        return body
    if as_request:
        raise click.UsageError(
            f"{source.label} is JSON but not a chat request: expected an object with a "
            "'messages' list or a list of message objects; pass --text to check it as text"
        )
    return raw


def _print(report: BudgetReport) -> None:
    limits = [
        ("window", report.context_window),
        ("max input", report.max_input_tokens),
        ("max output", report.max_output_tokens),
    ]
    known = ", ".join(f"{name} {value:,}" for name, value in limits if value is not None)
    if report.fits:
        verdict = "fits"
    else:
        least = "" if report.exact else "at least "
        verdict = f"does not fit: cut {least}{report.overflow:,} tokens"
    rows = [
        ("model", f"{report.model} ({known})"),
        (
            "prompt",
            f"{report.prompt} tokens"
            + ("" if report.exact else " (counting stopped once past the budget)"),
        ),
    ]
    rows += [(f"  message {i}", f"{n:,}") for i, n in enumerate(report.message_tokens)]
    if report.tool_tokens:
        rows.append(("  tools", f"{report.tool_tokens:,}"))
    rows += [
        ("prompt budget", f"{report.prompt_budget:,} ({report.reason()})"),
        ("output room", f"{report.completion_room:,}"),
    ]
    out = sys.stdout
    out.write(f"{verdict}\n")
    for name, value in rows:
        out.write(f"  {name:<15} {value}\n")
