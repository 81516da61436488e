"""``POST /api/chat``: where the prompt tokens of a Chat Completions request go.

Request: ``{"request": {...}, "model"?}``. ``request`` is a Chat Completions request
body as sent to the API (``messages``, ``tools`` or legacy ``functions``,
``tool_choice``; other fields are ignored) or a Batch API input line wrapping one.
``model`` is the model to count for; without it, the request's own ``"model"``, else
gpt-4o.

Answer::

    {"model", "encoding", "request_model", "total",
     "messages": [{"index", "role", "name", "tokens", "calls", "tool_call_id"}],
     "tools": {"tokens", "definitions": [{"name", "tokens"}], "shared"},
     "overhead",
     "figures": {...}}

* ``total`` is :func:`tokbudget.count_messages`; ``total == sum(messages[].tokens) +
  tools.tokens + overhead`` (:func:`tokbudget.message_counts`). A message's tokens
  include its per-message overhead; ``overhead`` is the reply priming.
* ``name`` is the message's ``name`` (or null), ``calls`` the functions an assistant
  message calls, ``tool_call_id`` the call a tool message answers.
* ``tools.tokens`` is what the tool definitions and ``tool_choice`` add (an estimate,
  see :mod:`tokbudget.chat.tools`). Each ``definitions[i].tokens`` is what that definition
  adds to the tools block on its own; ``shared`` is the rest (the block's frame, its
  fixed overhead, ``tool_choice``), so they add up to ``tools.tokens`` exactly.
* ``figures`` are :func:`tokbudget.figures.text_figures` of ``total`` (as in
  ``/api/check``, with ``"characters": null``): window share, limits, input cost.
* ``request_model`` is the request's own ``"model"`` (or null), to show when ``model``
  overrides it.

A malformed request gets 400 ``bad_message`` with the library's message, which names the
message index and field (``messages[2].content must be a string or a list of parts``),
and the same facts as ``"index"`` / ``"field"`` in the error object.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from ..chat.messages import RequestCount, message_counts, parse_request, request_body
from ..chat.tools import parse_tools, render_functions
from ..counting import DEFAULT_MODEL, encoding_for
from ..errors import MessageFormatError, UnknownModelError
from ..figures import text_figures
from ..tokenizer.encoder import Encoder
from .protocol import ApiError, Response, check_fields, json_type, parse_body

__all__ = ["chat", "chat_errors", "chat_model", "request_field"]


def chat(body: bytes) -> Response:
    """Answer ``POST /api/chat`` (see the module doc)."""
    data = parse_body(body)
    check_fields(data, ("request", "model"))
    request = request_field(data)
    with chat_errors():
        label, enc, own = chat_model(data.get("model"), request)
        messages, tools, choice = parse_request(request)
        counts = message_counts(messages, label, tools=tools, tool_choice=choice)
    figures = text_figures(counts.total, None, enc.name, model=label)
    return Response.of(
        {
            "model": figures.model,
            "encoding": enc.name,
            "request_model": own,
            "total": counts.total,
            "messages": _message_rows(messages, counts),
            "tools": _tool_rows(tools, counts, enc),
            "overhead": counts.overhead,
            "figures": figures.to_dict(),
        }
    )


def request_field(data: Mapping[str, Any]) -> dict[str, Any]:
    """The ``request`` field: a Chat Completions request body (or a Batch API line)."""
    if "request" not in data:
        raise ApiError(
            400, "bad_request", "missing field 'request' (a Chat Completions request body)"
        )
    request = data["request"]
    if not isinstance(request, dict):
        raise ApiError(
            400,
            "bad_request",
            f"field 'request' must be an object (a Chat Completions request body), "
            f"got {json_type(request)}",
        )
    return request


@contextmanager
def chat_errors() -> Iterator[None]:
    """A malformed request becomes 400 ``bad_message`` with the library's message."""
    try:
        yield
    except MessageFormatError as exc:
        raise ApiError(400, "bad_message", str(exc), index=exc.index, field=exc.field) from None
    except RecursionError:  # a schema nested deeper than the renderer can follow
        raise ApiError(400, "bad_request", "the request is nested too deeply") from None


def chat_model(given: Any, request: Mapping[str, Any]) -> tuple[str, Encoder, str | None]:
    """The model to count ``request`` for: ``given``, else the request's own, else the
    default; with its encoder and the request's own model (None if it names none)."""
    own = request_body(request).get("model")
    where = "field 'model'" if given is not None else "the request's 'model'"
    name = given if given is not None else own if own is not None else DEFAULT_MODEL
    if not isinstance(name, str):
        raise ApiError(400, "bad_request", f"{where} must be a string, got {json_type(name)}")
    try:
        enc = encoding_for(name)
    except UnknownModelError as exc:
        hint = f"; did you mean {', '.join(exc.suggestions)}?" if exc.suggestions else ""
        raise ApiError(
            400,
            "unknown_model",
            f"unknown model {name!r} in {where}{hint} (GET /api/models lists them; "
            'pass "model" beside "request" to count for another)',
        ) from None
    return name, enc, own if isinstance(own, str) else None


def _message_rows(messages: Sequence[Mapping[str, Any]], counts: RequestCount) -> list[Any]:
    rows = []
    for i, (message, tokens) in enumerate(zip(messages, counts.messages, strict=True)):
        # message_counts has validated every field read here.
        calls = list(message.get("tool_calls") or ())
        if message.get("function_call") is not None:
            calls.insert(0, {"type": "function", "function": message["function_call"]})
        role = message["role"]
        rows.append(
            {
                "index": i,
                "role": role,
                "name": message.get("name"),
                "tokens": tokens,
                "calls": [c[c.get("type", "function")]["name"] for c in calls],
                "tool_call_id": message["tool_call_id"] if role == "tool" else None,
            }
        )
    return rows


def _tool_rows(tools: Sequence[Any] | None, counts: RequestCount, enc: Encoder) -> dict[str, Any]:
    functions = parse_tools(tools)
    frame = enc.count(render_functions(()))
    sizes = [enc.count(render_functions((f,))) - frame for f in functions]
    definitions = [{"name": f.name, "tokens": n} for f, n in zip(functions, sizes, strict=True)]
    shared = counts.tools - sum(sizes)
    return {"tokens": counts.tools, "definitions": definitions, "shared": shared}
