"""``POST /api/chat``: where the prompt tokens of a request (either API) go.

Request: ``{"request": {...}, "model"?, "api"?}``. ``request`` is a request body as sent
to the API -- Chat Completions (``messages``, ``tools`` or legacy ``functions``,
``tool_choice``, ``response_format``) or Responses (``input``, ``instructions``,
``tools``, ``tool_choice``, ``text``) -- or a Batch API input line wrapping one, read by
the one reader (:func:`tokbudget.chat.request.read_request`); ``api`` forces one.
``model`` is the model to count for; without it, the request's own ``"model"``, else
the server's default (gpt-4o unless ``TOKBUDGET_MODEL`` says otherwise).

Answer::

    {"model", "encoding", "request_model", "api", "total", "exact",
     "messages": [{"index", "part", "role", "name", "tokens", "calls", "tool_call_id",
                   "preview", "estimated"}],
     "tools": {"tokens", "definitions": [{"name", "tokens"}], "shared"},
     "response_format", "overhead", "estimated": [{"part", "tokens", "why"}],
     "figures": {...}}

* ``total`` is :func:`tokbudget.count_request`; ``total == sum(messages[].tokens) +
  tools.tokens + response_format + overhead``. A row's tokens include its framing;
  ``overhead`` is the reply priming. For a Responses body the rows are
  ``instructions`` (``index`` null) and the input items; ``role`` is an item's role, or
  its type (``function_call``, ``reasoning`` ...).
* ``name`` is the message's ``name`` (or null), ``calls`` the functions an assistant
  message or call item calls, ``tool_call_id`` the call a tool message or output item
  answers, ``preview`` the row's text in one line (so the page need not read the body),
  ``estimated`` whether the row is (or holds) an estimate; ``exact`` and ``estimated``
  at the top say the same for the whole count, with reasons.
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

from ..chat.breakdown import count_request
from ..chat.messages import RequestCount
from ..chat.request import APIS, Request, plain, read_request, request_body
from ..chat.tools import render_functions
from ..chat.toolset import read_tools
from ..counting import DEFAULT_MODEL, encoding_for
from ..errors import MessageFormatError, UnknownModelError
from ..figures import text_figures
from ..tokenizer.encoder import Encoder
from .protocol import ApiError, Call, Response, check_fields, json_type, parse_body

__all__ = ["chat", "chat_errors", "chat_model", "request_field"]


def chat(body: bytes, call: Call) -> Response:
    """Answer ``POST /api/chat`` (see the module doc)."""
    data = parse_body(body)
    check_fields(data, ("request", "model", "api"))
    request = request_field(data)
    api = data.get("api")
    if api is not None and api not in APIS:
        raise ApiError(
            400, "bad_request", f"field 'api' must be 'chat' or 'responses', got {api!r}"
        )
    with chat_errors():
        label, enc, own = chat_model(data.get("model"), request, call.model())
        req = read_request(request, api)
        counts = count_request(req, label)
    figures = text_figures(counts.total, None, enc.name, model=label)
    return Response.of(
        {
            "model": figures.model,
            "encoding": enc.name,
            "request_model": own,
            "api": counts.api,
            "total": counts.total,
            "exact": counts.exact,
            "messages": _rows(req.items, counts),
            "tools": _tool_rows(req, counts, enc),
            "response_format": counts.response_format,
            "overhead": counts.overhead,
            "estimated": [
                {"part": e.part, "tokens": e.tokens, "why": e.why} for e in counts.estimated
            ],
            "figures": figures.to_dict(),
        }
    )


def request_field(data: Mapping[str, Any]) -> dict[str, Any]:
    """The ``request`` field: a request body of either API (or a Batch API line)."""
    if "request" not in data:
        raise ApiError(
            400, "bad_request", "missing field 'request' (a Chat Completions or Responses body)"
        )
    request = data["request"]
    if not isinstance(request, dict):
        raise ApiError(
            400,
            "bad_request",
            f"field 'request' must be an object (a Chat Completions or Responses body), "
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


def chat_model(
    given: Any, request: Mapping[str, Any], default: str = DEFAULT_MODEL
) -> tuple[str, Encoder, str | None]:
    """The model to count ``request`` for: ``given``, else the request's own, else
    ``default``; with its encoder and the request's own model (None if it names none)."""
    own = request_body(request).get("model")
    where = "field 'model'" if given is not None else "the request's 'model'"
    name = given if given is not None else own if own is not None else default
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


def _rows(items: Sequence[Any], counts: RequestCount) -> list[Any]:
    rows = []
    offset = len(counts.messages) - len(items)  # a Responses body's instructions come first
    flagged = {e.part.split(".", 1)[0] for e in counts.estimated}
    for k, (part, tokens) in enumerate(zip(counts.labels, counts.messages, strict=True)):
        # count_request has validated every field read here.
        item = plain(items[k - offset]) if k >= offset else {"role": "developer"}
        kind = item.get("type", "message")
        calls = list(item.get("tool_calls") or ())
        if item.get("function_call") is not None:
            calls.insert(0, {"type": "function", "function": item["function_call"]})
        names = [c[c.get("type", "function")]["name"] for c in calls]
        if kind in ("function_call", "custom_tool_call", "mcp_call"):
            names.append(item["name"])
        answers = item.get("tool_call_id") if item.get("role") == "tool" else None
        if kind.endswith("_output"):
            answers = item.get("call_id", item.get("id"))
        rows.append(
            {
                "index": k - offset if k >= offset else None,
                "part": part,
                "role": item.get("role") if kind == "message" else kind,
                "name": item.get("name") if kind == "message" else None,
                "tokens": tokens,
                "calls": names,
                "tool_call_id": answers,
                "preview": _preview(item) if k >= offset else "(instructions)",
                "estimated": part in flagged,
            }
        )
    return rows


def _preview(item: Mapping[str, Any]) -> str:
    """What a message or item says, in one line (the page draws it with textContent)."""
    content = item.get("content", item.get("output", item.get("arguments", item.get("input"))))
    if isinstance(content, str):
        text = content
    elif isinstance(content, list):
        words = []
        for part in content:
            part = plain(part)
            if not isinstance(part, Mapping):
                continue
            kind = part.get("type")
            value = part.get("text", part.get("refusal"))
            words.append(
                value if isinstance(value, str) else f"[{_PART_NAMES.get(str(kind), str(kind))}]"
            )
        text = " ".join(words)
    else:
        text = ""
    text = " ".join(text.split())
    return text if len(text) <= 140 else text[:139] + "…"


_PART_NAMES = {"image_url": "image", "input_image": "image", "input_file": "file"}


def _tool_rows(req: Request, counts: RequestCount, enc: Encoder) -> dict[str, Any]:
    functions = read_tools(req.tools, req.api, req.items).functions
    frame = enc.count(render_functions(()))
    sizes = [enc.count(render_functions((f,))) - frame for f in functions]
    definitions: list[dict[str, Any]] = [
        {"name": f.name, "tokens": n} for f, n in zip(functions, sizes, strict=True)
    ]
    for e in counts.estimated:  # the other tools, each estimated on its own
        if e.part.startswith("tools["):
            definitions.append({"name": e.part, "tokens": e.tokens})
    shared = counts.tools - sum(d["tokens"] for d in definitions)
    return {"tokens": counts.tools, "definitions": definitions, "shared": shared}
