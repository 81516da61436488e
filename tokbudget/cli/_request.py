"""Request bodies on the command line: the ``--api`` option, detection, the breakdown table.

Every command reads a body through :func:`tokbudget.chat.request.read_request` (the one
reader), so ``count``, ``check``, ``cost`` and ``show`` agree on what a file is: a JSON
object or list that either API's reader accepts is a request, anything else is text.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from ..chat.messages import RequestCount
from ..chat.request import APIS, Request, read_request
from ..errors import InvalidInputError, JSONInputError, MessageFormatError, SettingsError
from ..jsonload import loads
from ._output import render_table

__all__ = [
    "REQUEST_KEYS",
    "api_option",
    "as_request",
    "breakdown_rows",
    "print_breakdown",
    "read_body",
]

REQUEST_KEYS = ("messages", "input", "instructions")
"""Keys that make a JSON object a request body (Chat Completions or Responses API)."""


def api_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--api chat|responses``: which API a request body is written for."""
    return click.option(
        "--api",
        type=click.Choice(APIS),
        default=None,
        help="Read request bodies as this API's (default: detected from their keys).",
    )(f)


def read_body(data: Any, api: str | None) -> Request | None:
    """Parsed JSON ``data`` read as a request body of either API, or None if it is not one.

    A body that has a request's keys (``messages``, ``input``, ``instructions``; inside a
    Batch line too) but a malformed field raises the reader's error: it is a broken
    request, not text.
    """
    if not isinstance(data, dict | list) or (isinstance(data, list) and not data):
        return None
    if isinstance(data, list) and not all(isinstance(m, dict) for m in data):
        return None
    try:
        return read_request(data, api)
    except (MessageFormatError, SettingsError, InvalidInputError):
        inner = data.get("body") if isinstance(data, dict) and "custom_id" in data else data
        if isinstance(inner, dict) and any(k in inner for k in REQUEST_KEYS):
            raise  # a body with a malformed field: say so, do not count it as text
        return None


def as_request(raw: str, api: str | None) -> Request | None:
    """Text ``raw`` read as a request body of either API, or None if it is not one."""
    try:
        data = loads(raw)
    except JSONInputError:
        return None
    return read_body(data, api)


def breakdown_rows(counted: RequestCount, items: tuple[Any, ...]) -> list[list[str]]:
    """Table rows ``[part, what, tokens]``: each message or item, tools, format, priming."""
    rows = []
    offset = len(counted.messages) - len(items)  # Responses instructions come first
    flagged = {e.part.split(".", 1)[0] for e in counted.estimated}
    for k, (label, n) in enumerate(zip(counted.labels, counted.messages, strict=True)):
        item = items[k - offset] if k >= offset else {"role": "developer"}
        what = item.get("type") or item.get("role") if isinstance(item, dict) else "?"
        if isinstance(item, dict) and item.get("type") == "message":
            what = item.get("role")
        mark = " ~" if label in flagged else ""
        rows.append([label, str(what), f"{n:,}{mark}"])
    if counted.tools or any(e.part.startswith("tool") for e in counted.estimated):
        mark = " ~" if any(e.part.startswith("tool") for e in counted.estimated) else ""
        rows.append(["tools", "definitions + tool_choice", f"{counted.tools:,}{mark}"])
    if counted.response_format:
        rows.append(["format", "structured output", f"{counted.response_format:,} ~"])
    rows.append(["", "reply priming", f"{counted.overhead:,}"])
    rows.append(["", "total", f"{counted.total:,}"])
    return rows


def print_breakdown(label: str, model: str, counted: RequestCount, items: tuple[Any, ...]) -> None:
    """Print one request's breakdown; what is estimated (marked ~) and why go to stderr."""
    out = sys.stdout
    api = "" if counted.api == "chat" else ", Responses API"
    out.write(f"{label}  ({model}{api})\n")
    table = render_table(["part", "what", "tokens"], breakdown_rows(counted, items), left=2)
    out.writelines(f"  {line}\n" for line in table.splitlines())
    if counted.estimated:
        err = sys.stderr
        err.write(f"{label}: ~ estimated parts (the total is an estimate):\n")
        for e in counted.estimated:
            err.write(f"  {e.part} ({e.tokens:,}): {e.why}\n")
