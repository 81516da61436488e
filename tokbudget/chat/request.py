"""The one reader of request bodies: every front end turns a body into a :class:`Request` here.

It takes a Chat Completions body (``messages``), a Responses API body (``input``,
``instructions``, ...), a Batch API input line wrapping either (``{"custom_id", "url",
"body"}``), a bare list of Chat messages or of Responses input items, and the openai
SDK's pydantic objects (anything with ``model_dump()``; the SDK is never imported). The
API is detected from the keys (``messages`` -> Chat; ``input``, ``instructions``,
``previous_response_id``, ``conversation`` -> Responses; a Batch line's ``url`` decides
first); ``api="chat" | "responses"`` forces one. A body that is neither is an error.

Field rules, the same for every caller:

* **max output**: Chat takes ``max_completion_tokens`` (newer) or else ``max_tokens``
  (legacy), the first that is not null, so ``{"max_completion_tokens": null,
  "max_tokens": 100}`` means 100; Responses takes ``max_output_tokens``. Each must be an
  integer >= 1.
* **tools**: Chat ``tools`` or legacy ``functions`` (not both); ``tool_choice`` or legacy
  ``function_call``. Responses ``tools`` and ``tool_choice``.
* **response format**: Chat ``response_format``; Responses ``text.format``.
* **reasoning effort**: Chat ``reasoning_effort``; Responses ``reasoning.effort``.
* **server-side state** (Responses ``previous_response_id``, ``conversation``, ``prompt``):
  named in :attr:`Request.server_state`; the items it stands for cannot be counted offline.
  A body whose only request key is a stored ``prompt`` object is a Responses body (a
  completions body's ``prompt`` is text, and is neither API's).
* **personality** (Responses): a model-owned style preset, kept in
  :attr:`Request.personality`; the prompt it adds is not published.

Only the shape is checked here; the counters check each message, item and tool and name
the index and field of what is wrong. The body is never modified.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .._util import require_choice, require_int
from ..errors import MessageFormatError

__all__ = ["APIS", "Api", "Request", "plain", "read_request", "request_body"]

Api = Literal["chat", "responses"]
APIS: tuple[str, ...] = ("chat", "responses")

_RESPONSES_KEYS = ("input", "instructions", "previous_response_id", "conversation")
_SERVER_STATE = ("previous_response_id", "conversation", "prompt")
_BATCH_URLS = {"/v1/chat/completions": "chat", "/v1/responses": "responses"}


@dataclass(frozen=True, slots=True)
class Request:
    """A request body read into one typed shape, whichever API it was written for.

    Attributes:
        api: ``"chat"`` or ``"responses"``.
        model: the body's ``model`` (None if it names none).
        items: Chat ``messages``, or Responses ``input`` items (a string ``input`` is one
            user message, ``{"role": "user", "content": ...}``). Plain mappings: SDK objects
            are dumped; the caller's own mappings are passed through, never copied or changed.
        instructions: Responses ``instructions`` (None for Chat).
        tools: the tool definitions (Chat ``tools`` or legacy ``functions``), or None.
        tool_choice: ``tool_choice`` (or legacy ``function_call``), or None.
        max_output_tokens: the output cap the body asks for (see the module doc), or None.
        response_format: Chat ``response_format`` or Responses ``text.format``, or None.
        reasoning_effort: Chat ``reasoning_effort`` or Responses ``reasoning.effort``.
        server_state: the fields naming state the API keeps (``previous_response_id``, ...).
        choices: Chat ``n`` (1 if absent).
        legacy_functions: the tools came from legacy ``functions``.
        personality: Responses ``personality`` (a style preset), or None.
    """

    api: Api
    model: str | None
    items: tuple[Mapping[str, Any], ...]
    instructions: str | None = None
    tools: tuple[Any, ...] | None = None
    tool_choice: Any = None
    max_output_tokens: int | None = None
    response_format: Mapping[str, Any] | None = None
    reasoning_effort: str | None = None
    server_state: tuple[str, ...] = ()
    choices: int = 1
    legacy_functions: bool = False
    personality: str | None = None

    @property
    def messages(self) -> list[Mapping[str, Any]]:
        """The items as a list (Chat: the messages)."""
        return list(self.items)


def plain(value: Any) -> Any:
    """``value`` itself, or an SDK (pydantic) object's ``model_dump(exclude_none=True)``."""
    if isinstance(value, Mapping):
        return value
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(exclude_none=True)
    return value


def request_body(body: Any) -> Mapping[str, Any]:
    """``body`` itself, or the request inside a Batch API input line."""
    body = plain(body)
    if not isinstance(body, Mapping):
        raise MessageFormatError(
            f"a request body must be a JSON object, got {type(body).__name__}", field="body"
        )
    if isinstance(body.get("body"), Mapping) and "custom_id" in body:
        return body["body"]  # type: ignore[no-any-return]
    return body


def read_request(body: Any, api: str | None = None) -> Request:
    """Read any request body (see the module doc) into a :class:`Request`.

    Raises:
        MessageFormatError: not a request body, or its shape is wrong (names the field).
        InvalidInputError: ``api`` or a max-output field has the wrong type (a max
            output must be a whole number).
        SettingsError: ``api`` is not ``"chat"``/``"responses"``, or a max output is < 1.

    >>> read_request({"model": "gpt-5", "input": "hi", "max_output_tokens": 50}).items
    ({'role': 'user', 'content': 'hi'},)
    >>> body = {"messages": [], "max_completion_tokens": None, "max_tokens": 100}
    >>> read_request(body).max_output_tokens
    100
    """
    if api is not None:
        require_choice("api", api, APIS)
    if isinstance(body, Request):
        return body
    body = plain(body)
    if isinstance(body, Sequence) and not isinstance(body, str | bytes | bytearray):
        return _bare_list(body, api)
    if not isinstance(body, Mapping):
        raise MessageFormatError(
            f"a request body must be a JSON object (or a list of messages), "
            f"got {type(body).__name__}",
            field="body",
        )
    url = body.get("url")
    inner = request_body(body)
    if inner is not body and api is None and isinstance(url, str):
        api = _BATCH_URLS.get(url.split("?", 1)[0])
    body = inner
    detected = _detect(body) if api is None else api
    if detected == "chat":
        return _chat(body)
    return _responses(body)


# ------------------------------------------------------------------------- internals


def _detect(body: Mapping[str, Any]) -> str:
    chat = "messages" in body
    responses = [k for k in _RESPONSES_KEYS if k in body]
    if isinstance(plain(body.get("prompt")), Mapping):  # a stored prompt: {"id": ...}
        responses.append("prompt")
    if chat and responses:
        raise MessageFormatError(
            f"the request has both 'messages' (Chat Completions) and {responses[0]!r} "
            "(Responses API); send one API's body, or pass api='chat' / api='responses'",
            field="messages",
        )
    if chat:
        return "chat"
    if responses:
        return "responses"
    keys = ", ".join(repr(k) for k in list(body)[:6]) or "no keys"
    raise MessageFormatError(
        f"the request has no 'messages' list (Chat Completions) and no 'input' (Responses "
        f"API), so it is neither API's body; it has {keys}",
        field="body",
    )


def _bare_list(items: Sequence[Any], api: str | None) -> Request:
    dumped = tuple(plain(m) for m in items)
    if api is None:
        # Chat messages have no "type"; every Responses item but an easy message has one.
        typed = any(isinstance(m, Mapping) and "type" in m for m in dumped)
        api = "responses" if typed else "chat"
    return Request(api=api, model=None, items=dumped)  # type: ignore[arg-type]


def _list_field(body: Mapping[str, Any], key: str) -> tuple[Any, ...] | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        raise MessageFormatError(f"{key!r} must be a list, got {type(value).__name__}", field=key)
    return tuple(plain(v) for v in value)


def _count(body: Mapping[str, Any], key: str, least: int = 1) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    return require_int(f"request {key!r}", value, least=least)


def _model(body: Mapping[str, Any]) -> str | None:
    model = body.get("model")
    if model is not None and not isinstance(model, str):
        raise MessageFormatError(
            f"request 'model' must be a string, got {type(model).__name__}", field="model"
        )
    return model


def _mapping(value: Any, field: str) -> Mapping[str, Any] | None:
    value = plain(value)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise MessageFormatError(
            f"{field} must be an object, got {type(value).__name__}: {value!r:.60}", field=field
        )
    return value


def _effort(value: Any, field: str) -> str | None:
    """A string field (``reasoning.effort``, ``personality``), or None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise MessageFormatError(f"{field} must be a string, got {value!r:.60}", field=field)
    return value


def _chat(body: Mapping[str, Any]) -> Request:
    messages = body.get("messages")
    if messages is None:
        hint = (
            " (this looks like a Responses API body: read it with api='responses')"
            if any(k in body for k in _RESPONSES_KEYS)
            else ""
        )
        raise MessageFormatError(f"the request has no 'messages' list{hint}", field="messages")
    items = _list_field(body, "messages")
    tools, choice = _list_field(body, "tools"), body.get("tool_choice")
    legacy = body.get("functions") is not None
    if legacy:
        if tools is not None:
            raise MessageFormatError(
                "the request has both 'tools' and legacy 'functions'; send one", field="functions"
            )
        tools, choice = _list_field(body, "functions"), body.get("function_call", choice)
    output = _count(body, "max_completion_tokens")
    if output is None:
        output = _count(body, "max_tokens")
    return Request(
        api="chat",
        model=_model(body),
        items=items or (),
        tools=tools,
        tool_choice=plain(choice),
        max_output_tokens=output,
        response_format=_mapping(body.get("response_format"), "response_format"),
        reasoning_effort=_effort(body.get("reasoning_effort"), "reasoning_effort"),
        choices=_count(body, "n") or 1,
        legacy_functions=legacy,
    )


def _responses(body: Mapping[str, Any]) -> Request:
    raw = plain(body.get("input"))
    if raw is None:
        items: tuple[Any, ...] = ()
    elif isinstance(raw, str):
        items = ({"role": "user", "content": raw},)
    else:
        items = _list_field(body, "input") or ()
    instructions = body.get("instructions")
    if instructions is not None and not isinstance(instructions, str):
        raise MessageFormatError(
            f"'instructions' must be a string, got {type(instructions).__name__}",
            field="instructions",
        )
    text = _mapping(body.get("text"), "text")
    reasoning = _mapping(body.get("reasoning"), "reasoning")
    return Request(
        api="responses",
        model=_model(body),
        items=items,
        instructions=instructions,
        tools=_list_field(body, "tools"),
        tool_choice=plain(body.get("tool_choice")),
        max_output_tokens=_count(body, "max_output_tokens"),
        response_format=None if text is None else _mapping(text.get("format"), "text.format"),
        reasoning_effort=None
        if reasoning is None
        else _effort(reasoning.get("effort"), "reasoning.effort"),
        server_state=tuple(k for k in _SERVER_STATE if body.get(k) is not None),
        personality=_effort(body.get("personality"), "personality"),
    )
