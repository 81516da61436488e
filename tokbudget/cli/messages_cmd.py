"""``tokbudget count --request``: the prompt tokens of request bodies, part by part."""

from __future__ import annotations

import json
from typing import Any

from ..chat.breakdown import count_request
from ..chat.request import read_request
from ..counting import DEFAULT_MODEL
from ..errors import MessageFormatError, SettingsError
from ._io import InputFile, read_text
from ._output import BadInput
from ._request import print_breakdown
from .app import emit_json

__all__ = ["count_requests"]


def _load(source: InputFile) -> Any:
    text = read_text(source)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(
            f"{source.label} is not JSON ({exc}); --request reads a Chat Completions or "
            'Responses API request body such as {"model": ..., "messages": [...]} or '
            '{"model": ..., "input": [...]}'
        ) from None


def count_requests(
    files: tuple[str, ...], model: str | None, as_json: bool, api: str | None = None
) -> int:
    """Count each file as a request body of either API (or a JSON list of messages/items)."""
    results: list[dict[str, Any]] = []
    shown = []
    for source in [InputFile(name) for name in (files or ("-",))]:
        body = _load(source)
        try:
            request = read_request(body, api)
            name = model or request.model or None
            counts = count_request(request, name)
        except (MessageFormatError, SettingsError) as exc:
            raise BadInput(f"{source.label}: {exc}") from None
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
        print(f"{sum(r['total'] for r in results):,}  total")
    return 0
