"""Request and answer plumbing shared by the endpoints of :mod:`.api`.

A :class:`Response` is a status and a JSON text; an :class:`ApiError` is a client error
that becomes ``{"error": {"code", "message", ...}}``; a :class:`Call` is what an endpoint
knows besides the body (the query string, the server's default model). The field readers
check a request object field by field, so every 400 names the field, what it got and
what it takes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..counting import DEFAULT_MODEL, resolve_encoding
from ..errors import (
    InvalidInputError,
    JSONInputError,
    SettingsError,
    UnknownEncodingError,
    UnknownModelError,
)
from ..jsonload import loads
from ..models.registry import default_registry
from ..tokenizer.encoder import Encoder
from ..tokenizer.spans import OffsetUnits
from ..tokenizer.vocab import ENCODINGS

__all__ = [
    "ApiError",
    "Call",
    "Response",
    "canonical_model",
    "check_fields",
    "error_response",
    "json_type",
    "library_settings",
    "model_fields",
    "offsets_field",
    "parse_body",
    "text_field",
]


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: str  # JSON text
    headers: tuple[tuple[str, str], ...] = ()  # extra HTTP headers (405's Allow)

    @classmethod
    def of(cls, doc: Any, status: int = 200) -> Response:
        """A response whose body is ``doc`` as JSON."""
        return cls(status, json.dumps(doc))


@dataclass(frozen=True, slots=True)
class Call:
    """What an endpoint knows besides the request body.

    Attributes:
        query: the query string (``detail=true``), without the ``?``.
        default_model: the model for a request that names none, as ``tokbudget serve``
            was started with (``TOKBUDGET_MODEL``); None keeps the built-in defaults.
    """

    query: str = ""
    default_model: str | None = None

    def model(self, builtin: str = DEFAULT_MODEL) -> str:
        """The model for a request naming none: the server's default, else ``builtin``
        (an endpoint may have its own, as ``/api/split`` has an embedding model)."""
        return builtin if self.default_model is None else self.default_model


class ApiError(Exception):
    """A client error: its status, a stable machine-readable code and a readable message.

    ``details`` are extra facts for the client (``index`` and ``field`` of a malformed
    chat message), added to the error object beside ``code`` and ``message``.
    """

    def __init__(self, status: int, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details

    def response(self) -> Response:
        return error_response(self.status, self.code, self.message, **self.details)


def error_response(status: int, code: str, message: str, **details: Any) -> Response:
    return Response(status, json.dumps({"error": {"code": code, "message": message, **details}}))


@contextmanager
def library_settings(**given: Any) -> Iterator[None]:
    """A setting the library refuses (``max_tokens``, ``overlap``, ``reserve``, ...)
    becomes 400 ``bad_setting`` with the library's own message, which names the value,
    the limit and the fix: the API passes such values on rather than checking them twice.

    ``given`` are the settings as sent, to name the one too large for the library to
    compare with anything (a 400-digit ``max_tokens`` overflows a float).
    """
    try:
        yield
    except SettingsError as exc:
        raise ApiError(400, "bad_setting", str(exc)) from None
    except InvalidInputError as exc:
        if exc.parameter is None:  # text of the wrong type: not a setting
            raise
        raise ApiError(400, "bad_setting", str(exc)) from None
    except OverflowError:
        huge = {
            name: value
            for name, value in given.items()
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53
        }
        what = "; ".join(f"{name} has {len(str(abs(v))):,} digits" for name, v in huge.items())
        raise ApiError(
            400,
            "bad_setting",
            f"{what or 'a setting overflows'}: too large a number of tokens; give one the "
            "model could take",
        ) from None


# ---------------------------------------------------------------------------- request fields


def parse_body(body: bytes) -> dict[str, Any]:
    """The request body as a JSON object, or a 400 that says what is wrong with it."""
    try:
        data = loads(body)
    except JSONInputError as exc:
        raise ApiError(400, "bad_json", f"request body is {exc.reason}") from None
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
            400, "bad_request", f"field {name!r} must be a string, got {json_type(value)}"
        )
    return value


def offsets_field(data: Mapping[str, Any]) -> OffsetUnits:
    """The ``offsets`` field: ``"codepoints"`` (the default) or ``"utf16"``."""
    units = data.get("offsets")
    if units is None:
        return "codepoints"
    if units == "codepoints" or units == "utf16":
        return units  # type: ignore[no-any-return]
    raise ApiError(
        400, "bad_request", f"field 'offsets' must be 'codepoints' or 'utf16', got {units!r}"
    )


def json_type(value: Any) -> str:
    """How JSON names the type of ``value`` ("a string", "an array", "null")."""
    names = {str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    names |= {list: "an array", dict: "an object", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def model_fields(
    data: Mapping[str, Any], default: str = DEFAULT_MODEL
) -> tuple[str | None, Encoder]:
    """The model label (None if an encoding was named; ``default`` if neither was) and
    its encoder; 400 if unknown.

    Only registry models and known encoding names are accepted: the library also takes a
    path to a vocab file as an encoding, which a web client must never name.
    """
    model, encoding = data.get("model"), data.get("encoding")
    for name, value in (("model", model), ("encoding", encoding)):
        if value is not None and not isinstance(value, str):
            raise ApiError(
                400, "bad_request", f"field {name!r} must be a string, got {json_type(value)}"
            )
    if model is not None and encoding is not None:
        raise ApiError(400, "bad_request", "give 'model' or 'encoding', not both")
    if encoding is not None and encoding not in ENCODINGS:
        raise ApiError(
            400,
            "unknown_encoding",
            f"unknown encoding {encoding!r}; use one of {', '.join(sorted(ENCODINGS))}",
        )
    label = model if model is not None else (None if encoding is not None else default)
    try:
        return label, resolve_encoding(label, encoding)
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
