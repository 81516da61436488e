"""``tokbudget check``: does a prompt fit the model? Exit 0 yes, 1 no: a CI gate."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..budget import BudgetReport, check, check_stream
from ..errors import InvalidInputError, JSONInputError, MessageFormatError, SettingsError
from ..jsonload import loads
from ._defaults import MODEL_HELP, model_for_request, model_or_default
from ._inputs import single_input
from ._io import InputFile, read_text, text_blocks
from ._notes import model_notes, warn_models
from ._output import BadInput, emit_json, plural
from ._request import api_option, read_body
from .options import budget_options, json_option, text_option

_OTHER_API_KEYS = ("prompt", "contents")
"""Keys of request bodies of other APIs (completions, Gemini): refused, never read as text."""


@click.command("check")
@click.argument("file", default="-", metavar="[FILE|REQUEST.json]")
@click.option("-m", "--model", default=None, help=MODEL_HELP)
@budget_options
@click.option(
    "--request/--plain",
    "--messages",
    "as_request",
    default=None,
    help="Read the input as a request body (JSON: Chat Completions or Responses API) / as "
    "plain text. Default: a .json file holding a request body is a request, anything else "
    "text.",
)
@api_option
@text_option
@json_option()
def check_command(
    file: str,
    model: str | None,
    max_output: int | None,
    reserve: int,
    as_request: bool | None,
    api: str | None,
    text: str | None,
    as_json: bool,
) -> int:
    """Check that FILE (or stdin) fits MODEL with room for the output.

    Exits 0 when it fits and 1 when it does not, so it can gate CI or a pre-commit hook.
    A text is read only until it is known not to fit ("at least N tokens").

    A request is a Chat Completions body ({"messages": [...], "tools": [...], ...}), a
    Responses API body ({"input": ..., "instructions": ..., ...}; --api forces one), a
    Batch API line holding either, or a bare list of messages; its "model" and output cap
    ("max_completion_tokens" / "max_tokens" / "max_output_tokens") apply unless -m /
    --max-output are given. A reasoning request (reasoning effort on a reasoning model)
    without a cap keeps 25,000 tokens for reasoning and output, as OpenAI advises. A .json
    file that cannot be read as JSON, or is another API's request ("prompt", "contents"),
    is an error (exit 2), never counted as text by accident; other JSON data is checked as
    text. --plain checks any file as text.

    \b
    Examples:
      tokbudget check prompt.md -m gpt-5 --max-output 20000
      tokbudget check request.json --json
      cat chat.json | tokbudget check --messages -m gpt-4o-mini
      tokbudget check --text 'a short prompt' -m gpt-4o-mini
    """
    source = single_input(file, text)
    settings: dict[str, Any] = {"max_output_tokens": max_output, "reserve": reserve}
    if api is not None and as_request is False:
        raise click.UsageError("--api applies to request bodies, not --plain")
    request = _request(source, as_request, api)
    if request is None:
        report = check_stream(text_blocks(source), model_or_default(model), **settings)
    else:  # a request, or the text of a .json file that is not one
        try:
            report = check(request, model_for_request(model, request), **settings)
        except MessageFormatError as exc:
            raise BadInput(f"{source.label}: {exc}") from None
        except RecursionError:  # a schema deeper than the renderer can follow
            raise BadInput(f"{source.label}: the request is nested too deeply") from None
    if as_json:
        doc = {"file": source.label, **report.to_dict()}
        emit_json({**doc, "model_notes": model_notes([report.model])})
    else:
        _print(report)
    warn_models([report.model])
    return 0 if report.fits else 1


def _request(source: InputFile, as_request: bool | None, api: str | None) -> Any:
    """The request read from the input, None to read the input as text, or the text itself."""
    if as_request is False:
        return None
    guess = as_request is None and api is None  # neither --request nor --api: look
    if guess and not source.name.lower().endswith(".json"):
        return None
    raw = read_text(source)
    try:
        body = loads(raw)
    except JSONInputError as exc:
        if guess and not raw.lstrip().startswith(("{", "[")):
            return raw  # a .json file that holds plain text
        raise BadInput(
            f"{source.label} is {exc.reason}; fix it, or pass --plain to check it as text"
        ) from None
    try:
        request = read_body(body, api)
    except (MessageFormatError, SettingsError, InvalidInputError) as exc:
        raise BadInput(f"{source.label}: {exc}") from None
    if request is not None:
        return request
    inner = body.get("body") if isinstance(body, dict) and "custom_id" in body else body
    other = [k for k in _OTHER_API_KEYS if k in inner] if isinstance(inner, dict) else []
    if guess and not other:
        return raw  # JSON data, not a request of any API: its text is what is checked
    what = (
        "a chat request: expected a Chat Completions body ('messages'), a Responses API "
        "body ('input'), or a list of messages"
    )
    if other:
        keys = ", ".join(map(repr, other))
        what = f"a chat request: it has {keys}, as another API's body does"
    raise BadInput(f"{source.label} is JSON but not {what}; pass --plain to check it as text")


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
        verdict = f"does not fit: cut {least}{plural(report.overflow, 'token')}"
    rows = [
        ("model", f"{report.model} ({known})"),
        (
            "prompt",
            report.prompt
            + (" token" if report.prompt_tokens == 1 else " tokens")
            + ("" if report.exact else " (counting stopped once past the budget)"),
        ),
    ]
    n_rows = len(report.message_tokens)
    labels = report.message_labels or tuple(f"messages[{i}]" for i in range(n_rows))
    for i, (label, n) in enumerate(zip(labels, report.message_tokens, strict=True)):
        name = f"message {i}" if label == f"messages[{i}]" else label
        rows.append((f"  {name}", f"{n:,}"))
    if report.tool_tokens:
        rows.append(("  tools", f"{report.tool_tokens:,}"))
    if report.format_tokens:
        rows.append(("  format", f"{report.format_tokens:,}"))
    if report.estimated:
        parts = [e.part for e in report.estimated]
        shown = ", ".join(parts[:6]) + (f" and {len(parts) - 6} more" if len(parts) > 6 else "")
        rows.append(("  estimated", f"{shown} (tokbudget count --request says why)"))
    rows += [
        ("prompt budget", f"{report.prompt_budget:,} ({report.reason()})"),
        ("output room", f"{report.completion_room:,}"),
    ]
    out = sys.stdout
    out.write(f"{verdict}\n")
    for name, value in rows:
        out.write(f"  {name:<15} {value}\n")
