"""``tokbudget count --messages``: the prompt tokens of Chat Completions request bodies."""

from __future__ import annotations

import sys
from typing import Any

from ..chat.messages import message_counts, parse_request, request_body
from ..counting import DEFAULT_MODEL
from ..errors import JSONInputError, MessageFormatError, SettingsError
from ..jsonload import loads
from ._io import InputFile, read_text
from ._output import BadInput, emit_json, render_table

__all__ = ["count_requests"]


def _load(source: InputFile) -> dict[str, Any]:
    try:
        body = loads(read_text(source))
    except JSONInputError as exc:
        raise BadInput(
            f"{source.label} is {exc.reason}; --messages reads a Chat Completions "
            'request body such as {"model": ..., "messages": [...]}'
        ) from None
    if isinstance(body, list):  # a bare list of messages
        body = {"messages": body}
    if not isinstance(body, dict):
        raise BadInput(f"{source.label}: expected a JSON object, got {type(body).__name__}")
    return body


def count_requests(inputs: list[InputFile], model: str | None, as_json: bool) -> int:
    """Count each input as a request body (or a JSON list of messages), message by message."""
    results: list[dict[str, Any]] = []
    for source in inputs:
        body = _load(source)
        try:
            messages, tools, choice = parse_request(body)
            name = model or request_body(body).get("model") or None
            counts = message_counts(messages, name, tools=tools, tool_choice=choice)
        except (MessageFormatError, SettingsError) as exc:
            raise BadInput(f"{source.label}: {exc}") from None
        except RecursionError:  # a schema deeper than the renderer can follow
            raise BadInput(f"{source.label}: the request is nested too deeply") from None
        rows = [
            {"index": i, "role": m.get("role"), "tokens": n}
            for i, (m, n) in enumerate(zip(messages, counts.messages, strict=True))
        ]
        results.append(
            {
                "file": source.label,
                "model": name or DEFAULT_MODEL,
                "total": counts.total,
                "messages": rows,
                "tools": counts.tools,
                "overhead": counts.overhead,
            }
        )
    if as_json:
        emit_json({"files": results, "total": sum(r["total"] for r in results)})
        return 0
    for r in results:
        sys.stdout.write(f"{r['file']}  ({r['model']})\n")
        table = [[str(m["index"]), str(m["role"]), f"{m['tokens']:,}"] for m in r["messages"]]
        if r["tools"]:
            table.append(["", "tools", f"{r['tools']:,}"])
        table.append(["", "reply priming", f"{r['overhead']:,}"])
        table.append(["", "total", f"{r['total']:,}"])
        indented = render_table(["#", "role", "tokens"], table, left=2).splitlines()
        sys.stdout.write("".join(f"  {line}\n" for line in indented))
    if len(results) > 1:
        sys.stdout.write(f"{sum(r['total'] for r in results):,}  total\n")
    return 0
