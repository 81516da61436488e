"""The JSON API behind ``tokbudget serve``, free of any HTTP machinery.

:func:`handle` takes a method, a path and the request body and returns a status and a
JSON text. Every bad request gets a 4xx answer with ``{"error": {"code", "message"}}``
naming the field, the value and the fix; the server turns anything unexpected into a
500 without details (the traceback goes to the server's log, never to the client).

Endpoints (all JSON; request bodies are objects):

``GET /api/models``
    ``{"default", "models": [{"name", "kind", "encoding", "context_window",
    "max_input_tokens", "max_output_tokens", "input_price", "output_price",
    "aliases", "deprecated"}], "encodings": [...]}``; prices are decimal strings in USD
    per 1M tokens.
``POST /api/tokenize`` ``{"text", "model"?, "encoding"?, "offsets"?}``
    ``{"model", "encoding", "count", "characters", "offsets", "tokens": [{"id", "start",
    "end"}]}``. ``start``/``end`` are offsets into ``text`` in code points (the default,
    ``"offsets": "codepoints"``; Python ``str`` indices) or UTF-16 code units
    (``"offsets": "utf16"``; JavaScript string indices). A token holding part of a
    character spans that whole character and also has ``"partial": true`` and
    ``"bytes"`` (its own bytes, hex); see :mod:`tokbudget.spans`.
``POST /api/check`` ``{"text", "model"?, "encoding"?}``
    ``{"model", "encoding", "figures": {...}}``: tokens, characters, the model's
    context window / max input / max output, the share of the window used and the input
    cost (a decimal string).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..counting import DEFAULT_MODEL, resolve_encoding
from ..encoder import Encoder
from ..errors import TokbudgetError, UnknownEncodingError, UnknownModelError
from ..figures import text_figures
from ..registry import default_registry, list_models
from ..spans import token_spans
from ..vocab import ENCODINGS

__all__ = ["ApiError", "Response", "handle", "routes"]


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: str  # JSON text


class ApiError(Exception):
    """A client error: its status, a stable machine-readable code and a readable message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self) -> Response:
        return error_response(self.status, self.code, self.message)


def error_response(status: int, code: str, message: str) -> Response:
    return Response(status, json.dumps({"error": {"code": code, "message": message}}))


# ---------------------------------------------------------------------------- request fields


def parse_body(body: bytes) -> dict[str, Any]:
    """The request body as a JSON object, or a 400 that says what is wrong with it."""
    try:
        data = json.loads(body)
    except UnicodeDecodeError as exc:
        raise ApiError(400, "bad_json", f"request body is not UTF-8 ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise ApiError(
            400, "bad_json", f"request body is not valid JSON: {exc.msg} at character {exc.pos}"
        ) from None
    except RecursionError:
        raise ApiError(400, "bad_json", "request body is nested too deeply") from None
    if not isinstance(data, dict):
        raise ApiError(
            400, "bad_request", f"request body must be a JSON object, got {type(data).__name__}"
        )
    return data


def check_fields(data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    """Reject unknown fields, so a typo (``"modle"``) is an error, not silently ignored."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ApiError(
            400,
            "bad_request",
            f"unknown field {unknown[0]!r}; this endpoint takes {', '.join(allowed)}",
        )


def text_field(data: Mapping[str, Any], name: str = "text") -> str:
    if name not in data:
        raise ApiError(400, "bad_request", f"missing field {name!r} (a string)")
    value = data[name]
    if not isinstance(value, str):
        raise ApiError(
            400, "bad_request", f"field {name!r} must be a string, got {_json_type(value)}"
        )
    return value


def int_field(
    data: Mapping[str, Any], name: str, *, minimum: int = 0, default: int | None = None
) -> int | None:
    value = data.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(
            400, "bad_request", f"field {name!r} must be an integer, got {_json_type(value)}"
        )
    if value < minimum:
        raise ApiError(
            400, "bad_request", f"field {name!r} must be at least {minimum}, got {value}"
        )
    return value


def _json_type(value: Any) -> str:
    names = {str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    names |= {list: "an array", dict: "an object", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def model_fields(data: Mapping[str, Any]) -> tuple[str | None, Encoder]:
    """The model label (None if an encoding was named) and its encoder; 400 if unknown.

    Only registry models and known encoding names are accepted: the library also takes a
    path to a vocab file as an encoding, which a web client must never name.
    """
    model, encoding = data.get("model"), data.get("encoding")
    for name, value in (("model", model), ("encoding", encoding)):
        if value is not None and not isinstance(value, str):
            raise ApiError(
                400, "bad_request", f"field {name!r} must be a string, got {_json_type(value)}"
            )
    if model is not None and encoding is not None:
        raise ApiError(400, "bad_request", "give 'model' or 'encoding', not both")
    if encoding is not None and encoding not in ENCODINGS:
        raise ApiError(
            400,
            "unknown_encoding",
            f"unknown encoding {encoding!r}; use one of {', '.join(sorted(ENCODINGS))}",
        )
    label = model if model is not None else (None if encoding is not None else DEFAULT_MODEL)
    try:
        return label, resolve_encoding(model, encoding)
    except UnknownModelError as exc:
        raise ApiError(400, "unknown_model", str(exc)) from None
    except UnknownEncodingError as exc:
        raise ApiError(400, "unknown_encoding", str(exc)) from None


def canonical_model(label: str | None) -> str | None:
    """The registry's name for ``label`` (aliases resolved); unlisted snapshots as given."""
    if label is None:
        return None
    try:
        return default_registry().get(label).name
    except UnknownModelError:
        return label


# ---------------------------------------------------------------------------- endpoints


def models(_: bytes) -> Response:
    out = []
    for spec in list_models():
        price = spec.price
        out.append(
            {
                "name": spec.name,
                "kind": spec.kind,
                "encoding": spec.encoding,
                "context_window": spec.context_window,
                "max_input_tokens": spec.max_input_tokens,
                "max_output_tokens": spec.max_output_tokens,
                "input_price": None if price is None else str(price.input),
                "output_price": None
                if price is None or price.output is None
                else str(price.output),
                "aliases": list(spec.aliases),
                "deprecated": spec.deprecated,
            }
        )
    doc = {"default": DEFAULT_MODEL, "models": out, "encodings": sorted(ENCODINGS)}
    return Response(200, json.dumps(doc))


def tokenize(body: bytes) -> Response:
    data = parse_body(body)
    check_fields(data, ("text", "model", "encoding", "offsets"))
    text = text_field(data)
    label, enc = model_fields(data)
    units = data.get("offsets", "codepoints")
    if units not in ("codepoints", "utf16"):
        raise ApiError(
            400, "bad_request", f"field 'offsets' must be 'codepoints' or 'utf16', got {units!r}"
        )
    spans = token_spans(text, encoding=enc.name)
    head = {
        "model": canonical_model(label),
        "encoding": enc.name,
        "count": len(spans),
        "characters": len(text),
        "offsets": units,
    }
    # The token array is built as text (the hot path); splice it into the object.
    return Response(200, json.dumps(head)[:-1] + ',"tokens":' + spans.to_json(units) + "}")


def check(body: bytes) -> Response:
    data = parse_body(body)
    check_fields(data, ("text", "model", "encoding"))
    text = text_field(data)
    label, enc = model_fields(data)
    figures = text_figures(enc.count(text), len(text), enc.name, model=label)
    doc = {"model": figures.model, "encoding": enc.name, "figures": figures.to_json()}
    return Response(200, json.dumps(doc))


Endpoint = Callable[[bytes], Response]


def routes() -> dict[str, dict[str, Endpoint]]:
    """Path -> method -> endpoint."""
    return {
        "/api/models": {"GET": models},
        "/api/tokenize": {"POST": tokenize},
        "/api/check": {"POST": check},
    }


def handle(method: str, path: str, body: bytes) -> Response:
    """Answer one API request; client errors become 4xx JSON answers, never exceptions."""
    table = routes()
    if path not in table:
        return error_response(404, "not_found", f"no API endpoint {path}; see GET /api/models")
    endpoint = table[path].get("GET" if method == "HEAD" else method)
    if endpoint is None:
        allowed = ", ".join(table[path])
        return error_response(405, "method_not_allowed", f"{path} takes {allowed}, not {method}")
    try:
        return endpoint(body)
    except ApiError as exc:
        return exc.response()
    except TokbudgetError as exc:  # a library error on user input: still the client's
        return error_response(400, "invalid_request", str(exc))
