"""``POST /v1/responses/input_tokens``: OpenAI's input-token count, offline, in its own shape.

An app or gateway can point its OpenAI base URL at ``tokbudget serve`` for pre-flight
counts. The request is a Responses API body (``model``, ``input``, ``instructions``,
``tools``, ``tool_choice``, ``text``, ``reasoning``, ``previous_response_id``,
``conversation``, ...; fields that do not change the prompt, such as ``truncation`` or
``max_output_tokens``, are accepted and ignored). The answer is exactly OpenAI's::

    {"object": "response.input_tokens", "input_tokens": 123}

With ``?detail=true`` it also has ``"model"`` and ``"detail"``: the breakdown
(:meth:`tokbudget.RequestCount.to_dict`: each part, tools, response format, overhead,
``exact`` and the ``estimated`` parts with their reasons), which OpenAI does not give.

Errors use OpenAI's shape, ``{"error": {"message", "type", "param", "code"}}``: a
malformed item is 400 ``invalid_request_error`` with ``param`` naming it
(``input[3].call_id``), an unknown model 400 with ``code: "model_not_found"``. Every
other error the server sends on a ``/v1/`` path (404, 405, 411, 413, 415, the loopback
``Host`` check's 403, 500) is turned into the same shape by :func:`openai_error_shape`
(keeping ``code`` and ``message``). The endpoint is one line in
:func:`tokbudget.web.api.routes`; its second argument brings the query string and the
model for a body without ``"model"`` (the server's default).
The server's protections apply unchanged: loopback only by default, ``Host`` checked,
JSON bodies only, size-limited.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs

from ..chat.breakdown import count_request
from ..errors import (
    InvalidInputError,
    JSONInputError,
    MessageFormatError,
    SettingsError,
    TokbudgetError,
    UnknownModelError,
)
from ..jsonload import loads
from .protocol import Call, Response, canonical_model, json_type

__all__ = ["PATH", "input_tokens", "openai_error_shape"]

PATH = "/v1/responses/input_tokens"


def _error(
    status: int, message: str, param: str | None = None, code: str | None = None
) -> Response:
    kind = "server_error" if status >= 500 else "invalid_request_error"
    doc = {"error": {"message": message, "type": kind, "param": param, "code": code}}
    return Response(status, json.dumps(doc))


def openai_error_shape(response: Response) -> Response:
    """``response`` with an error body in OpenAI's shape (other answers unchanged)."""
    if response.status < 400:
        return response
    try:
        error = json.loads(response.body)["error"]
    except (ValueError, KeyError, TypeError):
        return replace(_error(response.status, "error"), headers=response.headers)
    if "type" in error:  # already OpenAI's shape
        return response
    shaped = _error(
        response.status, str(error.get("message")), error.get("field"), error.get("code")
    )
    return replace(shaped, headers=response.headers)


def input_tokens(body: bytes, call: Call) -> Response:
    """Answer ``POST /v1/responses/input_tokens`` (see the module doc)."""
    detail = _detail(call.query)
    if isinstance(detail, Response):
        return detail
    try:
        data = loads(body)
    except JSONInputError as exc:
        return _error(400, f"the request body is {exc.reason}", code="invalid_json")
    if not isinstance(data, dict):
        return _error(400, f"the request body must be a JSON object, got {json_type(data)}")
    model = data.get("model", call.model())
    if not isinstance(model, str):
        return _error(400, f"'model' must be a string, got {json_type(model)}", "model")
    try:
        counted = count_request(data, model, api="responses")
    except UnknownModelError as exc:
        return _error(400, str(exc), "model", "model_not_found")
    except MessageFormatError as exc:
        return _error(400, str(exc), _param(exc), "invalid_value")
    except (SettingsError, InvalidInputError) as exc:
        return _error(400, str(exc), _setting(exc.parameter), "invalid_value")
    except TokbudgetError as exc:
        return _error(400, str(exc))
    except RecursionError:
        return _error(400, "the request is nested too deeply")
    doc: dict[str, Any] = {"object": "response.input_tokens", "input_tokens": counted.total}
    if detail:
        doc["model"] = canonical_model(model)
        doc["detail"] = counted.to_dict()
    return Response.of(doc)


def _detail(query: str) -> bool | Response:
    values = parse_qs(query, keep_blank_values=True).get("detail", ["false"])
    value = values[-1].lower()
    if value in ("true", "1", ""):
        return True
    if value in ("false", "0"):
        return False
    return _error(400, f"detail must be true or false, got {values[-1]!r}", "detail")


def _param(exc: MessageFormatError) -> str | None:
    if exc.index is not None and exc.field is not None:
        return f"input[{exc.index}].{exc.field}"
    return exc.field


def _setting(parameter: str | None) -> str | None:
    """A body field's name as OpenAI's ``param`` (the reader calls it ``request 'name'``)."""
    if parameter is None:
        return None
    return parameter.removeprefix("request '").removesuffix("'")
