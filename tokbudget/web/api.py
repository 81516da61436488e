"""The JSON API behind ``tokbudget serve``, free of any HTTP machinery.

:func:`handle` takes a method, a path and the request body and returns a status and a
JSON text. Every bad request gets a 4xx answer with ``{"error": {"code", "message"}}``
naming the field, the value and the fix; the server turns anything unexpected into a
500 without details (the traceback goes to the server's log, never to the client).
:func:`routes` is the one table of endpoints: a new one is a function
``bytes -> Response`` (or ``(bytes, Call) -> Response`` to read the query string and
the server's default model) and a line there, under any path (``/v1/...`` as well as
``/api/...``); the server sends every path in the table here, with the same Host check,
body limit and JSON errors as the rest.

A request that names no model is answered for the server's default model
(``TOKBUDGET_MODEL`` when ``tokbudget serve`` started, else the built-in one), which
``GET /api/models`` reports as ``"default"``.

Endpoints (all JSON; request bodies are objects):

``GET /api/models``
    ``{"default", "models": [ModelSpec.to_dict(), ...], "encodings": [...]}``: the same
    shape as ``tokbudget models --json``; prices are decimal strings in USD per 1M tokens.
``POST /api/tokenize`` ``{"text", "model"?, "encoding"?, "offsets"?}``
    ``{"model", "encoding", "count", "characters", "offsets", "tokens": [{"id", "start",
    "end"}]}``. ``start``/``end`` are offsets into ``text`` in code points (the default,
    ``"offsets": "codepoints"``; Python ``str`` indices) or UTF-16 code units
    (``"offsets": "utf16"``; JavaScript string indices). A token holding part of a
    character spans that whole character and also has ``"partial": true`` and
    ``"bytes"`` (its own bytes, hex); see :mod:`tokbudget.tokenizer.spans`. A text of
    more than :data:`TOKENIZE_MAX_TOKENS` tokens gets 413 ``too_many_tokens`` (with
    ``"tokens"`` and ``"limit"``): split it and tokenize the parts.
``POST /api/check`` ``{"text" | "request", "model"?, "encoding"?, "max_output_tokens"?,
"reserve"?}``
    ``{"model", "encoding", "budget", "figures"}``: :func:`tokbudget.check` of the text
    or chat request (fits, overflow, prompt budget, completion room, ...) and its
    figures (tokens, characters, window share, input cost); see :mod:`.budget`.
``POST /api/split`` ``{"text", "model"?, "encoding"?, "max_tokens"?, "overlap"?, "offsets"?}``
    ``{"model", "encoding", "max_tokens", "overlap", "offsets", "characters", "count",
    "tokens", "chunks": [{"start", "end", "tokens"}]}``: where :func:`tokbudget.split`
    cuts the text; see :mod:`.chunks`.
``POST /api/chat`` ``{"request": {...}, "model"?}``
    Where a request's prompt tokens go (Chat Completions or Responses API); see :mod:`.chat`.
``POST /v1/responses/input_tokens`` (a Responses API body; ``?detail=true``)
    ``{"object": "response.input_tokens", "input_tokens"}``, OpenAI's shape, errors too;
    see :mod:`.responses_api`.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import replace

from ..errors import TokbudgetError
from ..models.registry import list_models
from ..tokenizer.spans import OffsetUnits, TokenSpans, token_spans, utf16_offsets
from ..tokenizer.vocab import ENCODINGS
from .budget import check
from .chat import chat
from .chunks import split
from .protocol import (
    ApiError,
    Call,
    Response,
    canonical_model,
    check_fields,
    error_response,
    model_fields,
    offsets_field,
    parse_body,
    text_field,
)
from .responses_api import PATH, input_tokens

__all__ = [
    "TOKENIZE_MAX_TOKENS",
    "ApiError",
    "Response",
    "error_response",
    "handle",
    "is_api",
    "routes",
]


# ---------------------------------------------------------------------------- endpoints


def models(_: bytes, call: Call) -> Response:
    # One JSON shape per value: the same ModelSpec.to_dict() as `tokbudget models --json`.
    out = [spec.to_dict() for spec in list_models()]
    # The registry's name (an alias or snapshot resolved), as answers name the model, so
    # the page's picker finds it among the options.
    default = canonical_model(call.model())
    doc = {"default": default, "models": out, "encodings": sorted(ENCODINGS)}
    return Response.of(doc)


TOKENIZE_MAX_TOKENS = 1_000_000
"""The most tokens one ``/api/tokenize`` answer lists; a longer text gets 413.

Each token costs about 40-75 bytes of JSON (more for the partial ones an emoji makes),
so an 8 MiB body could otherwise ask for 6.3 million tokens and 435 MB of JSON. Split a
longer text (``/api/split`` with ``max_tokens`` at most this says where) and tokenize the
parts; ``/api/check`` counts any text up to the body limit.
"""

_SLICE_TOKENS = 65_536  # tokens formatted at a time, so the JSON is built without big temporaries


def tokenize(body: bytes, call: Call) -> Response:
    data = parse_body(body)
    check_fields(data, ("text", "model", "encoding", "offsets"))
    text = text_field(data)
    label, enc = model_fields(data, call.model())
    units = offsets_field(data)
    spans = token_spans(text, encoding=enc.name)
    if len(spans) > TOKENIZE_MAX_TOKENS:
        raise ApiError(
            413,
            "too_many_tokens",
            f"the text is {len(spans):,} tokens; /api/tokenize lists at most "
            f"{TOKENIZE_MAX_TOKENS:,} tokens per request: split the text (POST /api/split "
            f"with max_tokens {TOKENIZE_MAX_TOKENS:,} or less gives the cut points) and "
            "tokenize each part, adding the part's start to its offsets; POST /api/check "
            "counts the whole text",
            tokens=len(spans),
            limit=TOKENIZE_MAX_TOKENS,
        )
    head = {
        "model": canonical_model(label),
        "encoding": enc.name,
        "count": len(spans),
        "characters": len(text),
        "offsets": units,
    }
    # The token array is built as text (the hot path); splice it into the object.
    return Response(200, json.dumps(head)[:-1] + ',"tokens":' + _tokens_json(spans, units) + "}")


def _tokens_json(spans: TokenSpans, units: OffsetUnits) -> str:
    """``spans.to_json(units)``, formatted a slice at a time (its temporaries take ~5x the
    JSON's size at once otherwise)."""
    if len(spans) <= _SLICE_TOKENS:
        return spans.to_json(units)
    if units == "utf16":  # convert once, not once per slice
        starts, ends = (utf16_offsets(spans.text, a) for a in (spans.starts, spans.ends))
        spans = replace(spans, starts=starts, ends=ends)
    parts = []
    for a in range(0, len(spans), _SLICE_TOKENS):
        cut = slice(a, a + _SLICE_TOKENS)
        part = replace(
            spans,
            ids=spans.ids[cut],
            starts=spans.starts[cut],
            ends=spans.ends[cut],
            partial=spans.partial[cut],
        )
        parts.append(part.to_json("codepoints")[1:-1])  # offsets already in their units
    return "[" + ",".join(parts) + "]"


Endpoint = Callable[[bytes], Response] | Callable[[bytes, Call], Response]


def routes() -> dict[str, dict[str, Endpoint]]:
    """Path -> method -> endpoint."""
    return {
        "/api/models": {"GET": models},
        "/api/tokenize": {"POST": tokenize},
        "/api/check": {"POST": check},
        "/api/split": {"POST": split},
        "/api/chat": {"POST": chat},
        PATH: {"POST": input_tokens},
    }


def is_api(path: str) -> bool:
    """True for the paths :func:`handle` answers (everything else is a static file)."""
    return path.startswith("/api/") or path in routes()


def handle(method: str, path: str, body: bytes, *, default_model: str | None = None) -> Response:
    """Answer one API request; client errors become 4xx JSON answers, never exceptions.

    ``path`` may carry a query string. ``default_model`` is the model for a request that
    names none (``tokbudget serve`` passes ``TOKBUDGET_MODEL``'s); None keeps the built-in
    defaults (gpt-4o; ``/api/split``: text-embedding-3-small). An endpoint taking a second
    argument gets both as a :class:`Call`.
    """
    path, _, query = path.partition("?")
    table = routes()
    if path not in table:
        return error_response(404, "not_found", f"no API endpoint {path}; see GET /api/models")
    endpoint = table[path].get("GET" if method == "HEAD" else method)
    if endpoint is None:
        allowed = ", ".join(table[path])
        answer = error_response(405, "method_not_allowed", f"{path} takes {allowed}, not {method}")
        head = ", HEAD" if "GET" in table[path] else ""
        return replace(answer, headers=(("Allow", allowed + head),))
    try:
        if len(inspect.signature(endpoint).parameters) > 1:  # it reads the call's facts
            return endpoint(body, Call(query, default_model))  # type: ignore[call-arg]
        return endpoint(body)  # type: ignore[call-arg]
    except ApiError as exc:
        return exc.response()
    except TokbudgetError as exc:  # a library error on user input: still the client's
        return error_response(400, "invalid_request", str(exc))
