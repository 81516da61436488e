"""``tokbudget check``: does a prompt fit the model? Exit 0 yes, 1 no: a CI gate."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ..budget import BudgetReport, check, check_stream
from ..errors import MessageFormatError, SettingsError
from ._io import InputFile, read_text, text_blocks
from ._request import api_option
from ._request import as_request as as_request_body
from .app import budget_options, cli, emit_json


@cli.command("check")
@click.argument("file", default="-", metavar="[FILE|REQUEST.json]")
@click.option("-m", "--model", default=None, help="Model name (default: gpt-4o).")
@budget_options
@click.option(
    "--request/--plain",
    "--messages",
    " /--text",
    "as_request",
    default=None,
    help="Read the input as a request body (JSON: Chat Completions or Responses API) / as "
    "plain text. Default: a .json file holding a request body is a request, anything else "
    "text.",
)
@api_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document.")
def check_command(
    file: str,
    model: str | None,
    max_output: int | None,
    reserve: int,
    as_request: bool | None,
    api: str | None,
    as_json: bool,
) -> int:
    """Check that FILE (or stdin) fits MODEL with room for the output.

    Exits 0 when it fits and 1 when it does not, so it can gate CI or a pre-commit hook.
    A text is read only until it is known not to fit ("at least N tokens").

    A request is a Chat Completions body ({"messages": [...], "tools": [...], ...}), a
    Responses API body ({"input": ..., "instructions": ..., ...}; --api forces one), a
    Batch API line, or a bare list of messages; its "model" and output cap
    ("max_completion_tokens" / "max_tokens" / "max_output_tokens") apply unless -m /
    --max-output are given. A reasoning request (reasoning effort on a reasoning model)
    without a cap keeps 25,000 tokens for reasoning and output, as OpenAI advises.

    \b
    Examples:
      tokbudget check prompt.md -m gpt-5 --max-output 20000
      tokbudget check request.json --json
      cat chat.json | tokbudget check --messages -m gpt-4o-mini
    """
    source = InputFile(file)
    settings: dict[str, Any] = {"max_output_tokens": max_output, "reserve": reserve}
    if api is not None and as_request is False:
        raise click.UsageError("--api applies to request bodies, not --plain")
    request = _request(source, as_request, api)
    if request is None:
        report = check_stream(text_blocks(source), model, **settings)
    else:  # a request, or the text of a .json file that is not one
        report = check(request, model, **settings)
    if as_json:
        emit_json({"file": source.label, **report.to_dict(), "prompt": report.prompt})
    else:
        _print(report)
    return 0 if report.fits else 1


def _request(source: InputFile, as_request: bool | None, api: str | None) -> Any:
    """The request read from the input, or None to read the input as text."""
    if as_request is False:
        return None
    if as_request is None and api is None and not source.name.lower().endswith(".json"):
        return None
    raw = read_text(source)
    try:
        request = as_request_body(raw, api)
    except (MessageFormatError, SettingsError) as exc:
        raise click.UsageError(f"{source.label}: {exc}") from None
    if request is not None:
        return request
    if as_request or api is not None:
        try:
            json.loads(raw)
        except json.JSONDecodeError as exc:
            raise click.UsageError(
                f"{source.label} is not JSON (line {exc.lineno}, column {exc.colno}: "
                f"{exc.msg}); pass --plain to check it as plain text"
            ) from None
        raise click.UsageError(
            f"{source.label} is JSON but not a chat request: expected a Chat Completions "
            "body ('messages'), a Responses API body ('input'), or a list of messages; pass "
            "--plain to check it as text"
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
    if report.estimated:
        parts = ", ".join(e.part for e in report.estimated)
        rows.append(("  estimated", f"{parts} (tokbudget count --request says why)"))
    rows += [
        ("prompt budget", f"{report.prompt_budget:,} ({report.reason()})"),
        ("output room", f"{report.completion_room:,}"),
    ]
    out = sys.stdout
    out.write(f"{verdict}\n")
    for name, value in rows:
        out.write(f"  {name:<15} {value}\n")
