"""``tokbudget count --request``: the prompt tokens of request bodies, part by part."""

from __future__ import annotations

import sys
from typing import Any

from ..chat.breakdown import count_request
from ..chat.request import read_request
from ..errors import InvalidInputError, JSONInputError, MessageFormatError, SettingsError
from ..jsonload import loads
from ..models.defaults import DEFAULT_MODEL
from ._defaults import model_for_request
from ._io import InputFile, read_text
from ._output import BadInput, emit_json
from ._request import print_breakdown

__all__ = ["count_requests"]


def _load(source: InputFile) -> Any:
    try:
        return loads(read_text(source))
    except JSONInputError as exc:
        raise BadInput(
            f"{source.label} is {exc.reason}; --request reads a Chat Completions or "
            'Responses API request body such as {"model": ..., "messages": [...]} or '
            '{"model": ..., "input": [...]}'
        ) from None


def count_requests(
    inputs: list[InputFile], model: str | None, as_json: bool, api: str | None = None
) -> int:
    """Count each input as a request body of either API (or a JSON list of messages/items)."""
    results: list[dict[str, Any]] = []
    shown = []
    for source in inputs:
        body = _load(source)
        try:
            request = read_request(body, api)
            name = model_for_request(model, body) or request.model or None
            counts = count_request(request, name)
        except (MessageFormatError, SettingsError, InvalidInputError) as exc:
            raise BadInput(f"{source.label}: {exc}") from None
        except RecursionError:  # a schema deeper than the renderer can follow
            raise BadInput(f"{source.label}: the request is nested too deeply") from None
        rows = []
        offset = len(counts.messages) - len(request.items)
        for k, (label, n) in enumerate(zip(counts.labels, counts.messages, strict=True)):
            item = request.items[k - offset] if k >= offset else {"role": "developer"}
            rows.append(
                {
                    "index": k - offset if k >= offset else None,
                    "part": label,
                    "role": item.get("role") if isinstance(item, dict) else None,
                    "type": item.get("type", "message") if isinstance(item, dict) else None,
                    "tokens": n,
                }
            )
        results.append(
            {
                "file": source.label,
                "model": name or DEFAULT_MODEL,
                "api": counts.api,
                "total": counts.total,
                "exact": counts.exact,
                "messages": rows,
                "tools": counts.tools,
                "response_format": counts.response_format,
                "overhead": counts.overhead,
                "estimated": [
                    {"part": e.part, "tokens": e.tokens, "why": e.why} for e in counts.estimated
                ],
            }
        )
        shown.append((source.label, name or DEFAULT_MODEL, counts, request.items))
    if as_json:
        emit_json({"files": results, "total": sum(r["total"] for r in results)})
        return 0
    for label, name, counts, items in shown:
        print_breakdown(label, name, counts, items)
    if len(results) > 1:
        sys.stdout.write(f"{sum(r['total'] for r in results):,}  total\n")
    return 0
